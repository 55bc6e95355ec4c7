"""Every query of the funding service.

Funding calls are public: everyone reads every call, so `readable_calls` is the plain
table. Projects known from events keep their visibility, and what a caller may see of
their matches is decided by shared.region.visibility like everywhere else.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from services.funding.models import (
    Delivery,
    FundingCall,
    FundingMatch,
    KnownMunicipality,
    KnownProject,
    Subscription,
)
from shared.kit.auth import Principal, Role
from shared.kit.db import rows_touched, table_of
from shared.kit.delivery import claim, due_ids, queue_once
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


# -- subscriptions and deliveries -------------------------------------------------------


def readable_subscriptions(principal: Principal) -> Select[Subscription]:
    """The one base query of subscriptions `principal` may see: their own; admins all."""
    query = select(Subscription).where(col(Subscription.deleted_at).is_(None))
    if principal.role is Role.ADMIN:
        return query
    return query.where(col(Subscription.owner_subject) == principal.subject)


async def get_subscription(
    session: AsyncSession, principal: Principal, subscription_id: str, *, for_update: bool = False
) -> Subscription | None:
    query = readable_subscriptions(principal).where(col(Subscription.id) == subscription_id)
    if for_update:
        query = query.with_for_update()
    return await session.scalar(query)


async def get_subscription_by_id(
    session: AsyncSession, subscription_id: str, *, for_update: bool = False
) -> Subscription | None:
    """A subscription by id alone, for links that carry their own proof (a signed token)."""
    query = select(Subscription).where(
        col(Subscription.id) == subscription_id, col(Subscription.deleted_at).is_(None)
    )
    if for_update:
        query = query.with_for_update()
    return await session.scalar(query)


async def subscription_by_feed_token(session: AsyncSession, token_hash: str) -> Subscription | None:
    return await session.scalar(
        select(Subscription).where(
            col(Subscription.feed_token_hash) == token_hash,
            col(Subscription.deleted_at).is_(None),
        )
    )


SUBSCRIPTION_ORDER = (
    SortKey(col(Subscription.created_at), datetime, descending=True),
    SortKey(col(Subscription.id), str, descending=True),
)


async def count_unconfirmed_for(session: AsyncSession, email: str, since: datetime) -> int:
    """Subscriptions to `email` made since `since` whose address nobody confirmed yet."""
    count = await session.scalar(
        select(func.count())
        .select_from(Subscription)
        .where(func.lower(col(Subscription.email)) == email.lower())
        .where(col(Subscription.email_confirmed_at).is_(None))
        .where(col(Subscription.created_at) >= since)
    )
    return int(count or 0)


async def count_subscriptions_of(session: AsyncSession, owner_subject: str) -> int:
    count = await session.scalar(
        select(func.count())
        .select_from(Subscription)
        .where(col(Subscription.owner_subject) == owner_subject)
        .where(col(Subscription.deleted_at).is_(None))
    )
    return int(count or 0)


async def list_subscriptions(
    session: AsyncSession, principal: Principal, *, cursor: str | None, limit: int
) -> tuple[Sequence[Subscription], str | None, int]:
    query = readable_subscriptions(principal)
    return await keyset_page(session, query, order=SUBSCRIPTION_ORDER, cursor=cursor, limit=limit)


async def subscriptions_changed_since(
    session: AsyncSession, since: datetime | None
) -> Sequence[Subscription]:
    """Every subscription (deleted ones too) changed at or after `since`; all without it."""
    query = select(Subscription)
    if since is not None:
        query = query.where(col(Subscription.updated_at) >= since)
    return (await session.scalars(query)).all()


async def subscriptions_by_id(
    session: AsyncSession, ids: set[str], *, for_update: bool = False
) -> Sequence[Subscription]:
    if not ids:
        return []
    query = select(Subscription).where(col(Subscription.id).in_(sorted(ids)))
    if for_update:
        query = query.with_for_update()
    return (await session.scalars(query)).all()


async def all_known_municipalities(session: AsyncSession) -> dict[str, KnownMunicipality]:
    return {m.ags: m for m in await session.scalars(select(KnownMunicipality))}


async def touch_subscriptions_of(session: AsyncSession, ags: str, now: datetime) -> None:
    """Mark a municipality's subscriptions changed: its facts decide their eligibility."""
    await session.execute(
        update(Subscription).where(col(Subscription.owner_ags) == ags).values(updated_at=now)
    )


async def queue_delivery(session: AsyncSession, row: dict[str, Any]) -> bool:
    """Queue a delivery unless one with its key was queued before (by any replica)."""
    return await queue_once(session, table_of(Delivery), [row], ["key"]) == 1


async def queue_deliveries(session: AsyncSession, rows: list[dict[str, Any]]) -> None:
    """queue_delivery for many rows: one statement, executed for all of them."""
    await queue_once(session, table_of(Delivery), rows, ["key"])


async def due_delivery_ids(session: AsyncSession, now: datetime, limit: int) -> list[str]:
    """Pending deliveries whose time has come and that no live worker holds; locked."""
    return await due_ids(session, table_of(Delivery), now, limit)


async def claim_deliveries(session: AsyncSession, ids: list[str], until: datetime) -> None:
    await claim(session, table_of(Delivery), ids, until)


async def get_delivery(session: AsyncSession, delivery_id: str) -> Delivery | None:
    return await session.get(Delivery, delivery_id)


async def cancel_open_deliveries(
    session: AsyncSession, subscription_id: str, *, channel: str | None = None
) -> None:
    """Cancel what waits for a subscription (only its webhooks, given `channel` webhook)."""
    query = update(Delivery).where(
        col(Delivery.subscription_id) == subscription_id,
        col(Delivery.status).in_(("pending", "held")),
    )
    if channel is not None:
        query = query.where(col(Delivery.channel) == channel)
    await session.execute(query.values(status="cancelled"))


DELIVERY_ORDER = (
    SortKey(col(Delivery.created_at), datetime, descending=True),
    SortKey(col(Delivery.id), str, descending=True),
)


async def list_deliveries(
    session: AsyncSession,
    subscription_id: str,
    *,
    status: str | None,
    cursor: str | None,
    limit: int,
) -> tuple[Sequence[Delivery], str | None, int]:
    query = select(Delivery).where(col(Delivery.subscription_id) == subscription_id)
    if status:
        query = query.where(col(Delivery.status) == status)
    return await keyset_page(session, query, order=DELIVERY_ORDER, cursor=cursor, limit=limit)


async def purge_deliveries(session: AsyncSession, before: datetime) -> int:
    """Forget delivered and cancelled deliveries created before `before`; failed ones stay,
    to be listed and redelivered."""
    result = await session.execute(
        delete(Delivery).where(
            col(Delivery.status).in_(("delivered", "cancelled", "batched")),
            col(Delivery.created_at) < before,
        )
    )
    return rows_touched(result)


async def held_digest_items(session: AsyncSession) -> Sequence[Delivery]:
    """Matches waiting for their subscription's daily digest, oldest first."""
    return (
        await session.scalars(
            select(Delivery)
            .where(col(Delivery.status) == "held")
            .order_by(col(Delivery.created_at), col(Delivery.id))
            .with_for_update(skip_locked=True)
        )
    ).all()


async def calls_with_deadline_between(
    session: AsyncSession, start: datetime, end: datetime
) -> Sequence[FundingCall]:
    """Current calls whose deadline lies in [start, end): those a reminder may concern."""
    return (
        await session.scalars(
            readable_calls().where(
                col(FundingCall.status).in_(OPEN_CALL_STATUSES),
                col(FundingCall.deadline_at) >= start,
                col(FundingCall.deadline_at) < end,
            )
        )
    ).all()


async def feed_calls(session: AsyncSession) -> Sequence[FundingCall]:
    """The calls feeds choose from: all but the archived ones."""
    return (
        await session.scalars(readable_calls().where(col(FundingCall.status) != "archived"))
    ).all()
