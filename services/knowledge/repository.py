"""Every query of the knowledge service, starting with what a caller may see."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from services.knowledge.models import Adoption, KnownMunicipality, KnownProject, Solution
from shared.kit.auth import Principal
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


async def adoption_counts(
    session: AsyncSession, solution_ids: Sequence[str]
) -> dict[str, dict[str, int]]:
    """How many municipalities plan, run or ended each of these solutions."""
    if not solution_ids:
        return {}
    rows = await session.execute(
        select(col(Adoption.solution_id), col(Adoption.status), func.count())
        .where(col(Adoption.solution_id).in_(solution_ids))
        .group_by(col(Adoption.solution_id), col(Adoption.status))
    )
    counts: dict[str, dict[str, int]] = {}
    for solution_id, status, count in rows:
        counts.setdefault(solution_id, {})[status] = count
    return counts


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


# -- municipalities the events tell -----------------------------------------------------


async def get_known_municipality(session: AsyncSession, ags: str) -> KnownMunicipality | None:
    return await session.get(KnownMunicipality, ags)
