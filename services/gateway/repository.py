"""Every query of the gateway, including what a caller may see of keys and the feed."""

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.gateway.models import ApiKey, FeedEntry, Municipality
from shared.kit.auth import Principal, Role
from shared.kit.db import Prepared
from shared.kit.http import LotseError, decode_cursor, encode_cursor
from shared.region.visibility import visible_to


async def get_municipality(
    session: AsyncSession, ags: str, *, for_update: bool = False
) -> Municipality | None:
    """A municipality by AGS; `for_update` locks its row until the commit."""
    query = select(Municipality).where(Municipality.ags == ags)
    if for_update:
        query = query.with_for_update()
    return await session.scalar(query)


async def list_municipalities(
    session: AsyncSession, *, land: str | None, cursor: str | None, limit: int
) -> tuple[Sequence[Municipality], str | None, int]:
    query = select(Municipality)
    if land:
        query = query.where(Municipality.ags.startswith(land))  # type: ignore[attr-defined]
    total = await session.scalar(select(func.count()).select_from(query.subquery())) or 0
    if cursor:
        (after,) = decode_cursor(cursor, size=1)
        query = query.where(Municipality.ags > str(after))
    rows = (await session.scalars(query.order_by(Municipality.ags).limit(limit + 1))).all()
    if len(rows) > limit:
        rows = rows[:limit]
        return rows, encode_cursor([rows[-1].ags]), total
    return rows, None, total


async def key_by_hash(session: AsyncSession, secret_hash: str) -> ApiKey | None:
    return await session.scalar(select(ApiKey).where(ApiKey.secret_hash == secret_hash))


def manageable_keys(principal: Principal) -> Select[tuple[ApiKey]]:
    """The one base query of the keys `principal` may list and revoke.

    Admins manage every key, coordinators every key but admin keys, and a
    municipality the keys of its own AGS.
    """
    query = select(ApiKey)
    if principal.role is Role.ADMIN:
        return query
    if principal.role is Role.COORDINATOR:
        return query.where(ApiKey.role != Role.ADMIN.value)
    if principal.role is Role.MUNICIPALITY and principal.ags:
        return query.where(ApiKey.ags == principal.ags)
    return query.where(False)  # type: ignore[arg-type]


async def get_manageable_key(
    session: AsyncSession, principal: Principal, key_id: str
) -> ApiKey | None:
    return await session.scalar(manageable_keys(principal).where(ApiKey.id == key_id))


async def list_manageable_keys(
    session: AsyncSession, principal: Principal, *, cursor: str | None, limit: int
) -> tuple[Sequence[ApiKey], str | None]:
    query = manageable_keys(principal)
    if cursor:
        (key_id,) = decode_cursor(cursor, size=1)
        if not isinstance(key_id, str):
            raise LotseError("The cursor is not one this API handed out.")
        query = query.where(ApiKey.id > key_id)
    rows = (await session.scalars(query.order_by(ApiKey.id).limit(limit + 1))).all()
    if len(rows) > limit:
        rows = rows[:limit]
        return rows, encode_cursor([rows[-1].id])
    return rows, None


async def touch_keys(session: AsyncSession, last_used: dict[str, object]) -> None:
    for key_id, when in last_used.items():
        await session.execute(update(ApiKey).where(ApiKey.id == key_id).values(last_used_at=when))


def readable_feed(principal: Principal) -> Select[tuple[FeedEntry]]:
    """The one base query of the feed entries `principal` may see (shared.region.visibility)."""
    return select(FeedEntry).where(
        visible_to(principal, visibility=FeedEntry.visibility, owner_ags=FeedEntry.municipality_ags)
    )


async def list_feed(
    session: AsyncSession, principal: Principal, *, cursor: str | None, limit: int
) -> tuple[Sequence[FeedEntry], str | None]:
    query = readable_feed(principal)
    if cursor:
        (before,) = decode_cursor(cursor, size=1)
        if not isinstance(before, int) or not 0 < before < 2**63:
            raise LotseError("The cursor is not one this API handed out.")
        query = query.where(FeedEntry.seq < before)  # type: ignore[operator]
    rows = (
        await session.scalars(query.order_by(FeedEntry.seq.desc()).limit(limit + 1))  # type: ignore[union-attr]
    ).all()
    if len(rows) > limit:
        rows = rows[:limit]
        return rows, encode_cursor([rows[-1].seq])
    return rows, None


async def newest_feed_entry(session: AsyncSession, subject: str) -> FeedEntry | None:
    """The entry of the newest version of an aggregate seen so far."""
    return await session.scalar(
        select(FeedEntry)
        .where(FeedEntry.subject == subject)
        .order_by(FeedEntry.version.desc())  # type: ignore[attr-defined]
        .limit(1)
    )


async def restrict_feed_of(
    session: AsyncSession, *, subject: str, visibility: str, municipality_ags: str
) -> None:
    """Give every entry of an aggregate its current visibility, so hiding it hides its past."""
    table = FeedEntry.__table__
    await session.execute(
        update(table)  # type: ignore[arg-type]
        .where(table.c.subject == subject)
        .where((table.c.visibility != visibility) | (table.c.municipality_ags != municipality_ags))
        .values(visibility=visibility, municipality_ags=municipality_ags)
    )


_INSERT_FEED_ENTRY = Prepared(insert(FeedEntry.__table__))  # type: ignore[arg-type]


async def add_feed_entry(session: AsyncSession, **values: Any) -> None:
    # A prepared insert: the feed consumer writes one row per event, and ORM objects
    # cost several times the statement itself.
    await _INSERT_FEED_ENTRY.run(session, values)
