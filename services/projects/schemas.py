"""Request and response shapes of the projects API."""

import uuid
from datetime import date
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from shared.contracts.projects import (
    ContactPerson,
    FundingSource,
    Indicator,
    Link,
    ProjectSnapshot,
    ProjectStatus,
    Visibility,
)
from shared.kit.http import StrictBody, not_nullable
from shared.kit.pagination import Page
from shared.region.ags import AGS
from shared.region.topics import Topic

Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Summary = Annotated[str, StringConstraints(strip_whitespace=True, max_length=1000)]
Description = Annotated[str, StringConstraints(strip_whitespace=True, max_length=20_000)]
ShortText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
Tag = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=50)]
LongText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)]
Budget = Annotated[float, Field(ge=0, le=10_000_000_000, allow_inf_nan=False)]


class ProjectFields(StrictBody):
    """What a municipality says about a project; shared by create and import."""

    title: Title
    summary: Summary = ""
    description: Description = ""
    topics: list[Topic] = Field(min_length=1, max_length=15)
    status: ProjectStatus = "idea"
    target_groups: list[ShortText] = Field(default_factory=list, max_length=20)
    value_proposition: LongText | None = None
    indicators: list[Indicator] = Field(default_factory=list, max_length=20)
    budget_eur: Budget | None = None
    funding_sources: list[FundingSource] = Field(default_factory=list, max_length=20)
    start_date: date | None = None
    end_date: date | None = None
    partner_municipalities: list[AGS] = Field(default_factory=list, max_length=100)
    contact: ContactPerson | None = None
    links: list[Link] = Field(default_factory=list, max_length=20)
    based_on_solution: uuid.UUID | None = None
    visibility: Visibility = "region"
    tags: list[Tag] = Field(default_factory=list, max_length=30)


class ProjectCreate(ProjectFields):
    municipality_ags: AGS | None = Field(
        default=None,
        description="the owning municipality. Required when a coordinator or admin key "
        "publishes (422 without it); a municipality key may leave it out or name its own "
        "AGS (403 for another). It must be registered in the region (422 unknown-municipality).",
    )


# Fields that may not be cleared with null: they always have a value.
REQUIRED_ON_UPDATE = frozenset(
    {
        "title",
        "summary",
        "description",
        "topics",
        "status",
        "target_groups",
        "indicators",
        "funding_sources",
        "partner_municipalities",
        "links",
        "visibility",
        "tags",
    }
)


class ProjectUpdate(StrictBody):
    """Fields to change; absent fields stay as they are, null clears an optional one."""

    model_config = ConfigDict(json_schema_extra=not_nullable(*sorted(REQUIRED_ON_UPDATE)))

    title: Title | None = None
    summary: Summary | None = None
    description: Description | None = None
    topics: list[Topic] | None = Field(default=None, min_length=1, max_length=15)
    status: ProjectStatus | None = None
    target_groups: list[ShortText] | None = Field(default=None, max_length=20)
    value_proposition: LongText | None = None
    indicators: list[Indicator] | None = Field(default=None, max_length=20)
    budget_eur: Budget | None = None
    funding_sources: list[FundingSource] | None = Field(default=None, max_length=20)
    start_date: date | None = None
    end_date: date | None = None
    partner_municipalities: list[AGS] | None = Field(default=None, max_length=100)
    contact: ContactPerson | None = None
    links: list[Link] | None = Field(default=None, max_length=20)
    based_on_solution: uuid.UUID | None = None
    visibility: Visibility | None = None
    tags: list[Tag] | None = Field(default=None, max_length=30)


class ProjectPublic(ProjectSnapshot):
    """A project as the API shows it: the same snapshot its events carry."""


class ProjectPage(Page[ProjectPublic]):
    pass


class ProjectCounts(BaseModel):
    """How many projects you may see, in all and per status, topic and municipality.

    A project with several topics counts once under each of them; keys with no project
    are left out."""

    total: int = Field(ge=0)
    by_status: dict[ProjectStatus, int] = Field(description="status -> projects")
    by_topic: dict[Topic, int] = Field(description="topic key -> projects with that topic")
    by_municipality: dict[AGS, int] = Field(description="AGS of the owner -> projects")


class ImportResult(BaseModel):
    created: int
    ids: list[uuid.UUID]
