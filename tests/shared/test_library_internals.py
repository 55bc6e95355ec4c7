"""The few private parts of libraries the kit leans on, fenced: an upgrade that moves
them fails here, by name, instead of somewhere deep in the suite or in production.

- aiosqlite: `Connection._execute`, `_running` and `_connection`, overridden in
  shared/kit/db.py so SQLite statements run on the event loop's thread.
- aiokafka: `AIOKafkaConsumer._client.force_metadata_update()` and
  `._client.cluster.brokers()`, used by shared/kit/bus.py for readiness, end offsets
  of topics the probe has not seen yet, and replays.
"""

import inspect
import threading
from pathlib import Path

import aiosqlite
from aiokafka import AIOKafkaConsumer

from shared.cli.broker import EmbeddedBroker
from shared.contracts import REGISTRY
from shared.kit.bus import EventBus
from shared.kit.db import Database


def test_aiosqlite_still_funnels_every_call_through_execute() -> None:
    execute = getattr(aiosqlite.Connection, "_execute", None)
    assert execute is not None and inspect.iscoroutinefunction(execute), (
        "aiosqlite.Connection._execute is gone or no longer a coroutine: "
        "shared/kit/db.py's _InlineSQLiteConnection must follow"
    )
    assert list(inspect.signature(execute).parameters)[:2] == ["self", "fn"], (
        "aiosqlite.Connection._execute(self, fn, ...) changed its signature"
    )
    source = inspect.getsource(aiosqlite.Connection)
    assert "self._running" in source and "self._connection" in source, (
        "aiosqlite.Connection no longer keeps _running/_connection"
    )


async def test_sqlite_statements_run_on_the_event_loops_thread(tmp_path: Path) -> None:
    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'inline.db'}")
    threads: list[int] = []

    def which_thread() -> int:
        threads.append(threading.get_ident())
        return 1

    try:
        async with db.engine.connect() as conn:
            raw = await conn.get_raw_connection()
            driver = raw.driver_connection
            assert driver is not None
            await driver.create_function("which_thread", 0, which_thread)
            await conn.exec_driver_sql("SELECT which_thread()")
    finally:
        await db.dispose()
    assert threads == [threading.get_ident()], "the override no longer takes effect"


async def test_aiokafka_consumer_still_has_the_client_the_bus_asks(
    broker: EmbeddedBroker,
) -> None:
    consumer = AIOKafkaConsumer(bootstrap_servers=broker.bootstrap, enable_auto_commit=False)
    await consumer.start()
    try:
        client = getattr(consumer, "_client", None)
        assert client is not None, "AIOKafkaConsumer._client is gone: shared/kit/bus.py"
        assert await client.force_metadata_update() in (True, False)
        assert client.cluster.brokers(), "the client's cluster metadata lists no broker"
    finally:
        await consumer.stop()
    bus = EventBus(broker.bootstrap, client_id="fence", events=REGISTRY)
    try:
        await bus.ping()
        assert await bus.end_offsets("fence.never.written") == {}
    finally:
        await bus.stop()
