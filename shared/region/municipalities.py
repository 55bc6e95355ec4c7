"""The kinds of municipality a region is made of: one vocabulary for the gateway that
registers them, the events that carry them and the services that decide on them."""

from typing import Any, Literal, Protocol, get_args

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import SQLModel

MunicipalityKind = Literal[
    "gemeinde",
    "stadt",
    "kreisfreie_stadt",
    "landkreis",
    "verbandsgemeinde",
    "samtgemeinde",
    "amt",
]

MUNICIPALITY_KINDS: tuple[MunicipalityKind, ...] = get_args(MunicipalityKind)

# How German texts name several of a kind ("Gemeinden bis 20.000 Einwohner").
KIND_PLURALS: dict[MunicipalityKind, str] = {
    "gemeinde": "Gemeinden",
    "stadt": "Städte",
    "kreisfreie_stadt": "kreisfreie Städte",
    "landkreis": "Landkreise",
    "verbandsgemeinde": "Verbandsgemeinden",
    "samtgemeinde": "Samtgemeinden",
    "amt": "Ämter",
}


class NamedMunicipality(Protocol):
    """What a service keeps of a municipality: a snapshot and a service's row alike."""

    ags: str
    name: str
    version: int


async def keep_known_municipality(
    session: AsyncSession, table: type[SQLModel], municipality: NamedMunicipality
) -> None:
    """Keep a service's table of the region's municipalities (columns ags, name, version)
    current from the gateway's events; an older snapshot never wins over a newer one."""
    known: Any = await session.get(table, municipality.ags)
    if known is None:
        session.add(
            table(ags=municipality.ags, name=municipality.name, version=municipality.version)
        )
    elif municipality.version > known.version:
        known.name = municipality.name
        known.version = municipality.version
