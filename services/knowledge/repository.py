"""Every query of the knowledge service, starting with what a caller may see."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, Text, cast, delete, false, select, true
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from services.knowledge.models import (
    Adoption,
    Article,
    Contact,
    KnownMunicipality,
    KnownProject,
    RadarMatch,
    Solution,
)
from shared.kit.auth import Principal
from shared.kit.db import table_of
from shared.kit.idempotency import IdempotencyRecord
from shared.kit.pagination import SortKey, keyset_page
from shared.region.visibility import visible_to

# -- solutions: the catalogue is public, to everyone --------------------------------------


async def get_solution(
    session: AsyncSession, solution_id: str, *, for_update: bool = False
) -> Solution | None:
    query = select(Solution).where(col(Solution.id) == solution_id)
    if for_update:
        query = query.with_for_update()
    return await session.scalar(query)


@dataclass(frozen=True)
class SolutionFilters:
    topic: str | None = None
    maturity: str | None = None
    license: str | None = None
    provider: str | None = None
    status: str | None = "active"
    updated_since: datetime | None = None


def _filtered_solutions(filters: SolutionFilters) -> Select[Solution]:
    query = select(Solution)
    if filters.topic:
        query = query.where(col(Solution.topic_keys).contains(f"|{filters.topic}|"))
    if filters.maturity:
        query = query.where(col(Solution.maturity) == filters.maturity)
    if filters.license:
        query = query.where(col(Solution.license) == filters.license)
    if filters.provider:
        query = query.where(col(Solution.provider_ags) == filters.provider)
    if filters.status:
        query = query.where(col(Solution.status) == filters.status)
    if filters.updated_since:
        query = query.where(col(Solution.updated_at) >= filters.updated_since)
    return query


SOLUTION_ORDER = (
    SortKey(col(Solution.updated_at), datetime, descending=True),
    SortKey(col(Solution.id), str, descending=True),
)


async def list_solutions(
    session: AsyncSession, filters: SolutionFilters, *, cursor: str | None, limit: int
) -> tuple[Sequence[Solution], str | None, int]:
    """One page of solutions, newest change first; returns rows, next cursor, total."""
    query = _filtered_solutions(filters)
    return await keyset_page(session, query, order=SOLUTION_ORDER, cursor=cursor, limit=limit)


async def active_solutions(session: AsyncSession) -> Sequence[Solution]:
    return (await session.scalars(select(Solution).where(col(Solution.status) == "active"))).all()


async def solutions_by_id(
    session: AsyncSession, solution_ids: Sequence[str]
) -> dict[str, Solution]:
    if not solution_ids:
        return {}
    query = select(Solution).where(col(Solution.id).in_(set(solution_ids)))
    return {s.id: s for s in (await session.scalars(query)).all()}


async def solution_names(session: AsyncSession, solution_ids: Sequence[str]) -> dict[str, str]:
    if not solution_ids:
        return {}
    rows = await session.execute(
        select(col(Solution.id), col(Solution.name)).where(col(Solution.id).in_(solution_ids))
    )
    return dict(rows.tuples().all())


# -- adoptions: the inventory is for members -------------------------------------------


def readable_adoptions(principal: Principal) -> Select[Adoption]:
    """The one base query of the adoptions `principal` may see: all of them for members,
    none for anonymous callers (which software a municipality runs is an attack map)."""
    return select(Adoption).where(true() if principal.signed_in else false())


async def adopters(
    session: AsyncSession, principal: Principal, solution_ids: Sequence[str]
) -> dict[str, list[Adoption]]:
    """Who uses each of these solutions, as far as `principal` may see."""
    if not solution_ids:
        return {}
    query = readable_adoptions(principal).where(col(Adoption.solution_id).in_(solution_ids))
    found: dict[str, list[Adoption]] = {}
    for adoption in (await session.scalars(query.order_by(col(Adoption.municipality_ags)))).all():
        found.setdefault(adoption.solution_id, []).append(adoption)
    return found


async def find_adoption(session: AsyncSession, solution_id: str, ags: str) -> Adoption | None:
    return await session.scalar(
        select(Adoption).where(
            col(Adoption.solution_id) == solution_id, col(Adoption.municipality_ags) == ags
        )
    )


async def get_adoption(
    session: AsyncSession, adoption_id: str, *, for_update: bool = False
) -> Adoption | None:
    query = select(Adoption).where(col(Adoption.id) == adoption_id)
    if for_update:
        query = query.with_for_update()
    return await session.scalar(query)


@dataclass(frozen=True)
class AdoptionFilters:
    solution: str | None = None
    municipality: str | None = None
    status: str | None = None
    stale: bool | None = None
    """True: only those confirmed before `stale_before`; False: only those after."""
    stale_before: datetime | None = None


# The matrix reads by municipality; the id gives every adoption one place in the order.
ADOPTION_ORDER = (
    SortKey(col(Adoption.municipality_ags), str),
    SortKey(col(Adoption.id), str),
)


async def list_adoptions(
    session: AsyncSession,
    principal: Principal,
    filters: AdoptionFilters,
    *,
    cursor: str | None,
    limit: int,
) -> tuple[Sequence[Adoption], str | None, int]:
    """One page of the region's matrix municipality x solution, by municipality."""
    query = readable_adoptions(principal)
    if filters.solution:
        query = query.where(col(Adoption.solution_id) == filters.solution)
    if filters.municipality:
        query = query.where(col(Adoption.municipality_ags) == filters.municipality)
    if filters.status:
        query = query.where(col(Adoption.status) == filters.status)
    if filters.stale is not None and filters.stale_before is not None:
        confirmed = col(Adoption.confirmed_at)
        query = query.where(
            confirmed < filters.stale_before if filters.stale else confirmed >= filters.stale_before
        )
    return await keyset_page(session, query, order=ADOPTION_ORDER, cursor=cursor, limit=limit)


# -- projects the events tell ----------------------------------------------------------


def readable_projects(principal: Principal) -> Select[KnownProject]:
    """The one base query of the projects `principal` may see (shared.region.visibility)."""
    return select(KnownProject).where(
        visible_to(
            principal,
            visibility=col(KnownProject.visibility),
            owner_ags=col(KnownProject.municipality_ags),
        )
    )


async def get_readable_project(
    session: AsyncSession, principal: Principal, project_id: str
) -> KnownProject | None:
    query = readable_projects(principal).where(col(KnownProject.id) == project_id)
    return await session.scalar(query)


async def get_known_project(session: AsyncSession, project_id: str) -> KnownProject | None:
    return await session.get(KnownProject, project_id)


async def all_known_projects(session: AsyncSession) -> Sequence[KnownProject]:
    return (await session.scalars(select(KnownProject))).all()


async def radar_match_known(session: AsyncSession, project_id: str, match_id: str) -> bool:
    """Whether the radar announced this pair already, either way round."""
    pairs = ((project_id, match_id), (match_id, project_id))
    for first, second in pairs:
        if await session.get(RadarMatch, (first, second)) is not None:
            return True
    return False


# -- municipalities the events tell -----------------------------------------------------


async def get_known_municipality(session: AsyncSession, ags: str) -> KnownMunicipality | None:
    return await session.get(KnownMunicipality, ags)


# -- articles ------------------------------------------------------------------------------


def readable_articles(principal: Principal) -> Select[Article]:
    """The one base query of the articles `principal` may see (shared.region.visibility)."""
    return select(Article).where(
        visible_to(
            principal,
            visibility=col(Article.visibility),
            owner_ags=col(Article.municipality_ags),
        )
    )


async def get_readable_article(
    session: AsyncSession, principal: Principal, article_id: str, *, lock: bool = False
) -> Article | None:
    query = readable_articles(principal).where(col(Article.id) == article_id)
    if lock:
        query = query.with_for_update()
    return await session.scalar(query)


@dataclass(frozen=True)
class ArticleFilters:
    kind: str | None = None
    topic: str | None = None
    municipality: str | None = None
    solution: str | None = None
    project: str | None = None


ARTICLE_ORDER = (
    SortKey(col(Article.updated_at), datetime, descending=True),
    SortKey(col(Article.id), str, descending=True),
)


async def list_articles(
    session: AsyncSession,
    principal: Principal,
    filters: ArticleFilters,
    *,
    cursor: str | None,
    limit: int,
) -> tuple[Sequence[Article], str | None, int]:
    query = readable_articles(principal)
    if filters.kind:
        query = query.where(col(Article.kind) == filters.kind)
    if filters.topic:
        query = query.where(col(Article.topic_keys).contains(f"|{filters.topic}|"))
    if filters.municipality:
        query = query.where(col(Article.municipality_ags) == filters.municipality)
    # Ids are UUIDs: as text inside the JSON list, they cannot match anything but themselves.
    if filters.solution:
        query = query.where(cast(col(Article.solution_ids), Text).contains(filters.solution))
    if filters.project:
        query = query.where(cast(col(Article.project_ids), Text).contains(filters.project))
    return await keyset_page(session, query, order=ARTICLE_ORDER, cursor=cursor, limit=limit)


async def all_articles(session: AsyncSession) -> Sequence[Article]:
    return (await session.scalars(select(Article))).all()


# -- contacts: members only ----------------------------------------------------------


def readable_contacts(principal: Principal) -> Select[Contact]:
    """The one base query of the directory: every entry for members, none for others."""
    return select(Contact).where(true() if principal.signed_in else false())


async def get_contact(session: AsyncSession, contact_id: str) -> Contact | None:
    return await session.get(Contact, contact_id)


CONTACT_ORDER = (SortKey(col(Contact.name), str), SortKey(col(Contact.id), str))


async def list_contacts(
    session: AsyncSession,
    principal: Principal,
    *,
    municipality: str | None,
    topic: str | None,
    cursor: str | None,
    limit: int,
) -> tuple[Sequence[Contact], str | None, int]:
    query = readable_contacts(principal)
    if municipality:
        query = query.where(col(Contact.municipality_ags) == municipality)
    if topic:
        query = query.where(cast(col(Contact.topics), Text).contains(f'"{topic}"'))
    return await keyset_page(session, query, order=CONTACT_ORDER, cursor=cursor, limit=limit)


async def all_contacts(session: AsyncSession) -> Sequence[Contact]:
    return (await session.scalars(select(Contact))).all()


async def forget_answers_naming(session: AsyncSession, record_id: str) -> None:
    """Drop the answers kept for retried requests that hold this record (its id is in them)."""
    table = table_of(IdempotencyRecord)
    await session.execute(delete(table).where(table.c.body.contains(record_id)))
