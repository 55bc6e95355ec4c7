"""HTTP endpoints of the projects service: parse, authorise, call the domain, render."""

import uuid
from datetime import UTC, datetime
from functools import partial
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response, status

from services.projects import domain, repository
from services.projects.importing import parse_import
from services.projects.schemas import (
    ImportResult,
    ProjectCounts,
    ProjectCreate,
    ProjectPage,
    ProjectPublic,
    ProjectUpdate,
)
from shared.contracts.projects import ProjectSnapshot, ProjectStatus, Visibility
from shared.contracts.topics import GATEWAY
from shared.kit.auth import (
    AuthenticatedRoute,
    CurrentPrincipal,
    internal_principal,
)
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
    responses,
)
from shared.kit.idempotency import Idempotency, IdempotencyKeyReused
from shared.region.ags import AGS
from shared.region.topics import Topic

router = APIRouter(
    prefix="/api/v1/projects",
    tags=["projects"],
    dependencies=[Depends(internal_principal)],
    responses=responses(Unauthorized),
    route_class=AuthenticatedRoute,
)

PUBLIC_JSON = "application/json"


def _render(project: ProjectSnapshot, status_code: int = 200) -> Response:
    return Response(
        project.model_dump_json(),
        status_code=status_code,
        media_type=PUBLIC_JSON,
        headers={"ETag": etag_of(project.version)},
    )


def _source(request: Request) -> str:
    source: str = request.app.state.settings.source
    return source


def _catch_up(request: Request) -> domain.CatchUp:
    """Wait for this service's consumer of the gateway's events (see await_municipalities)."""
    runtime = request.app.state.runtime
    return partial(runtime.bus.catch_up, GATEWAY, runtime.settings.municipality_wait_seconds)


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=ProjectPublic,
    summary="Publish a project",
    description="A municipality key publishes for its own municipality; coordinators name "
    "`municipality_ags`. Send an `Idempotency-Key` to make retries safe.",
    responses=responses(Forbidden, InvalidInput, IdempotencyKeyReused, PayloadTooLarge),
)
async def create_project(
    data: ProjectCreate,
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    idempotency: Idempotency,
) -> Response:
    project = await domain.create_project(
        session,
        principal=principal,
        data=data,
        source=_source(request),
        catch_up=_catch_up(request),
    )
    return idempotency.created(
        session,
        project.model_dump_json(),
        {"Location": f"/api/v1/projects/{project.id}", "ETag": etag_of(project.version)},
    )


@router.post(
    "/import",
    status_code=status.HTTP_201_CREATED,
    response_model=ImportResult,
    summary="Import many projects from CSV or JSON Lines",
    description="Up to 10,000 rows, all or nothing. CSV has a header row with the field "
    "names; list cells separate items with `;`; the contact person goes in `contact_name`, "
    "`contact_role`, `contact_email`, `contact_phone`. JSON Lines holds one project object "
    "per line. Every bad row is reported with its line and field.",
    responses=responses(Forbidden, InvalidInput, UnsupportedMediaType, PayloadTooLarge),
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "text/csv": {"schema": {"type": "string"}},
                "application/x-ndjson": {"schema": {"type": "string"}},
            },
        }
    },
)
async def import_projects(
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    idempotency: Idempotency,
) -> Response:
    settings = request.app.state.settings
    rows, invalid = parse_import(
        await request.body(),
        request.headers.get("content-type", ""),
        max_rows=settings.import_max_rows,
    )
    created = await domain.import_projects(
        session,
        principal=principal,
        rows=rows,
        invalid=invalid,
        source=_source(request),
        catch_up=_catch_up(request),
    )
    result = ImportResult(created=len(created), ids=[p.id for p in created])
    return idempotency.created(session, result.model_dump_json())


@router.get(
    "",
    response_model=ProjectPage,
    summary="List the projects you may see",
    description="Newest change first. The `ETag` is a hash of the page: send it as "
    "`If-None-Match` when you poll, and an unchanged page is a 304 without a body.",
    responses=export_responses(),
)
async def list_projects(
    principal: CurrentPrincipal,
    session: DbSession,
    export: Exportable,
    municipality: Annotated[AGS | None, Query(description="AGS of the owning municipality")] = None,
    topic: Topic | None = None,
    status: ProjectStatus | None = None,
    visibility: Visibility | None = None,
    q: Annotated[
        str | None,
        Query(
            max_length=200,
            pattern=r"^[^\x00]*$",
            description="words in title, summary, description or tags",
        ),
    ] = None,
    updated_since: Annotated[
        datetime | None, Query(description="only projects changed at or after this time")
    ] = None,
    cursor: Annotated[str | None, Query(max_length=500)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    if_none_match: IfNoneMatch = None,
) -> Response:
    if updated_since is not None:
        try:
            updated_since = (updated_since.replace(tzinfo=updated_since.tzinfo or UTC)).astimezone(
                UTC
            )
        except OverflowError as exc:
            raise InvalidInput(
                "updated_since lies outside the range of dates this API knows.",
                errors=[{"field": "updated_since", "message": "out of range"}],
            ) from exc
    filters = repository.ProjectFilters(
        municipality=municipality,
        topic=topic,
        status=status,
        visibility=visibility,
        q=q,
        updated_since=updated_since,
    )
    cursor, limit = export.window(cursor, limit)
    rows, next_cursor, total = await repository.list_readable(
        session, principal, filters, cursor=cursor, limit=limit
    )
    page = ProjectPage(
        items=[
            ProjectPublic.model_validate(domain.snapshot(p), from_attributes=True) for p in rows
        ],
        next_cursor=next_cursor,
        total=total,
    )
    return await export.answer(page, if_none_match, filename="Projekte")


@router.get(
    "/counts",
    response_model=ProjectCounts,
    summary="Count the projects you may see, per status, topic and municipality",
    description="The same projects the list shows you with the same filters, counted: "
    "for charts and maps without reading every page. A project with several topics counts "
    "under each. Send the `ETag` as `If-None-Match` when you poll.",
)
async def count_projects(
    principal: CurrentPrincipal,
    session: DbSession,
    municipality: Annotated[AGS | None, Query(description="AGS of the owning municipality")] = None,
    topic: Topic | None = None,
    status: ProjectStatus | None = None,
    visibility: Visibility | None = None,
    if_none_match: IfNoneMatch = None,
) -> Response:
    filters = repository.ProjectFilters(
        municipality=municipality, topic=topic, status=status, visibility=visibility
    )
    counts = await repository.count_readable(session, principal, filters)
    body = ProjectCounts(
        total=counts.total,
        by_status=counts.by_status,
        by_topic=counts.by_topic,
        by_municipality=counts.by_municipality,
    )
    return cacheable(body.model_dump_json(), if_none_match)


@router.get(
    "/{project_id}",
    response_model=ProjectPublic,
    summary="Read one project",
    description="The `ETag` header is the version: send it as `If-Match` when you change "
    "the project, or as `If-None-Match` when you poll (304 while it is unchanged).",
    responses=responses(NotFound),
)
async def get_project(
    project_id: uuid.UUID,
    principal: CurrentPrincipal,
    session: DbSession,
    if_none_match: IfNoneMatch = None,
) -> Response:
    project = await repository.get_readable(session, principal, str(project_id))
    if project is None:
        raise NotFound(f"There is no project {project_id} you may see.")
    state = domain.snapshot(project)
    return cacheable(state.model_dump_json(), if_none_match, etag=etag_of(state.version))


@router.patch(
    "/{project_id}",
    response_model=ProjectPublic,
    summary="Change a project",
    description="Send the ETag of your last read as `If-Match`; a stale one gets 412. "
    "Status changes follow the lifecycle; an illegal one gets 409.",
    responses=responses(
        NotFound, Forbidden, Conflict, PreconditionFailed, PreconditionRequired, InvalidInput
    ),
)
async def update_project(
    project_id: uuid.UUID,
    changes: ProjectUpdate,
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    if_match: IfMatch = None,
) -> Response:
    project = await domain.update_project(
        session,
        principal=principal,
        project_id=str(project_id),
        changes=changes,
        if_match=if_match,
        source=_source(request),
        catch_up=_catch_up(request),
    )
    return _render(domain.snapshot(project))


@router.delete(
    "/{project_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Delete a project",
    description="`If-Match` is optional here; when sent, a stale one gets 412.",
    responses=responses(NotFound, Forbidden, PreconditionFailed),
)
async def delete_project(
    project_id: uuid.UUID,
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    if_match: OptionalIfMatch = None,
) -> Response:
    await domain.delete_project(
        session,
        principal=principal,
        project_id=str(project_id),
        if_match=if_match,
        source=_source(request),
    )
    return Response(status_code=204)
