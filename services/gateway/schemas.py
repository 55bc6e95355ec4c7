"""Request and response shapes of the gateway's own API."""

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)

from services.gateway.models import FeedEntry
from services.gateway.origins import (
    MAX_EMBED_ORIGINS,
    MAX_ORIGIN_LENGTH,
    ORIGIN_PATTERN,
    embed_origin,
)
from shared.kit.http import StrictBody, not_nullable
from shared.kit.pagination import Page
from shared.region.ags import AGS
from shared.region.municipalities import MunicipalityKind
from shared.region.topics import Topic

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Latitude = Annotated[
    float,
    Field(
        ge=-90, le=90, allow_inf_nan=False, description="WGS 84 degrees north of the town centre"
    ),
]
Longitude = Annotated[
    float,
    Field(ge=-180, le=180, allow_inf_nan=False, description="WGS 84 degrees east of it"),
]
BOTH_OR_NEITHER = "latitude and longitude go together: give both or neither."


class MunicipalityCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    ags: AGS = Field(description="Amtlicher Gemeindeschlüssel, 8 digits", examples=["06534014"])
    name: Name
    kind: MunicipalityKind
    population: int | None = Field(default=None, ge=0, le=100_000_000)
    latitude: Latitude | None = None
    longitude: Longitude | None = None

    @model_validator(mode="after")
    def _both_or_neither(self) -> "MunicipalityCreate":
        if (self.latitude is None) != (self.longitude is None):
            raise ValueError(BOTH_OR_NEITHER)
        return self


class MunicipalityUpdate(BaseModel):
    """Fields to change; the AGS never changes (a new AGS is a new municipality)."""

    # name and kind can change but not be cleared (domain.update_municipality).
    model_config = ConfigDict(extra="forbid", json_schema_extra=not_nullable("name", "kind"))

    name: Name | None = None
    kind: MunicipalityKind | None = None
    population: int | None = Field(default=None, ge=0, le=100_000_000)
    latitude: Latitude | None = Field(
        default=None, description="with longitude, or when both are cleared (null)"
    )
    longitude: Longitude | None = None


class MunicipalityPublic(BaseModel):
    ags: str
    name: str
    kind: MunicipalityKind
    land: str = Field(description="the Land, from the first two digits of the AGS")
    population: int | None
    latitude: float | None = Field(
        default=None, description="WGS 84 degrees north of the town centre, if recorded"
    )
    longitude: float | None = Field(default=None, description="WGS 84 degrees east, if recorded")
    version: int
    created_at: datetime
    updated_at: datetime


class MunicipalityPage(Page[MunicipalityPublic]):
    pass


KeyRole = Literal["admin", "coordinator", "municipality", "reader"]

EmbedOrigin = Annotated[
    str,
    StringConstraints(max_length=MAX_ORIGIN_LENGTH, pattern=ORIGIN_PATTERN),
    AfterValidator(embed_origin),
]


def _distinct(origins: list[str] | None) -> list[str] | None:
    return None if origins is None else list(dict.fromkeys(origins))


EmbedOrigins = Annotated[
    list[EmbedOrigin],
    Field(
        max_length=MAX_EMBED_ORIGINS,
        description="origins (https://host[:port]; http only for localhost) whose pages may "
        "embed this key's widgets; none: the widgets cannot be framed anywhere",
        examples=[["https://intranet.example.de"]],
    ),
    AfterValidator(_distinct),
]


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
    embed_origins: EmbedOrigins = Field(default_factory=list)


class ApiKeyUpdate(StrictBody):
    """Fields to change; neither can be cleared with null (an empty list allows no origin)."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra=not_nullable("name", "embed_origins")
    )

    name: Name | None = None
    embed_origins: EmbedOrigins | None = None


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
    embed_origins: list[str] = Field(description="origins whose pages may embed its widgets")
    version: int


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


# -- webhooks -----------------------------------------------------------------------

WebhookEventType = Annotated[
    str, StringConstraints(max_length=120, pattern=r"^de\.lotse\.[a-z_]+(\.[a-z_]+)*\.v[0-9]+$")
]
Description = Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)]
WebhookUrl = Annotated[str, StringConstraints(min_length=1, max_length=2048)]


class WebhookCreate(StrictBody):
    """Where to send which feed events; the filters work like the live stream's."""

    url: WebhookUrl = Field(
        description="https:// endpoint that receives a POST per event (plain http and "
        "internal addresses only in networks the operator allow-listed)",
        examples=["https://intranet.example.de/hooks/lotse"],
    )
    event_types: list[WebhookEventType] = Field(
        min_length=1,
        max_length=30,
        description="event types to receive, from the published contracts; only types that "
        "reach the feed",
        examples=[["de.lotse.project.created.v1"]],
    )
    municipality: AGS | None = Field(default=None, description="only this municipality's")
    topic: Topic | None = Field(default=None, description="only projects with this topic")
    description: Description = Field(default="", description="what the webhook is for")


class WebhookUpdate(StrictBody):
    """Fields to change; `municipality` and `topic` may be cleared with null."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra=not_nullable("url", "event_types", "description", "active"),
    )

    url: WebhookUrl | None = None
    event_types: list[WebhookEventType] | None = Field(default=None, min_length=1, max_length=30)
    municipality: AGS | None = None
    topic: Topic | None = None
    description: Description | None = None
    active: bool | None = Field(
        default=None,
        description="false pauses the webhook (nothing is queued for it); true takes a "
        "paused or disabled one back into service",
    )


WebhookStatus = Literal["active", "paused", "disabled"]


class WebhookPublic(BaseModel):
    id: uuid.UUID
    url: str
    event_types: list[str]
    municipality: str | None
    topic: str | None
    description: str
    owner_ags: str | None = Field(
        description="the municipality it belongs to; none for the region's (coordinators')"
    )
    status: WebhookStatus = Field(
        description="`disabled` after the endpoint answered 410 or failed for 5 days"
    )
    disabled_reason: str | None
    secret_hint: str = Field(description="the end of the signing secret, to tell it")
    previous_secret_valid_until: datetime | None = Field(
        description="after a rotation, the old secret also signs until then"
    )
    version: int
    created_at: datetime
    updated_at: datetime


class WebhookCreated(WebhookPublic):
    secret: str = Field(description="the signing secret (whsec_...): shown this once, keep it")


class WebhookSecretRotated(BaseModel):
    secret: str = Field(description="the new signing secret, shown this once")
    previous_valid_until: datetime = Field(description="the old secret signs until then")


class WebhookPage(Page[WebhookPublic]):
    pass


WebhookDeliveryStatus = Literal["pending", "delivered", "failed", "cancelled"]


class WebhookDeliveryPublic(BaseModel):
    id: uuid.UUID
    webhook_message_id: str = Field(
        description="the `webhook-id` header it is sent with, the same on every attempt"
    )
    event_type: str
    feed_entry: int | None = Field(description="the feed position it announces; none for pings")
    status: WebhookDeliveryStatus
    attempts: int
    last_status: int | None = Field(description="the HTTP status of the last answer")
    last_error: str | None
    next_attempt_at: datetime | None = Field(description="when a pending delivery goes out")
    created_at: datetime
    delivered_at: datetime | None


class WebhookDeliveryPage(Page[WebhookDeliveryPublic]):
    pass
