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
from shared.kit.http import StrictBody, not_nullable
from shared.kit.pagination import Page
from shared.region.ags import LandCode
from shared.region.municipalities import MUNICIPALITY_KINDS, MunicipalityKind
from shared.region.topics import Topic

# One line of text: a title ends up in a mail's Subject, where a line break has no place.
ONE_LINE = r"^[^\x00-\x1f\x7f]*$"
Title = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300, pattern=ONE_LINE)
]
Name = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200, pattern=ONE_LINE)
]
Summary = Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)]
Description = Annotated[str, StringConstraints(strip_whitespace=True, max_length=20_000)]
Reference = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100, pattern=ONE_LINE)
]
ShortText = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100, pattern=ONE_LINE)
]
Amount = Annotated[float, Field(ge=0, le=100_000_000_000, allow_inf_nan=False)]
Percent = Annotated[float, Field(ge=0, le=100, allow_inf_nan=False)]
WebUrl = Annotated[str, StringConstraints(max_length=2000, pattern=r"^https?://[^\s\x00]+$")]
# One bare address, as HTML forms accept it: no display name, no list, no comment.
Email = Annotated[
    str,
    StringConstraints(
        max_length=254,
        pattern=r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
        r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$",
    ),
]

Currency = Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]
WritableStatus = Literal["forecasted", "archived", "withdrawn"]
"""What a coordinator may set; open and closed follow opens_at and deadline_at."""


def _plausible(moment: datetime) -> datetime:
    if not 2000 <= moment.year <= 2100:
        raise ValueError("must lie between the years 2000 and 2100")
    return moment


Moment = Annotated[datetime, AfterValidator(_plausible)]
"""A point in time a funding call can have: between the years 2000 and 2100."""


def _known_zone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"{name!r} is no IANA time zone (e.g. Europe/Berlin)") from exc
    return name


TimeZoneName = Annotated[
    str, StringConstraints(min_length=1, max_length=60), AfterValidator(_known_zone)
]


class ApplicantsIn(StrictBody):
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


class ContactIn(StrictBody):
    name: Name
    organisation: Name | None = None
    email: Email | None = None
    phone: Annotated[str, StringConstraints(max_length=50)] | None = None


class AttachmentIn(StrictBody):
    title: Name
    url: WebUrl


class FundingCallCreate(StrictBody):
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
    opens_at: Moment | None = None
    deadline_at: Moment | None = Field(
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
    last_verified_at: Moment | None = None
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


class FundingCallUpdate(StrictBody):
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
    opens_at: Moment | None = None
    deadline_at: Moment | None = None
    timezone: TimeZoneName | None = None
    deadline_model: DeadlineModel | None = None
    status: WritableStatus | None = None
    source_url: WebUrl | None = None
    last_verified_at: Moment | None = None
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


# -- subscriptions ----------------------------------------------------------------------

Keyword = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=50)]
LeadDays = Annotated[int, Field(ge=1, le=365)]
Channel = Literal["webhook", "email"]
Mode = Literal["immediate", "daily"]
SubscriptionStatus = Literal["pending_confirmation", "active", "disabled", "unsubscribed"]


class SubscriptionFilter(StrictBody):
    """Which calls to be told about; an empty list or a null does not filter."""

    topics: list[Topic] = Field(default_factory=list, max_length=15)
    laender: list[LandCode] = Field(default_factory=list, max_length=16)
    funding_types: list[FundingType] = Field(default_factory=list, max_length=5)
    amount_min: Amount | None = Field(default=None, description="calls that may award this much")
    amount_max: Amount | None = Field(
        default=None, description="calls whose smallest award is at most this"
    )
    eligible_for_own: bool = Field(
        default=False, description="only calls your municipality may apply for (municipality keys)"
    )
    keywords: list[Keyword] = Field(
        default_factory=list, max_length=10, description="each in title, summary or funder"
    )


class SubscriptionCreate(StrictBody):
    name: Name
    filter: SubscriptionFilter = Field(default_factory=SubscriptionFilter)
    channel: Channel
    mode: Mode = Field(default="immediate", description="`daily` (a digest) for e-mail only")
    lead_days: list[LeadDays] = Field(
        default_factory=lambda: [14, 3],
        max_length=5,
        description="deadline reminders this many days ahead (Berlin calendar days)",
    )
    email: Email | None = Field(
        default=None,
        description="channel email: where alerts go. Channel webhook: who hears when the "
        "endpoint is disabled. Confirmed by a link before anything else is sent to it.",
    )
    url: Annotated[str, StringConstraints(max_length=2048)] | None = Field(
        default=None,
        description="channel webhook: an https URL without credentials; plain http only to "
        "networks the operator allow-listed",
    )


class SubscriptionUpdate(StrictBody):
    """Fields to change; absent fields stay. The address of an e-mail subscription stays:
    subscribe the new one instead, so it is confirmed."""

    model_config = ConfigDict(
        json_schema_extra=not_nullable("name", "filter", "mode", "lead_days", "url")
    )

    name: Name | None = None
    filter: SubscriptionFilter | None = None
    mode: Mode | None = None
    lead_days: list[LeadDays] | None = Field(default=None, max_length=5)
    url: Annotated[str, StringConstraints(max_length=2048)] | None = None


class SubscriptionPublic(BaseModel):
    id: str
    name: str
    filter: SubscriptionFilter
    channel: Channel
    mode: Mode
    lead_days: list[int]
    email: str | None
    email_confirmed: bool
    url: str | None
    secret_hint: str | None = Field(description="the end of the signing secret, to tell it")
    previous_secret_valid_until: datetime | None = Field(
        description="after a rotation, the old secret also signs until then"
    )
    status: SubscriptionStatus
    disabled_reason: str | None
    version: int
    created_at: datetime
    updated_at: datetime


class FeedLinks(BaseModel):
    atom: str = Field(description="Atom feed of the calls this subscription's filter finds")
    ical: str = Field(description="iCalendar feed of their deadlines")


class SubscriptionCreated(SubscriptionPublic):
    secret: str | None = Field(
        description="the webhook signing secret (whsec_...): shown this once, keep it"
    )
    feeds: FeedLinks = Field(description="secret feed addresses: shown this once")


class SecretRotated(BaseModel):
    secret: str = Field(description="the new signing secret, shown this once")
    previous_valid_until: datetime


class SubscriptionPage(Page[SubscriptionPublic]):
    pass


DeliveryStatus = Literal["pending", "held", "batched", "delivered", "failed", "cancelled"]
"""`held`: waiting for the daily digest; `batched`: went out in one."""


class DeliveryPublic(BaseModel):
    id: str
    kind: str = Field(description="alert, reminder, digest, confirmation, endpoint_disabled")
    event_type: str
    status: DeliveryStatus
    attempts: int
    next_attempt_at: datetime
    last_status: int | None = Field(description="HTTP status of the last webhook attempt")
    last_error: str | None
    created_at: datetime
    delivered_at: datetime | None


class DeliveryPage(Page[DeliveryPublic]):
    pass
