"""Tables of the knowledge service."""

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Column, Date, Float, Integer, String, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from shared.kit.sqltypes import UTCDateTime


class Solution(SQLModel, table=True):
    """A reusable solution of the catalogue (software, service, template)."""

    __tablename__ = "solutions"

    id: str = Field(sa_column=Column(String(36), primary_key=True))
    name: str = Field(sa_column=Column(String(200), nullable=False))
    short_description: str = Field(sa_column=Column(String(150), nullable=False))
    long_description: str = Field(sa_column=Column(Text, nullable=False))
    description_en: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    topics: list[str] = Field(sa_column=Column(JSON, nullable=False))
    # "|a|b|": a portable way to filter by one topic on SQLite and PostgreSQL alike.
    topic_keys: str = Field(sa_column=Column(String(400), nullable=False))
    leika_refs: list[dict[str, Any]] = Field(sa_column=Column(JSON, nullable=False))
    license: str = Field(sa_column=Column(String(500), nullable=False, index=True))
    maturity: str | None = Field(default=None, sa_column=Column(String(20), index=True))
    software_type: str | None = Field(default=None, sa_column=Column(String(30)))
    maintenance_type: str | None = Field(default=None, sa_column=Column(String(20)))
    maintainer: str | None = Field(default=None, sa_column=Column(String(200)))
    contacts: list[dict[str, Any]] = Field(sa_column=Column(JSON, nullable=False))
    repository_url: str | None = Field(default=None, sa_column=Column(String(2000)))
    landing_url: str | None = Field(default=None, sa_column=Column(String(2000)))
    cost_notes: str | None = Field(default=None, sa_column=Column(Text))
    requirements: list[dict[str, Any]] = Field(sa_column=Column(JSON, nullable=False))
    provider_ags: str | None = Field(default=None, sa_column=Column(String(8), index=True))
    owner_ags: str | None = Field(default=None, sa_column=Column(String(8), index=True))
    # What publiccode.yml holds beyond the fields above (platforms, categories, usedBy,
    # country sections, ...): kept so that an import exports again without loss.
    publiccode: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    status: str = Field(sa_column=Column(String(10), nullable=False, index=True))
    version: int = Field(sa_column=Column(Integer, nullable=False))
    created_by: str = Field(sa_column=Column(String(200), nullable=False))
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    updated_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False, index=True))


class Adoption(SQLModel, table=True):
    """Municipality X uses solution Y: one cell of the region's inventory."""

    __tablename__ = "adoptions"
    __table_args__ = (UniqueConstraint("solution_id", "municipality_ags"),)

    id: str = Field(sa_column=Column(String(36), primary_key=True))
    solution_id: str = Field(sa_column=Column(String(36), nullable=False, index=True))
    municipality_ags: str = Field(sa_column=Column(String(8), nullable=False, index=True))
    status: str = Field(sa_column=Column(String(10), nullable=False, index=True))
    since: date | None = Field(default=None, sa_column=Column(Date))
    note: str | None = Field(default=None, sa_column=Column(Text))
    project_id: str | None = Field(default=None, sa_column=Column(String(36), index=True))
    confirmed_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False, index=True))
    version: int = Field(sa_column=Column(Integer, nullable=False))
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    updated_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False, index=True))


class RadarMatch(SQLModel, table=True):
    """A pair the Kooperationsradar announced (match.found), so it is announced once."""

    __tablename__ = "radar_matches"

    project_id: str = Field(sa_column=Column(String(36), primary_key=True))
    match_id: str = Field(sa_column=Column(String(36), primary_key=True))
    score: float = Field(sa_column=Column(Float, nullable=False))
    found_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))


class KnownProject(SQLModel, table=True):
    """The region's projects, as the projects service's events tell them (a read model)."""

    __tablename__ = "known_projects"

    id: str = Field(sa_column=Column(String(36), primary_key=True))
    municipality_ags: str = Field(sa_column=Column(String(8), nullable=False, index=True))
    title: str = Field(sa_column=Column(String(200), nullable=False))
    summary: str = Field(sa_column=Column(Text, nullable=False))
    description: str = Field(sa_column=Column(Text, nullable=False))
    topics: list[str] = Field(sa_column=Column(JSON, nullable=False))
    target_groups: list[str] = Field(sa_column=Column(JSON, nullable=False))
    status: str = Field(sa_column=Column(String(20), nullable=False))
    visibility: str = Field(sa_column=Column(String(10), nullable=False))
    based_on_solution: str | None = Field(default=None, sa_column=Column(String(36)))
    version: int = Field(sa_column=Column(Integer, nullable=False))
    updated_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))


class KnownMunicipality(SQLModel, table=True):
    """The municipalities of the region, as the gateway's events tell them."""

    __tablename__ = "region_municipalities"

    ags: str = Field(sa_column=Column(String(8), primary_key=True))
    name: str = Field(sa_column=Column(String(200), nullable=False))
    version: int = Field(sa_column=Column(Integer, nullable=False))


class Article(SQLModel, table=True):
    """A lesson learned, guide or procurement template of the region."""

    __tablename__ = "articles"

    id: str = Field(sa_column=Column(String(36), primary_key=True))
    title: str = Field(sa_column=Column(String(200), nullable=False))
    kind: str = Field(sa_column=Column(String(30), nullable=False, index=True))
    summary: str = Field(sa_column=Column(Text, nullable=False))
    body: str = Field(sa_column=Column(Text, nullable=False))
    body_html: str = Field(sa_column=Column(Text, nullable=False))
    topics: list[str] = Field(sa_column=Column(JSON, nullable=False))
    topic_keys: str = Field(sa_column=Column(String(400), nullable=False))
    solution_ids: list[str] = Field(sa_column=Column(JSON, nullable=False))
    project_ids: list[str] = Field(sa_column=Column(JSON, nullable=False))
    municipality_ags: str | None = Field(default=None, sa_column=Column(String(8), index=True))
    visibility: str = Field(sa_column=Column(String(10), nullable=False, index=True))
    version: int = Field(sa_column=Column(Integer, nullable=False))
    created_by: str = Field(sa_column=Column(String(200), nullable=False))
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    updated_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False, index=True))


class Contact(SQLModel, table=True):
    """A person of the region's directory: a Digitallotse, a CDO. Personal data: members
    see it, it publishes no events, and deleting it leaves no copy (GDPR Art. 17)."""

    __tablename__ = "contacts"

    id: str = Field(sa_column=Column(String(36), primary_key=True))
    name: str = Field(sa_column=Column(String(200), nullable=False))
    municipality_ags: str = Field(sa_column=Column(String(8), nullable=False, index=True))
    role: str | None = Field(default=None, sa_column=Column(String(200)))
    department: str | None = Field(default=None, sa_column=Column(String(200)))
    topics: list[str] = Field(sa_column=Column(JSON, nullable=False))
    email: str | None = Field(default=None, sa_column=Column(String(254)))
    phone: str | None = Field(default=None, sa_column=Column(String(50)))
    version: int = Field(sa_column=Column(Integer, nullable=False))
    created_by: str = Field(sa_column=Column(String(200), nullable=False))
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    updated_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
