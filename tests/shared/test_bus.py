"""The bus against a real Kafka-protocol broker: DLQ, commits after the handler, crashes."""

import asyncio
import contextlib
import uuid
from collections.abc import Awaitable, Sequence
from datetime import UTC, datetime

from aiokafka import AIOKafkaConsumer
from aiokafka.structs import ConsumerRecord
from sqlalchemy import func, insert, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncSession

from shared.cli.broker import EmbeddedBroker
from shared.contracts import REGISTRY
from shared.contracts.gateway import MunicipalityCreated, MunicipalitySnapshot
from shared.kit.bus import EventBus
from shared.kit.db import Database
from shared.kit.events import CloudEvent
from shared.kit.inbox import idempotent
from tests.conftest import eventually
from tests.shared.conftest import effects


def municipality_event(ags: str = "06534014") -> CloudEvent:
    snapshot = MunicipalitySnapshot(
        ags=ags,
        name="Marburg",
        kind="stadt",
        land="Hessen",
        version=1,
        updated_at=datetime.now(UTC),
    )
    return CloudEvent.of(
        MunicipalityCreated(municipality=snapshot), source="/lotse/test", subject=ags
    )


def new_bus(broker: EmbeddedBroker) -> EventBus:
    # Small batches, so a consumer can be caught between two of them.
    return EventBus(
        broker.bootstrap,
        client_id="test",
        events=REGISTRY,
        session_timeout_ms=2000,
        consumer_batch=10,
    )


async def read_all(broker: EmbeddedBroker, topic: str, count: int) -> list[ConsumerRecord]:
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=broker.bootstrap,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        group_id=None,
    )
    await consumer.start()
    records: list[ConsumerRecord] = []
    try:
        async with asyncio.timeout(20):
            while len(records) < count:
                batch = await consumer.getmany(timeout_ms=200)
                for rs in batch.values():
                    records += rs
    finally:
        await consumer.stop()
    return records


async def test_undecodable_records_go_to_the_dlq_and_the_consumer_keeps_going(
    broker: EmbeddedBroker,
) -> None:
    topic = f"test.dlq.{uuid.uuid4().hex[:8]}"
    bus = new_bus(broker)
    handled: list[str] = []

    async def handler(events: Sequence[CloudEvent]) -> None:
        handled.extend(event.id for event in events)

    bus.subscribe(f"g-{topic}", [topic], handler)
    bus.start_consumers()
    try:
        producer = await bus.producer()
        await producer.send_and_wait(
            topic,
            b"{}",
            key=b"k",
            headers=[
                ("ce_specversion", b"1.0"),
                ("ce_id", b"1"),
                ("ce_source", b"/x"),
                ("ce_type", b"de.lotse.unknown.v1"),
            ],
        )
        await producer.send_and_wait(
            topic,
            b"not json",
            key=b"k",
            headers=[
                ("ce_specversion", b"1.0"),
                ("ce_id", b"2"),
                ("ce_source", b"/x"),
                ("ce_type", b"de.lotse.municipality.created.v1"),
            ],
        )
        good = municipality_event()
        await bus.publish(good, topic)
        await eventually(lambda: asyncio.sleep(0, handled))
        assert handled == [good.id]
        dead = await read_all(broker, f"{topic}.dlq", 2)
        reasons = [dict(r.headers)["lotse_dlq_reason"].decode() for r in dead]
        assert "unknown event type de.lotse.unknown.v1" in reasons[0]
        assert "payload does not match" in reasons[1]
        assert dict(dead[0].headers)["ce_id"] == b"1"
    finally:
        await bus.stop()


async def test_a_handler_that_keeps_failing_dead_letters_its_event(broker: EmbeddedBroker) -> None:
    topic = f"test.fail.{uuid.uuid4().hex[:8]}"
    bus = new_bus(broker)
    handled: list[str] = []

    async def handler(events: Sequence[CloudEvent]) -> None:
        if any(event.subject == "06000001" for event in events):
            raise RuntimeError("cannot apply this one")
        handled.extend(event.subject for event in events)

    bus.subscribe(f"g-{topic}", [topic], handler)
    bus.start_consumers()
    try:
        await bus.publish(municipality_event("06000001"), topic)
        await bus.publish(municipality_event("06000002"), topic)
        await eventually(lambda: asyncio.sleep(0, handled))
        assert handled == ["06000002"]
        dead = await read_all(broker, f"{topic}.dlq", 1)
        assert b"cannot apply this one" in dict(dead[0].headers)["lotse_dlq_reason"]
    finally:
        await bus.stop()


async def test_an_outage_of_the_database_is_waited_out_not_dead_lettered(
    broker: EmbeddedBroker,
) -> None:
    topic = f"test.outage.{uuid.uuid4().hex[:8]}"
    bus = new_bus(broker)
    attempts: list[str] = []

    async def handler(events: Sequence[CloudEvent]) -> None:
        attempts.extend(e.id for e in events)
        if len(attempts) <= 5:  # the database is away for the first attempts
            raise OperationalError("SELECT 1", {}, ConnectionRefusedError("db restarting"))

    bus.subscribe(f"g-{topic}", [topic], handler)
    bus.start_consumers()
    try:
        event = municipality_event()
        await bus.publish(event, topic)

        async def applied() -> bool:
            return len(attempts) > 5

        await eventually(applied, within=30)
        assert set(attempts) == {event.id}
        # A dead letter is sent and acknowledged before the event counts as handled, so
        # the dead-letter topic's end offsets say for certain whether one was written.
        dead_letters = await bus.end_offsets(f"{topic}.dlq")
        assert dead_letters, "the dead-letter topic exists (the consumer creates it)"
        assert sum(dead_letters.values()) == 0, "an outage is no reason to dead-letter"
    finally:
        await bus.stop()


async def test_consumer_killed_mid_work_loses_nothing_and_applies_nothing_twice(
    broker: EmbeddedBroker, db: Database
) -> None:
    topic = f"test.crash.{uuid.uuid4().hex[:8]}"
    group = f"g-{topic}"
    publisher = new_bus(broker)
    events = [municipality_event(f"06{n:06d}") for n in range(60)]
    for event in events:
        await publisher.publish(event, topic)
    started = asyncio.Event()

    async def slow_apply(session: AsyncSession, event: CloudEvent) -> None:
        await session.execute(insert(effects).values(event_id=event.id, subject=event.subject))
        started.set()
        await asyncio.sleep(0.02)  # work in progress when the consumer dies

    first = new_bus(broker)
    first.subscribe(group, [topic], idempotent(db, slow_apply))
    first.start_consumers()
    await asyncio.wait_for(started.wait(), 20)

    async def count() -> int:
        async with db.session() as session:
            return int(await session.scalar(select(func.count()).select_from(effects)) or 0)

    async def first_batch_committed() -> bool:
        return await count() > 0

    await eventually(first_batch_committed)  # later batches are in progress now
    task = first._subscriptions[0].task  # the test kills the consumer loop
    assert task is not None
    task.cancel()  # dies between its DB work and its offset commit
    with contextlib.suppress(asyncio.CancelledError):
        await task
    await first.stop()
    assert 0 < await count() < len(events), "the kill must happen mid-work"

    second = new_bus(broker)
    second.subscribe(group, [topic], idempotent(db, slow_apply))
    second.start_consumers()
    try:
        await eventually(lambda: _equals(count(), len(events)), within=30)
        async with db.session() as session:
            rows = (await session.execute(select(effects.c.event_id))).scalars().all()
        assert sorted(rows) == sorted(e.id for e in events)
    finally:
        await second.stop()
        await publisher.stop()


async def _equals(value: Awaitable[int], expected: int) -> bool:
    return await value == expected


async def test_dead_letters_can_be_replayed_once_the_cause_is_fixed(
    broker: EmbeddedBroker,
) -> None:
    topic = f"test.replay.{uuid.uuid4().hex[:8]}"
    bus = new_bus(broker)
    broken = True
    applied: list[str] = []

    async def handler(events: Sequence[CloudEvent]) -> None:
        if broken:
            raise ValueError("a bug in this consumer")
        applied.extend(e.id for e in events)

    bus.subscribe(f"g-{topic}", [topic], handler)
    bus.start_consumers()
    try:
        event = municipality_event()
        await bus.publish(event, topic)
        await read_all(broker, f"{topic}.dlq", 1)
        broken = False  # the bug is fixed and deployed
        replayer = new_bus(broker)
        try:
            assert await replayer.replay(f"{topic}.dlq") == 1
        finally:
            await replayer.stop()

        async def done() -> bool:
            return applied == [event.id]

        await eventually(done)
        back = await read_all(broker, topic, 2)
        assert not any(k.startswith("lotse_dlq_") for k, _ in back[1].headers)
    finally:
        await bus.stop()


async def test_a_read_back_holds_every_event_of_the_topic(broker: EmbeddedBroker) -> None:
    # The embedded broker reports a partition's end at the start of its last batch:
    # a read that stopped there would miss the rest of that batch.
    topic = f"lotse.test.{uuid.uuid4().hex[:8]}"
    bus = new_bus(broker)
    try:
        await bus.ensure_topics([topic])
        producer = await bus.producer()
        ids = [str(uuid.uuid4()) for _ in range(2009)]
        for chunk in (ids[:1999], ids[1999:]):  # one batch of 1999, one of 10
            sent = [
                await producer.send(topic, b"{}", key=b"k", headers=[("ce_id", i.encode())])
                for i in chunk
            ]
            await asyncio.gather(*sent)
        assert await bus.event_ids(topic) == set(ids)
        assert await bus.event_ids(f"lotse.test.{uuid.uuid4().hex[:8]}") == set()
    finally:
        await bus.stop()
