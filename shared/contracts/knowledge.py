"""Events of the knowledge context: the solution catalogue, who uses what, lessons learned,
and the Kooperationsradar's matches."""

import uuid
from datetime import date, datetime
from typing import ClassVar, Literal

from pydantic import BaseModel, Field

from shared.contracts.topics import KNOWLEDGE
from shared.kit.events import EventPayload
from shared.region.ags import AGS
from shared.region.topics import Topic

Maturity = Literal["concept", "development", "beta", "stable", "obsolete"]
MaintenanceType = Literal["internal", "contract", "community", "none"]
SoftwareType = Literal[
    "standalone/mobile",
    "standalone/iot",
    "standalone/desktop",
    "standalone/web",
    "standalone/backend",
    "standalone/other",
    "addon",
    "library",
    "configurationFiles",
]
SolutionStatus = Literal["active", "retired"]
AdoptionStatus = Literal["planned", "live", "ended"]
ArticleKind = Literal["lessons_learned", "guide", "procurement_template"]
Visibility = Literal["public", "region", "private"]


class LocalisedDescription(BaseModel):
    """The description of a solution in a second language (English)."""

    short_description: str = Field(max_length=150)
    long_description: str = ""


class LeikaReference(BaseModel):
    """A service of the German administration the solution implements."""

    leika_id: str | None = Field(default=None, max_length=50, description="LeiKa key")
    ozg_id: str | None = Field(default=None, max_length=50, description="OZG service id")


class SolutionContact(BaseModel):
    """Who answers questions about a solution (publiccode.yml `maintenance.contacts`)."""

    name: str = Field(min_length=1, max_length=200)
    email: str | None = Field(default=None, max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
    phone: str | None = Field(default=None, max_length=50)
    affiliation: str | None = Field(default=None, max_length=200)


class SolutionRequirement(BaseModel):
    """Something the solution needs to run (publiccode.yml `dependsOn`)."""

    name: str = Field(min_length=1, max_length=200)
    kind: Literal["open", "proprietary", "hardware"] = "open"
    version: str | None = Field(default=None, max_length=50)
    version_min: str | None = Field(default=None, max_length=50)
    version_max: str | None = Field(default=None, max_length=50)
    optional: bool = False


class SolutionSnapshot(BaseModel):
    """The public state of a catalogue solution after a change."""

    id: uuid.UUID
    name: str
    short_description: str
    long_description: str
    description_en: LocalisedDescription | None
    topics: list[Topic]
    leika_refs: list[LeikaReference]
    license: str = Field(description="SPDX license expression")
    maturity: Maturity | None
    software_type: SoftwareType | None
    maintenance_type: MaintenanceType | None
    maintainer: str | None
    contacts: list[SolutionContact]
    repository_url: str | None
    landing_url: str | None
    cost_notes: str | None
    requirements: list[SolutionRequirement]
    provider_ags: AGS | None = Field(description="the municipality that provides it, if any")
    owner_ags: AGS | None = Field(
        description="the municipality that published the entry; none when a coordinator did"
    )
    status: SolutionStatus
    version: int
    created_at: datetime
    updated_at: datetime


class SolutionPublished(EventPayload):
    event_type: ClassVar[str] = "de.lotse.solution.published.v1"
    topic: ClassVar[str] = KNOWLEDGE

    solution: SolutionSnapshot


class SolutionUpdated(EventPayload):
    event_type: ClassVar[str] = "de.lotse.solution.updated.v1"
    topic: ClassVar[str] = KNOWLEDGE

    solution: SolutionSnapshot
    changed: list[str] = Field(description="names of the fields that changed")


class SolutionRetired(EventPayload):
    event_type: ClassVar[str] = "de.lotse.solution.retired.v1"
    topic: ClassVar[str] = KNOWLEDGE

    solution: SolutionSnapshot = Field(description="the state at retirement")


class AdoptionSnapshot(BaseModel):
    """Municipality X uses (plans, used) solution Y: one cell of the region's inventory."""

    id: uuid.UUID
    solution_id: uuid.UUID
    solution_name: str
    municipality_ags: AGS
    status: AdoptionStatus
    since: date | None
    note: str | None
    project_id: uuid.UUID | None = Field(description="the project that brought it, if any")
    confirmed_at: datetime = Field(description="when the municipality last confirmed it")
    version: int
    created_at: datetime
    updated_at: datetime


class AdoptionRecorded(EventPayload):
    event_type: ClassVar[str] = "de.lotse.adoption.recorded.v1"
    topic: ClassVar[str] = KNOWLEDGE

    adoption: AdoptionSnapshot


class AdoptionChanged(EventPayload):
    event_type: ClassVar[str] = "de.lotse.adoption.changed.v1"
    topic: ClassVar[str] = KNOWLEDGE

    adoption: AdoptionSnapshot
    changed: list[str] = Field(description="names of the fields that changed")


class MatchEnd(BaseModel):
    """One end of a match: a project, or a catalogue solution."""

    id: uuid.UUID
    kind: Literal["project", "solution"]
    title: str
    municipality_ags: AGS | None = Field(description="owner of a project, provider of a solution")


class MatchFound(EventPayload):
    """The Kooperationsradar found that a project's municipality is not alone: another
    municipality does the same, or a catalogue solution fits."""

    event_type: ClassVar[str] = "de.lotse.match.found.v1"
    topic: ClassVar[str] = KNOWLEDGE

    project: MatchEnd = Field(description="the project that was created or changed")
    match: MatchEnd
    score: float = Field(ge=0, le=1)
    reason: str = Field(description="why, in German, e.g. „beide Vorhaben befassen sich mit …“")
    shared_terms: list[str]
    shared_topics: list[Topic]
    visibility: Visibility = Field(
        description="the narrower of both ends: a match with a private project is for its "
        "own municipality (and coordinators) only"
    )


class ArticleSnapshot(BaseModel):
    """A lesson learned, guide or procurement template, as published."""

    id: uuid.UUID
    title: str
    kind: ArticleKind
    summary: str
    body: str = Field(description="Markdown as written")
    body_html: str = Field(description="the body rendered to sanitised HTML")
    topics: list[Topic]
    solution_ids: list[uuid.UUID]
    project_ids: list[uuid.UUID]
    municipality_ags: AGS | None = Field(description="the writing municipality, if any")
    visibility: Visibility
    version: int
    created_at: datetime
    updated_at: datetime


class ArticlePublished(EventPayload):
    event_type: ClassVar[str] = "de.lotse.article.published.v1"
    topic: ClassVar[str] = KNOWLEDGE

    article: ArticleSnapshot


class ArticleUpdated(EventPayload):
    event_type: ClassVar[str] = "de.lotse.article.updated.v1"
    topic: ClassVar[str] = KNOWLEDGE

    article: ArticleSnapshot
    changed: list[str] = Field(description="names of the fields that changed")


class ArticleDeleted(EventPayload):
    event_type: ClassVar[str] = "de.lotse.article.deleted.v1"
    topic: ClassVar[str] = KNOWLEDGE

    article: ArticleSnapshot = Field(description="the last state before deletion")


class ArticleRequested(EventPayload):
    """A project was completed: its municipality is asked for a lessons-learned article."""

    event_type: ClassVar[str] = "de.lotse.article.requested.v1"
    topic: ClassVar[str] = KNOWLEDGE

    project: MatchEnd = Field(description="the completed project")
    municipality_ags: AGS = Field(description="who is asked")
    visibility: Visibility = Field(description="the project's")
    message: str = Field(description="the request, in German")
