"""HTTP endpoints of the funding service: parse, authorise, call the domain, render."""

import uuid
from datetime import UTC, datetime
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Query, Request, Response, status
from pydantic import BaseModel, Field

from services.funding import domain, mapping, repository
from services.funding.alerts import Alerts
from services.funding.models import FundingCall
from services.funding.schemas import (
    EligibilityPublic,
    FundingCallCreate,
    FundingCallPage,
    FundingCallPublic,
    FundingCallUpdate,
)
from shared.contracts.funding import CallStatus, FunderLevel, FundingType
from shared.kit.auth import AuthenticatedRoute, CurrentPrincipal, internal_principal
from shared.kit.deps import DbSession
from shared.kit.export import Exportable, export_responses
from shared.kit.http import (
    Forbidden,
    IfMatch,
    IfNoneMatch,
    InvalidInput,
    NotFound,
    PayloadTooLarge,
    PreconditionFailed,
    PreconditionRequired,
    Unauthorized,
    cacheable,
    etag_of,
    responses,
)
from shared.kit.idempotency import Idempotency, IdempotencyKeyReused
from shared.kit.service import part_of
from shared.kit.sqltypes import utcnow
from shared.region.ags import AGS, UnknownMunicipality
from shared.region.topics import Topic

router = APIRouter(
    prefix="/api/v1",
    tags=["funding"],
    dependencies=[Depends(internal_principal)],
    responses=responses(Unauthorized),
    route_class=AuthenticatedRoute,
)


def _source(request: Request) -> str:
    source: str = request.app.state.settings.source
    return source


def _public(call: FundingCall, eligibility: EligibilityPublic | None = None) -> str:
    state = mapping.snapshot(call)
    return FundingCallPublic(**state.model_dump(), eligibility=eligibility).model_dump_json()


def _render(call: FundingCall) -> Response:
    return Response(
        _public(call), media_type="application/json", headers={"ETag": etag_of(call.version)}
    )


def _utc(value: datetime | None, field: str) -> datetime | None:
    """A query time as UTC; one without an offset is Berlin time, as the API says."""
    if value is None:
        return None
    try:
        if value.tzinfo is None:
            value = value.replace(tzinfo=ZoneInfo("Europe/Berlin"))
        return value.astimezone(UTC)
    except OverflowError as exc:
        raise InvalidInput(
            f"{field} lies outside the range of dates this API knows.",
            errors=[{"field": field, "message": "out of range"}],
        ) from exc


@router.post(
    "/funding-calls",
    status_code=status.HTTP_201_CREATED,
    response_model=FundingCallPublic,
    summary="Publish a funding call",
    description="Coordinators and admins only. Open and closed follow `opens_at` and "
    "`deadline_at`. Subscribers and projects the call fits are alerted at once. Send an "
    "`Idempotency-Key` to make retries safe.",
    responses=responses(Forbidden, InvalidInput, IdempotencyKeyReused, PayloadTooLarge),
)
async def publish_call(
    data: FundingCallCreate,
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    idempotency: Idempotency,
) -> Response:
    call = await domain.publish_call(
        session,
        principal=principal,
        data=data,
        source=_source(request),
        alerts=part_of(request, Alerts),
        now=utcnow(),
    )
    return idempotency.created(
        session,
        _public(call),
        {"Location": f"/api/v1/funding-calls/{call.id}", "ETag": etag_of(call.version)},
    )


@router.get(
    "/funding-calls",
    response_model=FundingCallPage,
    summary="List funding calls",
    description="Newest change first, public to everyone. With `eligible_for` only the "
    "calls that municipality may apply for, each with the reasons (from the Land, kind "
    "and population the region recorded). Times without an offset are Berlin time. The "
    "`ETag` is a hash of the page: send it as `If-None-Match` when you poll.",
    responses=export_responses(InvalidInput),
)
async def list_calls(
    session: DbSession,
    export: Exportable,
    eligible_for: Annotated[
        AGS | None, Query(description="AGS of a municipality of the region")
    ] = None,
    topic: Topic | None = None,
    status: CallStatus | None = None,
    funder_level: FunderLevel | None = None,
    funding_type: FundingType | None = None,
    amount_min: Annotated[
        float | None,
        Query(ge=0, le=100_000_000_000, description="only calls that may award at least this"),
    ] = None,
    amount_max: Annotated[
        float | None,
        Query(
            ge=0, le=100_000_000_000, description="only calls whose smallest award is at most this"
        ),
    ] = None,
    deadline_from: Annotated[datetime | None, Query(description="deadline at or after")] = None,
    deadline_to: Annotated[datetime | None, Query(description="deadline at or before")] = None,
    q: Annotated[
        str | None,
        Query(
            max_length=200,
            pattern=r"^[^\x00]*$",
            description="words in title, summary, description, funder, programme or reference",
        ),
    ] = None,
    cursor: Annotated[str | None, Query(max_length=500)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    if_none_match: IfNoneMatch = None,
) -> Response:
    municipality = None
    if eligible_for is not None:
        municipality = await repository.get_known_municipality(session, eligible_for)
        if municipality is None:
            raise UnknownMunicipality(
                f"No municipality with AGS {eligible_for} belongs to this region.",
                errors=[{"field": "eligible_for", "message": f"unknown AGS {eligible_for}"}],
            )
    filters = repository.CallFilters(
        topic=topic,
        status=status,
        funder_level=funder_level,
        funding_type=funding_type,
        amount_min=amount_min,
        amount_max=amount_max,
        deadline_from=_utc(deadline_from, "deadline_from"),
        deadline_to=_utc(deadline_to, "deadline_to"),
        q=q,
        eligible_for=municipality,
    )
    cursor, limit = export.window(cursor, limit)
    rows, next_cursor, total = await repository.list_calls(
        session, filters, cursor=cursor, limit=limit
    )
    items = [
        FundingCallPublic(
            **mapping.snapshot(call).model_dump(),
            eligibility=mapping.eligibility_of(call, municipality) if municipality else None,
        )
        for call in rows
    ]
    page = FundingCallPage(items=items, next_cursor=next_cursor, total=total)
    return await export.answer(page, if_none_match, filename="Förderaufrufe")


@router.get(
    "/funding-calls/{call_id}",
    response_model=FundingCallPublic,
    summary="Read one funding call",
    description="The `ETag` header is the version: send it as `If-Match` when you change "
    "the call, or as `If-None-Match` when you poll (304 while it is unchanged).",
    responses=responses(NotFound),
)
async def get_call(
    call_id: uuid.UUID, session: DbSession, if_none_match: IfNoneMatch = None
) -> Response:
    call = await repository.get_call(session, str(call_id))
    if call is None:
        raise NotFound(f"There is no funding call {call_id}.")
    return cacheable(_public(call), if_none_match, etag=etag_of(call.version))


@router.patch(
    "/funding-calls/{call_id}",
    response_model=FundingCallPublic,
    summary="Change a funding call",
    description="Coordinators and admins only. Send the ETag of your last read as "
    "`If-Match`; a stale one gets 412. A change of deadline, amounts, eligibility, status, "
    "funding types or topics alerts subscribers again; a wording fix does not. `status` "
    "`withdrawn` or `archived` ends a call; `forecasted` lets the dates decide again.",
    responses=responses(
        NotFound, Forbidden, PreconditionFailed, PreconditionRequired, InvalidInput
    ),
)
async def update_call(
    call_id: uuid.UUID,
    changes: FundingCallUpdate,
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    if_match: IfMatch = None,
) -> Response:
    call = await domain.update_call(
        session,
        principal=principal,
        call_id=str(call_id),
        changes=changes,
        if_match=if_match,
        source=_source(request),
        alerts=part_of(request, Alerts),
        now=utcnow(),
    )
    return _render(call)


class MatchingProject(BaseModel):
    project_id: uuid.UUID
    title: str
    municipality_ags: str
    reasons: list[str] = Field(description="why the call fits, in German")
    found_at: datetime


class MatchingProjectList(BaseModel):
    items: list[MatchingProject]
    total: int


class FundingMatchPublic(BaseModel):
    call: FundingCallPublic
    reasons: list[str] = Field(description="why the call fits, in German")
    found_at: datetime


class FundingMatchList(BaseModel):
    items: list[FundingMatchPublic]
    total: int


@router.get(
    "/funding-calls/{call_id}/matching-projects",
    response_model=MatchingProjectList,
    summary="Projects a funding call fits",
    description="Projects still to be done (idea, planned, in progress) on the call's "
    "topics whose municipality may apply; only the projects you may see.",
    responses=export_responses(NotFound),
)
async def matching_projects(
    call_id: uuid.UUID,
    principal: CurrentPrincipal,
    session: DbSession,
    export: Exportable,
    if_none_match: IfNoneMatch = None,
) -> Response:
    if await repository.get_call(session, str(call_id)) is None:
        raise NotFound(f"There is no funding call {call_id}.")
    found = await repository.matches_of_call(session, principal, str(call_id))
    listing = MatchingProjectList(
        items=[
            MatchingProject(
                project_id=uuid.UUID(project.id),
                title=project.title,
                municipality_ags=project.municipality_ags,
                reasons=match.reasons,
                found_at=match.found_at,
            )
            for match, project in found
        ],
        total=len(found),
    )
    return await export.answer(listing, if_none_match, filename="Passende-Projekte")


@router.get(
    "/projects/{project_id}/funding-matches",
    response_model=FundingMatchList,
    summary="Funding calls a project fits",
    description="Calls on the project's topics its municipality may apply for, found when "
    "the call was published or changed or the project registered; nearest deadline first.",
    responses=export_responses(NotFound),
)
async def funding_matches(
    project_id: uuid.UUID,
    principal: CurrentPrincipal,
    session: DbSession,
    export: Exportable,
    if_none_match: IfNoneMatch = None,
) -> Response:
    if await repository.readable_project(session, principal, str(project_id)) is None:
        raise NotFound(f"There is no project {project_id} you may see.")
    found = await repository.matches_of_project(session, principal, str(project_id))
    listing = FundingMatchList(
        items=[
            FundingMatchPublic(
                call=FundingCallPublic(**mapping.snapshot(call).model_dump()),
                reasons=match.reasons,
                found_at=match.found_at,
            )
            for match, call in found
        ],
        total=len(found),
    )
    return await export.answer(listing, if_none_match, filename="Passende-Förderaufrufe")
