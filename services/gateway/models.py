"""Tables of the gateway: municipalities, API keys, the region's activity feed, webhooks."""

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Float,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlmodel import Field, SQLModel

from shared.kit.sqltypes import UTCDateTime


class Municipality(SQLModel, table=True):
    __tablename__ = "municipalities"

    ags: str = Field(sa_column=Column(String(8), primary_key=True))
    name: str = Field(sa_column=Column(String(200), nullable=False))
    kind: str = Field(sa_column=Column(String(30), nullable=False))
    land: str = Field(sa_column=Column(String(40), nullable=False))
    population: int | None = Field(default=None, sa_column=Column(Integer))
    # WGS 84 degrees of the town centre, for the region's picture; both or neither.
    latitude: float | None = Field(default=None, sa_column=Column(Float))
    longitude: float | None = Field(default=None, sa_column=Column(Float))
    version: int = Field(sa_column=Column(Integer, nullable=False))
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    updated_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))


class ApiKey(SQLModel, table=True):
    """An API key; only its SHA-256 is stored, the key itself is shown once."""

    __tablename__ = "api_keys"

    id: str = Field(sa_column=Column(String(36), primary_key=True))
    prefix: str = Field(sa_column=Column(String(40), nullable=False))
    secret_hash: str = Field(sa_column=Column(String(64), nullable=False, unique=True))
    name: str = Field(sa_column=Column(String(200), nullable=False))
    role: str = Field(sa_column=Column(String(20), nullable=False))
    ags: str | None = Field(default=None, sa_column=Column(String(8), index=True))
    created_by: str = Field(sa_column=Column(String(200), nullable=False))
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    last_used_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    revoked_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    # The origins whose pages may frame this key's widgets (CSP frame-ancestors).
    embed_origins: list[str] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False, server_default="[]")
    )
    version: int = Field(default=1, sa_column=Column(Integer, nullable=False, server_default="1"))


class FeedEntry(SQLModel, table=True):
    """One thing that happened in the region, as the live feed shows it."""

    __tablename__ = "feed_entries"
    __table_args__ = (UniqueConstraint("source", "event_id"),)

    seq: int | None = Field(default=None, sa_column=Column(Integer, primary_key=True))
    source: str = Field(sa_column=Column(String(200), nullable=False))
    event_id: str = Field(sa_column=Column(String(200), nullable=False))
    type: str = Field(sa_column=Column(String(200), nullable=False))
    subject: str = Field(sa_column=Column(String(200), nullable=False, index=True))
    title: str = Field(sa_column=Column(String(300), nullable=False))
    municipality_ags: str = Field(sa_column=Column(String(8), nullable=False))
    visibility: str = Field(sa_column=Column(String(10), nullable=False))
    # The aggregate's version the entry describes: a late, older event never
    # decides the visibility of newer entries.
    version: int = Field(sa_column=Column(Integer, nullable=False))
    occurred_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    data: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    # The two ends of a Kooperationsradar match (`data.project.id`, `data.match.id`), as
    # columns so narrowing or deleting a project finds the matches naming it by index.
    project_end: str | None = Field(default=None, sa_column=Column(String(36), index=True))
    match_end: str | None = Field(default=None, sa_column=Column(String(36), index=True))


class Webhook(SQLModel, table=True):
    """An outgoing webhook: which feed events go where, and whose eyes decide what it gets.

    It belongs to a municipality (`owner_ags`) or, made with a coordinator's or admin's
    key, to the region (`owner_ags` None); it receives what its owner may see."""

    __tablename__ = "webhooks"

    id: str = Field(sa_column=Column(String(36), primary_key=True))
    owner_role: str = Field(sa_column=Column(String(20), nullable=False))
    owner_ags: str | None = Field(default=None, sa_column=Column(String(8), index=True))
    created_by: str = Field(sa_column=Column(String(200), nullable=False))
    url: str = Field(sa_column=Column(String(2048), nullable=False))
    description: str = Field(sa_column=Column(String(500), nullable=False))
    event_types: list[str] = Field(sa_column=Column(JSON, nullable=False))
    # "|a|b|" of event_types: the feed consumer finds the webhooks of a type by LIKE.
    type_keys: str = Field(sa_column=Column(String(4000), nullable=False))
    municipality: str | None = Field(default=None, sa_column=Column(String(8)))
    topic: str | None = Field(default=None, sa_column=Column(String(40)))
    secret: str = Field(sa_column=Column(String(100), nullable=False))
    previous_secret: str | None = Field(default=None, sa_column=Column(String(100)))
    previous_secret_until: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    active: bool = Field(sa_column=Column(Boolean, nullable=False))
    failing_since: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    disabled_reason: str | None = Field(default=None, sa_column=Column(Text))
    version: int = Field(sa_column=Column(Integer, nullable=False))
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    updated_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))


class WebhookDelivery(SQLModel, table=True):
    """One feed entry (or ping) to one webhook, kept until delivered or visibly failed.

    Queued in the transaction that added the entry to the feed, once per webhook and
    event; the body is built from the feed entry at each attempt, after checking that the
    webhook's owner may still see it. `claimed_until` is the lease of the process
    sending it (an expired lease means that process died)."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        UniqueConstraint("webhook_id", "event_key"),
        Index("ix_webhook_deliveries_due", "status", "next_attempt_at"),
    )

    id: str = Field(sa_column=Column(String(36), primary_key=True))
    webhook_id: str = Field(sa_column=Column(String(36), nullable=False, index=True))
    event_key: str = Field(sa_column=Column(String(420), nullable=False))
    """`source id` of the event (or `ping id`): a message is queued once per webhook."""
    feed_seq: int | None = Field(default=None, sa_column=Column(Integer))
    event_type: str = Field(sa_column=Column(String(200), nullable=False))
    payload: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    """The body of a ping; feed deliveries are built from their entry."""
    status: str = Field(sa_column=Column(String(12), nullable=False))
    attempts: int = Field(sa_column=Column(Integer, nullable=False))
    next_attempt_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    claimed_until: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    last_status: int | None = Field(default=None, sa_column=Column(Integer))
    last_error: str | None = Field(default=None, sa_column=Column(Text))
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    delivered_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))


class WebSession(SQLModel, table=True):
    """A browser's sign-in: the cookie holds a random id, this row only its hash."""

    __tablename__ = "web_sessions"

    id_hash: str = Field(sa_column=Column(String(64), primary_key=True))
    key_id: str | None = Field(
        default=None, sa_column=Column(String(36), index=True), description="the key signed in"
    )
    role: str = Field(sa_column=Column(String(20), nullable=False))
    subject: str = Field(sa_column=Column(String(200), nullable=False))
    ags: str | None = Field(default=None, sa_column=Column(String(8)))
    csrf_secret: str = Field(sa_column=Column(String(64), nullable=False))
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    expires_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False, index=True))
    last_seen_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
