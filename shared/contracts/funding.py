"""Events of the funding context: funding calls (Förderaufrufe) and what they fit."""

import uuid
from datetime import datetime
from typing import ClassVar, Literal

from pydantic import BaseModel, Field

from shared.contracts.projects import Visibility
from shared.contracts.topics import FUNDING
from shared.kit.events import EventPayload
from shared.region.ags import AGS, LandCode
from shared.region.municipalities import MunicipalityKind
from shared.region.topics import Topic

FunderLevel = Literal["eu", "bund", "land", "kreis", "kommune", "stiftung"]
FundingType = Literal["zuschuss", "darlehen", "buergschaft", "wettbewerb", "beratung"]
CallStatus = Literal["forecasted", "open", "closed", "archived", "withdrawn"]
DeadlineModel = Literal["single", "two_stage", "rolling", "until_budget_exhausted"]


class Applicants(BaseModel):
    """Who may apply. No Länder: every Land; no municipality kinds: no municipality."""

    laender: list[LandCode]
    municipality_kinds: list[MunicipalityKind]
    population_min: int | None
    population_max: int | None
    other_applicants: list[str] = Field(description="further applicants in the funder's words")


class CallContact(BaseModel):
    name: str
    organisation: str | None = None
    email: str | None = None
    phone: str | None = None


class Attachment(BaseModel):
    title: str
    url: str


class FundingCallSnapshot(BaseModel):
    """The full public state of a funding call after a change."""

    id: uuid.UUID
    reference: str | None = Field(description="the funder's Aktenzeichen")
    title: str
    summary: str
    description: str
    funder: str
    funder_level: FunderLevel
    programme: str | None
    funding_types: list[FundingType]
    topics: list[Topic]
    applicants: Applicants
    eligibility_text: str
    total_budget: float | None
    award_min: float | None
    award_max: float | None
    currency: str
    funding_rate: float | None = Field(description="share of eligible costs funded, percent")
    min_own_contribution: float | None = Field(description="own share required, percent")
    opens_at: datetime | None
    deadline_at: datetime | None
    timezone: str = Field(description="the zone the funder states its dates in")
    deadline_model: DeadlineModel
    deadline_revision: int = Field(description="raised each time the deadline moves")
    status: CallStatus
    source_url: str
    last_verified_at: datetime | None
    contact: CallContact | None
    attachments: list[Attachment]
    version: int
    published_at: datetime
    updated_at: datetime


class FundingCallPublished(EventPayload):
    event_type: ClassVar[str] = "de.lotse.funding_call.published.v1"
    topic: ClassVar[str] = FUNDING

    call: FundingCallSnapshot


class FundingCallUpdated(EventPayload):
    event_type: ClassVar[str] = "de.lotse.funding_call.updated.v1"
    topic: ClassVar[str] = FUNDING

    call: FundingCallSnapshot
    changed: list[str] = Field(description="names of the fields that changed")
    material: bool = Field(
        description="a fact changed (deadline, amounts, eligibility, status, types, topics), "
        "not only the wording; subscribers were alerted"
    )


class FundingCallStatusChanged(EventPayload):
    event_type: ClassVar[str] = "de.lotse.funding_call.status_changed.v1"
    topic: ClassVar[str] = FUNDING

    call: FundingCallSnapshot
    previous_status: CallStatus
    changed: list[str] = Field(description="names of the fields that changed, status included")
    by_date: bool = Field(description="the dates moved it on (opening, deadline), not a person")


class FundingMatchFound(EventPayload):
    """A call fits a registered project: its topics, its status and its owner's eligibility."""

    event_type: ClassVar[str] = "de.lotse.funding_match.found.v1"
    topic: ClassVar[str] = FUNDING

    call_id: uuid.UUID
    call_title: str
    project_id: uuid.UUID
    project_title: str
    municipality_ags: AGS
    project_visibility: Visibility = Field(description="who may see the project, and so this match")
    reasons: list[str] = Field(description="why it fits, in German")
    found_at: datetime
