"""Tables of the projects service."""

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Column, Date, Float, Integer, String, Text
from sqlmodel import Field, SQLModel

from shared.kit.sqltypes import UTCDateTime


class Project(SQLModel, table=True):
    """A digitalisation project of a municipality."""

    __tablename__ = "projects"

    id: str = Field(sa_column=Column(String(36), primary_key=True))
    municipality_ags: str = Field(sa_column=Column(String(8), nullable=False, index=True))
    title: str = Field(sa_column=Column(String(200), nullable=False))
    summary: str = Field(sa_column=Column(Text, nullable=False))
    description: str = Field(sa_column=Column(Text, nullable=False))
    topics: list[str] = Field(sa_column=Column(JSON, nullable=False))
    # "|a|b|": a portable way to filter by one topic on SQLite and PostgreSQL alike.
    topic_keys: str = Field(sa_column=Column(String(400), nullable=False))
    status: str = Field(sa_column=Column(String(20), nullable=False, index=True))
    target_groups: list[str] = Field(sa_column=Column(JSON, nullable=False))
    value_proposition: str | None = Field(default=None, sa_column=Column(Text))
    indicators: list[dict[str, Any]] = Field(sa_column=Column(JSON, nullable=False))
    budget_eur: float | None = Field(default=None, sa_column=Column(Float))
    funding_sources: list[dict[str, Any]] = Field(sa_column=Column(JSON, nullable=False))
    start_date: date | None = Field(default=None, sa_column=Column(Date))
    end_date: date | None = Field(default=None, sa_column=Column(Date))
    partner_municipalities: list[str] = Field(sa_column=Column(JSON, nullable=False))
    contact: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    links: list[dict[str, Any]] = Field(sa_column=Column(JSON, nullable=False))
    based_on_solution: str | None = Field(default=None, sa_column=Column(String(36)))
    visibility: str = Field(sa_column=Column(String(10), nullable=False, index=True))
    tags: list[str] = Field(sa_column=Column(JSON, nullable=False))
    # Case-folded title, summary, description and tags, for `q`.
    search_text: str = Field(sa_column=Column(Text, nullable=False))
    version: int = Field(sa_column=Column(Integer, nullable=False))
    created_by: str = Field(sa_column=Column(String(200), nullable=False))
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    updated_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False, index=True))


class KnownMunicipality(SQLModel, table=True):
    """The municipalities of the region, as the gateway's events tell them."""

    __tablename__ = "known_municipalities"

    ags: str = Field(sa_column=Column(String(8), primary_key=True))
    name: str = Field(sa_column=Column(String(200), nullable=False))
    version: int = Field(sa_column=Column(Integer, nullable=False))
