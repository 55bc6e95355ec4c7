"""How a funding call's row looks to the API, the events and the domain cores."""

import uuid
from zoneinfo import ZoneInfo

from services.funding import calls
from services.funding.eligibility import Eligibility, check_eligibility
from services.funding.models import FundingCall, KnownMunicipality
from services.funding.schemas import EligibilityPublic
from shared.contracts.funding import FundingCallSnapshot

APPLICANT_FIELDS = (
    "laender",
    "municipality_kinds",
    "population_min",
    "population_max",
    "other_applicants",
)
DEADLINE_ID = "deadline"
"""A call has one deadline; its id keeps calendar UIDs and reminder keys stable."""


def snapshot(call: FundingCall) -> FundingCallSnapshot:
    """The public state of a call, its opening and deadline in the call's own time zone."""
    zone = ZoneInfo(call.timezone)
    return FundingCallSnapshot(
        id=uuid.UUID(call.id),
        reference=call.reference,
        title=call.title,
        summary=call.summary,
        description=call.description,
        funder=call.funder,
        funder_level=call.funder_level,
        programme=call.programme,
        funding_types=call.funding_types,
        topics=call.topics,
        applicants={field: getattr(call, field) for field in APPLICANT_FIELDS},
        eligibility_text=call.eligibility_text,
        total_budget=call.total_budget,
        award_min=call.award_min,
        award_max=call.award_max,
        currency=call.currency,
        funding_rate=call.funding_rate,
        min_own_contribution=call.min_own_contribution,
        opens_at=call.opens_at.astimezone(zone) if call.opens_at else None,
        deadline_at=call.deadline_at.astimezone(zone) if call.deadline_at else None,
        timezone=call.timezone,
        deadline_model=call.deadline_model,
        deadline_revision=call.deadline_revision,
        status=call.status,
        source_url=call.source_url,
        last_verified_at=call.last_verified_at,
        contact=call.contact,
        attachments=call.attachments,
        version=call.version,
        published_at=call.published_at,
        updated_at=call.updated_at,
    )


def _whole_euros(amount: float | None) -> int | None:
    return None if amount is None else int(amount)


def core_call(call: FundingCall) -> calls.FundingCall:
    """The call as the domain cores (eligibility, matching, feeds, reminders) see it."""
    label = "Frist der ersten Stufe" if call.deadline_model == "two_stage" else "Einreichungsfrist"
    deadlines = (
        (calls.Deadline(DEADLINE_ID, call.deadline_at, label, call.deadline_revision),)
        if call.deadline_at
        else ()
    )
    return calls.FundingCall(
        id=call.id,
        title=call.title,
        funder=call.funder,
        url=call.source_url,
        funding_types=frozenset(calls.FundingType(t) for t in call.funding_types),
        published_at=call.published_at,
        updated_at=call.updated_at,
        summary=call.summary,
        topics=frozenset(call.topics),
        rules=applicant_rules(call),
        status=calls.CallStatus(call.status),
        opens_at=call.opens_at,
        deadlines=deadlines,
        amount_min=_whole_euros(call.award_min),
        amount_max=_whole_euros(call.award_max),
        funding_rate=None if call.funding_rate is None else round(call.funding_rate),
    )


def applicant_rules(call: FundingCall) -> calls.ApplicantRules:
    return calls.ApplicantRules(
        laender=frozenset(call.laender),
        municipality_kinds=frozenset(call.municipality_kinds),  # type: ignore[arg-type]  # checked on the way in
        population_min=call.population_min,
        population_max=call.population_max,
        other_applicants=frozenset(call.other_applicants),
    )


def core_municipality(municipality: KnownMunicipality) -> calls.Municipality:
    return calls.Municipality(
        ags=municipality.ags,
        kind=municipality.kind,  # type: ignore[arg-type]  # from the gateway's contract
        population=municipality.population,
        name=municipality.name,
    )


def eligibility_of(call: FundingCall, municipality: KnownMunicipality) -> EligibilityPublic:
    verdict: Eligibility = check_eligibility(applicant_rules(call), core_municipality(municipality))
    return EligibilityPublic(
        ags=municipality.ags, eligible=verdict.eligible, reasons=list(verdict.reasons)
    )
