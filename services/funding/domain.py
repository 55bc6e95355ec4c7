"""The rules of funding calls: who publishes, which status the dates give, which change is
worth an alert, which projects a call fits. Nothing here commits: the caller's unit of
work does, so rows and their outbox events land together."""

import uuid
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from services.funding import calls, repository
from services.funding.alerts import Alerts
from services.funding.eligibility import Eligibility, check_eligibility, is_eligible
from services.funding.mapping import (
    APPLICANT_FIELDS,
    applicant_rules,
    core_call,
    core_municipality,
    snapshot,
)
from services.funding.matching import changed_facts
from services.funding.models import FundingCall, FundingMatch, KnownMunicipality, KnownProject
from services.funding.reminders import status_on
from services.funding.schemas import REQUIRED_ON_UPDATE, FundingCallCreate, FundingCallUpdate
from shared.contracts.funding import (
    FundingCallPublished,
    FundingCallStatusChanged,
    FundingCallUpdated,
    FundingMatchFound,
)
from shared.contracts.gateway import MunicipalitySnapshot
from shared.contracts.projects import ProjectSnapshot
from shared.kit.auth import Principal
from shared.kit.http import Forbidden, InvalidInput, NotFound, check_if_match, refuse_cleared
from shared.kit.outbox import add_event
from shared.region.topics import TOPICS


def require_publisher(principal: Principal) -> None:
    """Coordinators and admins publish and edit calls; everyone reads them."""
    if not principal.region_wide:
        raise Forbidden("Only coordinators and admins publish and change funding calls.")


# -- values and their rules -------------------------------------------------------------


def _stored(value: Any) -> Any:
    """Pydantic values as the JSON columns keep them."""
    if isinstance(value, list):
        return [_stored(v) for v in value]
    if hasattr(value, "model_dump"):
        return value.model_dump(mode="json")
    return value


def _in_zone(moment: datetime | None, zone: str, field: str) -> datetime | None:
    """A time without an offset is one in the call's zone (wall-clock time of the funder).

    A time the clocks skip (02:30 on the day summer time starts) names no moment: a 422,
    not a guess. A time that comes twice (when summer time ends) is the first of the two,
    the earlier deadline.
    """
    if moment is None or moment.tzinfo is not None:
        return moment
    local = moment.replace(tzinfo=ZoneInfo(zone), fold=0)
    if local.astimezone(UTC).astimezone(local.tzinfo).replace(tzinfo=None) != moment:
        message = f"{moment.isoformat()} does not exist in {zone} (the clocks skip it)"
        raise InvalidInput(
            "A time without an offset names no moment.",
            errors=[{"field": field, "message": message + "; give another or an offset"}],
        )
    return local


def _unique(values: list[str]) -> list[str]:
    return list(dict.fromkeys(values))


def _flatten(requested: dict[str, Any]) -> dict[str, Any]:
    """Request fields as columns: applicants spread out, lists without repeats."""
    values = {k: _stored(v) for k, v in requested.items() if k != "applicants"}
    if "applicants" in requested:
        applicants = requested["applicants"]
        for field in APPLICANT_FIELDS:
            values[field] = _stored(getattr(applicants, field))
        values["laender"] = sorted(set(values["laender"]))
        values["municipality_kinds"] = _unique(values["municipality_kinds"])
    for field in ("funding_types", "topics"):
        if field in values and values[field] is not None:
            values[field] = _unique(values[field])
    return values


def _derived(call: FundingCall) -> None:
    """The columns kept for filtering and search, from a call's values."""
    call.type_keys = repository.keys(call.funding_types)
    call.topic_keys = repository.keys(call.topics)
    call.land_keys = repository.keys(call.laender)
    call.kind_keys = repository.keys(call.municipality_kinds)
    words = [call.title, call.summary, call.description, call.funder]
    words += [call.programme or "", call.reference or ""]
    call.search_text = " ".join(words).casefold()


def _check_rules(call: FundingCall) -> None:
    """What no call may be, checked on create and on every update: refused with the field."""
    errors: list[dict[str, str]] = []
    if call.opens_at and call.deadline_at and call.deadline_at <= call.opens_at:
        errors.append({"field": "deadline_at", "message": "must lie after opens_at"})
    if call.deadline_model in ("single", "two_stage") and call.deadline_at is None:
        message = f"required for deadline_model {call.deadline_model}"
        errors.append({"field": "deadline_at", "message": message})
    low_award, high_award = call.award_min, call.award_max
    if low_award is not None and high_award is not None and low_award > high_award:
        errors.append({"field": "award_min", "message": "greater than award_max"})
    low, high = call.population_min, call.population_max
    if low is not None and high is not None and low > high:
        errors.append(
            {"field": "applicants.population_min", "message": "greater than population_max"}
        )
    if errors:
        raise InvalidInput("The call contradicts itself.", errors=errors)


def _status_by_date(call: FundingCall, wanted: str, now: datetime) -> str:
    """The status the call has at `now`: archived and withdrawn stay; otherwise open and
    closed follow opens_at and deadline_at, and `forecasted` without an opening date
    stays a forecast."""
    if wanted in ("archived", "withdrawn"):
        return wanted
    core = core_call(call)
    base = calls.CallStatus.FORECASTED if wanted == "forecasted" else calls.CallStatus.OPEN
    return status_on(replace(core, status=base), now).value


# -- publishing and editing -------------------------------------------------------------


async def publish_call(
    session: AsyncSession,
    *,
    principal: Principal,
    data: FundingCallCreate,
    source: str,
    alerts: Alerts,
    now: datetime,
) -> FundingCall:
    """Publish a new call and write its `published` event; alert the subscriptions and
    record the projects it fits, all in the caller's transaction."""
    require_publisher(principal)
    values = _flatten({k: getattr(data, k) for k in FundingCallCreate.model_fields})
    wanted = values.pop("status") or "open"
    for field in ("opens_at", "deadline_at", "last_verified_at"):
        values[field] = _in_zone(values[field], data.timezone, field)
    call = FundingCall(
        **values,
        id=str(uuid.uuid4()),
        deadline_revision=0,
        status="open",
        version=1,
        created_by=principal.subject,
        published_at=now,
        updated_at=now,
        type_keys="",
        topic_keys="",
        land_keys="",
        kind_keys="",
        search_text="",
    )
    _check_rules(call)
    call.status = _status_by_date(call, wanted, now)
    _derived(call)
    session.add(call)
    published = FundingCallPublished(call=snapshot(call))
    await add_event(session, published, source=source, subject=call.id)
    await session.flush()
    if call.status in repository.OPEN_CALL_STATUSES:  # an archived one is news to no one
        await alerts.call_changed(session, call, changed=[], now=now)
    await match_call_to_projects(session, call, source=source, now=now)
    return call


async def editable_call(session: AsyncSession, principal: Principal, call_id: str) -> FundingCall:
    require_publisher(principal)
    call = await repository.get_call(session, call_id, for_update=True)
    if call is None:
        raise NotFound(f"There is no funding call {call_id}.")
    return call


async def update_call(
    session: AsyncSession,
    *,
    principal: Principal,
    call_id: str,
    changes: FundingCallUpdate,
    if_match: str | None,
    source: str,
    alerts: Alerts,
    now: datetime,
) -> FundingCall:
    """Apply a partial update to the version `if_match` names.

    A change of facts (deadline, amounts, eligibility, status, types, topics) is
    `material`: subscribers and projects are matched again; a wording fix is not.
    """
    call = await editable_call(session, principal, call_id)
    check_if_match(if_match, call.version)
    requested = changes.model_dump(exclude_unset=True)
    refuse_cleared(requested, REQUIRED_ON_UPDATE)
    new_values = _flatten({k: getattr(changes, k) for k in requested})
    zone = new_values.get("timezone", call.timezone)
    for field in ("opens_at", "deadline_at", "last_verified_at"):
        if field in new_values:
            new_values[field] = _in_zone(new_values[field], zone, field)
    wanted = new_values.pop("status", None)
    before = core_call(call)
    previous_status = call.status
    changed = sorted(k for k, v in new_values.items() if getattr(call, k) != v)
    for key in changed:
        setattr(call, key, new_values[key])
    _check_rules(call)
    status = _status_by_date(call, wanted or previous_status, now)
    if status != previous_status:
        call.status = status
        changed.append("status")
    if not changed:
        return call
    if "deadline_at" in changed or (status == "withdrawn" != previous_status):
        call.deadline_revision += 1  # calendars see the moved or cancelled deadline anew
    _derived(call)
    call.version += 1
    call.updated_at = now
    state = snapshot(call)
    after = core_call(call)
    facts = changed_facts(before, after)
    material = bool(facts)
    payload: FundingCallUpdated | FundingCallStatusChanged
    if "status" in changed:
        payload = FundingCallStatusChanged(
            call=state,
            previous_status=previous_status,
            changed=sorted(changed),
            by_date=False,
        )
    else:
        payload = FundingCallUpdated(call=state, changed=sorted(changed), material=material)
    await add_event(session, payload, source=source, subject=call.id)
    # Subscribers hear of changes to current calls, and of a withdrawal.
    if material and (call.status in repository.OPEN_CALL_STATUSES or call.status == "withdrawn"):
        await alerts.call_changed(session, call, changed=facts, now=now)
    if material:
        await match_call_to_projects(session, call, source=source, now=now)
    return call


async def move_calls_by_date(
    session: AsyncSession, *, source: str, alerts: Alerts, now: datetime
) -> int:
    """Open forecasts whose opening came, close calls past their deadline (and reopen
    one whose deadline was extended); one `status_changed` event each, and an alert when
    a call opens. Rows are locked and skipped when another replica holds them, so each
    move happens once."""
    moved = 0
    for call in await repository.calls_due_for_status(session, now):
        status = _status_by_date(call, call.status, now)
        if status == call.status:
            continue
        previous, call.status = call.status, status
        call.version += 1
        call.updated_at = now
        await add_event(
            session,
            FundingCallStatusChanged(
                call=snapshot(call),
                previous_status=previous,
                changed=["status"],
                by_date=True,
            ),
            source=source,
            subject=call.id,
        )
        if status == "open":
            await alerts.call_changed(session, call, changed=["Status"], now=now)
        moved += 1
    return moved


# -- what the service learns from other contexts ----------------------------------------


async def record_municipality(
    session: AsyncSession, municipality: MunicipalitySnapshot, *, now: datetime
) -> None:
    """Keep the region's municipalities (kind, population) known; an older one never wins.

    A change touches the municipality's subscriptions: whether a call fits "eligible for
    my municipality" depends on these facts, and every replica's index takes it in."""
    known = await repository.get_known_municipality(session, municipality.ags)
    if known is None:
        session.add(
            KnownMunicipality(
                ags=municipality.ags,
                name=municipality.name,
                kind=municipality.kind,
                population=municipality.population,
                version=municipality.version,
            )
        )
    elif municipality.version > known.version:
        known.name = municipality.name
        known.kind = municipality.kind
        known.population = municipality.population
        known.version = municipality.version
    else:
        return
    await repository.touch_subscriptions_of(session, municipality.ags, now)


async def record_project(
    session: AsyncSession, project: ProjectSnapshot, *, deleted: bool, source: str, now: datetime
) -> None:
    """Keep a project known for matching; match it against current calls when new or when
    its topics or status changed. An older snapshot never wins."""
    known = await repository.get_known_project(session, str(project.id))
    if deleted:
        if known is not None and project.version >= known.version:
            await repository.forget_project(session, known.id)
        return
    if known is not None and project.version <= known.version:
        return
    topics = [str(t) for t in project.topics]
    if known is None:
        known = KnownProject(
            id=str(project.id),
            municipality_ags=project.municipality_ags,
            title=project.title,
            topics=topics,
            topic_keys=repository.keys(topics),
            status=project.status,
            visibility=project.visibility,
            version=project.version,
        )
        session.add(known)
        await session.flush()
    else:
        known.municipality_ags = project.municipality_ags
        known.title = project.title
        known.topics = topics
        known.topic_keys = repository.keys(topics)
        known.status = project.status
        known.visibility = project.visibility
        known.version = project.version
    if known.status in repository.MATCHABLE_PROJECT_STATUSES:
        current = await repository.current_calls_on_topics(session, known.topics)
        await _record_matches(session, [(c, known) for c in current], source=source, now=now)


async def match_call_to_projects(
    session: AsyncSession, call: FundingCall, *, source: str, now: datetime
) -> None:
    """Match a published or materially changed call against the projects still to be done."""
    if call.status not in repository.OPEN_CALL_STATUSES:
        return
    projects = await repository.projects_on_topics(session, call.topics)
    await _record_matches(session, [(call, p) for p in projects], source=source, now=now)


def match_reasons(call: FundingCall, project: KnownProject, verdict: Eligibility) -> list[str]:
    shared = [TOPICS.get(t, t) for t in call.topics if t in project.topics]
    return [f"Thema: {', '.join(shared)}", *verdict.reasons]


async def _record_matches(
    session: AsyncSession,
    pairs: Sequence[tuple[FundingCall, KnownProject]],
    *,
    source: str,
    now: datetime,
) -> None:
    """Record the pairs whose project owner may apply, once each, with a `found` event."""
    if not pairs:
        return
    owners = await repository.known_municipalities(session, {p.municipality_ags for _, p in pairs})
    seen = await repository.matched_pairs(
        session, {c.id for c, _ in pairs}, {p.id for _, p in pairs}
    )
    for call, project in pairs:
        owner = owners.get(project.municipality_ags)
        if owner is None or (call.id, project.id) in seen:
            continue  # an owner not known yet cannot be judged
        rules, municipality = applicant_rules(call), core_municipality(owner)
        if not is_eligible(rules, municipality):
            continue
        reasons = match_reasons(call, project, check_eligibility(rules, municipality))
        session.add(
            FundingMatch(
                id=str(uuid.uuid4()),
                call_id=call.id,
                project_id=project.id,
                municipality_ags=project.municipality_ags,
                reasons=reasons,
                found_at=now,
            )
        )
        await add_event(
            session,
            FundingMatchFound(
                call_id=uuid.UUID(call.id),
                call_title=call.title,
                project_id=uuid.UUID(project.id),
                project_title=project.title,
                municipality_ags=project.municipality_ags,
                project_visibility=project.visibility,
                reasons=reasons,
                found_at=now,
            ),
            source=source,
            subject=call.id,
        )
