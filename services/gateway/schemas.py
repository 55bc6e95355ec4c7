"""Request and response shapes of the gateway's own API."""

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from services.gateway.models import FeedEntry
from shared.kit.http import not_nullable
from shared.kit.pagination import Page
from shared.region.ags import AGS
from shared.region.municipalities import MunicipalityKind

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class MunicipalityCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    ags: AGS = Field(description="Amtlicher Gemeindeschlüssel, 8 digits", examples=["06534014"])
    name: Name
    kind: MunicipalityKind
    population: int | None = Field(default=None, ge=0, le=100_000_000)


class MunicipalityUpdate(BaseModel):
    """Fields to change; the AGS never changes (a new AGS is a new municipality)."""

    # name and kind can change but not be cleared (domain.update_municipality).
    model_config = ConfigDict(extra="forbid", json_schema_extra=not_nullable("name", "kind"))

    name: Name | None = None
    kind: MunicipalityKind | None = None
    population: int | None = Field(default=None, ge=0, le=100_000_000)


class MunicipalityPublic(BaseModel):
    ags: str
    name: str
    kind: MunicipalityKind
    land: str = Field(description="the Land, from the first two digits of the AGS")
    population: int | None
    version: int
    created_at: datetime
    updated_at: datetime


class MunicipalityPage(Page[MunicipalityPublic]):
    pass


KeyRole = Literal["admin", "coordinator", "municipality", "reader"]


class ApiKeyCreate(BaseModel):
    """A municipality key names its `ags`; keys of the other roles have none."""

    model_config = ConfigDict(
        extra="forbid",
        # The rule domain.issue_key enforces, in JSON Schema so clients can know it.
        json_schema_extra={
            "if": {"properties": {"role": {"const": "municipality"}}, "required": ["role"]},
            "then": {"required": ["ags"], "properties": {"ags": {"type": "string"}}},
            "else": {"properties": {"ags": {"type": "null"}}},
        },
    )

    name: Name = Field(description="what the key is for, e.g. the tool that uses it")
    role: KeyRole
    ags: AGS | None = Field(
        default=None, description="required for, and only for, municipality keys"
    )


class ApiKeyPublic(BaseModel):
    id: uuid.UUID
    prefix: str = Field(description="the first characters of the key, to recognise it")
    name: str
    role: KeyRole
    ags: str | None
    created_by: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class ApiKeyCreated(ApiKeyPublic):
    key: str = Field(description="the key itself: shown this once, stored only as a hash")


class ApiKeyPage(Page[ApiKeyPublic]):
    pass


class TopicPublic(BaseModel):
    key: str
    label: str


class TopicList(BaseModel):
    vocabulary: str
    items: list[TopicPublic]


class FeedEntryPublic(BaseModel):
    id: int = Field(description="position in the feed; higher is newer")
    type: str = Field(description="CloudEvents type, e.g. de.lotse.project.created.v1")
    subject: str
    title: str
    municipality_ags: str | None = Field(
        description="the municipality it concerns; none for the region's catalogue entries "
        "and funding calls"
    )
    occurred_at: datetime
    data: dict[str, Any] = Field(
        description="the event's payload; an article's without `body` and `body_html` "
        "(read it at /api/v1/articles/{id})"
    )

    @classmethod
    def of(cls, entry: FeedEntry) -> "FeedEntryPublic":
        return cls(
            id=entry.seq or 0,
            type=entry.type,
            subject=entry.subject,
            title=entry.title,
            municipality_ags=entry.municipality_ags or None,
            occurred_at=entry.occurred_at,
            data=entry.data,
        )


class FeedPage(Page[FeedEntryPublic]):
    pass
