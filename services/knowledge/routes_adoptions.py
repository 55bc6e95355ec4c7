"""HTTP endpoints of the region's software inventory: adoptions, a municipality's solutions,
a solution's users. Members only: which software a municipality runs is an attack map."""

import uuid
from collections.abc import Sequence
from dataclasses import replace
from functools import partial
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response, status
from sqlalchemy.ext.asyncio import AsyncSession

from services.knowledge import adoptions, repository
from services.knowledge.models import Adoption
from services.knowledge.routes import source_of
from services.knowledge.schemas import (
    AdoptionCreate,
    AdoptionPage,
    AdoptionPublic,
    AdoptionUpdate,
    InventoryEntry,
    InventoryPage,
)
from shared.contracts.knowledge import AdoptionStatus
from shared.contracts.topics import GATEWAY
from shared.kit.auth import AuthenticatedRoute, CurrentPrincipal, Principal, internal_principal
from shared.kit.deps import DbSession
from shared.kit.export import Exportable, ListExport, export_responses
from shared.kit.http import (
    Conflict,
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
from shared.region.ags import AGS, UnknownMunicipality

router = APIRouter(
    tags=["adoptions"],
    dependencies=[Depends(internal_principal)],
    responses=responses(Unauthorized),
    route_class=AuthenticatedRoute,
)

Cursor = Annotated[str | None, Query(max_length=500)]
Limit = Annotated[int, Query(ge=1, le=200)]
Stale = Annotated[
    bool | None,
    Query(description="true: only adoptions not confirmed for 12 months; false: only fresh"),
]


def _stale_days(request: Request) -> int:
    days: int = request.app.state.settings.adoption_stale_days
    return days


def _catch_up(request: Request) -> adoptions.CatchUp:
    """Wait for this service's consumer of the gateway's events (a just-registered AGS)."""
    runtime = request.app.state.runtime
    return partial(runtime.bus.catch_up, GATEWAY, runtime.settings.municipality_wait_seconds)


def _members_only(principal: Principal) -> None:
    if not principal.signed_in:
        raise Unauthorized("The region's inventory is for signed-in members.")


async def _public(
    session: AsyncSession, rows: Sequence[Adoption], stale_days: int
) -> list[AdoptionPublic]:
    names = await repository.solution_names(session, list({r.solution_id for r in rows}))
    before = adoptions.stale_before(stale_days)
    return [adoptions.public(r, names.get(r.solution_id, ""), before) for r in rows]


async def _page(
    request: Request,
    principal: Principal,
    session: AsyncSession,
    filters: repository.AdoptionFilters,
    cursor: str | None,
    limit: int,
    if_none_match: str | None,
    export: ListExport,
) -> Response:
    _members_only(principal)
    days = _stale_days(request)
    filters = replace(filters, stale_before=adoptions.stale_before(days))
    cursor, limit = export.window(cursor, limit)
    rows, next_cursor, total = await repository.list_adoptions(
        session, principal, filters, cursor=cursor, limit=limit
    )
    page = AdoptionPage(
        items=await _public(session, rows, days), next_cursor=next_cursor, total=total
    )
    return await export.answer(page, if_none_match, filename="Nutzungen")


@router.post(
    "/api/v1/adoptions",
    status_code=status.HTTP_201_CREATED,
    response_model=AdoptionPublic,
    summary="Record that a municipality uses a solution",
    description="A municipality key records its own; coordinators name `municipality_ags`. "
    "One adoption per municipality and solution (409 for a second: change the first). "
    "Recording confirms it as of now.",
    responses=responses(Forbidden, InvalidInput, Conflict, IdempotencyKeyReused, PayloadTooLarge),
)
async def record_adoption(
    data: AdoptionCreate,
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    idempotency: Idempotency,
) -> Response:
    state = await adoptions.record_adoption(
        session,
        principal=principal,
        data=data,
        source=source_of(request),
        catch_up=_catch_up(request),
    )
    body = AdoptionPublic(**state.model_dump(), stale=False)
    return idempotency.created(
        session,
        body.model_dump_json(),
        {"Location": f"/api/v1/adoptions/{state.id}", "ETag": etag_of(state.version)},
    )


@router.get(
    "/api/v1/adoptions",
    response_model=AdoptionPage,
    summary="The region's matrix: which municipality uses which solution",
    description="Members only. Ordered by municipality; filter by solution, municipality, "
    "status or staleness. The `ETag` is a hash of the page.",
    responses=export_responses(),
)
async def list_adoptions(
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    export: Exportable,
    solution: uuid.UUID | None = None,
    municipality: Annotated[AGS | None, Query(description="AGS of the municipality")] = None,
    status: AdoptionStatus | None = None,
    stale: Stale = None,
    cursor: Cursor = None,
    limit: Limit = 50,
    if_none_match: IfNoneMatch = None,
) -> Response:
    filters = repository.AdoptionFilters(
        solution=str(solution) if solution else None,
        municipality=municipality,
        status=status,
        stale=stale,
    )
    return await _page(request, principal, session, filters, cursor, limit, if_none_match, export)


@router.get(
    "/api/v1/adoptions/{adoption_id}",
    response_model=AdoptionPublic,
    summary="Read one adoption",
    description="Members only. The `ETag` is the version: send it as `If-Match` to change it.",
    responses=responses(NotFound),
)
async def get_adoption(
    adoption_id: uuid.UUID,
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    if_none_match: IfNoneMatch = None,
) -> Response:
    _members_only(principal)
    adoption = await repository.get_adoption(session, str(adoption_id))
    if adoption is None:
        raise NotFound(f"There is no adoption {adoption_id}.")
    (public,) = await _public(session, [adoption], _stale_days(request))
    return cacheable(public.model_dump_json(), if_none_match, etag=etag_of(public.version))


@router.patch(
    "/api/v1/adoptions/{adoption_id}",
    response_model=AdoptionPublic,
    summary="Change or re-confirm an adoption",
    description="The municipality itself or a coordinator. Every change, even an empty "
    "one (`{}`), confirms the adoption as of now, so it is no longer stale. Send the ETag "
    "of your last read as `If-Match`.",
    responses=responses(
        NotFound, Forbidden, PreconditionFailed, PreconditionRequired, InvalidInput
    ),
)
async def update_adoption(
    adoption_id: uuid.UUID,
    changes: AdoptionUpdate,
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    if_match: IfMatch = None,
) -> Response:
    adoption, name = await adoptions.update_adoption(
        session,
        principal=principal,
        adoption_id=str(adoption_id),
        changes=changes,
        if_match=if_match,
        source=source_of(request),
    )
    public = adoptions.public(adoption, name, adoptions.stale_before(_stale_days(request)))
    return Response(
        public.model_dump_json(),
        media_type="application/json",
        headers={"ETag": etag_of(public.version)},
    )


@router.get(
    "/api/v1/solutions/{solution_id}/adoptions",
    response_model=AdoptionPage,
    tags=["solutions"],
    summary="Who uses a solution",
    description="Members only: the municipalities that plan, run or ran it.",
    responses=export_responses(NotFound),
)
async def solution_users(
    solution_id: uuid.UUID,
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    export: Exportable,
    status: AdoptionStatus | None = None,
    cursor: Cursor = None,
    limit: Limit = 50,
    if_none_match: IfNoneMatch = None,
) -> Response:
    if await repository.get_solution(session, str(solution_id)) is None:
        raise NotFound(f"There is no solution {solution_id}.")
    filters = repository.AdoptionFilters(solution=str(solution_id), status=status)
    return await _page(request, principal, session, filters, cursor, limit, if_none_match, export)


@router.get(
    "/api/v1/municipalities/{ags}/solutions",
    response_model=InventoryPage,
    tags=["adoptions"],
    summary="A municipality's software inventory",
    description="Members only: the solutions a municipality plans, runs or ran, with "
    "staleness. 422 for an AGS that is not in the region; 404 for a path that is no AGS.",
    responses=export_responses(InvalidInput, NotFound),
)
async def inventory(
    ags: AGS,
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    export: Exportable,
    status: AdoptionStatus | None = None,
    stale: Stale = None,
    cursor: Cursor = None,
    limit: Limit = 50,
    if_none_match: IfNoneMatch = None,
) -> Response:
    _members_only(principal)
    if await repository.get_known_municipality(session, ags) is None:
        raise UnknownMunicipality(
            f"No municipality with AGS {ags} belongs to this region.",
            errors=[{"field": "ags", "in": "path", "message": f"unknown AGS {ags}"}],
        )
    days = _stale_days(request)
    before = adoptions.stale_before(days)
    filters = repository.AdoptionFilters(
        municipality=ags, status=status, stale=stale, stale_before=before
    )
    cursor, limit = export.window(cursor, limit)
    rows, next_cursor, total = await repository.list_adoptions(
        session, principal, filters, cursor=cursor, limit=limit
    )
    solutions = await repository.solutions_by_id(session, [r.solution_id for r in rows])
    items = [
        InventoryEntry.model_validate(
            adoptions.public(r, solutions[r.solution_id].name, before).model_dump()
            | {"solution": solutions[r.solution_id]},
            from_attributes=True,
        )
        for r in rows
    ]
    page = InventoryPage(items=items, next_cursor=next_cursor, total=total)
    return await export.answer(page, if_none_match, filename=f"Softwarebestand-{ags}")
