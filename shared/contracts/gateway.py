"""Events of the gateway context: municipalities of the region."""

from datetime import datetime
from typing import ClassVar, Literal

from pydantic import BaseModel, Field

from shared.contracts.topics import GATEWAY
from shared.kit.events import EventPayload
from shared.region.ags import AGS

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


class MunicipalityCreated(EventPayload):
    event_type: ClassVar[str] = "de.lotse.municipality.created.v1"
    topic: ClassVar[str] = GATEWAY

    municipality: MunicipalitySnapshot


class MunicipalityUpdated(EventPayload):
    event_type: ClassVar[str] = "de.lotse.municipality.updated.v1"
    topic: ClassVar[str] = GATEWAY

    municipality: MunicipalitySnapshot
    changed: list[str] = Field(description="names of the fields that changed")
