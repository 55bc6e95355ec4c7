"""Events of the gateway context: municipalities of the region."""

from datetime import datetime
from typing import ClassVar

from pydantic import BaseModel, Field

from shared.contracts.topics import GATEWAY
from shared.kit.events import EventPayload
from shared.region.ags import AGS
from shared.region.municipalities import MunicipalityKind


class MunicipalitySnapshot(BaseModel):
    """The public state of a municipality after a change."""

    ags: AGS
    name: str
    kind: MunicipalityKind
    land: str
    population: int | None = None
    # Added within v1: optional, so older events and consumers stay valid.
    latitude: float | None = Field(default=None, description="WGS 84 degrees north, if recorded")
    longitude: float | None = Field(default=None, description="WGS 84 degrees east, if recorded")
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
