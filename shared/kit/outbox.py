"""Transactional outbox and its relay.

The domain adds its event to the session that holds its rows (`add_event`), so both
commit together or not at all. The relay publishes committed rows in order, marks
them sent, wakes at once after a commit and polls only as a fallback. It keeps the
latest event of every aggregate, so a broker that lost its history (the embedded
broker keeps events in memory) is refilled, and consumers, being idempotent, converge.
"""

import asyncio
import contextlib
import logging
from datetime import datetime

from sqlalchemy import Column, Integer, String, Text, delete, event, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session
from sqlmodel import Field, SQLModel

from shared.kit.bus import EventBus, OutgoingRecord
from shared.kit.db import Database, Prepared
from shared.kit.events import CloudEvent, EventPayload, encode_headers
from shared.kit.observability import EVENTS_PUBLISHED, OUTBOX_PENDING, current_traceparent
from shared.kit.sqltypes import UTCDateTime, utcnow

log = logging.getLogger("lotse.outbox")


class OutboxEvent(SQLModel, table=True):
    __tablename__ = "outbox"

    seq: int | None = Field(default=None, sa_column=Column(Integer, primary_key=True))
    event_id: str = Field(sa_column=Column(String(36), nullable=False, unique=True))
    topic: str = Field(sa_column=Column(String(200), nullable=False))
    key: str = Field(sa_column=Column(String(200), nullable=False, index=True))
    type: str = Field(sa_column=Column(String(200), nullable=False))
    source: str = Field(sa_column=Column(String(200), nullable=False))
    occurred_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    payload: str = Field(sa_column=Column(Text, nullable=False))
    traceparent: str | None = Field(default=None, sa_column=Column(String(55)))
    sent_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))


_INSERT_EVENT = Prepared(insert(OutboxEvent.__table__))  # type: ignore[arg-type]


async def add_event(
    session: AsyncSession, payload: EventPayload, *, source: str, subject: str
) -> str:
    """Write `payload` as an event in the caller's transaction; return its ce_id."""
    event = CloudEvent.of(
        payload, source=source, subject=subject, traceparent=current_traceparent()
    )
    # The table, not the entity: one plain INSERT, no ORM bookkeeping on the hot path.
    await _INSERT_EVENT.run(
        session,
        {
            "event_id": event.id,
            "topic": payload.topic,
            "key": subject,
            "type": event.type,
            "source": source,
            "occurred_at": event.time,
            "payload": payload.model_dump_json(),
            "traceparent": event.traceparent,
        },
    )
    session.info["outbox_written"] = True
    return event.id


@event.listens_for(Session, "after_commit")
def _wake_relay_after_commit(session: Session) -> None:
    if session.info.pop("outbox_written", False):
        wake = session.info.get("outbox_wake")
        if wake is not None:
            wake()


class OutboxRelay:
    """Publishes committed outbox rows of one service, in order, and refills the broker.

    A broker lost its history when offsets it hands out go back, or when a topic we
    published to is empty; then the latest event of every aggregate goes out again.
    """

    def __init__(
        self,
        db: Database,
        bus: EventBus,
        *,
        service: str,
        poll_seconds: float = 1.0,
        batch_size: int = 500,
        check_seconds: float = 2.0,
        prune_seconds: float = 60.0,
        linger_seconds: float = 0.002,
    ) -> None:
        self.db = db
        self.bus = bus
        self.service = service
        self.poll_seconds = poll_seconds
        self.batch_size = batch_size
        self.check_seconds = check_seconds
        self._wake = asyncio.Event()
        self._last_offsets: dict[tuple[str, int], int] = {}
        self.prune_seconds = prune_seconds
        self.linger_seconds = linger_seconds
        self._next_check = 0.0
        self._next_prune = 0.0
        self._task: asyncio.Task[None] | None = None
        db.sessionmaker.configure(info={"outbox_wake": self.wake})

    def wake(self) -> None:
        self._wake.set()

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name=f"outbox-relay:{self.service}")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _run(self) -> None:
        backoff = 0.1
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.poll_seconds)
            # A moment's wait gathers the commits of concurrent requests into one batch.
            await asyncio.sleep(self.linger_seconds)
            self._wake.clear()
            try:
                await self._check_broker_history()
                while await self.publish_pending() == self.batch_size:
                    pass
                backoff = 0.1
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # broker away: rows wait in the outbox
                log.warning("outbox relay of %s waits: %r", self.service, exc)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 5.0)
                self._wake.set()

    async def publish_pending(self) -> int:
        """Publish up to one batch of unsent rows; return how many were taken."""
        async with self.db.session() as session:
            rows = (
                await session.scalars(
                    select(OutboxEvent)
                    .where(OutboxEvent.sent_at.is_(None))  # type: ignore[union-attr]
                    .order_by(OutboxEvent.seq)  # type: ignore[arg-type]
                    .limit(self.batch_size)
                )
            ).all()
        if not rows:
            OUTBOX_PENDING.labels(self.service).set(0)
            return 0
        results = await self.bus.send([_record(row) for row in rows])
        sent: list[int] = []
        failure: BaseException | None = None
        lost_topics: set[str] = set()
        for row, result in zip(rows, results, strict=True):
            if isinstance(result, BaseException):
                # Nothing after a failed row counts as sent: it goes out again after
                # it, so no aggregate's events overtake each other.
                failure = result
                break
            assert row.seq is not None
            sent.append(row.seq)
            where = (row.topic, result.partition)
            if result.offset < self._last_offsets.get(where, -1):
                lost_topics.add(row.topic)  # offsets went back: the broker forgot
            self._last_offsets[where] = result.offset
            EVENTS_PUBLISHED.labels(row.topic).inc()
        if sent:
            async with self.db.session() as session:
                await session.execute(
                    update(OutboxEvent)
                    .where(OutboxEvent.seq.in_(sent))  # type: ignore[union-attr]
                    .values(sent_at=utcnow())
                )
                await session.commit()
        OUTBOX_PENDING.labels(self.service).set(len(rows) - len(sent))
        for topic in lost_topics:
            await self.refill(topic)
        if failure is not None:
            raise failure
        return len(rows)

    async def _check_broker_history(self) -> None:
        """Refill the broker when a topic we published to is empty (it restarted empty)."""
        now = asyncio.get_running_loop().time()
        if now < self._next_check:
            return
        self._next_check = now + self.check_seconds
        if now >= self._next_prune:
            self._next_prune = now + self.prune_seconds
            await self.prune()
        async with self.db.session() as session:
            topics = (
                await session.scalars(
                    select(OutboxEvent.topic)
                    .where(OutboxEvent.sent_at.is_not(None))  # type: ignore[union-attr]
                    .distinct()
                )
            ).all()
        for topic in topics:
            ends = await self.bus.end_offsets(topic)
            # Only "empty where we wrote" is a safe sign: the embedded broker reports
            # end offsets per batch, so comparing counts would see losses that are not.
            written = [p for (t, p) in self._last_offsets if t == topic]
            if sum(ends.values()) == 0 or any(ends.get(p, 0) == 0 for p in written):
                await self.refill(topic)

    async def prune(self) -> None:
        """Drop sent events superseded by a newer event of the same aggregate."""
        async with self.db.session() as session:
            latest = select(func.max(OutboxEvent.seq)).group_by(OutboxEvent.key)
            await session.execute(
                delete(OutboxEvent)
                .where(OutboxEvent.sent_at.is_not(None))  # type: ignore[union-attr]
                .where(OutboxEvent.seq.not_in(latest))  # type: ignore[union-attr]
            )
            await session.commit()

    async def refill(self, topic: str) -> int:
        """Mark the latest event of every aggregate on `topic` for publishing again."""
        async with self.db.session() as session:
            latest = (
                select(func.max(OutboxEvent.seq))
                .where(OutboxEvent.topic == topic)
                .group_by(OutboxEvent.key)
            )
            result = await session.execute(
                update(OutboxEvent)
                .where(OutboxEvent.seq.in_(latest))  # type: ignore[union-attr]
                .where(OutboxEvent.sent_at.is_not(None))  # type: ignore[union-attr]
                .values(sent_at=None)
            )
            await session.commit()
        self._last_offsets = {k: v for k, v in self._last_offsets.items() if k[0] != topic}
        count = result.rowcount or 0  # type: ignore[attr-defined]
        log.warning("broker lost %s history: re-publishing %d latest events", topic, count)
        return count


def _record(row: OutboxEvent) -> OutgoingRecord:
    return OutgoingRecord(
        topic=row.topic,
        key=row.key.encode(),
        value=row.payload.encode(),
        headers=encode_headers(
            event_id=row.event_id,
            type=row.type,
            source=row.source,
            subject=row.key,
            time=row.occurred_at,
            traceparent=row.traceparent,
        ),
    )
