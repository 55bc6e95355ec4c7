"""The rules of articles: lessons learned, guides, procurement templates. Nothing here commits.

Markdown is rendered once, on write, to HTML that is safe to show: raw HTML in the
Markdown stays text, and the result passes an allow-list sanitiser (ammonia) so no
script, handler or `javascript:` link can reach a reader.
"""

import uuid

import nh3
from markdown_it import MarkdownIt
from sqlalchemy.ext.asyncio import AsyncSession

from services.knowledge import repository
from services.knowledge.index import SearchReadModel
from services.knowledge.models import Article, KnownProject
from services.knowledge.schemas import ArticleCreate, ArticleUpdate
from shared.contracts.knowledge import (
    ArticleDeleted,
    ArticlePublished,
    ArticleRequested,
    ArticleSnapshot,
    ArticleUpdated,
    MatchEnd,
)
from shared.kit.auth import Principal
from shared.kit.db import stored
from shared.kit.http import (
    Forbidden,
    InvalidInput,
    NotFound,
    check_if_match,
    check_optional_if_match,
)
from shared.kit.outbox import add_event
from shared.kit.sqltypes import utcnow

_MARKDOWN = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")
LESSONS_REQUEST = (
    "Das Projekt „{title}“ ist abgeschlossen. Teilen Sie, was Sie dabei gelernt haben: "
    "ein Erfahrungsbericht hilft der nächsten Kommune, die dasselbe vorhat."
)


def render(markdown: str) -> str:
    """Markdown as sanitised HTML."""
    return nh3.clean(_MARKDOWN.render(markdown), link_rel="noopener noreferrer nofollow")


def snapshot(article: Article) -> ArticleSnapshot:
    return ArticleSnapshot.model_validate(article, from_attributes=True)


def _author(principal: Principal, requested: str | None) -> str | None:
    if principal.region_wide:
        return requested
    if principal.ags is None:
        raise Forbidden("This identity belongs to no municipality; ask a coordinator.")
    if requested is not None and requested != principal.ags:
        raise Forbidden(
            "A municipality key writes as its own municipality.",
            errors=[{"field": "municipality_ags", "message": f"not your AGS {principal.ags}"}],
        )
    return principal.ags


async def publish_article(
    session: AsyncSession,
    *,
    principal: Principal,
    data: ArticleCreate,
    source: str,
    search: SearchReadModel,
) -> ArticleSnapshot:
    """Publish an article and write its `published` event."""
    author = _author(principal, data.municipality_ags)
    await _check_solutions(session, [str(s) for s in data.solution_ids])
    await _check_projects(session, principal, [str(p) for p in data.project_ids])
    values = {k: stored(v) for k, v in data.model_dump().items()}
    now = utcnow()
    article = Article(
        **values
        | {
            "id": str(uuid.uuid4()),
            "body_html": render(data.body),
            "topic_keys": "|" + "|".join(values["topics"]) + "|",
            "municipality_ags": author,
            "version": 1,
            "created_by": principal.subject,
            "created_at": now,
            "updated_at": now,
        }
    )
    session.add(article)
    state = snapshot(article)
    await add_event(session, ArticlePublished(article=state), source=source, subject=article.id)
    search.stage_article(session, article)
    return state


async def _check_solutions(session: AsyncSession, solution_ids: list[str]) -> None:
    known = await repository.solutions_by_id(session, solution_ids)
    missing = [s for s in solution_ids if s not in known]
    if missing:
        raise InvalidInput(
            "An article links only solutions of the catalogue.",
            errors=[{"field": "solution_ids", "message": f"unknown solution {s}"} for s in missing],
        )


async def _check_projects(
    session: AsyncSession, principal: Principal, project_ids: list[str]
) -> None:
    """An article names only projects its writer may see. A project this service has not
    heard of yet (its event is on the way) may be named; another municipality's private
    one may not, so an article cannot tell its readers that it exists."""
    hidden = []
    for project_id in project_ids:
        known = await repository.get_known_project(session, project_id)
        if (
            known is not None
            and await repository.get_readable_project(session, principal, project_id) is None
        ):
            hidden.append(project_id)
    if hidden:
        raise InvalidInput(
            "An article links only projects you may see.",
            errors=[{"field": "project_ids", "message": f"unknown project {p}"} for p in hidden],
        )


async def update_article(
    session: AsyncSession,
    *,
    principal: Principal,
    article_id: str,
    changes: ArticleUpdate,
    if_match: str | None,
    source: str,
    search: SearchReadModel,
) -> Article:
    """Change an article (its writing municipality or a coordinator) and write its
    `updated` event."""
    article = await editable_article(session, principal, article_id)
    check_if_match(if_match, article.version)
    requested = {k: stored(v) for k, v in changes.model_dump(exclude_unset=True).items()}
    cleared = sorted(k for k, v in requested.items() if v is None)
    if cleared:
        raise InvalidInput(
            "These fields cannot be cleared.",
            errors=[{"field": k, "message": "may not be null"} for k in cleared],
        )
    if "solution_ids" in requested:
        await _check_solutions(session, requested["solution_ids"])
    if "project_ids" in requested:
        await _check_projects(session, principal, [str(p) for p in requested["project_ids"]])
    changed = sorted(k for k, v in requested.items() if getattr(article, k) != v)
    if not changed:
        return article
    for key in changed:
        setattr(article, key, requested[key])
    article.body_html = render(article.body)
    article.topic_keys = "|" + "|".join(article.topics) + "|"
    article.version += 1
    article.updated_at = utcnow()
    payload = ArticleUpdated(article=snapshot(article), changed=changed)
    await add_event(session, payload, source=source, subject=article.id)
    search.stage_article(session, article)
    return article


async def editable_article(session: AsyncSession, principal: Principal, article_id: str) -> Article:
    article = await repository.get_readable_article(session, principal, article_id, lock=True)
    if article is None:
        raise NotFound(f"There is no article {article_id} you may see.")
    if not principal.region_wide and (
        article.municipality_ags is None or article.municipality_ags != principal.ags
    ):
        raise Forbidden("Only the writing municipality or a coordinator changes an article.")
    return article


async def delete_article(
    session: AsyncSession,
    *,
    principal: Principal,
    article_id: str,
    source: str,
    search: SearchReadModel,
    if_match: str | None = None,
) -> None:
    """Delete an article and write its `deleted` event, so copies elsewhere go too."""
    article = await editable_article(session, principal, article_id)
    check_optional_if_match(if_match, article.version)
    last = snapshot(article)
    await session.delete(article)
    await add_event(session, ArticleDeleted(article=last), source=source, subject=article.id)
    search.stage_removal(session, article.id)


async def request_lessons_learned(
    session: AsyncSession, project: KnownProject, source: str
) -> None:
    """A completed project: ask its municipality for a lessons-learned article."""
    payload = ArticleRequested(
        project=MatchEnd(
            id=project.id,
            kind="project",
            title=project.title,
            municipality_ags=project.municipality_ags,
        ),
        municipality_ags=project.municipality_ags,
        visibility=project.visibility,
        message=LESSONS_REQUEST.format(title=project.title),
    )
    await add_event(session, payload, source=source, subject=project.id)
