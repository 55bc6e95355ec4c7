"""HTTP endpoints of the solution catalogue: parse, authorise, call the domain, render."""

import codecs
import uuid
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response, status
from starlette.concurrency import run_in_threadpool

from services.knowledge import domain, repository
from services.knowledge.index import SearchReadModel
from services.knowledge.models import Solution
from services.knowledge.schemas import (
    SolutionCreate,
    SolutionImported,
    SolutionPage,
    SolutionPublic,
    SolutionUpdate,
)
from shared.contracts.knowledge import Maturity, SolutionStatus
from shared.kit.auth import AuthenticatedRoute, CurrentPrincipal, internal_principal
from shared.kit.deps import DbSession
from shared.kit.export import Exportable, export_responses
from shared.kit.http import (
    Conflict,
    Forbidden,
    IfMatch,
    IfNoneMatch,
    InvalidInput,
    NotFound,
    OptionalIfMatch,
    PayloadTooLarge,
    PreconditionFailed,
    PreconditionRequired,
    Unauthorized,
    UnsupportedMediaType,
    cacheable,
    etag_of,
    media_type_of,
    responses,
)
from shared.kit.idempotency import Idempotency, IdempotencyKeyReused
from shared.kit.service import part_of
from shared.region.ags import AGS
from shared.region.topics import Topic

router = APIRouter(
    prefix="/api/v1/solutions",
    tags=["solutions"],
    dependencies=[Depends(internal_principal)],
    responses=responses(Unauthorized),
    route_class=AuthenticatedRoute,
)

YAML_TYPES = ("application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml")
# YAML is UTF-8, or UTF-16/32 with a byte order mark (YAML 1.2, 5.2).
YAML_CHARSETS = ("utf-8", "utf-16", "utf-32")


def _check_yaml_type(content_type: str) -> None:
    """415 unless the body is declared YAML in one of its encodings."""
    media_type, charset = media_type_of(content_type)
    if media_type not in YAML_TYPES:
        raise UnsupportedMediaType("Send the publiccode.yml as application/yaml.")
    if charset is not None and _codec_name(charset) not in YAML_CHARSETS:
        raise UnsupportedMediaType(
            f"charset={charset} is not an encoding of YAML: send UTF-8 (or UTF-16/32 with "
            "a byte order mark)."
        )


def _codec_name(charset: str) -> str:
    try:
        return codecs.lookup(charset).name  # "utf8" and "UTF-8" alike
    except LookupError:
        return charset


def search_model(request: Request) -> SearchReadModel:
    return part_of(request, SearchReadModel)


Search = Annotated[SearchReadModel, Depends(search_model)]


def source_of(request: Request) -> str:
    source: str = request.app.state.settings.source
    return source


def utc(moment: datetime | None, field: str) -> datetime | None:
    """A query's time as UTC; a naive one is read as UTC."""
    if moment is None:
        return None
    try:
        return moment.replace(tzinfo=moment.tzinfo or UTC).astimezone(UTC)
    except OverflowError as exc:
        raise InvalidInput(
            f"{field} lies outside the range of dates this API knows.",
            errors=[{"field": field, "message": "out of range"}],
        ) from exc


def _render(solution: Solution) -> Response:
    state = domain.snapshot(solution)
    return Response(
        state.model_dump_json(),
        media_type="application/json",
        headers={"ETag": etag_of(state.version)},
    )


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=SolutionPublic,
    summary="Publish a solution in the catalogue",
    description="Coordinators and municipalities publish; a municipality key publishes as "
    "its own municipality (the default provider). The license must be an SPDX expression. "
    "Send an `Idempotency-Key` to make retries safe.",
    responses=responses(Forbidden, InvalidInput, IdempotencyKeyReused, PayloadTooLarge),
)
async def create_solution(
    data: SolutionCreate,
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    idempotency: Idempotency,
    search: Search,
) -> Response:
    state = await domain.create_solution(
        session, principal=principal, data=data, source=source_of(request), search=search
    )
    return idempotency.created(
        session,
        state.model_dump_json(),
        {"Location": f"/api/v1/solutions/{state.id}", "ETag": etag_of(state.version)},
    )


@router.post(
    "/import",
    status_code=status.HTTP_201_CREATED,
    response_model=SolutionImported,
    summary="Import a solution from its publiccode.yml",
    description="The body is the publiccode.yml file itself (`application/yaml`, at most "
    "256 KiB), of any released version of the standard (0.2 to 0.7 and the current "
    '`"0"`); the `it` and German `DE` (LeiKa, OZG) country sections are kept. A file that '
    "bends the standard (an unknown category, a deprecated key) imports with warnings; one "
    "that is not YAML, a YAML bomb, without name or description, with a key twice or a "
    "control character, or with a license that is not SPDX is refused with 422, each error "
    "naming the key and its line. A charset other than UTF-8/16/32 or a Content-Encoding "
    "is a 415. At most 100 warnings are listed, then one that counts the rest.",
    responses=responses(
        Forbidden, InvalidInput, UnsupportedMediaType, PayloadTooLarge, IdempotencyKeyReused
    ),
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/yaml": {"schema": {"type": "string"}}},
        }
    },
)
async def import_solution(
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    idempotency: Idempotency,
    search: Search,
) -> Response:
    _check_yaml_type(request.headers.get("content-type", ""))
    # Reading a file of 256 KiB takes a while: not on the event loop, which serves the rest.
    fields, record, warnings = await run_in_threadpool(domain.read_publiccode, await request.body())
    state = await domain.create_solution(
        session,
        principal=principal,
        data=fields,
        source=source_of(request),
        search=search,
        publiccode_record=record,
    )
    result = SolutionImported.model_validate(
        {"solution": state.model_dump(), "warnings": domain.warnings_of(warnings)}
    )
    return idempotency.created(
        session,
        result.model_dump_json(),
        {"Location": f"/api/v1/solutions/{state.id}", "ETag": etag_of(state.version)},
    )


@router.get(
    "",
    response_model=SolutionPage,
    summary="List the solutions of the catalogue",
    description="Everyone may read the catalogue. Newest change first; retired solutions "
    "only with `status=retired`. The `ETag` is a hash of the page (`If-None-Match` gives "
    "304 while it is unchanged).",
    responses=export_responses(),
)
async def list_solutions(
    session: DbSession,
    export: Exportable,
    topic: Topic | None = None,
    maturity: Maturity | None = None,
    license: Annotated[
        str | None, Query(max_length=500, pattern=r"^[^\x00]*$", description="SPDX expression")
    ] = None,
    provider: Annotated[AGS | None, Query(description="AGS of the providing municipality")] = None,
    status: SolutionStatus = "active",
    updated_since: Annotated[
        datetime | None, Query(description="only solutions changed at or after this time")
    ] = None,
    cursor: Annotated[str | None, Query(max_length=500)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    if_none_match: IfNoneMatch = None,
) -> Response:
    filters = repository.SolutionFilters(
        topic=topic,
        maturity=maturity,
        license=license,
        provider=provider,
        status=status,
        updated_since=utc(updated_since, "updated_since"),
    )
    cursor, limit = export.window(cursor, limit)
    rows, next_cursor, total = await repository.list_solutions(
        session, filters, cursor=cursor, limit=limit
    )
    page = SolutionPage(
        items=[SolutionPublic.model_validate(row, from_attributes=True) for row in rows],
        next_cursor=next_cursor,
        total=total,
    )
    return await export.answer(page, if_none_match, filename="Lösungen")


@router.get(
    "/{solution_id}",
    response_model=SolutionPublic,
    summary="Read one solution",
    description="Who uses it: `GET /api/v1/solutions/{solution_id}/adoptions`. The `ETag` "
    "is the version: send it as `If-Match` when you change the solution.",
    responses=responses(NotFound),
)
async def get_solution(
    solution_id: uuid.UUID, session: DbSession, if_none_match: IfNoneMatch = None
) -> Response:
    solution = await repository.get_solution(session, str(solution_id))
    if solution is None:
        raise NotFound(f"There is no solution {solution_id}.")
    state = domain.snapshot(solution)
    return cacheable(state.model_dump_json(), if_none_match, etag=etag_of(state.version))


@router.get(
    "/{solution_id}/publiccode.yml",
    response_class=Response,
    summary="Export a solution as publiccode.yml",
    description='A publiccode.yml of the current standard (`publiccodeYmlVersion: "0"`) '
    "with every field the catalogue holds, the German section (`DE`) included.",
    responses={
        200: {"content": {"application/yaml": {"schema": {"type": "string"}}}},
        **responses(NotFound),
    },
)
async def export_solution(solution_id: uuid.UUID, session: DbSession) -> Response:
    solution = await repository.get_solution(session, str(solution_id))
    if solution is None:
        raise NotFound(f"There is no solution {solution_id}.")
    return Response(
        domain.export_publiccode(solution),
        media_type="application/yaml",
        headers={"ETag": etag_of(solution.version)},
    )


@router.patch(
    "/{solution_id}",
    response_model=SolutionPublic,
    summary="Change a solution",
    description="Only the publishing municipality or a coordinator. Send the ETag of your "
    "last read as `If-Match`; a stale one gets 412. A retired solution cannot change (409).",
    responses=responses(
        NotFound, Forbidden, Conflict, PreconditionFailed, PreconditionRequired, InvalidInput
    ),
)
async def update_solution(
    solution_id: uuid.UUID,
    changes: SolutionUpdate,
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    search: Search,
    if_match: IfMatch = None,
) -> Response:
    solution = await domain.update_solution(
        session,
        principal=principal,
        solution_id=str(solution_id),
        changes=changes,
        if_match=if_match,
        source=source_of(request),
        search=search,
    )
    return _render(solution)


@router.delete(
    "/{solution_id}",
    response_model=SolutionPublic,
    summary="Retire a solution",
    description="The solution stays readable (its adoptions point to it) with status "
    "`retired`; lists and search leave it out. `If-Match` is optional here; when sent, a "
    "stale one gets 412.",
    responses=responses(NotFound, Forbidden, PreconditionFailed),
)
async def retire_solution(
    solution_id: uuid.UUID,
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    search: Search,
    if_match: OptionalIfMatch = None,
) -> Response:
    solution = await domain.retire_solution(
        session,
        principal=principal,
        solution_id=str(solution_id),
        if_match=if_match,
        source=source_of(request),
        search=search,
    )
    return _render(solution)
