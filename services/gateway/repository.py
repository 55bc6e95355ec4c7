"""Every query of the gateway, including what a caller may see of keys, the feed and
webhooks."""

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, delete, false, func, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from services.gateway.models import (
    ApiKey,
    FeedEntry,
    Municipality,
    Webhook,
    WebhookDelivery,
    WebSession,
)
from shared.kit.auth import Principal, Role
from shared.kit.db import Prepared, table_of
from shared.kit.pagination import SortKey, keyset_page
from shared.region.visibility import visible_to


async def get_municipality(
    session: AsyncSession, ags: str, *, for_update: bool = False
) -> Municipality | None:
    """A municipality by AGS; `for_update` locks its row until the commit."""
    query = select(Municipality).where(col(Municipality.ags) == ags)
    if for_update:
        query = query.with_for_update()
    return await session.scalar(query)


async def list_municipalities(
    session: AsyncSession, *, land: str | None, cursor: str | None, limit: int
) -> tuple[Sequence[Municipality], str | None, int]:
    query = select(Municipality)
    if land:
        query = query.where(col(Municipality.ags).startswith(land))
    order = [SortKey(col(Municipality.ags), str)]
    return await keyset_page(session, query, order=order, cursor=cursor, limit=limit)


async def key_by_hash(session: AsyncSession, secret_hash: str) -> ApiKey | None:
    return await session.scalar(select(ApiKey).where(col(ApiKey.secret_hash) == secret_hash))


def manageable_keys(principal: Principal) -> Select[ApiKey]:
    """The one base query of the keys `principal` may list and revoke.

    Admins manage every key, coordinators every key but admin keys, and a
    municipality the keys of its own AGS.
    """
    query = select(ApiKey)
    if principal.role is Role.ADMIN:
        return query
    if principal.role is Role.COORDINATOR:
        return query.where(col(ApiKey.role) != Role.ADMIN.value)
    if principal.role is Role.MUNICIPALITY and principal.ags:
        return query.where(col(ApiKey.ags) == principal.ags)
    return query.where(false())


async def get_manageable_key(
    session: AsyncSession, principal: Principal, key_id: str, *, for_update: bool = False
) -> ApiKey | None:
    """A key `principal` manages; `for_update` locks its row until the commit."""
    query = manageable_keys(principal).where(col(ApiKey.id) == key_id)
    if for_update:
        query = query.with_for_update()
    return await session.scalar(query)


async def embedding_key(session: AsyncSession, key_id: str) -> ApiKey | None:
    """The key whose widgets a page embeds, while it is not revoked. Anyone may name it:
    the id selects what a widget shows, never whom it is shown to."""
    return await session.scalar(
        select(ApiKey).where(col(ApiKey.id) == key_id, col(ApiKey.revoked_at).is_(None))
    )


async def _count(session: AsyncSession, query: Select[Any]) -> int:
    return await session.scalar(select(func.count()).select_from(query.subquery())) or 0


async def list_manageable_keys(
    session: AsyncSession, principal: Principal, *, cursor: str | None, limit: int
) -> tuple[Sequence[ApiKey], str | None, int]:
    order = [SortKey(col(ApiKey.id), str)]
    query = manageable_keys(principal)
    return await keyset_page(session, query, order=order, cursor=cursor, limit=limit)


async def touch_keys(session: AsyncSession, last_used: dict[str, object]) -> None:
    for key_id, when in last_used.items():
        await session.execute(
            update(ApiKey).where(col(ApiKey.id) == key_id).values(last_used_at=when)
        )


def readable_feed(principal: Principal) -> Select[FeedEntry]:
    """The one base query of the feed entries `principal` may see (shared.region.visibility)."""
    return select(FeedEntry).where(
        visible_to(
            principal,
            visibility=col(FeedEntry.visibility),
            owner_ags=col(FeedEntry.municipality_ags),
        )
    )


async def list_feed(
    session: AsyncSession,
    principal: Principal,
    *,
    cursor: str | None,
    limit: int,
    subject: str | None = None,
    types: Sequence[str] = (),
) -> tuple[Sequence[FeedEntry], str | None, int]:
    order = [SortKey(col(FeedEntry.seq), int, descending=True)]
    query = readable_feed(principal)
    if subject is not None:
        query = query.where(col(FeedEntry.subject) == subject)
    if types:
        query = query.where(col(FeedEntry.type).in_(types))
    return await keyset_page(session, query, order=order, cursor=cursor, limit=limit)


async def newest_feed(
    session: AsyncSession, principal: Principal, *, municipality: str | None, limit: int
) -> Sequence[FeedEntry]:
    query = readable_feed(principal)
    if municipality:
        query = query.where(col(FeedEntry.municipality_ags) == municipality)
    return (await session.scalars(query.order_by(col(FeedEntry.seq).desc()).limit(limit))).all()


async def municipality_names(session: AsyncSession, ags: set[str]) -> dict[str, str]:
    if not ags:
        return {}
    rows = await session.execute(
        select(col(Municipality.ags), col(Municipality.name)).where(col(Municipality.ags).in_(ags))
    )
    return {code: name for code, name in rows}


async def feed_after(
    session: AsyncSession, principal: Principal, position: int, limit: int = 100
) -> Sequence[FeedEntry]:
    """The next entries `principal` may see after `position`, oldest first."""
    query = (
        readable_feed(principal)
        .where(col(FeedEntry.seq) > position)
        .order_by(col(FeedEntry.seq))
        .limit(limit)
    )
    return (await session.scalars(query)).all()


async def newest_feed_entry(session: AsyncSession, subject: str) -> FeedEntry | None:
    """The entry of the newest version of an aggregate seen so far (of equal versions,
    the later one: a project's deletion repeats its last version)."""
    return await session.scalar(
        select(FeedEntry)
        .where(col(FeedEntry.subject) == subject)
        .order_by(col(FeedEntry.version).desc(), col(FeedEntry.seq).desc())
        .limit(1)
    )


async def restrict_feed_of(
    session: AsyncSession, *, subject: str, visibility: str, municipality_ags: str
) -> None:
    """Give every entry of an aggregate its current visibility, so hiding it hides its past."""
    table = table_of(FeedEntry)
    await session.execute(
        update(table)
        .where(table.c.subject == subject)
        .where((table.c.visibility != visibility) | (table.c.municipality_ags != municipality_ags))
        .values(visibility=visibility, municipality_ags=municipality_ags)
    )


async def remove_feed_of(session: AsyncSession, subject: str) -> None:
    """Take every entry of an aggregate out of the feed."""
    await session.execute(
        delete(table_of(FeedEntry)).where(table_of(FeedEntry).c.subject == subject)
    )


def _naming(end_id: str) -> ColumnElement[bool]:
    # Two indexed columns: both databases answer the OR from both indexes.
    table = table_of(FeedEntry)
    return (table.c.project_end == end_id) | (table.c.match_end == end_id)


async def matches_of(session: AsyncSession, end_id: str) -> Sequence[tuple[int, str, str]]:
    """Position, visibility and owner of every match entry naming `end_id` as an end."""
    table = table_of(FeedEntry)
    rows = await session.execute(
        select(table.c.seq, table.c.visibility, table.c.municipality_ags).where(_naming(end_id))
    )
    return [(seq, visibility, owner) for seq, visibility, owner in rows]


async def set_feed_visibility(
    session: AsyncSession, seqs: Sequence[int], *, visibility: str, municipality_ags: str
) -> None:
    table = table_of(FeedEntry)
    await session.execute(
        update(table)
        .where(table.c.seq.in_(seqs))
        .values(visibility=visibility, municipality_ags=municipality_ags)
    )


async def remove_matches_of(session: AsyncSession, end_id: str) -> None:
    await session.execute(delete(table_of(FeedEntry)).where(_naming(end_id)))


_INSERT_FEED_ENTRY = Prepared(insert(table_of(FeedEntry)))


async def add_feed_entry(session: AsyncSession, **values: Any) -> None:
    # A prepared insert: the feed consumer writes one row per event, and ORM objects
    # cost several times the statement itself.
    await _INSERT_FEED_ENTRY.run(session, values)


async def feed_entry_of_event(
    session: AsyncSession, source: str, event_id: str
) -> FeedEntry | None:
    """The entry an event added to the feed, if it added one."""
    return await session.scalar(
        select(FeedEntry).where(
            col(FeedEntry.source) == source, col(FeedEntry.event_id) == event_id
        )
    )


async def readable_entry(session: AsyncSession, principal: Principal, seq: int) -> FeedEntry | None:
    """The feed entry at `seq` if `principal` may see it now (readable_feed's rule)."""
    return await session.scalar(readable_feed(principal).where(col(FeedEntry.seq) == seq))


# -- webhooks ---------------------------------------------------------------------------


def manageable_webhooks(principal: Principal) -> Select[Webhook]:
    """The one base query of the webhooks `principal` may see and manage.

    Coordinators and admins manage every webhook of the region, a municipality those
    that belong to its AGS; other callers none."""
    query = select(Webhook)
    if principal.region_wide:
        return query
    if principal.role is Role.MUNICIPALITY and principal.ags:
        return query.where(col(Webhook.owner_ags) == principal.ags)
    return query.where(false())


async def get_manageable_webhook(
    session: AsyncSession, principal: Principal, webhook_id: str, *, for_update: bool = False
) -> Webhook | None:
    query = manageable_webhooks(principal).where(col(Webhook.id) == webhook_id)
    if for_update:
        query = query.with_for_update()
    return await session.scalar(query)


async def list_manageable_webhooks(
    session: AsyncSession, principal: Principal, *, cursor: str | None, limit: int
) -> tuple[Sequence[Webhook], str | None, int]:
    order = [SortKey(col(Webhook.created_at), datetime), SortKey(col(Webhook.id), str)]
    query = manageable_webhooks(principal)
    return await keyset_page(session, query, order=order, cursor=cursor, limit=limit)


async def count_webhooks_of(session: AsyncSession, owner_ags: str | None) -> int:
    owner = col(Webhook.owner_ags)
    query = select(Webhook).where(owner.is_(None) if owner_ags is None else owner == owner_ags)
    return await _count(session, query)


async def active_webhooks_for(session: AsyncSession, event_type: str) -> Sequence[Webhook]:
    """Webhooks in service that asked for `event_type`."""
    return (
        await session.scalars(
            select(Webhook).where(
                col(Webhook.active).is_(True),
                col(Webhook.type_keys).contains(f"|{event_type}|", autoescape=True),
            )
        )
    ).all()


async def get_webhook(
    session: AsyncSession, webhook_id: str, *, for_update: bool = False
) -> Webhook | None:
    query = select(Webhook).where(col(Webhook.id) == webhook_id)
    if for_update:
        query = query.with_for_update()
    return await session.scalar(query)


async def get_webhook_delivery(session: AsyncSession, delivery_id: str) -> WebhookDelivery | None:
    return await session.get(WebhookDelivery, delivery_id)


async def list_webhook_deliveries(
    session: AsyncSession, webhook_id: str, *, status: str | None, cursor: str | None, limit: int
) -> tuple[Sequence[WebhookDelivery], str | None, int]:
    order = [
        SortKey(col(WebhookDelivery.created_at), datetime, descending=True),
        SortKey(col(WebhookDelivery.id), str, descending=True),
    ]
    query = select(WebhookDelivery).where(col(WebhookDelivery.webhook_id) == webhook_id)
    if status:
        query = query.where(col(WebhookDelivery.status) == status)
    return await keyset_page(session, query, order=order, cursor=cursor, limit=limit)


async def cancel_pending_deliveries(session: AsyncSession, webhook_id: str, reason: str) -> None:
    table = table_of(WebhookDelivery)
    await session.execute(
        update(table)
        .where(table.c.webhook_id == webhook_id, table.c.status == "pending")
        .values(status="cancelled", last_error=reason, claimed_until=None)
    )


async def remove_webhook(session: AsyncSession, webhook_id: str) -> None:
    """A webhook and its deliveries; an attempt under way finds neither and records nothing."""
    await session.execute(
        delete(table_of(WebhookDelivery)).where(
            table_of(WebhookDelivery).c.webhook_id == webhook_id
        )
    )
    await session.execute(delete(table_of(Webhook)).where(table_of(Webhook).c.id == webhook_id))


async def purge_webhook_deliveries(session: AsyncSession, before: datetime) -> None:
    """Forget delivered and cancelled deliveries created before `before`; failed ones stay,
    to be listed and redelivered."""
    table = table_of(WebhookDelivery)
    await session.execute(
        delete(table).where(
            table.c.status.in_(("delivered", "cancelled")), table.c.created_at < before
        )
    )


async def live_web_session(
    session: AsyncSession, id_hash: str, *, now: datetime, seen_since: datetime
) -> WebSession | None:
    """A web session that has not expired, was used since `seen_since`, and whose API
    key (if it came from one) is not revoked: a revoked key ends its sessions at once."""
    query = (
        select(WebSession)
        .outerjoin(ApiKey, col(ApiKey.id) == col(WebSession.key_id))
        .where(
            col(WebSession.id_hash) == id_hash,
            col(WebSession.expires_at) > now,
            col(WebSession.last_seen_at) > seen_since,
            or_(col(WebSession.key_id).is_(None), col(ApiKey.revoked_at).is_(None)),
        )
    )
    return (await session.execute(query)).scalar_one_or_none()


async def delete_web_session(session: AsyncSession, id_hash: str) -> None:
    await session.execute(delete(WebSession).where(col(WebSession.id_hash) == id_hash))


async def delete_dead_web_sessions(
    session: AsyncSession, *, now: datetime, seen_since: datetime
) -> None:
    """Sessions past their end or idle too long: no lookup accepts them any more."""
    await session.execute(
        delete(WebSession).where(
            or_(col(WebSession.expires_at) <= now, col(WebSession.last_seen_at) <= seen_since)
        )
    )
