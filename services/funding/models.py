"""Tables of the funding service."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Column, Float, Integer, String, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from shared.kit.sqltypes import UTCDateTime


class FundingCall(SQLModel, table=True):
    """A funding call (Förderaufruf) as coordinators publish it."""

    __tablename__ = "funding_calls"

    id: str = Field(sa_column=Column(String(36), primary_key=True))
    reference: str | None = Field(default=None, sa_column=Column(String(100)))
    title: str = Field(sa_column=Column(String(300), nullable=False))
    summary: str = Field(sa_column=Column(Text, nullable=False))
    description: str = Field(sa_column=Column(Text, nullable=False))
    funder: str = Field(sa_column=Column(String(200), nullable=False))
    funder_level: str = Field(sa_column=Column(String(20), nullable=False, index=True))
    programme: str | None = Field(default=None, sa_column=Column(String(300)))
    funding_types: list[str] = Field(sa_column=Column(JSON, nullable=False))
    topics: list[str] = Field(sa_column=Column(JSON, nullable=False))
    laender: list[str] = Field(sa_column=Column(JSON, nullable=False))
    municipality_kinds: list[str] = Field(sa_column=Column(JSON, nullable=False))
    population_min: int | None = Field(default=None, sa_column=Column(Integer))
    population_max: int | None = Field(default=None, sa_column=Column(Integer))
    other_applicants: list[str] = Field(sa_column=Column(JSON, nullable=False))
    # "|a|b|" of the lists above: portable one-value filters on SQLite and PostgreSQL.
    type_keys: str = Field(sa_column=Column(String(200), nullable=False))
    topic_keys: str = Field(sa_column=Column(String(400), nullable=False))
    land_keys: str = Field(sa_column=Column(String(100), nullable=False))
    kind_keys: str = Field(sa_column=Column(String(200), nullable=False))
    eligibility_text: str = Field(sa_column=Column(Text, nullable=False))
    total_budget: float | None = Field(default=None, sa_column=Column(Float))
    award_min: float | None = Field(default=None, sa_column=Column(Float))
    award_max: float | None = Field(default=None, sa_column=Column(Float))
    currency: str = Field(sa_column=Column(String(3), nullable=False))
    funding_rate: float | None = Field(default=None, sa_column=Column(Float))
    min_own_contribution: float | None = Field(default=None, sa_column=Column(Float))
    opens_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), index=True))
    deadline_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), index=True))
    timezone: str = Field(sa_column=Column(String(60), nullable=False))
    deadline_model: str = Field(sa_column=Column(String(30), nullable=False))
    deadline_revision: int = Field(sa_column=Column(Integer, nullable=False))
    status: str = Field(sa_column=Column(String(20), nullable=False, index=True))
    source_url: str = Field(sa_column=Column(String(2000), nullable=False))
    last_verified_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    contact: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    attachments: list[dict[str, Any]] = Field(sa_column=Column(JSON, nullable=False))
    # Case-folded title, summary, description, funder, programme and reference, for `q`.
    search_text: str = Field(sa_column=Column(Text, nullable=False))
    version: int = Field(sa_column=Column(Integer, nullable=False))
    created_by: str = Field(sa_column=Column(String(200), nullable=False))
    published_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    updated_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False, index=True))


class KnownMunicipality(SQLModel, table=True):
    """The region's municipalities as the gateway's events tell them: for eligibility."""

    __tablename__ = "funding_municipalities"

    ags: str = Field(sa_column=Column(String(8), primary_key=True))
    name: str = Field(sa_column=Column(String(200), nullable=False))
    kind: str = Field(sa_column=Column(String(30), nullable=False))
    population: int | None = Field(default=None, sa_column=Column(Integer))
    version: int = Field(sa_column=Column(Integer, nullable=False))


class KnownProject(SQLModel, table=True):
    """The region's projects as the projects service's events tell them: for matching."""

    __tablename__ = "funding_projects"

    id: str = Field(sa_column=Column(String(36), primary_key=True))
    municipality_ags: str = Field(sa_column=Column(String(8), nullable=False, index=True))
    title: str = Field(sa_column=Column(String(200), nullable=False))
    topics: list[str] = Field(sa_column=Column(JSON, nullable=False))
    topic_keys: str = Field(sa_column=Column(String(400), nullable=False))
    status: str = Field(sa_column=Column(String(20), nullable=False, index=True))
    visibility: str = Field(sa_column=Column(String(10), nullable=False))
    version: int = Field(sa_column=Column(Integer, nullable=False))


class FundingMatch(SQLModel, table=True):
    """A call that fits a project, found once and kept with its reasons."""

    __tablename__ = "funding_matches"
    __table_args__ = (UniqueConstraint("call_id", "project_id"),)

    id: str = Field(sa_column=Column(String(36), primary_key=True))
    call_id: str = Field(sa_column=Column(String(36), nullable=False, index=True))
    project_id: str = Field(sa_column=Column(String(36), nullable=False, index=True))
    municipality_ags: str = Field(sa_column=Column(String(8), nullable=False))
    reasons: list[str] = Field(sa_column=Column(JSON, nullable=False))
    found_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))


class Subscription(SQLModel, table=True):
    """An alert subscription: whose it is, what it wants, and where alerts go."""

    __tablename__ = "subscriptions"

    id: str = Field(sa_column=Column(String(36), primary_key=True))
    owner_subject: str = Field(sa_column=Column(String(200), nullable=False, index=True))
    owner_ags: str | None = Field(default=None, sa_column=Column(String(8)))
    name: str = Field(sa_column=Column(String(200), nullable=False))
    # The filter; empty lists and nulls do not filter.
    topics: list[str] = Field(sa_column=Column(JSON, nullable=False))
    laender: list[str] = Field(sa_column=Column(JSON, nullable=False))
    funding_types: list[str] = Field(sa_column=Column(JSON, nullable=False))
    amount_min: float | None = Field(default=None, sa_column=Column(Float))
    amount_max: float | None = Field(default=None, sa_column=Column(Float))
    eligible_for_own: bool = Field(sa_column=Column(Boolean, nullable=False))
    keywords: list[str] = Field(sa_column=Column(JSON, nullable=False))
    channel: str = Field(sa_column=Column(String(10), nullable=False))
    mode: str = Field(sa_column=Column(String(10), nullable=False))
    lead_days: list[int] = Field(sa_column=Column(JSON, nullable=False))
    email: str | None = Field(default=None, sa_column=Column(String(254)))
    """The address alerts go to (channel email), or that hears of a disabled webhook."""
    email_confirmed_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    url: str | None = Field(default=None, sa_column=Column(String(2048)))
    secret: str | None = Field(default=None, sa_column=Column(String(100)))
    previous_secret: str | None = Field(default=None, sa_column=Column(String(100)))
    previous_secret_until: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    failing_since: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    disabled_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    disabled_reason: str | None = Field(default=None, sa_column=Column(Text))
    unsubscribed_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    deleted_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    feed_token_hash: str | None = Field(
        default=None, sa_column=Column(String(64), unique=True, nullable=True)
    )
    version: int = Field(sa_column=Column(Integer, nullable=False))
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    updated_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False, index=True))


class Delivery(SQLModel, table=True):
    """One message to one subscriber, kept until it was delivered or visibly failed.

    `key` makes it once: the same alert, reminder or digest is never queued twice, on
    any replica. A `held` row waits for the daily digest; `claimed_until` is the lease
    of the worker sending it (an expired lease means that worker died)."""

    __tablename__ = "deliveries"

    id: str = Field(sa_column=Column(String(36), primary_key=True))
    key: str = Field(sa_column=Column(String(300), nullable=False, unique=True))
    subscription_id: str = Field(sa_column=Column(String(36), nullable=False, index=True))
    channel: str = Field(sa_column=Column(String(10), nullable=False))
    kind: str = Field(sa_column=Column(String(30), nullable=False))
    event_type: str = Field(sa_column=Column(String(100), nullable=False))
    payload: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    status: str = Field(sa_column=Column(String(12), nullable=False))
    attempts: int = Field(sa_column=Column(Integer, nullable=False))
    next_attempt_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    claimed_until: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    last_status: int | None = Field(default=None, sa_column=Column(Integer))
    last_error: str | None = Field(default=None, sa_column=Column(Text))
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    delivered_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
