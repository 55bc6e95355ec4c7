"""Idempotent consumption: redelivery is harmless, a failed handler leaves no trace."""

import pytest
from sqlalchemy import Table, func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from shared.kit.db import Database, table_of
from shared.kit.events import CloudEvent
from shared.kit.inbox import InboxRecord, idempotent
from tests.shared.conftest import effects
from tests.shared.test_bus import municipality_event


async def apply(session: AsyncSession, event: CloudEvent) -> None:
    await session.execute(insert(effects).values(event_id=event.id, subject=event.subject))


async def count(db: Database, table: Table) -> int:
    async with db.session() as session:
        return int(await session.scalar(select(func.count()).select_from(table)) or 0)


async def test_the_same_event_twice_takes_effect_once(db: Database) -> None:
    handle = idempotent(db, apply)
    event = municipality_event()
    await handle([event])
    await handle([event, event])
    assert await count(db, effects) == 1


async def test_same_id_from_another_source_is_another_event(db: Database) -> None:
    handle = idempotent(db, apply)
    event = municipality_event()
    await handle([event])
    await handle(
        [
            CloudEvent(
                type=event.type,
                source="/lotse/other",
                subject=event.subject,
                data=event.data,
                id=event.id,
            )
        ]
    )
    assert await count(db, effects) == 2


async def test_a_failing_handler_records_neither_effect_nor_inbox_entry(db: Database) -> None:
    async def apply_then_fail(session: AsyncSession, event: CloudEvent) -> None:
        await apply(session, event)
        raise RuntimeError("crash before commit")

    with pytest.raises(RuntimeError):
        await idempotent(db, apply_then_fail)([municipality_event()])
    assert await count(db, effects) == 0
    assert await count(db, table_of(InboxRecord)) == 0
