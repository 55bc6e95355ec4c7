"""The service's clock: calls move on by date (forecasted -> open -> closed).

Every replica runs it; each moved call is locked and skipped by the others (SKIP LOCKED
on PostgreSQL, one writer on SQLite), and a move is a conditional change of the row, so
it happens, and emits its event, once.
"""

import asyncio
import contextlib
import logging
from dataclasses import dataclass, field
from datetime import datetime

from services.funding import domain
from services.funding.settings import Settings
from shared.kit.db import Database
from shared.kit.service import Runtime
from shared.kit.sqltypes import utcnow

log = logging.getLogger("lotse.funding.scheduler")


async def move_calls(db: Database, *, source: str, now: datetime) -> int:
    """One pass: calls whose dates moved them on get their new status; how many moved."""
    async with db.session() as session:
        moved = await domain.move_calls_by_date(session, source=source, now=now)
        await session.commit()
    return moved


@dataclass
class Scheduler:
    db: Database
    source: str
    every_seconds: float
    _task: asyncio.Task[None] | None = field(default=None, init=False)

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="funding-scheduler")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _run(self) -> None:
        while True:
            try:
                await move_calls(self.db, source=self.source, now=utcnow())
            except Exception:
                log.warning("moving calls by date failed; trying again", exc_info=True)
            await asyncio.sleep(self.every_seconds)


async def start_scheduler(runtime: Runtime) -> None:
    settings = runtime.settings
    assert isinstance(settings, Settings)
    scheduler = Scheduler(
        runtime.db, source=settings.source, every_seconds=settings.status_check_seconds
    )
    scheduler.start()
    runtime.provide(scheduler)


async def stop_scheduler(runtime: Runtime) -> None:
    await runtime.part(Scheduler).stop()
