"""Every query of the funding service.

Funding calls are public: everyone reads every call, so `readable_calls` is the plain
table. Projects known from events keep their visibility, and what a caller may see of
their matches is decided by shared.region.visibility like everywhere else.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, Select, and_, delete, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from services.funding.models import FundingCall, FundingMatch, KnownMunicipality, KnownProject
from shared.kit.auth import Principal
from shared.kit.pagination import SortKey, keyset_page
from shared.region.visibility import visible_to


def keys(values: Sequence[str]) -> str:
    """`|a|b|`: the column form of a list that one-value filters search."""
    return "|" + "|".join(values) + "|"


def readable_calls() -> Select[FundingCall]:
    """The one base query of funding calls: public to every caller."""
    return select(FundingCall)


async def get_call(
    session: AsyncSession, call_id: str, *, for_update: bool = False
) -> FundingCall | None:
    """A call by id; `for_update` locks its row until the commit."""
    query = readable_calls().where(col(FundingCall.id) == call_id)
    if for_update:
        query = query.with_for_update()
    return await session.scalar(query)


@dataclass(frozen=True)
class CallFilters:
    topic: str | None = None
    status: str | None = None
    funder_level: str | None = None
    funding_type: str | None = None
    amount_min: float | None = None
    amount_max: float | None = None
    deadline_from: datetime | None = None
    deadline_to: datetime | None = None
    q: str | None = None
    eligible_for: KnownMunicipality | None = None


def eligible_condition(municipality: KnownMunicipality) -> ColumnElement[bool]:
    """Calls this municipality may apply for: the SQL form of eligibility.is_eligible."""
    land = municipality.ags[:2]
    conditions = [
        or_(col(FundingCall.land_keys) == "||", col(FundingCall.land_keys).contains(f"|{land}|")),
        col(FundingCall.kind_keys).contains(f"|{municipality.kind}|"),
    ]
    population = municipality.population
    if population is None:  # an unknown population meets no population rule
        conditions += [
            col(FundingCall.population_min).is_(None),
            col(FundingCall.population_max).is_(None),
        ]
    else:
        conditions += [
            or_(
                col(FundingCall.population_min).is_(None),
                col(FundingCall.population_min) <= population,
            ),
            or_(
                col(FundingCall.population_max).is_(None),
                col(FundingCall.population_max) >= population,
            ),
        ]
    return and_(*conditions)


def _filtered(query: Select[FundingCall], filters: CallFilters) -> Select[FundingCall]:
    if filters.topic:
        query = query.where(col(FundingCall.topic_keys).contains(f"|{filters.topic}|"))
    if filters.status:
        query = query.where(col(FundingCall.status) == filters.status)
    if filters.funder_level:
        query = query.where(col(FundingCall.funder_level) == filters.funder_level)
    if filters.funding_type:
        query = query.where(col(FundingCall.type_keys).contains(f"|{filters.funding_type}|"))
    if filters.amount_min is not None:  # may grant at least this much
        query = query.where(
            or_(
                col(FundingCall.award_max).is_(None),
                col(FundingCall.award_max) >= filters.amount_min,
            )
        )
    if filters.amount_max is not None:  # its smallest award is at most this much
        query = query.where(
            or_(
                col(FundingCall.award_min).is_(None),
                col(FundingCall.award_min) <= filters.amount_max,
            )
        )
    if filters.deadline_from is not None:
        query = query.where(col(FundingCall.deadline_at) >= filters.deadline_from)
    if filters.deadline_to is not None:
        query = query.where(col(FundingCall.deadline_at) <= filters.deadline_to)
    if filters.q:
        for word in filters.q.casefold().split():
            query = query.where(col(FundingCall.search_text).contains(word, autoescape=True))
    if filters.eligible_for is not None:
        query = query.where(eligible_condition(filters.eligible_for))
    return query


# Newest change first; the id breaks ties so every call has one place in the order.
CALL_ORDER = (
    SortKey(col(FundingCall.updated_at), datetime, descending=True),
    SortKey(col(FundingCall.id), str, descending=True),
)


async def list_calls(
    session: AsyncSession, filters: CallFilters, *, cursor: str | None, limit: int
) -> tuple[Sequence[FundingCall], str | None, int]:
    """One page of calls, newest change first; returns rows, next cursor, total."""
    query = _filtered(readable_calls(), filters)
    return await keyset_page(session, query, order=CALL_ORDER, cursor=cursor, limit=limit)


async def calls_due_for_status(session: AsyncSession, now: datetime) -> Sequence[FundingCall]:
    """Calls whose dates have moved them on: forecasts that opened, open calls past the
    deadline, closed calls whose deadline was extended. Each locked until the commit."""
    opened = and_(
        col(FundingCall.status) == "forecasted",
        col(FundingCall.opens_at).is_not(None),
        col(FundingCall.opens_at) <= now,
    )
    ended = and_(
        col(FundingCall.status).in_(("forecasted", "open")),
        col(FundingCall.deadline_at).is_not(None),
        col(FundingCall.deadline_at) <= now,
    )
    extended = and_(col(FundingCall.status) == "closed", col(FundingCall.deadline_at) > now)
    query = readable_calls().where(or_(opened, ended, extended)).with_for_update(skip_locked=True)
    return (await session.scalars(query)).all()


async def get_known_municipality(session: AsyncSession, ags: str) -> KnownMunicipality | None:
    return await session.get(KnownMunicipality, ags)


async def get_known_project(session: AsyncSession, project_id: str) -> KnownProject | None:
    return await session.get(KnownProject, project_id)


async def forget_project(session: AsyncSession, project_id: str) -> None:
    await session.execute(delete(KnownProject).where(col(KnownProject.id) == project_id))
    await session.execute(delete(FundingMatch).where(col(FundingMatch.project_id) == project_id))


MATCHABLE_PROJECT_STATUSES = ("idea", "planned", "in_progress")
OPEN_CALL_STATUSES = ("forecasted", "open")


async def projects_on_topics(
    session: AsyncSession, topics: Sequence[str]
) -> Sequence[KnownProject]:
    """Projects still to be done (idea, planned, in progress) on any of these topics."""
    if not topics:
        return []
    query = select(KnownProject).where(
        col(KnownProject.status).in_(MATCHABLE_PROJECT_STATUSES),
        or_(*(col(KnownProject.topic_keys).contains(f"|{t}|") for t in topics)),
    )
    return (await session.scalars(query)).all()


async def current_calls_on_topics(
    session: AsyncSession, topics: Sequence[str]
) -> Sequence[FundingCall]:
    """Calls not yet ended (forecasted or open) on any of these topics."""
    if not topics:
        return []
    query = readable_calls().where(
        col(FundingCall.status).in_(OPEN_CALL_STATUSES),
        or_(*(col(FundingCall.topic_keys).contains(f"|{t}|") for t in topics)),
    )
    return (await session.scalars(query)).all()


async def known_municipalities(
    session: AsyncSession, ags: set[str]
) -> dict[str, KnownMunicipality]:
    if not ags:
        return {}
    rows = await session.scalars(
        select(KnownMunicipality).where(col(KnownMunicipality.ags).in_(sorted(ags)))
    )
    return {m.ags: m for m in rows}


async def matched_pairs(
    session: AsyncSession, call_ids: set[str], project_ids: set[str]
) -> set[tuple[str, str]]:
    """The (call, project) pairs among these already recorded as matches."""
    if not call_ids or not project_ids:
        return set()
    rows = await session.execute(
        select(col(FundingMatch.call_id), col(FundingMatch.project_id)).where(
            col(FundingMatch.call_id).in_(sorted(call_ids)),
            col(FundingMatch.project_id).in_(sorted(project_ids)),
        )
    )
    return {(c, p) for c, p in rows.all()}


def _readable_matches(principal: Principal) -> Select[FundingMatch, KnownProject]:
    """Matches whose project `principal` may see (shared.region.visibility)."""
    return (
        select(FundingMatch, KnownProject)
        .join(KnownProject, col(KnownProject.id) == col(FundingMatch.project_id))
        .where(
            visible_to(
                principal,
                visibility=col(KnownProject.visibility),
                owner_ags=col(KnownProject.municipality_ags),
            )
        )
    )


async def readable_project(
    session: AsyncSession, principal: Principal, project_id: str
) -> KnownProject | None:
    """A known project the caller may see."""
    query = select(KnownProject).where(
        col(KnownProject.id) == project_id,
        visible_to(
            principal,
            visibility=col(KnownProject.visibility),
            owner_ags=col(KnownProject.municipality_ags),
        ),
    )
    return await session.scalar(query)


async def matches_of_project(
    session: AsyncSession, principal: Principal, project_id: str
) -> Sequence[tuple[FundingMatch, FundingCall]]:
    """The calls matched to a project the caller may see, nearest deadline first."""
    query = (
        select(FundingMatch, FundingCall)
        .join(FundingCall, col(FundingCall.id) == col(FundingMatch.call_id))
        .join(KnownProject, col(KnownProject.id) == col(FundingMatch.project_id))
        .where(
            col(FundingMatch.project_id) == project_id,
            visible_to(
                principal,
                visibility=col(KnownProject.visibility),
                owner_ags=col(KnownProject.municipality_ags),
            ),
        )
        .order_by(col(FundingCall.deadline_at), col(FundingCall.id))
    )
    return [(m, c) for m, c in (await session.execute(query)).all()]


async def matches_of_call(
    session: AsyncSession, principal: Principal, call_id: str
) -> Sequence[tuple[FundingMatch, KnownProject]]:
    """The projects matched to a call that the caller may see."""
    query = (
        _readable_matches(principal)
        .where(col(FundingMatch.call_id) == call_id)
        .order_by(col(FundingMatch.found_at), col(FundingMatch.id))
    )
    return [(m, p) for m, p in (await session.execute(query)).all()]
