"""Transactional outbox and its relay.

The domain adds its event to the session that holds its rows (`add_event`), so both
commit together or not at all. The relay publishes committed rows in order, marks
them sent, wakes at once after a commit and polls only as a fallback.

The outbox keeps every event of a retention window (LOTSE_OUTBOX_RETENTION_DAYS,
default 7) and the latest event of every aggregate beyond it. A broker that lost
its history (the embedded broker keeps events in memory) is refilled with all of
them, in order, as a paced stream of its own beside the new events, so new events
flow at once whatever the history; consumers are idempotent and keep the newest
version, so a refilled older event arriving after a newer one changes nothing.
"""

import asyncio
import contextlib
import logging
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import (
    Boolean,
    Column,
    ColumnElement,
    Integer,
    String,
    Text,
    delete,
    event,
    false,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session
from sqlmodel import Field, SQLModel, col

from shared.kit.bus import EventBus, OutgoingRecord
from shared.kit.db import Database, Prepared, rows_touched, table_of
from shared.kit.events import CloudEvent, EventPayload, encode_headers
from shared.kit.observability import (
    EVENTS_PUBLISHED,
    OUTBOX_PENDING,
    OUTBOX_REFILL_PENDING,
    OUTBOX_REFILL_PUBLISHED,
    OUTBOX_REFILLS,
    current_traceparent,
)
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
    # Sent once, to be sent again: the broker lost it (see OutboxRelay.refill).
    refill: bool = Field(
        default=False, sa_column=Column(Boolean, nullable=False, server_default=false())
    )


_INSERT_EVENT = Prepared(insert(table_of(OutboxEvent)))


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
    session.info.setdefault("outbox_event_ids", []).append(event.id)
    return event.id


@event.listens_for(Session, "after_commit")
def _wake_relay_after_commit(session: Session) -> None:
    session.info.pop("outbox_event_ids", None)
    if session.info.pop("outbox_written", False):
        wake = session.info.get("outbox_wake")
        if wake is not None:
            wake()


@event.listens_for(Session, "after_rollback")
def _forget_rolled_back_events(session: Session) -> None:
    session.info.pop("outbox_event_ids", None)
    session.info.pop("outbox_written", None)


class OutboxRelay:
    """Publishes committed outbox rows of one service, in order, and refills the broker.

    Two streams: new events, published as soon as they are committed; and the refill,
    paced at `refill_per_second`, of events the broker lost. A broker lost its history
    when offsets it hands out go back, or when a topic we published to is empty.

    Before publishing to a topic for the first time, and again after any failure, the
    relay creates its topics explicitly: a produce request that reaches a broker that
    restarted empty, before the topic exists, races the topic's creation there (the
    embedded broker then answers AlreadyExists / UnknownError for the next batches).
    That race can also lose records the broker has just acknowledged, and clients
    other than the relay trigger it too. So for `settle_seconds` after a loss was
    noticed the refill waits, and what was published meanwhile is published once
    more as new events when they are over (consumers skip what they have). When a
    refill is done, the relay reads the topic back and refills what is still missing
    (`verify_refilled`).
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
        retention: timedelta = timedelta(days=7),
        refill_per_second: float = 2000.0,
        refill_batch: int = 200,
        settle_seconds: float = 1.0,
    ) -> None:
        self.db = db
        self.bus = bus
        self.service = service
        self.poll_seconds = poll_seconds
        self.batch_size = batch_size
        self.check_seconds = check_seconds
        self.prune_seconds = prune_seconds
        self.linger_seconds = linger_seconds
        self.retention = retention
        self.refill_per_second = refill_per_second
        self.refill_batch = refill_batch
        self.settle_seconds = settle_seconds
        self.refill_pending = 0
        # Topic -> (since when, until when on the loop clock) the broker was settling.
        self._settling: dict[str, tuple[datetime, float]] = {}
        self._wake = asyncio.Event()
        self._refill_wake = asyncio.Event()
        # Last offset handed out per (topic, partition), per stream: within a stream
        # offsets only grow, unless the broker forgot.
        self._last_offsets: dict[tuple[str, int], int] = {}
        self._refill_offsets: dict[tuple[str, int], int] = {}
        self._topics_ready: set[str] = set()
        # Topics refilled since the broker last held everything it should: see
        # `verify_refilled`.
        self._unverified: set[str] = set()
        self._waiters: dict[str, asyncio.Future[None]] = {}
        # Marking rows sent and marking them for a refill never interleave, and a
        # refill's marks are counted: see `_send`.
        self._marking = asyncio.Lock()
        self._marks = 0
        self._refill_progress = _RefillProgress()
        self._next_check = 0.0
        self._next_prune = 0.0
        self._tasks: list[asyncio.Task[None]] = []
        db.sessionmaker.configure(info={"outbox_wake": self.wake})

    def wake(self) -> None:
        self._wake.set()

    @property
    def refilling(self) -> bool:
        """Is a refill under way: pending, settling or not yet read back?"""
        return bool(self.refill_pending or self._settling or self._unverified)

    def start(self) -> None:
        self._tasks = [
            asyncio.create_task(self._run(), name=f"outbox-relay:{self.service}"),
            asyncio.create_task(self._run_refill(), name=f"outbox-refill:{self.service}"),
        ]

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks = []

    async def commit_and_publish(self, session: AsyncSession, within: float) -> bool:
        """Commit `session`, then wait until its events are on the broker; False after
        `within` seconds (the broker is away: the events follow, as always)."""
        loop = asyncio.get_running_loop()
        event_ids = list(session.info.get("outbox_event_ids", []))
        futures = [self._waiters.setdefault(i, loop.create_future()) for i in event_ids]
        try:
            await session.commit()
            if futures:
                await asyncio.wait_for(asyncio.gather(*futures), within)
            return True
        except TimeoutError:
            return False
        finally:
            for event_id in event_ids:
                self._waiters.pop(event_id, None)

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
                # Capped low: once the broker is back, new events must flow within a second.
                backoff = min(backoff * 2, 1.0)
                self._wake.set()

    async def publish_pending(self) -> int:
        """Publish up to one batch of unsent rows; return how many were taken."""
        async with self.db.session() as session:
            rows = (
                await session.scalars(
                    select(OutboxEvent)
                    .where(col(OutboxEvent.sent_at).is_(None))
                    .order_by(col(OutboxEvent.seq))
                    .limit(self.batch_size)
                )
            ).all()
        if not rows:
            OUTBOX_PENDING.labels(self.service).set(0)
            return 0
        sent, lost, failure = await self._send(rows, self._last_offsets)
        if sent:
            for row in sent:
                EVENTS_PUBLISHED.labels(row.topic).inc()
                waiter = self._waiters.get(row.event_id)
                if waiter is not None and not waiter.done():
                    waiter.set_result(None)
        OUTBOX_PENDING.labels(self.service).set(len(rows) - len(sent))
        for topic in lost:
            await self.refill(topic)
        if failure is not None:
            raise failure
        return len(rows)

    async def _send(
        self, rows: Sequence[OutboxEvent], last_offsets: dict[tuple[str, int], int]
    ) -> tuple[list[OutboxEvent], set[str], BaseException | None]:
        """Publish `rows` in order and mark them sent: the rows sent before the first
        failure, the topics whose offsets went back (the broker forgot), and that failure.

        A refill marked while rows were on their way may have found them not sent yet,
        though the broker it noticed forgetting had them: they are marked for the
        refill too, or the relay would take them for delivered.
        """
        marks_before = self._marks
        sent, lost, failure = await self._publish(rows, last_offsets)
        if sent:
            async with self._marking, self.db.session() as session:
                await session.execute(
                    update(OutboxEvent)
                    .where(col(OutboxEvent.seq).in_([row.seq for row in sent]))
                    .values(refill=self._marks != marks_before, sent_at=utcnow())
                )
                await session.commit()
        return sent, lost, failure

    async def _publish(
        self, rows: Sequence[OutboxEvent], last_offsets: dict[tuple[str, int], int]
    ) -> tuple[list[OutboxEvent], set[str], BaseException | None]:
        try:
            await self._ensure_topics({row.topic for row in rows})
        except Exception as exc:
            return [], set(), exc
        results = await self.bus.send([_record(row) for row in rows])
        sent: list[OutboxEvent] = []
        lost: set[str] = set()
        for row, result in zip(rows, results, strict=True):
            if isinstance(result, BaseException):
                # Nothing after a failed row counts as sent: it goes out again after
                # it, so no aggregate's events overtake each other.
                self._topics_ready.clear()  # the broker may have restarted
                return sent, lost, result
            sent.append(row)
            where = (row.topic, result.partition)
            if result.offset <= last_offsets.get(where, -1):
                lost.add(row.topic)  # offsets went back: the broker forgot
            last_offsets[where] = result.offset
        return sent, lost, None

    async def _ensure_topics(self, topics: set[str]) -> None:
        missing = topics - self._topics_ready
        if missing:
            await self.bus.ensure_topics(sorted(missing))
            self._topics_ready |= missing

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
                    select(col(OutboxEvent.topic))
                    .where(col(OutboxEvent.sent_at).is_not(None))
                    .distinct()
                )
            ).all()
        for topic in topics:
            ends = await self.bus.end_offsets(topic)
            # Only "empty where we wrote" is a safe sign: the embedded broker reports
            # end offsets per batch, so comparing counts would see losses that are not.
            written = {p for (t, p) in [*self._last_offsets, *self._refill_offsets] if t == topic}
            if sum(ends.values()) == 0 or any(ends.get(p, 0) == 0 for p in written):
                await self.refill(topic)

    async def prune(self) -> int:
        """Drop sent events older than the retention window that a newer event of the
        same aggregate supersedes; return how many."""
        latest = select(func.max(col(OutboxEvent.seq))).group_by(
            col(OutboxEvent.topic), col(OutboxEvent.key)
        )
        async with self.db.session() as session:
            result = await session.execute(
                delete(OutboxEvent)
                .where(col(OutboxEvent.sent_at).is_not(None))
                .where(col(OutboxEvent.refill).is_(False))
                .where(col(OutboxEvent.occurred_at) < utcnow() - self.retention)
                .where(col(OutboxEvent.seq).not_in(latest))
            )
            await session.commit()
        return rows_touched(result)

    async def refill(self, topic: str) -> int:
        """Mark every event of the retention window on `topic`, and the latest of every
        older aggregate, to be published again by the refill stream; return how many
        are pending."""
        # From a second before now (a publish may complete while this marks), for a
        # fixed while: an empty topic is no news while the refill waits for it.
        self._settling.setdefault(
            topic, (utcnow() - timedelta(seconds=1), _now() + self.settle_seconds)
        )
        async with self._marking, self.db.session() as session:
            self._marks += 1
            marked = await session.execute(
                update(OutboxEvent)
                .where(col(OutboxEvent.topic) == topic)
                .where(col(OutboxEvent.sent_at).is_not(None))
                .where(col(OutboxEvent.refill).is_(False))
                .where(self._in_window(topic))
                .values(refill=True)
            )
            await session.commit()
            pending = await self._count_refill(session)
            for offsets in (self._last_offsets, self._refill_offsets):
                for where in [w for w in offsets if w[0] == topic]:
                    del offsets[where]
            self._topics_ready.discard(topic)
        self._set_refill_pending(pending)
        self._unverified.add(topic)
        if not rows_touched(marked):
            return pending  # the refill under way covers it already
        OUTBOX_REFILLS.labels(self.service, topic).inc()
        self._refill_progress.begin(pending)
        log.warning(
            "broker lost the history of %s: publishing %d events again (those of the last "
            "%g days and the latest of every older aggregate), %g per second",
            topic,
            pending,
            self.retention.total_seconds() / 86400,
            self.refill_per_second,
        )
        self._refill_wake.set()
        return pending

    def _in_window(self, topic: str) -> ColumnElement[bool]:
        """The events of `topic` a broker must hold: those of the retention window and
        the latest of every older aggregate."""
        latest = (
            select(func.max(col(OutboxEvent.seq)))
            .where(col(OutboxEvent.topic) == topic)
            .group_by(col(OutboxEvent.key))
        )
        return (col(OutboxEvent.occurred_at) >= utcnow() - self.retention) | col(
            OutboxEvent.seq
        ).in_(latest)

    async def verify_refilled(self) -> int:
        """Read back every topic a refill rebuilt and refill again what the broker does
        not hold; return how many events that was.

        A broker that restarted empty can lose acknowledged records in its first
        moments without handing out an offset twice: the embedded one does, when
        clients that reconnect make it create a topic twice. Offsets cannot show that
        loss, so after a refill the relay reads the topic back.
        """
        missing_in_all = 0
        for topic in sorted(self._unverified):
            read_after = utcnow()  # rows sent before this were acknowledged before it
            on_broker = await self.bus.event_ids(topic)
            async with self._marking, self.db.session() as session:
                rows = await session.execute(
                    select(col(OutboxEvent.seq), col(OutboxEvent.event_id))
                    .where(col(OutboxEvent.topic) == topic)
                    .where(col(OutboxEvent.sent_at) < read_after)
                    .where(col(OutboxEvent.refill).is_(False))
                    .where(self._in_window(topic))
                )
                missing = [seq for seq, event_id in rows if event_id not in on_broker]
                for start in range(0, len(missing), 500):
                    await session.execute(
                        update(OutboxEvent)
                        .where(col(OutboxEvent.seq).in_(missing[start : start + 500]))
                        .values(refill=True)
                    )
                await session.commit()
                pending = await self._count_refill(session)
            if not missing:
                self._unverified.discard(topic)
                continue
            missing_in_all += len(missing)
            self._set_refill_pending(pending)
            self._refill_progress.begin(pending)
            log.warning(
                "broker lost %d events of %s during the refill: publishing them again",
                len(missing),
                topic,
            )
        return missing_in_all

    async def _run_refill(self) -> None:
        backoff = 0.1
        counted = False
        while True:
            try:
                if not counted:  # a refill the last run of the service left unfinished
                    async with self.db.session() as session:
                        self._set_refill_pending(await self._count_refill(session))
                    self._refill_progress.begin(self.refill_pending)
                    counted = True
                await self._republish_settled()
                # The refill waits while a broker that lost a topic settles.
                published = 0 if self._settling else await self.refill_step()
                if not (published or self._settling or self.refill_pending) and self._unverified:
                    await self.verify_refilled()
                    continue
                backoff = 0.1
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # broker away: the refill waits like new events
                log.warning("outbox refill of %s waits: %r", self.service, exc)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 1.0)
                continue
            if published:
                # Paced, so consumers keep up and a new event never waits behind a flood.
                await asyncio.sleep(published / self.refill_per_second)
                continue
            idle = min([5 * self.poll_seconds, *(u - _now() for _, u in self._settling.values())])
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._refill_wake.wait(), max(idle, 0.01))
            self._refill_wake.clear()

    async def _republish_settled(self) -> None:
        """Publish once more what went to a topic while the broker was settling."""
        for topic, (since, until) in list(self._settling.items()):
            if _now() < until:
                continue
            async with self.db.session() as session:
                marked = await session.execute(
                    update(OutboxEvent)
                    .where(col(OutboxEvent.topic) == topic)
                    .where(col(OutboxEvent.sent_at) >= since)
                    .values(sent_at=None, refill=False)  # new events again: out at once
                )
                await session.commit()
                self._set_refill_pending(await self._count_refill(session))
            del self._settling[topic]
            self.wake()
            log.warning(
                "publishing %d events again that went to %s while the broker settled",
                rows_touched(marked),
                topic,
            )

    async def refill_step(self) -> int:
        """Publish the next batch of the refill, in seq order; return how many went out."""
        async with self.db.session() as session:
            rows = (
                await session.scalars(
                    select(OutboxEvent)
                    .where(col(OutboxEvent.refill).is_(True))
                    .order_by(col(OutboxEvent.seq))
                    .limit(self.refill_batch)
                )
            ).all()
        if not rows:
            if self.refill_pending:
                self._set_refill_pending(0)
            return 0
        sent, lost, failure = await self._send(rows, self._refill_offsets)
        if sent:
            for row in sent:
                OUTBOX_REFILL_PUBLISHED.labels(self.service, row.topic).inc()
            self._set_refill_pending(max(self.refill_pending - len(sent), 0))
            self._refill_progress.advance(self.service, len(sent), self.refill_pending)
        for topic in lost:
            await self.refill(topic)
        if failure is not None:
            raise failure
        return len(sent)

    async def _count_refill(self, session: AsyncSession) -> int:
        count = await session.scalar(
            select(func.count()).select_from(OutboxEvent).where(col(OutboxEvent.refill).is_(True))
        )
        return int(count or 0)

    def _set_refill_pending(self, pending: int) -> None:
        self.refill_pending = pending
        OUTBOX_REFILL_PENDING.labels(self.service).set(pending)


class _RefillProgress:
    """What the log says about a refill: a line every few seconds, and when it is done."""

    def __init__(self, every_seconds: float = 5.0) -> None:
        self.every_seconds = every_seconds
        self.started = 0.0
        self.done = 0
        self.next_line = 0.0

    def begin(self, pending: int) -> None:
        if pending and not self.started:
            self.started = self.next_line = _now()
            self.done = 0

    def advance(self, service: str, sent: int, pending: int) -> None:
        self.done += sent
        now = _now()
        if pending == 0:
            log.warning(
                "refill of %s done: %d events published again in %.1f s",
                service,
                self.done,
                now - self.started,
            )
            self.started = 0.0
        elif now >= self.next_line:
            self.next_line = now + self.every_seconds
            log.warning(
                "refill of %s: %d events published again, %d to go", service, self.done, pending
            )


def _now() -> float:
    return asyncio.get_running_loop().time()


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
