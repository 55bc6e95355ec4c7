"""A hung service costs a caller at most its timeout, and then a fast 503."""

import asyncio
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from services.gateway.breaker import CircuitBreaker
from shared.cli.broker import EmbeddedBroker, free_port
from shared.kit.http import ServiceUnavailable
from tests.conftest import ADMIN_KEY, eventually
from tests.gateway.conftest import lone_gateway


@pytest.fixture
async def hung_service() -> AsyncIterator[tuple[str, list[bytes]]]:
    """A service that takes requests and never answers; it records each one."""
    seen: list[bytes] = []

    async def swallow(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while head := await reader.readuntil(b"\r\n\r\n"):
                seen.append(head.split(b"\r\n", 1)[0])
        except (asyncio.IncompleteReadError, ConnectionError):
            writer.close()

    port = free_port()
    server = await asyncio.start_server(swallow, "127.0.0.1", port)
    try:
        yield f"http://127.0.0.1:{port}", seen
    finally:
        server.close()


def in_front_of(
    url: str, broker: EmbeddedBroker, tmp_path: Path, **settings: Any
) -> AbstractAsyncContextManager[tuple[FastAPI, httpx.AsyncClient]]:
    """A gateway whose projects service is the one at `url`."""
    return lone_gateway(
        tmp_path, LOTSE_KAFKA_BOOTSTRAP=broker.bootstrap, service_urls={"projects": url}, **settings
    )


async def test_a_hung_service_opens_its_circuit_and_callers_get_a_fast_503(
    broker: EmbeddedBroker, tmp_path: Path, hung_service: tuple[str, list[bytes]]
) -> None:
    url, seen = hung_service
    async with in_front_of(
        url,
        broker,
        tmp_path,
        service_timeouts={"projects": 0.3},  # its own timeout, not the gateway's 15 s
        breaker_failures=2,
        breaker_open_seconds=60,
    ) as (_, client):
        timed_out = [(await client.get("/api/v1/projects")).status_code for _ in range(2)]
        assert timed_out == [504, 504]
        assert len(seen) == 2
        refused = await client.get("/api/v1/projects")
        assert refused.status_code == 503
        assert refused.headers["content-type"] == "application/problem+json"
        assert int(refused.headers["retry-after"]) > 50
        assert len(seen) == 2, "an open circuit does not ask the service"
        # The gateway's own routes do not depend on the service.
        assert (await client.get("/api/v1/topics")).status_code == 200


async def test_after_the_open_while_one_call_tries_again() -> None:
    breaker = CircuitBreaker(failures=2, open_seconds=0.05)
    breaker.admit()
    breaker.failed()
    breaker.admit()
    breaker.failed()
    with pytest.raises(ServiceUnavailable):
        breaker.admit()
    await asyncio.sleep(0.06)
    breaker.admit()  # the trial
    with pytest.raises(ServiceUnavailable):
        breaker.admit()  # the others wait for the trial's answer
    breaker.succeeded()
    breaker.admit()
    assert not breaker.open


async def test_a_failed_trial_opens_the_circuit_again() -> None:
    breaker = CircuitBreaker(failures=1, open_seconds=0.05)
    breaker.failed()
    await asyncio.sleep(0.06)
    breaker.admit()
    breaker.failed()
    assert breaker.open
    with pytest.raises(ServiceUnavailable):
        breaker.admit()


async def test_one_caller_cannot_hold_every_call_to_a_service(
    broker: EmbeddedBroker, tmp_path: Path, hung_service: tuple[str, list[bytes]]
) -> None:
    url, seen = hung_service
    async with in_front_of(
        url,
        broker,
        tmp_path,
        service_timeouts={"projects": 5},
        calls_per_identity=2,
    ) as (_, client):
        admin = {"Authorization": f"Bearer {ADMIN_KEY}"}
        waiting = [
            asyncio.create_task(client.get("/api/v1/projects", headers=admin)) for _ in range(2)
        ]
        await eventually(lambda: asyncio.sleep(0, len(seen) == 2), within=5)
        refused = await client.get("/api/v1/projects", headers=admin)
        assert refused.status_code == 429
        assert refused.headers["retry-after"] == "1"
        assert len(seen) == 2, "refused before it reached the service"
        # Another caller is not held up by the first one's calls.
        others = asyncio.create_task(client.get("/api/v1/projects"))
        await eventually(lambda: asyncio.sleep(0, len(seen) == 3), within=5)
        for task in [*waiting, others]:
            task.cancel()
