"""Events of the gateway context: municipalities of the region."""

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from shared.ags import AGS
from shared.contracts.topics import GATEWAY
from shared.events import event_type

MunicipalityKind = Literal[
    "gemeinde",
    "stadt",
    "kreisfreie_stadt",
    "landkreis",
    "verbandsgemeinde",
    "samtgemeinde",
    "amt",
]


class MunicipalitySnapshot(BaseModel):
    """The public state of a municipality after a change."""

    ags: AGS
    name: str
    kind: MunicipalityKind
    land: str
    population: int | None = None
    version: int
    updated_at: datetime


@event_type("de.lotse.municipality.created.v1", topic=GATEWAY)
class MunicipalityCreated(BaseModel):
    municipality: MunicipalitySnapshot


@event_type("de.lotse.municipality.updated.v1", topic=GATEWAY)
class MunicipalityUpdated(BaseModel):
    municipality: MunicipalitySnapshot
    changed: list[str] = Field(description="names of the fields that changed")
