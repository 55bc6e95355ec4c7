"""The outbox relay: in order per key, through broker outages, refilling an empty broker."""

import asyncio
import contextlib
import json
import logging
import uuid
from collections.abc import AsyncIterator, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from aiokafka import AIOKafkaConsumer
from prometheus_client import REGISTRY
from sqlalchemy import insert, select

from shared.cli.broker import EmbeddedBroker, free_port
from shared.contracts import REGISTRY as EVENTS
from shared.contracts.gateway import MunicipalityCreated, MunicipalityUpdated
from shared.contracts.topics import GATEWAY
from shared.kit.bus import EventBus, OutgoingRecord
from shared.kit.db import Database, table_of
from shared.kit.events import CloudEvent, decode
from shared.kit.outbox import OutboxEvent, OutboxRelay, add_event
from tests.conftest import eventually
from tests.shared.test_bus import municipality_event, read_all

pytestmark = pytest.mark.long  # minutes: started first (tests/conftest.py)


async def write_events(db: Database, subjects: list[str], versions: int) -> None:
    """`versions` updates of each subject, interleaved, each in its own transaction."""
    for version in range(1, versions + 1):
        for subject in subjects:
            snapshot = municipality_event(subject).data.municipality  # type: ignore[attr-defined]
            payload = MunicipalityUpdated(
                municipality=snapshot.model_copy(update={"version": version}), changed=["name"]
            )
            async with db.session() as session:
                await add_event(session, payload, source="/lotse/test", subject=subject)
                await session.commit()


def versions_by_key(records: list) -> dict[str, list[int]]:  # type: ignore[type-arg]
    seen: dict[str, list[int]] = {}
    for record in records:
        event = decode(record.headers, record.value, EVENTS)
        seen.setdefault(event.subject, []).append(event.data.municipality.version)  # type: ignore[attr-defined]
    return seen


async def test_relay_publishes_right_after_commit_in_order_per_key(db: Database) -> None:
    broker = EmbeddedBroker(free_port())
    broker.start()
    bus = EventBus(broker.bootstrap, client_id="test", events=EVENTS)
    relay = OutboxRelay(db, bus, service="test", poll_seconds=30)  # no polling: wake-up only
    relay.start()
    try:
        subjects = ["06000001", "06000002", "06000003"]
        await write_events(db, subjects, versions=20)
        records = await read_all(broker, GATEWAY, 60)
        assert versions_by_key(records) == {s: list(range(1, 21)) for s in subjects}
        headers = dict(records[0].headers)
        assert headers["ce_type"] == b"de.lotse.municipality.updated.v1"
        assert records[0].key == headers["ce_subject"]
    finally:
        await relay.stop()
        await bus.stop()
        broker.stop()


async def test_writes_succeed_while_the_broker_is_down_and_are_published_later(
    db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    broker = EmbeddedBroker(free_port())
    bus = EventBus(broker.bootstrap, client_id="test", events=EVENTS, request_timeout_ms=1000)
    relay = OutboxRelay(db, bus, service="test", poll_seconds=0.2)
    relay.start()  # the broker is not even there yet
    try:
        with caplog.at_level(logging.WARNING, logger="lotse.outbox"):
            await write_events(db, ["06000001", "06000002"], versions=5)

            async def relay_tried_and_waits() -> bool:
                return any("outbox relay of test waits" in r.message for r in caplog.records)

            await eventually(relay_tried_and_waits)  # the writes are in, the broker away
        broker.start()
        records = await read_all(broker, GATEWAY, 10)
        assert versions_by_key(records) == {
            "06000001": [1, 2, 3, 4, 5],
            "06000002": [1, 2, 3, 4, 5],
        }
    finally:
        await relay.stop()
        await bus.stop()
        broker.stop()


async def test_a_broker_that_restarts_empty_is_refilled_with_every_recent_event(
    db: Database,
) -> None:
    broker = EmbeddedBroker(free_port())
    broker.start()
    bus = EventBus(broker.bootstrap, client_id="test", events=EVENTS, request_timeout_ms=1000)
    relay = OutboxRelay(db, bus, service="test", poll_seconds=0.2, check_seconds=0.5)
    relay.start()
    try:
        subjects = [f"06{n:06d}" for n in range(10)]
        await write_events(db, subjects, versions=3)
        await read_all(broker, GATEWAY, 30)
        broker.kill()
        broker.start()  # same port, nothing in memory

        async def refilled() -> dict[str, list[int]]:
            return versions_by_key(await read_all(broker, GATEWAY, 30))

        # Every event of the retention window, not just the latest: a consumer that had
        # not read them yet when the broker died gets them all, in order per aggregate.
        assert await eventually(refilled, within=30) == {s: [1, 2, 3] for s in subjects}
    finally:
        await relay.stop()
        await bus.stop()
        broker.stop()


async def insert_sent(db: Database, rows: list[tuple[str, int, datetime]]) -> None:
    """Outbox rows (subject, version, occurred_at) as if published long ago."""
    values = []
    for subject, version, occurred_at in rows:
        snapshot = municipality_event(subject).data.municipality  # type: ignore[attr-defined]
        payload = MunicipalityUpdated(
            municipality=snapshot.model_copy(update={"version": version}), changed=["name"]
        )
        values.append(
            {"event_id": str(uuid.uuid4()), "topic": GATEWAY, "key": subject,
             "type": "de.lotse.municipality.updated.v1", "source": "/lotse/test",
             "occurred_at": occurred_at, "payload": payload.model_dump_json(),
             "sent_at": occurred_at}
        )  # fmt: skip
    async with db.session() as session:
        await session.execute(insert(table_of(OutboxEvent)), values)
        await session.commit()


@contextlib.asynccontextmanager
async def own_broker() -> AsyncIterator[EmbeddedBroker]:
    """A broker of this test alone: what it holds is what the test put there."""
    broker = EmbeddedBroker(free_port())
    broker.start()
    try:
        yield broker
    finally:
        broker.stop()


async def test_a_refill_is_read_back_and_what_the_broker_lost_goes_out_again(
    db: Database,
) -> None:
    # A broker can lose acknowledged records without ever handing out an offset twice
    # (the embedded one does when reconnecting clients make it create a topic twice):
    # after a refill, the relay reads the topic back and publishes what is missing.
    async with own_broker() as broker:
        bus = EventBus(broker.bootstrap, client_id="test", events=EVENTS, request_timeout_ms=1000)
        relay = OutboxRelay(db, bus, service="test")
        try:
            hour_ago = datetime.now(UTC) - timedelta(hours=1)
            await insert_sent(db, [(f"06{n:06d}", 1, hour_ago) for n in range(20)])
            await relay.refill(GATEWAY)
            assert await relay.refill_step() == 20
            # Three more went out during the refill and were acknowledged, then lost.
            minute_ago = datetime.now(UTC) - timedelta(minutes=1)
            await insert_sent(db, [(f"07{n:06d}", 1, minute_ago) for n in range(3)])
            assert relay.refilling

            assert await relay.verify_refilled() == 3
            assert relay.refill_pending == 3
            assert await relay.refill_step() == 3
            assert await relay.verify_refilled() == 0  # now the broker holds all of them
            assert relay.refill_pending == 0
            assert len(versions_by_key(await read_all(broker, GATEWAY, 23))) == 23
        finally:
            await bus.stop()


class RefillDuringReadBack(EventBus):
    """The real bus; while it reads a topic back, the relay notices another loss."""

    relay: OutboxRelay | None

    async def event_ids(self, topic: str) -> set[str]:
        ids = await super().event_ids(topic)
        if self.relay is not None:
            await self.relay.refill(topic)
        return ids


async def test_a_refill_that_begins_during_a_read_back_is_read_back_too(db: Database) -> None:
    async with own_broker() as broker:
        bus = RefillDuringReadBack(broker.bootstrap, client_id="test", events=EVENTS)
        relay = bus.relay = OutboxRelay(db, bus, service="test")
        try:
            await insert_sent(db, [("06000001", 1, datetime.now(UTC))])
            await relay.refill(GATEWAY)
            assert await relay.refill_step() == 1
            assert await relay.verify_refilled() == 0  # all there, but refilled meanwhile
            bus.relay = None  # no more losses noticed
            assert await relay.refill_step() == 1
            # The second refill is read back in its turn: what it lost goes out again.
            await insert_sent(db, [("06000003", 1, datetime.now(UTC) - timedelta(minutes=1))])
            assert await relay.verify_refilled() == 1
        finally:
            await bus.stop()


class RefillDuringSend(EventBus):
    """The real bus; while a batch is on its way, the relay notices a loss."""

    relay: OutboxRelay

    async def send(self, records: Sequence[OutgoingRecord]) -> list[Any]:
        results = await super().send(records)
        await self.relay.refill(GATEWAY)
        return results


async def test_events_on_their_way_when_a_loss_is_noticed_go_out_again(db: Database) -> None:
    async with own_broker() as broker:
        bus = RefillDuringSend(broker.bootstrap, client_id="test", events=EVENTS)
        relay = bus.relay = OutboxRelay(db, bus, service="test")
        try:
            await write_events(db, ["06000002"], versions=1)
            assert await relay.publish_pending() == 1
            async with db.session() as session:
                row = (await session.scalars(select(OutboxEvent))).one()
            # Sent, and taken for the refill: the broker that forgot may have had it.
            assert row.sent_at is not None and row.refill
        finally:
            await bus.stop()


async def outbox_versions(db: Database) -> dict[str, list[int]]:
    async with db.session() as session:
        rows = await session.scalars(select(OutboxEvent).order_by(OutboxEvent.seq))  # type: ignore[arg-type]
        seen: dict[str, list[int]] = {}
        for row in rows:
            version = json.loads(row.payload)["municipality"]["version"]
            seen.setdefault(row.key, []).append(version)
        return seen


async def test_prune_keeps_every_event_of_the_retention_window(
    db: Database, broker: EmbeddedBroker
) -> None:
    now = datetime.now(UTC)
    await insert_sent(
        db,
        [
            ("06000001", 1, now - timedelta(days=20)),
            ("06000001", 2, now - timedelta(days=10)),
            ("06000001", 3, now - timedelta(days=2)),
            ("06000002", 1, now - timedelta(days=9)),
            ("06000002", 2, now - timedelta(days=8)),
            ("06000003", 1, now - timedelta(hours=5)),
            ("06000003", 2, now - timedelta(hours=4)),
            ("06000003", 3, now - timedelta(minutes=1)),
        ],
    )
    bus = EventBus(broker.bootstrap, client_id="test", events=EVENTS)
    relay = OutboxRelay(db, bus, service="test", retention=timedelta(days=7))
    try:
        assert await relay.prune() == 3
    finally:
        await bus.stop()
    # Older than the window: only the latest of each aggregate; inside it: everything.
    assert await outbox_versions(db) == {"06000001": [3], "06000002": [2], "06000003": [1, 2, 3]}


def metric(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


async def distinct_event_ids(broker: EmbeddedBroker, topic: str, expected: int) -> set[str]:
    """The distinct events `topic` holds, read from its beginning until `expected` are
    seen or nothing more arrives for a few seconds (the refill is paced)."""
    reader = AIOKafkaConsumer(
        topic, bootstrap_servers=broker.bootstrap, auto_offset_reset="earliest", group_id=None
    )
    await reader.start()
    seen: set[str] = set()
    quiet_since = asyncio.get_running_loop().time()
    try:
        while len(seen) < expected and asyncio.get_running_loop().time() - quiet_since < 5:
            batch = await reader.getmany(timeout_ms=200, max_records=2000)
            for records in batch.values():
                seen.update(dict(r.headers)["ce_id"].decode() for r in records)
                quiet_since = asyncio.get_running_loop().time()
    finally:
        await reader.stop()
    return seen


async def test_a_large_history_does_not_delay_a_new_event_after_an_empty_restart(
    db: Database,
) -> None:
    service = f"test-{uuid.uuid4().hex[:8]}"  # metrics of this test only
    broker = EmbeddedBroker(free_port())
    broker.start()
    publisher = EventBus(broker.bootstrap, client_id="test", events=EVENTS, request_timeout_ms=1000)
    consumer = EventBus(broker.bootstrap, client_id="test", events=EVENTS, session_timeout_ms=2000)
    relay = OutboxRelay(db, publisher, service=service, poll_seconds=0.2, check_seconds=0.5)
    received: set[str] = set()

    async def handler(events: Sequence[CloudEvent]) -> None:
        received.update(event.id for event in events)

    consumer.subscribe(f"g-{service}", [GATEWAY], handler)
    consumer.start_consumers()
    try:
        history = 10_000
        now = datetime.now(UTC)
        await insert_sent(db, [(f"06{n:06d}", 1, now - timedelta(hours=1)) for n in range(history)])
        relay.start()
        await write_events(db, ["06534014"], versions=1)
        await eventually(lambda: asyncio.sleep(0, len(received) >= 1))
        broker.kill()
        broker.start()  # empty: the whole history has to go out again
        async with db.session() as session:
            new_id = await add_event(
                session,
                MunicipalityUpdated(
                    municipality=municipality_event("06534015").data.municipality,  # type: ignore[attr-defined]
                    changed=["name"],
                ),
                source="/lotse/test",
                subject="06534015",
            )
            await session.commit()
        # New events do not queue behind the refill: the new one is on the broker while
        # the history (paced, over 5 s) is still going out again. No clock in this test.
        await eventually(lambda: asyncio.sleep(0, new_id in received), within=60)
        assert metric("lotse_outbox_refill_pending", service=service) > 0
        # The operator sees the refill: started, and how much is left.
        assert metric("lotse_outbox_refills_total", service=service, topic=GATEWAY) >= 1

        async def refilled() -> bool:
            return not relay.refilling

        await eventually(refilled, within=60)
        assert metric("lotse_outbox_refill_pending", service=service) == 0
        assert metric("lotse_outbox_refill_published_total", service=service, topic=GATEWAY) >= (
            history
        )
        # Every event of the window is on the broker again, read afresh: the history,
        # the first and the new one; and the consumer that ran through the crash saw
        # each of them.
        on_broker = await distinct_event_ids(broker, GATEWAY, history + 2)
        assert len(on_broker) == history + 2
        await eventually(lambda: asyncio.sleep(0, received >= on_broker), within=10)
    finally:
        await relay.stop()
        await consumer.stop()
        await publisher.stop()
        broker.stop()


async def test_an_event_staged_in_a_rolled_back_transaction_is_never_published(
    db: Database, broker: EmbeddedBroker
) -> None:
    async with db.session() as session:
        await add_event(
            session,
            MunicipalityCreated(municipality=municipality_event().data.municipality),  # type: ignore[attr-defined]
            source="/lotse/test",
            subject="06534014",
        )
        await session.rollback()
    bus = EventBus(broker.bootstrap, client_id="test", events=EVENTS)
    relay = OutboxRelay(db, bus, service="test")
    try:
        assert await relay.publish_pending() == 0
    finally:
        await bus.stop()
