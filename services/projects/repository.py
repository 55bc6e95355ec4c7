"""Every query of the projects service, starting with what a caller may see."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, bindparam, func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from services.projects.models import KnownMunicipality, Project
from shared.kit.auth import Principal
from shared.kit.db import Prepared, table_of
from shared.kit.pagination import SortKey, keyset_page
from shared.region.visibility import visible_to


def readable(principal: Principal) -> Select[Project]:
    """The one base query of the projects `principal` may see (shared.region.visibility)."""
    return select(Project).where(
        visible_to(
            principal,
            visibility=col(Project.visibility),
            owner_ags=col(Project.municipality_ags),
        )
    )


async def get_readable(
    session: AsyncSession, principal: Principal, project_id: str, *, for_update: bool = False
) -> Project | None:
    """A project the caller may see; `for_update` locks its row until the commit."""
    query = readable(principal).where(col(Project.id) == project_id)
    if for_update:
        query = query.with_for_update()
    return await session.scalar(query)


@dataclass(frozen=True)
class ProjectFilters:
    municipality: str | None = None
    topic: str | None = None
    status: str | None = None
    visibility: str | None = None
    q: str | None = None
    updated_since: datetime | None = None


def _filtered(query: Select[Project], filters: ProjectFilters) -> Select[Project]:
    if filters.municipality:
        query = query.where(col(Project.municipality_ags) == filters.municipality)
    if filters.topic:
        query = query.where(col(Project.topic_keys).contains(f"|{filters.topic}|"))
    if filters.status:
        query = query.where(col(Project.status) == filters.status)
    if filters.visibility:
        query = query.where(col(Project.visibility) == filters.visibility)
    if filters.q:
        for word in filters.q.casefold().split():
            query = query.where(col(Project.search_text).contains(word, autoescape=True))
    if filters.updated_since:
        query = query.where(col(Project.updated_at) >= filters.updated_since)
    return query


# Newest change first; the id breaks ties so every project has one place in the order.
PROJECT_ORDER = (
    SortKey(col(Project.updated_at), datetime, descending=True),
    SortKey(col(Project.id), str, descending=True),
)


async def list_readable(
    session: AsyncSession,
    principal: Principal,
    filters: ProjectFilters,
    *,
    cursor: str | None,
    limit: int,
) -> tuple[Sequence[Project], str | None, int]:
    """One page of projects, newest change first; returns rows, next cursor, total."""
    query = _filtered(readable(principal), filters)
    return await keyset_page(session, query, order=PROJECT_ORDER, cursor=cursor, limit=limit)


@dataclass(frozen=True)
class ProjectCounts:
    total: int
    by_status: dict[str, int]
    by_topic: dict[str, int]
    by_municipality: dict[str, int]


async def count_readable(
    session: AsyncSession, principal: Principal, filters: ProjectFilters
) -> ProjectCounts:
    """How many projects the caller may see, per status, topic and municipality."""
    visible = _filtered(readable(principal), filters).subquery()
    # One grouped query; the groups are few (statuses x municipalities x topic sets),
    # and the topic sets are split here, where a project counts once per topic.
    rows = await session.execute(
        select(
            visible.c.status, visible.c.municipality_ags, visible.c.topic_keys, func.count()
        ).group_by(visible.c.status, visible.c.municipality_ags, visible.c.topic_keys)
    )
    total = 0
    by_status: dict[str, int] = {}
    by_topic: dict[str, int] = {}
    by_municipality: dict[str, int] = {}
    for status, ags, topic_keys, count in rows:
        total += count
        by_status[status] = by_status.get(status, 0) + count
        by_municipality[ags] = by_municipality.get(ags, 0) + count
        for topic in filter(None, topic_keys.split("|")):
            by_topic[topic] = by_topic.get(topic, 0) + count
    return ProjectCounts(total, by_status, by_topic, by_municipality)


# Prepared once: the write path runs them on every create.
_KNOWN = table_of(KnownMunicipality).c
_SELECT_KNOWN = Prepared(select(_KNOWN.ags).where(_KNOWN.ags == bindparam("ags")))
_INSERT_PROJECT = Prepared(insert(table_of(Project)))


async def unknown_municipalities(session: AsyncSession, ags: set[str]) -> set[str]:
    """Which of these AGS the region does not (yet) know."""
    # One lookup per AGS: there is mostly one (the owner), and a prepared `=` is cheap.
    return {a for a in ags if not await _SELECT_KNOWN.run(session, {"ags": a})}


async def get_known_municipality(session: AsyncSession, ags: str) -> KnownMunicipality | None:
    return await session.get(KnownMunicipality, ags)


async def insert_project(session: AsyncSession, row: dict[str, Any]) -> None:
    # A plain insert: creating is the hot path, and ORM objects cost more than the SQL.
    await _INSERT_PROJECT.run(session, row)
