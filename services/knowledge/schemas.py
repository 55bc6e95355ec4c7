"""Request and response shapes of the knowledge API."""

import uuid
from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from shared.contracts.knowledge import (
    AdoptionSnapshot,
    AdoptionStatus,
    ArticleKind,
    ArticleSnapshot,
    LeikaReference,
    MaintenanceType,
    Maturity,
    SoftwareType,
    SolutionContact,
    SolutionRequirement,
    SolutionSnapshot,
    SolutionStatus,
)
from shared.kit.http import StrictBody, control_character_at, not_nullable
from shared.kit.pagination import Page
from shared.region.ags import AGS
from shared.region.topics import Topic

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
ShortDescription = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=150)
]
LongDescription = Annotated[str, StringConstraints(strip_whitespace=True, max_length=20_000)]
License = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=500),
    Field(description="an SPDX license expression, e.g. `EUPL-1.2` or `MIT OR Apache-2.0`"),
]
Url = Annotated[str, StringConstraints(max_length=2000, pattern=r"^https?://\S+$")]
ShortText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Note = Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)]


class SolutionBody(StrictBody):
    """A body of the catalogue: no control characters in any text (tab and line breaks
    aside), the same rule a publiccode.yml import follows."""

    @field_validator("*", mode="before")
    @classmethod
    def _no_control_characters(cls, value: Any) -> Any:
        where = control_character_at(value)
        if where is not None:
            at = f" (at {where})" if where else ""
            raise ValueError(f"text may not contain control characters{at}")
        return value


class Translation(SolutionBody):
    """The English description, optional."""

    short_description: ShortDescription
    long_description: LongDescription = ""


class SolutionFields(SolutionBody):
    """What a solution's entry in the catalogue says."""

    name: Name
    short_description: ShortDescription = Field(description="German, at most 150 characters")
    long_description: LongDescription = Field(default="", description="German")
    description_en: Translation | None = None
    topics: list[Topic] = Field(default_factory=list, max_length=15)
    leika_refs: list[LeikaReference] = Field(default_factory=list, max_length=50)
    license: License
    maturity: Maturity | None = None
    software_type: SoftwareType | None = None
    maintenance_type: MaintenanceType | None = None
    maintainer: ShortText | None = None
    contacts: list[SolutionContact] = Field(default_factory=list, max_length=20)
    repository_url: Url | None = None
    landing_url: Url | None = None
    cost_notes: Note | None = None
    requirements: list[SolutionRequirement] = Field(default_factory=list, max_length=50)
    provider_ags: AGS | None = Field(
        default=None,
        description="the municipality that provides the solution, in the region or beyond; "
        "a municipality key may name only its own AGS (its own is the default)",
    )


class SolutionCreate(SolutionFields):
    pass


# Fields that may not be cleared with null: they always have a value.
REQUIRED_ON_UPDATE = frozenset(
    {
        "name",
        "short_description",
        "long_description",
        "topics",
        "leika_refs",
        "license",
        "contacts",
        "requirements",
    }
)


class SolutionUpdate(SolutionBody):
    """Fields to change; absent fields stay as they are, null clears an optional one."""

    model_config = ConfigDict(json_schema_extra=not_nullable(*sorted(REQUIRED_ON_UPDATE)))

    name: Name | None = None
    short_description: ShortDescription | None = None
    long_description: LongDescription | None = None
    description_en: Translation | None = None
    topics: list[Topic] | None = Field(default=None, max_length=15)
    leika_refs: list[LeikaReference] | None = Field(default=None, max_length=50)
    license: License | None = None
    maturity: Maturity | None = None
    software_type: SoftwareType | None = None
    maintenance_type: MaintenanceType | None = None
    maintainer: ShortText | None = None
    contacts: list[SolutionContact] | None = Field(default=None, max_length=20)
    repository_url: Url | None = None
    landing_url: Url | None = None
    cost_notes: Note | None = None
    requirements: list[SolutionRequirement] | None = Field(default=None, max_length=50)
    provider_ags: AGS | None = None


class SolutionPublic(SolutionSnapshot):
    """A solution as the API shows it: the same snapshot its events carry."""


class SolutionPage(Page[SolutionPublic]):
    pass


class ImportWarning(BaseModel):
    field: str = Field(description="the key path in the file, e.g. `maintenance.type`")
    line: int | None = Field(description="its line in the file, 1-based")
    message: str


class SolutionImported(BaseModel):
    """A solution created from a publiccode.yml, with what the file bent."""

    solution: SolutionPublic
    warnings: list[ImportWarning]


class AdoptionCreate(StrictBody):
    """A municipality records that it plans, runs or ended a solution."""

    solution_id: uuid.UUID
    municipality_ags: AGS | None = Field(
        default=None,
        description="required for coordinators; a municipality key records its own (403 "
        "for another)",
    )
    status: AdoptionStatus = "live"
    since: date | None = None
    note: Note | None = None


class AdoptionUpdate(StrictBody):
    """Fields to change; sending an update (even an empty one) re-confirms the adoption."""

    model_config = ConfigDict(json_schema_extra=not_nullable("status"))

    status: AdoptionStatus | None = None
    since: date | None = None
    note: Note | None = None


class AdoptionPublic(AdoptionSnapshot):
    stale: bool = Field(
        description="not confirmed for longer than the region's limit (default 12 months)"
    )


class AdoptionPage(Page[AdoptionPublic]):
    pass


class SolutionSummary(BaseModel):
    id: uuid.UUID
    name: str
    short_description: str
    license: str
    maturity: Maturity | None
    status: SolutionStatus


class InventoryEntry(AdoptionPublic):
    """One solution of a municipality's inventory."""

    solution: SolutionSummary


class InventoryPage(Page[InventoryEntry]):
    pass


class SearchItem(BaseModel):
    """One hit of a search."""

    id: uuid.UUID
    kind: Literal["solution", "project", "article", "contact"]
    title: str
    snippet: str = Field(
        description="the best passage as HTML: matches in <mark>, all else escaped"
    )
    score: float = Field(description="BM25 relevance; higher is better")
    municipality_ags: AGS | None = Field(description="owning or providing municipality")
    topics: list[Topic]
    status: str | None = Field(description="a project's status")
    maturity: Maturity | None
    license: str | None


class SearchPage(Page[SearchItem]):
    facets: dict[str, dict[str, int]] = Field(
        description="counts over all matches you may see, per facet (kind, topic, maturity, "
        "license, municipality, status) and value"
    )


class SuggestionPublic(BaseModel):
    """A project of another municipality that does the same, or a solution that fits."""

    id: uuid.UUID
    kind: Literal["project", "solution"]
    title: str
    municipality_ags: AGS | None = Field(description="owner of a project, provider of a solution")
    score: float = Field(description="0 to 1; higher is closer")
    reason: str = Field(description="why, in German")
    shared_terms: list[str]
    shared_topics: list[Topic]
    shared_ozg: list[str] = Field(description="OZG services both implement")


class Suggestions(BaseModel):
    projects: list[SuggestionPublic]
    solutions: list[SuggestionPublic]


Summary = Annotated[str, StringConstraints(strip_whitespace=True, max_length=1000)]
ArticleBody = Annotated[str, StringConstraints(max_length=100_000)]


class ArticleCreate(StrictBody):
    """A lesson learned, guide or procurement template, in Markdown."""

    title: Name
    kind: ArticleKind
    summary: Summary = ""
    body: ArticleBody = Field(description="Markdown; raw HTML in it is shown as text")
    topics: list[Topic] = Field(default_factory=list, max_length=15)
    solution_ids: list[uuid.UUID] = Field(default_factory=list, max_length=20)
    project_ids: list[uuid.UUID] = Field(default_factory=list, max_length=20)
    visibility: Literal["public", "region"] = "public"
    municipality_ags: AGS | None = Field(
        default=None,
        description="the writing municipality; a municipality key writes as itself, a "
        "coordinator may name one or none",
    )


class ArticleUpdate(StrictBody):
    """Fields to change; absent fields stay as they are."""

    model_config = ConfigDict(
        json_schema_extra=not_nullable(
            "title", "kind", "summary", "body", "topics", "solution_ids", "project_ids",
            "visibility",
        )
    )  # fmt: skip

    title: Name | None = None
    kind: ArticleKind | None = None
    summary: Annotated[str, StringConstraints(strip_whitespace=True, max_length=1000)] | None = None
    body: ArticleBody | None = None
    topics: list[Topic] | None = Field(default=None, max_length=15)
    solution_ids: list[uuid.UUID] | None = Field(default=None, max_length=20)
    project_ids: list[uuid.UUID] | None = Field(default=None, max_length=20)
    visibility: Literal["public", "region"] | None = None


class ArticlePublic(ArticleSnapshot):
    """An article as the API shows it: the same snapshot its event carries."""


class ArticlePage(Page[ArticlePublic]):
    pass


Email = Annotated[str, StringConstraints(max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")]
Phone = Annotated[str, StringConstraints(max_length=50, pattern=r"^[0-9+()/ .-]{3,50}$")]


class ContactCreate(StrictBody):
    """A person of the directory: a Digitallotse, a CDO, whoever answers for a topic."""

    name: Name
    municipality_ags: AGS | None = Field(
        default=None, description="required for coordinators; a municipality key adds its own"
    )
    role: ShortText | None = Field(default=None, description="e.g. Digitallotsin, CDO")
    department: ShortText | None = None
    topics: list[Topic] = Field(default_factory=list, max_length=15)
    email: Email | None = None
    phone: Phone | None = None


class ContactUpdate(StrictBody):
    model_config = ConfigDict(json_schema_extra=not_nullable("name", "topics"))

    name: Name | None = None
    role: ShortText | None = None
    department: ShortText | None = None
    topics: list[Topic] | None = Field(default=None, max_length=15)
    email: Email | None = None
    phone: Phone | None = None


class ContactPublic(BaseModel):
    id: uuid.UUID
    name: str
    municipality_ags: AGS
    role: str | None
    department: str | None
    topics: list[Topic]
    email: str | None
    phone: str | None
    version: int
    created_at: datetime
    updated_at: datetime


class ContactPage(Page[ContactPublic]):
    pass


class ContactExport(BaseModel):
    """What the directory holds about a person (GDPR Art. 15)."""

    contact: ContactPublic
    recorded_by: str = Field(description="the identity that entered it")
    purpose: str
    recipients: str
    deletion: str
