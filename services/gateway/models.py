"""Tables of the gateway: municipalities, API keys and the region's activity feed."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, Integer, String, UniqueConstraint
from sqlmodel import Field, SQLModel

from shared.kit.sqltypes import UTCDateTime


class Municipality(SQLModel, table=True):
    __tablename__ = "municipalities"

    ags: str = Field(sa_column=Column(String(8), primary_key=True))
    name: str = Field(sa_column=Column(String(200), nullable=False))
    kind: str = Field(sa_column=Column(String(30), nullable=False))
    land: str = Field(sa_column=Column(String(40), nullable=False))
    population: int | None = Field(default=None, sa_column=Column(Integer))
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
