"""EventBus: a thin, explicit layer over aiokafka.

Producer: acks=all, idempotence by setting. Consumers: one group per service and
purpose, no auto-commit; an offset is committed only after the handler's DB
transaction committed, and never while the group rebalances; undecodable
records and handlers that keep failing go to the topic's dead-letter topic.
Each consumer knows how far it has applied its partitions, so a service can say
when it has caught up (readiness) and wait for what another service just wrote.
"""

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass, field

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import (
    CommitFailedError,
    IllegalStateError,
    KafkaError,
    TopicAlreadyExistsError,
)
from aiokafka.structs import RecordMetadata
from sqlalchemy.exc import InterfaceError, OperationalError

from shared.kit.events import CloudEvent, EventRegistry, InvalidEvent, decode, dlq_topic, encode
from shared.kit.observability import EVENTS_CONSUMED, event_id_var, traceparent_var

log = logging.getLogger("lotse.bus")

# Failures of the infrastructure rather than of an event: retried, never dead-lettered.
TRANSIENT_ERRORS: tuple[type[BaseException], ...] = (
    OperationalError,
    InterfaceError,
    ConnectionError,
    TimeoutError,
    OSError,
)

# A handler takes the events of one partition batch, in order, and applies them in
# one transaction; it must be idempotent (see shared.kit.inbox).
Handler = Callable[[Sequence[CloudEvent]], Awaitable[None]]


@dataclass(frozen=True)
class OutgoingRecord:
    topic: str
    key: bytes
    value: bytes
    headers: list[tuple[str, bytes]]


@dataclass
class Subscription:
    group: str
    topics: tuple[str, ...]
    handler: Handler
    task: asyncio.Task[None] | None = None
    # Next offset of each assigned partition, taken when the fetch buffer was drained,
    # so everything before it is applied and committed.
    applied: dict[TopicPartition, int] = field(default_factory=dict)
    # End offsets when the member first got its partitions; reached = caught up.
    start_ends: dict[TopicPartition, int] | None = None
    caught_up: asyncio.Event = field(default_factory=asyncio.Event)
    progress: asyncio.Event = field(default_factory=asyncio.Event)

    def reached(self, ends: dict[TopicPartition, int]) -> bool:
        """Has this member applied every record before `ends` of its partitions?"""
        return all(self.applied.get(tp, -1) >= end for tp, end in ends.items())

    def advanced(self) -> None:
        """Wake whoever waits for progress (catch_up), then arm the next wake-up."""
        progress, self.progress = self.progress, asyncio.Event()
        progress.set()


class EventBus:
    """Publish records and run consumer groups against one Kafka cluster."""

    def __init__(
        self,
        bootstrap: str,
        *,
        client_id: str,
        events: EventRegistry,
        idempotence: bool = False,
        session_timeout_ms: int = 6000,
        fetch_max_wait_ms: int = 20,
        request_timeout_ms: int = 5000,
        handler_attempts: int = 3,
        partitions: int = 4,
        consumer_batch: int = 500,
    ) -> None:
        self.bootstrap = bootstrap
        self.client_id = client_id
        self.events = events
        self.idempotence = idempotence
        self.session_timeout_ms = session_timeout_ms
        self.fetch_max_wait_ms = fetch_max_wait_ms
        self.request_timeout_ms = request_timeout_ms
        self.handler_attempts = handler_attempts
        self.partitions = partitions
        self.consumer_batch = consumer_batch
        self._producer: AIOKafkaProducer | None = None
        self._producer_lock = asyncio.Lock()
        self._probe: AIOKafkaConsumer | None = None
        self._subscriptions: list[Subscription] = []
        self._stopping = False

    # -- producing -------------------------------------------------------------

    async def producer(self) -> AIOKafkaProducer:
        """The started producer; started on first use so a service runs without Kafka."""
        async with self._producer_lock:
            if self._producer is None:
                producer = AIOKafkaProducer(
                    bootstrap_servers=self.bootstrap,
                    client_id=self.client_id,
                    acks="all",
                    enable_idempotence=self.idempotence,
                    request_timeout_ms=self.request_timeout_ms,
                    linger_ms=1,
                )
                try:
                    await producer.start()
                except BaseException:
                    await producer.stop()
                    raise
                self._producer = producer
            return self._producer

    async def send(self, records: Sequence[OutgoingRecord]) -> list[RecordMetadata | BaseException]:
        """Send records in order; each result is its metadata or the error it met."""
        producer = await self.producer()
        futures = [
            await producer.send(r.topic, r.value, key=r.key, headers=r.headers) for r in records
        ]
        return list(await asyncio.gather(*futures, return_exceptions=True))

    async def publish(self, event: CloudEvent, topic: str) -> RecordMetadata:
        """Publish one event directly (DLQ, replay, tests); services use the outbox."""
        key, value, headers = encode(event)
        producer = await self.producer()
        return await producer.send_and_wait(topic, value, key=key, headers=headers)

    # -- inspecting ------------------------------------------------------------

    async def _probe_client(self) -> AIOKafkaConsumer:
        if self._probe is None:
            probe = AIOKafkaConsumer(
                bootstrap_servers=self.bootstrap,
                client_id=f"{self.client_id}-probe",
                request_timeout_ms=self.request_timeout_ms,
                enable_auto_commit=False,
            )
            try:
                await probe.start()
            except BaseException:
                await probe.stop()
                raise
            self._probe = probe
        return self._probe

    async def end_offsets(self, topic: str) -> dict[int, int]:
        """Next offset of every partition of `topic`; empty when the topic is unknown."""
        probe = await self._probe_client()
        partitions = probe.partitions_for_topic(topic)
        if partitions is None:
            await probe._client.force_metadata_update()
            partitions = probe.partitions_for_topic(topic)
        if not partitions:
            return {}
        offsets = await probe.end_offsets([TopicPartition(topic, p) for p in partitions])
        return {tp.partition: off for tp, off in offsets.items()}

    async def ping(self) -> None:
        """Raise unless the cluster answers a metadata request."""
        probe = await self._probe_client()
        await asyncio.wait_for(probe._client.force_metadata_update(), 3)
        if not probe._client.cluster.brokers():
            raise ConnectionError(f"no Kafka broker answers at {self.bootstrap}")

    async def ensure_topics(self, topics: Sequence[str]) -> None:
        """Create topics (and their DLQs) that do not exist yet."""
        admin = AIOKafkaAdminClient(
            bootstrap_servers=self.bootstrap, request_timeout_ms=self.request_timeout_ms
        )
        await admin.start()
        try:
            existing = set(await admin.list_topics())
            wanted = [t for t in topics if t not in existing]
            if wanted:
                with contextlib.suppress(TopicAlreadyExistsError):
                    await admin.create_topics([NewTopic(t, self.partitions, 1) for t in wanted])
        finally:
            await admin.close()

    # -- consuming -------------------------------------------------------------

    def subscribe(self, group: str, topics: Sequence[str], handler: Handler) -> None:
        """Run `handler` for every event on `topics` in consumer group `group`."""
        sub = Subscription(group=group, topics=tuple(topics), handler=handler)
        self._subscriptions.append(sub)

    def start_consumers(self) -> None:
        """Start every subscription's consumer loop; each reconnects on its own."""
        for sub in self._subscriptions:
            if sub.task is None:
                sub.task = asyncio.create_task(self._consume(sub), name=f"consume:{sub.group}")

    async def _consume(self, sub: Subscription) -> None:
        backoff = 0.2
        while not self._stopping:
            consumer = AIOKafkaConsumer(
                bootstrap_servers=self.bootstrap,
                client_id=f"{self.client_id}-{sub.group}",
                group_id=sub.group,
                enable_auto_commit=False,
                auto_offset_reset="earliest",
                session_timeout_ms=self.session_timeout_ms,
                heartbeat_interval_ms=max(self.session_timeout_ms // 4, 100),
                fetch_max_wait_ms=self.fetch_max_wait_ms,
                request_timeout_ms=max(self.request_timeout_ms, self.session_timeout_ms + 1000),
                metadata_max_age_ms=5000,
            )
            sub.applied.clear()
            try:
                await self.ensure_topics([*sub.topics, *(dlq_topic(t) for t in sub.topics)])
                # No commit on revocation: after a broker restarted empty, the offsets this
                # member holds point past the new log, and committing them would skip events.
                consumer.subscribe(list(sub.topics))
                await consumer.start()
                backoff = 0.2
                while not self._stopping:
                    batches = await consumer.getmany(
                        timeout_ms=200, max_records=self.consumer_batch
                    )
                    count = sum(len(rs) for rs in batches.values())
                    if batches:
                        # One transaction for everything fetched: per partition in order.
                        await self._process(sub, [r for rs in batches.values() for r in rs])
                        done = {tp: rs[-1].offset + 1 for tp, rs in batches.items()}
                        await self._commit(sub, consumer, done)
                    if count < self.consumer_batch:  # the fetch buffer is drained
                        await self._note_applied(sub, consumer)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # the broker or the group went away: start over
                log.warning("consumer %s restarts after: %r", sub.group, exc)
                sub.applied.clear()
                await asyncio.sleep(backoff)
                # Capped low: once the broker is back, events must flow within a second.
                backoff = min(backoff * 2, 1.0)
            finally:
                with contextlib.suppress(Exception):
                    await consumer.stop()

    async def _commit(
        self, sub: Subscription, consumer: AIOKafkaConsumer, done: dict[TopicPartition, int]
    ) -> None:
        try:
            await consumer.commit(done)
        except (CommitFailedError, IllegalStateError) as exc:
            # The group moved on (a rebalance, or a broker that restarted and forgot it):
            # the member rejoins by itself and resumes from the committed offsets, and the
            # inbox skips what was applied. Starting the consumer over would join twice.
            log.info("consumer %s could not commit, rejoining: %r", sub.group, exc)

    async def _note_applied(self, sub: Subscription, consumer: AIOKafkaConsumer) -> None:
        """Record how far `sub` has applied its partitions; caught up once at the start ends."""
        assigned = consumer.assignment()
        if not assigned:
            return  # not joined yet (or more members than partitions)
        positions: dict[TopicPartition, int] = {}
        try:
            async with asyncio.timeout(1):
                for tp in assigned:
                    positions[tp] = await consumer.position(tp)
        except TimeoutError:
            return  # a partition not fetched yet: no claim about it
        sub.applied = positions
        if not sub.caught_up.is_set():
            if sub.start_ends is None or not set(assigned) <= set(sub.start_ends):
                sub.start_ends = await consumer.end_offsets(list(assigned))
            if sub.reached({tp: sub.start_ends[tp] for tp in assigned}):
                log.info("consumer %s has caught up with %s", sub.group, ", ".join(sub.topics))
                sub.caught_up.set()
        sub.advanced()

    def consumers_caught_up(self) -> bool:
        """Has every consumer joined its group and applied what its topics held at start?"""
        return all(sub.caught_up.is_set() for sub in self._subscriptions)

    async def catch_up(self, topic: str, within: float) -> bool:
        """Wait until this process's consumers of `topic` applied all it holds right now.

        Read-your-writes across services: what another service published before this
        call is applied here when this returns True. Partitions assigned to another
        member of the group are that member's to apply. False after `within` seconds,
        or when no consumer of `topic` runs here.
        """
        subs = [s for s in self._subscriptions if topic in s.topics and s.task is not None]
        if not subs:
            return False
        try:
            async with asyncio.timeout(within):
                offsets = await self.end_offsets(topic)
                ends = {TopicPartition(topic, p): end for p, end in offsets.items()}
                for sub in subs:
                    while True:
                        progress = sub.progress
                        mine = {tp: e for tp, e in ends.items() if tp in sub.applied}
                        if sub.applied and sub.reached(mine):
                            break
                        await progress.wait()
        except (TimeoutError, KafkaError, OSError):
            return False
        return True

    async def _process(
        self, sub: Subscription, records: Sequence[ConsumerRecord[bytes, bytes]]
    ) -> None:
        """Apply a fetched batch at once; if that fails, event by event with retries."""
        readable: list[tuple[ConsumerRecord[bytes, bytes], CloudEvent]] = []
        for record in records:
            try:
                readable.append((record, decode(record.headers, record.value, self.events)))
            except InvalidEvent as exc:
                EVENTS_CONSUMED.labels(sub.group, "invalid", "dead_lettered").inc()
                await self._dead_letter(sub, record, str(exc))
        if not readable:
            return
        try:
            await sub.handler([event for _, event in readable])
        except asyncio.CancelledError:
            raise
        except Exception:
            log.warning("batch of %s failed; retrying event by event", sub.group, exc_info=True)
            for record, event in readable:
                await self._process_one(sub, record, event)
            return
        for _, event in readable:
            EVENTS_CONSUMED.labels(sub.group, event.type, "ok").inc()

    async def _process_one(
        self, sub: Subscription, record: ConsumerRecord[bytes, bytes], event: CloudEvent
    ) -> None:
        event_token = event_id_var.set(event.id)
        trace_token = traceparent_var.set(event.traceparent)
        try:
            error: BaseException | None = None
            for attempt in range(self.handler_attempts):
                try:
                    await sub.handler([event])
                    EVENTS_CONSUMED.labels(sub.group, event.type, "ok").inc()
                    return
                except asyncio.CancelledError:
                    raise
                except Exception as exc:
                    error = exc
                    log.warning(
                        "handler %s failed on %s (attempt %d)",
                        sub.group,
                        event.id,
                        attempt + 1,
                        exc_info=True,
                    )
                    await asyncio.sleep(0.1 * 2**attempt)
            if isinstance(error, TRANSIENT_ERRORS):
                # The database or network is away, not the event at fault: no dead
                # letter, no offset commit; the consumer starts over after a pause.
                raise error
            EVENTS_CONSUMED.labels(sub.group, event.type, "dead_lettered").inc()
            await self._dead_letter(
                sub, record, f"handler failed {self.handler_attempts} times: {error!r}"
            )
        finally:
            event_id_var.reset(event_token)
            traceparent_var.reset(trace_token)

    async def _dead_letter(
        self, sub: Subscription, record: ConsumerRecord[bytes, bytes], reason: str
    ) -> None:
        log.error(
            "dead-lettering %s[%d]@%d: %s", record.topic, record.partition, record.offset, reason
        )
        headers = [
            *[(k, v) for k, v in record.headers or ()],
            ("lotse_dlq_reason", reason[:2000].encode()),
            ("lotse_dlq_group", sub.group.encode()),
            ("lotse_dlq_origin", f"{record.topic}/{record.partition}/{record.offset}".encode()),
        ]
        producer = await self.producer()
        await producer.send_and_wait(
            dlq_topic(record.topic), record.value or b"", key=record.key, headers=headers
        )

    # -- replay ----------------------------------------------------------------

    async def replay(self, source_topic: str, target_topic: str | None = None) -> int:
        """Publish every record of `source_topic` again, e.g. a DLQ back to its topic.

        Records of a dead-letter topic go back to the topic they came from (their
        `lotse_dlq_origin`) without the dead-letter headers; consumers are idempotent,
        so replaying what was already applied is harmless. Returns how many.
        """
        producer = await self.producer()
        count = 0
        async for record in self._read_from_beginning(source_topic):
            headers = [(k, v) for k, v in record.headers or () if not k.startswith("lotse_dlq_")]
            origin = dict(record.headers or ()).get("lotse_dlq_origin", b"")
            target = target_topic or origin.decode().split("/")[0] or source_topic
            await producer.send_and_wait(target, record.value, key=record.key, headers=headers)
            count += 1
        return count

    async def event_ids(self, topic: str) -> set[str]:
        """The ids of the events `topic` holds now, read from its beginning."""
        ids: set[str] = set()
        async for record in self._read_from_beginning(topic):
            event_id = dict(record.headers or ()).get("ce_id")
            if event_id:
                ids.add(event_id.decode(errors="replace"))
        return ids

    async def _read_from_beginning(self, topic: str) -> AsyncIterator[ConsumerRecord[bytes, bytes]]:
        """Every record of `topic` up to where its partitions end when this starts."""
        reader = AIOKafkaConsumer(
            bootstrap_servers=self.bootstrap,
            client_id=f"{self.client_id}-reader",
            enable_auto_commit=False,
            request_timeout_ms=self.request_timeout_ms,
        )
        await reader.start()
        try:
            partitions = reader.partitions_for_topic(topic)
            if partitions is None:
                await reader._client.force_metadata_update()
                partitions = reader.partitions_for_topic(topic) or set()
            assigned = [TopicPartition(topic, p) for p in partitions]
            if not assigned:
                return
            reader.assign(assigned)
            await reader.seek_to_beginning(*assigned)
            ends = await reader.end_offsets(assigned)
            while [tp for tp in assigned if await reader.position(tp) < ends[tp]]:
                batches = await reader.getmany(timeout_ms=1000, max_records=2000)
                if not batches:
                    break
                for records in batches.values():
                    for record in records:
                        yield record
        finally:
            await reader.stop()

    # -- lifecycle -------------------------------------------------------------

    async def stop(self) -> None:
        self._stopping = True
        tasks = [s.task for s in self._subscriptions if s.task is not None]
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        for client in (self._producer, self._probe):
            if client is not None:
                with contextlib.suppress(Exception):
                    await client.stop()
        self._producer = None
        self._probe = None
