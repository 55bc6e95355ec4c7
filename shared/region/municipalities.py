"""The kinds of municipality a region is made of: one vocabulary for the gateway that
registers them, the events that carry them and the services that decide on them."""

from typing import Literal, get_args

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
