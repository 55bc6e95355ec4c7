"""HTTP endpoints of articles (lessons learned, guides, templates) and the contact directory."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response, status

from services.knowledge import articles, contacts, repository
from services.knowledge.routes import Search, source_of
from services.knowledge.schemas import (
    ArticleCreate,
    ArticlePage,
    ArticlePublic,
    ArticleUpdate,
    ContactCreate,
    ContactExport,
    ContactPage,
    ContactPublic,
    ContactUpdate,
)
from shared.contracts.knowledge import ArticleKind
from shared.kit.auth import AuthenticatedRoute, CurrentPrincipal, internal_principal
from shared.kit.deps import DbSession
from shared.kit.export import Exportable, export_responses
from shared.kit.http import (
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
    cacheable,
    etag_of,
    responses,
)
from shared.kit.idempotency import Idempotency, IdempotencyKeyReused
from shared.region.ags import AGS
from shared.region.topics import Topic

router = APIRouter(
    dependencies=[Depends(internal_principal)],
    responses=responses(Unauthorized),
    route_class=AuthenticatedRoute,
)

Cursor = Annotated[str | None, Query(max_length=500)]
Limit = Annotated[int, Query(ge=1, le=200)]


def _json(body: str, version: int) -> Response:
    return Response(body, media_type="application/json", headers={"ETag": etag_of(version)})


@router.post(
    "/api/v1/articles",
    status_code=status.HTTP_201_CREATED,
    response_model=ArticlePublic,
    tags=["articles"],
    summary="Publish an article",
    description="A lesson learned, guide or procurement template in Markdown, linked to "
    "solutions, projects and topics; the body is also given as sanitised HTML. A "
    "municipality key writes as its municipality.",
    responses=responses(Forbidden, InvalidInput, IdempotencyKeyReused, PayloadTooLarge),
)
async def publish_article(
    data: ArticleCreate,
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    idempotency: Idempotency,
    search: Search,
) -> Response:
    state = await articles.publish_article(
        session, principal=principal, data=data, source=source_of(request), search=search
    )
    return idempotency.created(
        session,
        state.model_dump_json(),
        {"Location": f"/api/v1/articles/{state.id}", "ETag": etag_of(state.version)},
    )


@router.get(
    "/api/v1/articles",
    response_model=ArticlePage,
    tags=["articles"],
    summary="List the articles you may see",
    description="Newest change first; region-wide articles for members only.",
    responses=export_responses(),
)
async def list_articles(
    principal: CurrentPrincipal,
    session: DbSession,
    export: Exportable,
    kind: ArticleKind | None = None,
    topic: Topic | None = None,
    municipality: Annotated[AGS | None, Query(description="the writing municipality")] = None,
    solution: uuid.UUID | None = None,
    project: uuid.UUID | None = None,
    cursor: Cursor = None,
    limit: Limit = 50,
    if_none_match: IfNoneMatch = None,
) -> Response:
    filters = repository.ArticleFilters(
        kind=kind,
        topic=topic,
        municipality=municipality,
        solution=str(solution) if solution else None,
        project=str(project) if project else None,
    )
    cursor, limit = export.window(cursor, limit)
    rows, next_cursor, total = await repository.list_articles(
        session, principal, filters, cursor=cursor, limit=limit
    )
    page = ArticlePage(
        items=[ArticlePublic.model_validate(r, from_attributes=True) for r in rows],
        next_cursor=next_cursor,
        total=total,
    )
    return await export.answer(page, if_none_match, filename="Artikel")


@router.get(
    "/api/v1/articles/{article_id}",
    response_model=ArticlePublic,
    tags=["articles"],
    summary="Read one article",
    responses=responses(NotFound),
)
async def get_article(
    article_id: uuid.UUID,
    principal: CurrentPrincipal,
    session: DbSession,
    if_none_match: IfNoneMatch = None,
) -> Response:
    article = await repository.get_readable_article(session, principal, str(article_id))
    if article is None:
        raise NotFound(f"There is no article {article_id} you may see.")
    state = articles.snapshot(article)
    return cacheable(state.model_dump_json(), if_none_match, etag=etag_of(state.version))


@router.patch(
    "/api/v1/articles/{article_id}",
    response_model=ArticlePublic,
    tags=["articles"],
    summary="Change an article",
    description="The writing municipality or a coordinator, with `If-Match`.",
    responses=responses(
        NotFound, Forbidden, PreconditionFailed, PreconditionRequired, InvalidInput
    ),
)
async def update_article(
    article_id: uuid.UUID,
    changes: ArticleUpdate,
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    search: Search,
    if_match: IfMatch = None,
) -> Response:
    article = await articles.update_article(
        session,
        principal=principal,
        article_id=str(article_id),
        changes=changes,
        if_match=if_match,
        source=source_of(request),
        search=search,
    )
    state = articles.snapshot(article)
    return _json(state.model_dump_json(), state.version)


@router.delete(
    "/api/v1/articles/{article_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    tags=["articles"],
    summary="Delete an article",
    responses=responses(NotFound, Forbidden, PreconditionFailed),
)
async def delete_article(
    article_id: uuid.UUID,
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    search: Search,
    if_match: OptionalIfMatch = None,
) -> Response:
    await articles.delete_article(
        session,
        principal=principal,
        article_id=str(article_id),
        source=source_of(request),
        search=search,
        if_match=if_match,
    )
    return Response(status_code=204)


@router.post(
    "/api/v1/contacts",
    status_code=status.HTTP_201_CREATED,
    response_model=ContactPublic,
    tags=["contacts"],
    summary="Add a person to the directory",
    description="A municipality adds its own Digitallotsen and CDOs; coordinators name "
    "`municipality_ags`. The directory is for signed-in members only.",
    responses=responses(Forbidden, InvalidInput, IdempotencyKeyReused, PayloadTooLarge),
)
async def add_contact(
    data: ContactCreate,
    principal: CurrentPrincipal,
    session: DbSession,
    idempotency: Idempotency,
    search: Search,
) -> Response:
    contact = await contacts.add_contact(session, principal=principal, data=data, search=search)
    return idempotency.created(
        session,
        contacts.public(contact).model_dump_json(),
        {"Location": f"/api/v1/contacts/{contact.id}", "ETag": etag_of(contact.version)},
    )


@router.get(
    "/api/v1/contacts",
    response_model=ContactPage,
    tags=["contacts"],
    summary="The directory of Digitallotsen and CDOs",
    description="Members only; by name.",
    responses=export_responses(),
)
async def list_contacts(
    principal: CurrentPrincipal,
    session: DbSession,
    export: Exportable,
    municipality: Annotated[AGS | None, Query(description="AGS of the municipality")] = None,
    topic: Topic | None = None,
    cursor: Cursor = None,
    limit: Limit = 50,
    if_none_match: IfNoneMatch = None,
) -> Response:
    if not principal.signed_in:
        raise Unauthorized("The contact directory is for signed-in members.")
    cursor, limit = export.window(cursor, limit)
    rows, next_cursor, total = await repository.list_contacts(
        session, principal, municipality=municipality, topic=topic, cursor=cursor, limit=limit
    )
    page = ContactPage(
        items=[contacts.public(r) for r in rows], next_cursor=next_cursor, total=total
    )
    return await export.answer(page, if_none_match, filename="Kontakte")


@router.get(
    "/api/v1/contacts/{contact_id}",
    response_model=ContactPublic,
    tags=["contacts"],
    summary="Read one entry of the directory",
    description="Members only.",
    responses=responses(NotFound),
)
async def get_contact(
    contact_id: uuid.UUID,
    principal: CurrentPrincipal,
    session: DbSession,
    if_none_match: IfNoneMatch = None,
) -> Response:
    contact = await contacts.readable_contact(session, principal, str(contact_id))
    body = contacts.public(contact).model_dump_json()
    return cacheable(body, if_none_match, etag=etag_of(contact.version))


@router.get(
    "/api/v1/contacts/{contact_id}/export",
    response_model=ContactExport,
    tags=["contacts"],
    summary="Everything held about a person (GDPR Art. 15)",
    description="The entry, who recorded it, for what purpose, who sees it and how it is "
    "deleted. Its municipality or a coordinator.",
    responses=responses(NotFound, Forbidden),
)
async def export_contact(
    contact_id: uuid.UUID, principal: CurrentPrincipal, session: DbSession
) -> ContactExport:
    return await contacts.export_contact(session, principal, str(contact_id))


@router.patch(
    "/api/v1/contacts/{contact_id}",
    response_model=ContactPublic,
    tags=["contacts"],
    summary="Change an entry of the directory",
    description="Its municipality or a coordinator, with `If-Match`.",
    responses=responses(
        NotFound, Forbidden, PreconditionFailed, PreconditionRequired, InvalidInput
    ),
)
async def update_contact(
    contact_id: uuid.UUID,
    changes: ContactUpdate,
    principal: CurrentPrincipal,
    session: DbSession,
    search: Search,
    if_match: IfMatch = None,
) -> Response:
    contact = await contacts.update_contact(
        session,
        principal=principal,
        contact_id=str(contact_id),
        changes=changes,
        if_match=if_match,
        search=search,
    )
    return _json(contacts.public(contact).model_dump_json(), contact.version)


@router.delete(
    "/api/v1/contacts/{contact_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    tags=["contacts"],
    summary="Erase a person from the directory (GDPR Art. 17)",
    description="Deletes the entry and every copy the service keeps: search finds the "
    "person no more, and kept answers to retried requests that held it are dropped.",
    responses=responses(NotFound, Forbidden, PreconditionFailed),
)
async def erase_contact(
    contact_id: uuid.UUID,
    principal: CurrentPrincipal,
    session: DbSession,
    search: Search,
    if_match: OptionalIfMatch = None,
) -> Response:
    await contacts.erase_contact(
        session, principal=principal, contact_id=str(contact_id), search=search, if_match=if_match
    )
    return Response(status_code=204)
