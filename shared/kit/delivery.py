"""Durable delivery of outgoing messages: rows in the service's database until each was
delivered or visibly failed, whatever restarts in between.

A service queues a delivery row in the transaction that decided it, with a unique key,
so it is queued once across replicas. A `DeliveryLoop` claims due rows with a lease
(SKIP LOCKED on PostgreSQL), sends each as its own task, and the service records each
outcome in its own transaction right after the answer: a process killed mid-run loses
nothing (the lease runs out and the row is sent again, under the same `webhook-id`,
which receivers deduplicate by) and repeats no delivery it recorded.

The table of deliveries needs the columns `id`, `status` ("pending" is due),
`next_attempt_at` and `claimed_until`; `record_webhook_attempt` works on any row with
the attempt columns (see `AttemptRow`).
"""

import asyncio
import contextlib
import logging
import random
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import Table, event, or_, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from shared.kit.db import Database, rows_touched
from shared.kit.webhooks import Decision, DeliveryResult, Outcome, decide_after_attempt

log = logging.getLogger("lotse.delivery")

_QUEUED = "deliveries_queued"
_WAKE = "delivery_wake"

# ---------------------------------------------------------------------------------------
# Queueing


def mark_queued(session: AsyncSession) -> None:
    """Wake this database's delivery loop once `session` commits (not if it rolls back)."""
    session.info[_QUEUED] = True


@event.listens_for(Session, "after_commit")
def _wake_loop_after_commit(session: Session) -> None:
    if session.info.pop(_QUEUED, False):
        wake = session.info.get(_WAKE)
        if wake is not None:
            wake()


@event.listens_for(Session, "after_rollback")
def _forget_rolled_back_deliveries(session: Session) -> None:
    session.info.pop(_QUEUED, None)


async def queue_once(
    session: AsyncSession, table: Table, rows: Sequence[dict[str, Any]], unique: Sequence[str]
) -> int:
    """Insert delivery rows, skipping those whose `unique` columns were queued before (by
    any replica): one statement that cannot fail on a duplicate, so two replicas queueing
    the same message leave one row and neither transaction breaks. How many were new
    (for one row; for several the drivers do not count executemany reliably, so -1)."""
    if not rows:
        return 0
    dialect = session.get_bind().dialect.name
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    statement = insert(table).on_conflict_do_nothing(index_elements=list(unique))
    if any(row.get("status") == "pending" for row in rows):
        mark_queued(session)
    if len(rows) == 1:
        return rows_touched(await session.execute(statement.values(**rows[0])))
    await session.execute(statement, list(rows))
    return -1


async def due_ids(session: AsyncSession, table: Table, now: datetime, limit: int) -> list[str]:
    """Pending deliveries whose time has come and that no live worker holds; locked."""
    query = (
        select(table.c.id)
        .where(
            table.c.status == "pending",
            table.c.next_attempt_at <= now,
            or_(table.c.claimed_until.is_(None), table.c.claimed_until < now),
        )
        .order_by(table.c.next_attempt_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return list((await session.scalars(query)).all())


async def claim(session: AsyncSession, table: Table, ids: Sequence[str], until: datetime) -> None:
    """Lease `ids` to this worker until `until`."""
    if ids:
        await session.execute(update(table).where(table.c.id.in_(ids)).values(claimed_until=until))


# ---------------------------------------------------------------------------------------
# Recording an attempt


class AttemptRow(Protocol):
    """What a delivery row records of its attempts."""

    status: str
    attempts: int
    last_status: int | None
    last_error: str | None
    next_attempt_at: datetime
    claimed_until: datetime | None
    delivered_at: datetime | None


class FailingEndpoint(Protocol):
    failing_since: datetime | None


def record_webhook_attempt(
    delivery: AttemptRow,
    endpoint: FailingEndpoint,
    result: DeliveryResult,
    *,
    now: datetime,
    rand: Callable[[], float] = random.random,
) -> Decision:
    """Write one attempt's outcome into its delivery and endpoint rows (the kit's Standard
    Webhooks schedule); the caller disables the endpoint on DISABLE_ENDPOINT."""
    delivery.attempts += 1
    delivery.last_status = result.status
    delivery.claimed_until = None
    decision = decide_after_attempt(
        result, attempt=delivery.attempts, now=now, failing_since=endpoint.failing_since, rand=rand
    )
    if decision.outcome is Outcome.DELIVERED:
        delivery.status, delivery.delivered_at = "delivered", now
        delivery.last_error = None
        endpoint.failing_since = None
        return decision
    delivery.last_error = decision.reason or result.detail
    endpoint.failing_since = endpoint.failing_since or now
    if decision.outcome is Outcome.RETRY:
        assert decision.retry_at is not None
        delivery.next_attempt_at = decision.retry_at
    else:  # given up, or the endpoint is disabled
        delivery.status = "failed"
    return decision


# ---------------------------------------------------------------------------------------
# The loop


class DeliveryLoop:
    """Claims due deliveries of one database and sends each as its own task.

    `claim(limit)` leases up to `limit` due deliveries and returns their ids; `attempt(id)`
    sends one and records the outcome. The loop runs whenever a commit queued a delivery
    (`mark_queued`), an attempt ended, or every `poll_seconds` (for retries that came due).
    """

    def __init__(
        self,
        db: Database,
        *,
        claim: Callable[[int], Awaitable[list[str]]],
        attempt: Callable[[str], Coroutine[Any, Any, None]],
        batch: int = 100,
        poll_seconds: float = 1.0,
        name: str = "delivery",
    ) -> None:
        self.db = db
        self.claim = claim
        self.attempt = attempt
        self.batch = batch
        self.poll_seconds = poll_seconds
        self.name = name
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def wake(self) -> None:
        self._wake.set()

    def start(self) -> None:
        """Run in the background, woken by every commit that queued a delivery."""
        info = dict(self.db.sessionmaker.kw.get("info") or {})
        info[_WAKE] = self.wake
        self.db.sessionmaker.configure(info=info)
        self._task = asyncio.create_task(self._run(), name=self.name)

    async def stop(self) -> None:
        """Stop claiming and cancel attempts under way; their leases let another send them."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def run_once(self) -> int:
        """Claim what is due now and send it all; the number of deliveries attempted."""
        ids = await self.claim(self.batch)
        await asyncio.gather(*(self.attempt(delivery_id) for delivery_id in ids))
        return len(ids)

    async def _run(self) -> None:
        # Each delivery is its own task: a slow endpoint never holds up the others.
        running: set[asyncio.Task[None]] = set()

        def finished(task: asyncio.Task[None]) -> None:
            running.discard(task)
            if not task.cancelled() and task.exception() is not None:
                log.warning("a delivery attempt failed", exc_info=task.exception())
            self._wake.set()

        try:
            while True:
                try:
                    free = self.batch - len(running)
                    for delivery_id in await self.claim(free) if free > 0 else []:
                        task = asyncio.create_task(self.attempt(delivery_id))
                        running.add(task)
                        task.add_done_callback(finished)
                except Exception:
                    log.warning("claiming deliveries failed; trying again", exc_info=True)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), self.poll_seconds)
                self._wake.clear()
        finally:
            for task in list(running):
                task.cancel()
            await asyncio.gather(*running, return_exceptions=True)
