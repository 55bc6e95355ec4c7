"""Idempotent consumption: a handler's effects and its inbox record commit together."""

from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime

from sqlalchemy import Column, String, insert, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import Field, SQLModel, col

from shared.kit.bus import Handler
from shared.kit.db import Database, Prepared, table_of
from shared.kit.events import CloudEvent
from shared.kit.sqltypes import UTCDateTime, utcnow

SessionHandler = Callable[[AsyncSession, CloudEvent], Awaitable[None]]


class InboxRecord(SQLModel, table=True):
    __tablename__ = "inbox"

    source: str = Field(sa_column=Column(String(200), primary_key=True))
    event_id: str = Field(sa_column=Column(String(200), primary_key=True))
    type: str = Field(sa_column=Column(String(200), nullable=False))
    processed_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))


_INSERT_RECORDS = Prepared(insert(table_of(InboxRecord)))


def idempotent(db: Database, handler: SessionHandler) -> Handler:
    """Wrap `handler` so each event (by ce_source + ce_id) takes effect exactly once.

    The handler gets a session and must not commit. A batch of events is applied in
    one transaction together with its inbox records, so a redelivered event finds
    its record and is skipped, and a crash before the commit leaves neither effects
    nor records.
    """

    async def handle(events: Sequence[CloudEvent]) -> None:
        async with db.session() as session:
            seen = {
                (source, event_id)
                for source, event_id in await session.execute(
                    select(col(InboxRecord.source), col(InboxRecord.event_id)).where(
                        col(InboxRecord.event_id).in_({e.id for e in events})
                    )
                )
            }
            now = utcnow()
            records = []
            for event in events:
                if (event.source, event.id) in seen:
                    continue
                seen.add((event.source, event.id))
                await handler(session, event)
                records.append(
                    {"source": event.source, "event_id": event.id, "type": event.type,
                     "processed_at": now}
                )  # fmt: skip
            # The table, not the entity: a plain executemany, no ORM bookkeeping.
            await _INSERT_RECORDS.run_many(session, records)
            await session.commit()

    return handle
