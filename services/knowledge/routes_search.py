"""HTTP endpoints of search and the Kooperationsradar's suggestions."""

import uuid
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Response
from starlette.concurrency import run_in_threadpool

from services.knowledge import suggestions
from services.knowledge.radar import Suggestion
from services.knowledge.routes import Search
from services.knowledge.schemas import SearchItem, SearchPage, SuggestionPublic, Suggestions
from services.knowledge.search import SearchFilters, Viewer
from shared.contracts.knowledge import Maturity
from shared.contracts.projects import ProjectStatus
from shared.kit.auth import AuthenticatedRoute, CurrentPrincipal, internal_principal
from shared.kit.deps import DbSession
from shared.kit.export import Exportable, export_responses
from shared.kit.http import (
    IfNoneMatch,
    InvalidInput,
    NotFound,
    Unauthorized,
    responses,
)
from shared.kit.pagination import BadCursor, decode_cursor, encode_cursor
from shared.region.ags import AGS
from shared.region.topics import Topic

router = APIRouter(
    tags=["search"],
    dependencies=[Depends(internal_principal)],
    responses=responses(Unauthorized),
    route_class=AuthenticatedRoute,
)

# Deep pages cost the index more than they help a reader: refine the query instead.
MAX_OFFSET = 1000
NoNul = r"^[^\x00]*$"


def _offset(cursor: str | None) -> int:
    if cursor is None:
        return 0
    (offset,) = decode_cursor(cursor, size=1)
    if not isinstance(offset, int) or not 0 < offset <= MAX_OFFSET:
        raise BadCursor()
    return offset


@router.get(
    "/api/v1/search",
    response_model=SearchPage,
    summary="Search solutions, projects and articles",
    description="One German-aware full-text search over solutions, projects, articles and "
    "the contact directory: stemming (`Digitalisierung` finds "
    "`digitale`), umlauts either way (`Buergerportal` finds `Bürgerportal`), compounds "
    "(`Bauantrag` finds `Bauantragsverfahren`), one typo in longer words. Ranked by BM25, "
    "with a highlighted snippet (HTML, matches in `<mark>`, everything else escaped) and "
    "facet counts over all matches. You see only what you may see: projects by their "
    "visibility, people of the contact directory for members only. Without `q`, "
    "everything visible, filtered. Pages up to 1,000 results deep. `?format=csv` or "
    "`?format=xlsx` (or `Accept`) gives all results, in rank order, as a file.",
    responses=export_responses(InvalidInput),
)
async def search(
    principal: CurrentPrincipal,
    index: Search,
    export: Exportable,
    q: Annotated[str, Query(max_length=200, pattern=NoNul, description="what to find")] = "",
    kind: Literal["solution", "project", "article", "contact"] | None = None,
    topic: Topic | None = None,
    maturity: Maturity | None = None,
    license: Annotated[
        str | None, Query(max_length=500, pattern=NoNul, description="SPDX expression")
    ] = None,
    municipality: Annotated[
        AGS | None, Query(description="owning or providing municipality")
    ] = None,
    status: ProjectStatus | None = None,
    cursor: Annotated[str | None, Query(max_length=500)] = None,
    limit: Annotated[int, Query(ge=1, le=50)] = 20,
    if_none_match: IfNoneMatch = None,
) -> Response:
    cursor, limit = export.window(cursor, limit)
    offset = _offset(cursor)
    filters = SearchFilters(
        kind=kind,
        topic=topic,
        maturity=maturity,
        license=license,
        municipality=municipality,
        status=status,
    )
    # In a worker thread: tantivy lets go of the GIL while it searches and counts, so
    # other requests go on meanwhile, and the event loop is never held up by a search.
    found = await run_in_threadpool(
        index.index.search, q, filters, Viewer.of(principal), limit=limit, offset=offset
    )
    after = offset + len(found.hits)
    more = after < found.total and after <= MAX_OFFSET
    page = SearchPage(
        items=[
            SearchItem(
                id=hit.id,
                kind=hit.document.kind,
                title=hit.title,
                snippet=hit.snippet,
                score=round(hit.score, 4),
                municipality_ags=hit.document.owner_ags or None,
                topics=list(hit.document.topics),
                status=hit.document.status,
                maturity=hit.document.maturity,
                license=hit.document.license,
            )
            for hit in found.hits
        ],
        next_cursor=encode_cursor([after]) if more else None,
        total=found.total,
        # A catalogue entry without a providing municipality counts under none.
        facets={
            name: {value: count for value, count in counts.items() if value}
            for name, counts in found.facets.items()
        },
    )
    return await export.answer(page, if_none_match, filename="Suche")


def _public(found: list[Suggestion]) -> list[SuggestionPublic]:
    return [
        SuggestionPublic(
            id=s.id,
            kind=s.kind,
            title=s.title,
            municipality_ags=s.owner_ags or None,
            score=s.score,
            reason=s.reason,
            shared_terms=list(s.shared_terms),
            shared_topics=list(s.shared_topics),
            shared_ozg=list(s.shared_ozg),
        )
        for s in found
    ]


@router.get(
    "/api/v1/projects/{project_id}/suggestions",
    response_model=Suggestions,
    tags=["projects"],
    summary="Kooperationsradar: who else does this, which solution fits",
    description="Projects of other municipalities that do the same thing and catalogue "
    "solutions that fit, by shared words (compounds included), OZG services, topics and "
    "target groups, each with a score and a reason in German. Another municipality's "
    "private project is never suggested; you see only what you may see.",
    responses=responses(NotFound),
)
async def project_suggestions(
    project_id: uuid.UUID,
    principal: CurrentPrincipal,
    session: DbSession,
    index: Search,
    limit: Annotated[int, Query(ge=1, le=20, description="per kind")] = 5,
) -> Suggestions:
    found = await suggestions.suggestions_for(session, principal, str(project_id), index, limit)
    return Suggestions(projects=_public(found.projects), solutions=_public(found.solutions))
