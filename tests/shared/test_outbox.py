"""The outbox relay: in order per key, through broker outages, refilling an empty broker."""

import asyncio

from shared.cli.broker import EmbeddedBroker, free_port
from shared.contracts import REGISTRY
from shared.contracts.gateway import MunicipalityCreated, MunicipalityUpdated
from shared.contracts.topics import GATEWAY
from shared.kit.bus import EventBus
from shared.kit.db import Database
from shared.kit.events import decode
from shared.kit.outbox import OutboxRelay, add_event
from tests.conftest import eventually
from tests.shared.test_bus import municipality_event, read_all


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
        event = decode(record.headers, record.value, REGISTRY)
        seen.setdefault(event.subject, []).append(event.data.municipality.version)  # type: ignore[attr-defined]
    return seen


async def test_relay_publishes_right_after_commit_in_order_per_key(db: Database) -> None:
    broker = EmbeddedBroker(free_port())
    broker.start()
    bus = EventBus(broker.bootstrap, client_id="test", events=REGISTRY)
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
    db: Database,
) -> None:
    broker = EmbeddedBroker(free_port())
    bus = EventBus(broker.bootstrap, client_id="test", events=REGISTRY, request_timeout_ms=1000)
    relay = OutboxRelay(db, bus, service="test", poll_seconds=0.2)
    relay.start()  # the broker is not even there yet
    try:
        await write_events(db, ["06000001", "06000002"], versions=5)
        await asyncio.sleep(1.0)
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


async def test_a_broker_that_restarts_empty_is_refilled_with_the_latest_events(
    db: Database,
) -> None:
    broker = EmbeddedBroker(free_port())
    broker.start()
    bus = EventBus(broker.bootstrap, client_id="test", events=REGISTRY, request_timeout_ms=1000)
    relay = OutboxRelay(db, bus, service="test", poll_seconds=0.2, check_seconds=0.5)
    relay.start()
    try:
        subjects = [f"06{n:06d}" for n in range(10)]
        await write_events(db, subjects, versions=3)
        await read_all(broker, GATEWAY, 30)
        broker.stop()
        broker.start()  # same port, nothing in memory

        async def refilled() -> dict[str, list[int]]:
            return versions_by_key(await read_all(broker, GATEWAY, 10))

        latest = await eventually(refilled, within=30)
        assert latest == {s: [3] for s in subjects}
    finally:
        await relay.stop()
        await bus.stop()
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
    bus = EventBus(broker.bootstrap, client_id="test", events=REGISTRY)
    relay = OutboxRelay(db, bus, service="test")
    try:
        assert await relay.publish_pending() == 0
    finally:
        await bus.stop()
