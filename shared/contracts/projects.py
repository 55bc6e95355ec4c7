"""Events of the projects context: the projects of the region's municipalities."""

import uuid
from datetime import date, datetime
from typing import ClassVar, Literal

from pydantic import BaseModel, Field

from shared.contracts.topics import PROJECTS
from shared.kit.events import EventPayload
from shared.region.ags import AGS
from shared.region.topics import Topic

ProjectStatus = Literal["idea", "planned", "in_progress", "completed", "paused", "cancelled"]
Visibility = Literal["public", "region", "private"]


class Indicator(BaseModel):
    """How success is measured: a named figure with unit, target and current value."""

    name: str = Field(min_length=1, max_length=200)
    unit: str | None = Field(default=None, max_length=50)
    target: float | None = Field(default=None, allow_inf_nan=False)
    current: float | None = Field(default=None, allow_inf_nan=False)


class FundingSource(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    amount_eur: float | None = Field(default=None, ge=0, allow_inf_nan=False)


class ContactPerson(BaseModel):
    """The Digitallotse or whoever answers questions about the project."""

    name: str = Field(min_length=1, max_length=200)
    role: str | None = Field(default=None, max_length=200)
    email: str | None = Field(default=None, max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
    phone: str | None = Field(default=None, max_length=50)


class Link(BaseModel):
    title: str = Field(min_length=1, max_length=200)
    url: str = Field(max_length=2000, pattern=r"^https?://\S+$")


class ProjectSnapshot(BaseModel):
    """The full state of a project after a change, as every consumer sees it."""

    id: uuid.UUID
    municipality_ags: AGS
    title: str
    summary: str
    description: str
    topics: list[Topic]
    status: ProjectStatus
    target_groups: list[str]
    value_proposition: str | None
    indicators: list[Indicator]
    budget_eur: float | None
    funding_sources: list[FundingSource]
    start_date: date | None
    end_date: date | None
    partner_municipalities: list[AGS]
    contact: ContactPerson | None
    links: list[Link]
    based_on_solution: uuid.UUID | None
    visibility: Visibility
    tags: list[str]
    version: int
    created_at: datetime
    updated_at: datetime


class ProjectCreated(EventPayload):
    event_type: ClassVar[str] = "de.lotse.project.created.v1"
    topic: ClassVar[str] = PROJECTS

    project: ProjectSnapshot


class ProjectUpdated(EventPayload):
    event_type: ClassVar[str] = "de.lotse.project.updated.v1"
    topic: ClassVar[str] = PROJECTS

    project: ProjectSnapshot
    changed: list[str] = Field(description="names of the fields that changed")


class ProjectStatusChanged(EventPayload):
    event_type: ClassVar[str] = "de.lotse.project.status_changed.v1"
    topic: ClassVar[str] = PROJECTS

    project: ProjectSnapshot
    previous_status: ProjectStatus
    changed: list[str] = Field(description="names of the fields that changed, status included")


class ProjectDeleted(EventPayload):
    event_type: ClassVar[str] = "de.lotse.project.deleted.v1"
    topic: ClassVar[str] = PROJECTS

    project: ProjectSnapshot = Field(description="the last state before deletion")
