"""Request and response shapes of the funding API."""

from datetime import datetime
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
)

from shared.contracts.funding import (
    DeadlineModel,
    FunderLevel,
    FundingCallSnapshot,
    FundingType,
)
from shared.kit.http import StrictInput, not_nullable
from shared.kit.pagination import Page
from shared.region.ags import LandCode
from shared.region.municipalities import MUNICIPALITY_KINDS, MunicipalityKind
from shared.region.topics import Topic

Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Summary = Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)]
Description = Annotated[str, StringConstraints(strip_whitespace=True, max_length=20_000)]
Reference = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
ShortText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
Amount = Annotated[float, Field(ge=0, le=100_000_000_000, allow_inf_nan=False)]
Percent = Annotated[float, Field(ge=0, le=100, allow_inf_nan=False)]
WebUrl = Annotated[str, StringConstraints(max_length=2000, pattern=r"^https?://[^\s\x00]+$")]
Email = Annotated[str, StringConstraints(max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")]
Currency = Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]
WritableStatus = Literal["forecasted", "archived", "withdrawn"]
"""What a coordinator may set; open and closed follow opens_at and deadline_at."""


def _known_zone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"{name!r} is no IANA time zone (e.g. Europe/Berlin)") from exc
    return name


TimeZoneName = Annotated[
    str, StringConstraints(min_length=1, max_length=60), AfterValidator(_known_zone)
]


class ApplicantsIn(StrictInput):
    """Who may apply; leave `laender` empty for every Land."""

    laender: list[LandCode] = Field(default_factory=list, max_length=16)
    municipality_kinds: list[MunicipalityKind] = Field(
        default_factory=lambda: list(MUNICIPALITY_KINDS),
        max_length=len(MUNICIPALITY_KINDS),
        description="empty: municipalities may not apply (only `other_applicants`)",
    )
    population_min: int | None = Field(default=None, ge=0, le=100_000_000)
    population_max: int | None = Field(default=None, ge=0, le=100_000_000)
    other_applicants: list[ShortText] = Field(default_factory=list, max_length=20)


class ContactIn(StrictInput):
    name: Name
    organisation: Name | None = None
    email: Email | None = None
    phone: Annotated[str, StringConstraints(max_length=50)] | None = None


class AttachmentIn(StrictInput):
    title: Name
    url: WebUrl


class FundingCallCreate(StrictInput):
    """A funding call as a coordinator publishes it. Times without an offset are read in
    `timezone` (Europe/Berlin unless said otherwise)."""

    reference: Reference | None = Field(default=None, description="the funder's Aktenzeichen")
    title: Title
    summary: Summary = ""
    description: Description = ""
    funder: Name
    funder_level: FunderLevel
    programme: Name | None = None
    funding_types: list[FundingType] = Field(min_length=1, max_length=5)
    topics: list[Topic] = Field(min_length=1, max_length=15)
    applicants: ApplicantsIn = Field(default_factory=ApplicantsIn)
    eligibility_text: Description = ""
    total_budget: Amount | None = None
    award_min: Amount | None = None
    award_max: Amount | None = None
    currency: Currency = "EUR"
    funding_rate: Percent | None = None
    min_own_contribution: Percent | None = None
    opens_at: datetime | None = None
    deadline_at: datetime | None = Field(
        default=None, description="required for the deadline models single and two_stage"
    )
    timezone: TimeZoneName = "Europe/Berlin"
    deadline_model: DeadlineModel = "single"
    status: WritableStatus | None = Field(
        default=None,
        description="leave out: open and closed follow the dates; `forecasted` announces "
        "a call without an opening date yet",
    )
    source_url: WebUrl
    last_verified_at: datetime | None = None
    contact: ContactIn | None = None
    attachments: list[AttachmentIn] = Field(default_factory=list, max_length=20)


# Fields that may not be cleared with null: they always have a value.
REQUIRED_ON_UPDATE = frozenset(
    {
        "title",
        "summary",
        "description",
        "funder",
        "funder_level",
        "funding_types",
        "topics",
        "applicants",
        "eligibility_text",
        "currency",
        "timezone",
        "deadline_model",
        "status",
        "source_url",
        "attachments",
    }
)


class FundingCallUpdate(StrictInput):
    """Fields to change; absent fields stay as they are, null clears an optional one."""

    model_config = ConfigDict(json_schema_extra=not_nullable(*sorted(REQUIRED_ON_UPDATE)))

    reference: Reference | None = None
    title: Title | None = None
    summary: Summary | None = None
    description: Description | None = None
    funder: Name | None = None
    funder_level: FunderLevel | None = None
    programme: Name | None = None
    funding_types: list[FundingType] | None = Field(default=None, min_length=1, max_length=5)
    topics: list[Topic] | None = Field(default=None, min_length=1, max_length=15)
    applicants: ApplicantsIn | None = None
    eligibility_text: Description | None = None
    total_budget: Amount | None = None
    award_min: Amount | None = None
    award_max: Amount | None = None
    currency: Currency | None = None
    funding_rate: Percent | None = None
    min_own_contribution: Percent | None = None
    opens_at: datetime | None = None
    deadline_at: datetime | None = None
    timezone: TimeZoneName | None = None
    deadline_model: DeadlineModel | None = None
    status: WritableStatus | None = None
    source_url: WebUrl | None = None
    last_verified_at: datetime | None = None
    contact: ContactIn | None = None
    attachments: list[AttachmentIn] | None = Field(default=None, max_length=20)


class EligibilityPublic(BaseModel):
    """Whether the municipality of `eligible_for` may apply, and why."""

    ags: str
    eligible: bool
    reasons: list[str] = Field(description="one German reason per rule applied")


class FundingCallPublic(FundingCallSnapshot):
    """A funding call as the API shows it; times in the call's own time zone."""

    eligibility: EligibilityPublic | None = Field(
        default=None, description="only in answers to `eligible_for`"
    )


class FundingCallPage(Page[FundingCallPublic]):
    pass
