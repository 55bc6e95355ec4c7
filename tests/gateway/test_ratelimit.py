"""Rate limits per key and per address: 429 with Retry-After, in process or in Redis."""

import asyncio
import uuid
from pathlib import Path

import pytest

from services.gateway.ratelimit import (
    CallBudget,
    Limit,
    MemoryRateLimiter,
    RedisRateLimiter,
    budget_address,
)
from shared.cli.broker import EmbeddedBroker, free_port
from tests.conftest import ADMIN_KEY, running_platform
from tests.gateway.conftest import lone_gateway

REDIS_URL = "redis://127.0.0.1:6379/0"


async def test_a_key_over_its_budget_gets_429_and_others_go_on(tmp_path: Path) -> None:
    async with running_platform(
        "sqlite", tmp_path, rate_limit_per_minute=6, rate_limit_burst=3
    ) as platform:
        busy = platform.client(await platform.key("reader"))
        other = platform.client(await platform.key("reader"))
        answers = [(await busy.get("/api/v1/topics")).status_code for _ in range(3)]
        assert answers == [200, 200, 200]
        refused = await busy.get("/api/v1/topics")
        assert refused.status_code == 429
        assert refused.headers["content-type"] == "application/problem+json"
        assert refused.json()["type"].endswith("too-many-requests")
        assert int(refused.headers["retry-after"]) >= 1
        # Forwarded calls count too, and are refused before they reach a service.
        assert (await busy.get("/api/v1/projects")).status_code == 429
        # Another key has its own budget.
        assert (await other.get("/api/v1/topics")).status_code == 200


async def test_guessing_keys_costs_the_address_its_budget(tmp_path: Path) -> None:
    async with running_platform(
        "sqlite",
        tmp_path,
        anonymous_rate_limit_per_minute=6,
        anonymous_rate_limit_burst=3,
    ) as platform:
        admin = platform.client(ADMIN_KEY)
        # A key the gateway looks up costs its address a call; then only its own budget.
        assert (await admin.get("/api/v1/topics")).status_code == 200
        guesses = [
            (await platform.client(guess).get("/api/v1/topics")).status_code
            for guess in ("lotse_guess_" + "0" * 32, "kurz", "lotse_guess_" + "1" * 32)
        ]
        assert guesses == [401, 401, 429]
        # Without a key, the same address's budget is spent as well.
        assert (await platform.client().get("/api/v1/topics")).status_code == 429
        # A key the gateway knows is not held up by its address.
        assert (await admin.get("/api/v1/topics")).status_code == 200


@pytest.mark.parametrize("kind", ["memory", "redis"])
async def test_a_bucket_refills_at_its_rate(kind: str) -> None:
    limiter = MemoryRateLimiter() if kind == "memory" else RedisRateLimiter(REDIS_URL)
    identity = f"test:{uuid.uuid4()}"
    limit = Limit(per_minute=600, burst=2)  # a call every 100 ms after two at once
    try:
        assert await limiter.wait_seconds(identity, limit) == 0
        assert await limiter.wait_seconds(identity, limit) == 0
        wait = await limiter.wait_seconds(identity, limit)
        assert 0 < wait <= 0.1
        await asyncio.sleep(wait + 0.01)
        assert await limiter.wait_seconds(identity, limit) == 0
        assert await limiter.wait_seconds(identity, Limit(per_minute=0, burst=1)) == 0
    finally:
        await limiter.close()


async def test_gateway_replicas_share_one_budget_in_redis() -> None:
    replicas = [RedisRateLimiter(REDIS_URL), RedisRateLimiter(REDIS_URL)]
    identity = f"key:{uuid.uuid4()}"
    slow = Limit(per_minute=1, burst=3)
    try:
        waits = [await replicas[n % 2].wait_seconds(identity, slow) for n in range(4)]
        assert waits[:3] == [0, 0, 0]
        assert waits[3] > 50  # a call a minute: the fourth waits most of one
    finally:
        for replica in replicas:
            await replica.close()


async def test_a_redis_that_does_not_answer_lets_calls_through(
    caplog: pytest.LogCaptureFixture,
) -> None:
    limiter = RedisRateLimiter(f"redis://127.0.0.1:{free_port()}/0")
    try:
        slow = Limit(per_minute=1, burst=1)
        assert [await limiter.wait_seconds("key:x", slow) for _ in range(3)] == [0, 0, 0]
        assert "Redis does not answer" in caplog.text
    finally:
        await limiter.close()


async def test_redis_url_puts_the_gateway_budget_in_redis(
    broker: EmbeddedBroker, tmp_path: Path
) -> None:
    async with lone_gateway(
        tmp_path,
        LOTSE_KAFKA_BOOTSTRAP=broker.bootstrap,
        LOTSE_REDIS_URL=REDIS_URL,
        rate_limit_per_minute=1,
        rate_limit_burst=2,
    ) as (gateway, client):
        assert isinstance(gateway.state.runtime.part(CallBudget).limiter, RedisRateLimiter)
        # A fresh key: its bucket in Redis is new, whatever ran before on this Redis.
        created = await client.post(
            "/api/v1/api-keys",
            json={"name": "t", "role": "reader"},
            headers={"Authorization": f"Bearer {ADMIN_KEY}"},
        )
        key = created.json()["key"]
        auth = {"Authorization": f"Bearer {key}"}
        statuses = [
            (await client.get("/api/v1/topics", headers=auth)).status_code for _ in range(3)
        ]
        assert statuses == [200, 200, 429]


def test_an_ipv6_caller_has_one_budget_for_its_network() -> None:
    assert budget_address("2001:db8:1:2::1") == budget_address("2001:db8:1:2:ffff::9")
    assert budget_address("2001:db8:1:2::1") != budget_address("2001:db8:1:3::1")
    assert budget_address("::ffff:203.0.113.7") == budget_address("203.0.113.7")
    assert budget_address("203.0.113.7") != budget_address("203.0.113.8")


async def test_the_api_document_and_its_page_cost_the_address_budget(
    broker: EmbeddedBroker, tmp_path: Path
) -> None:
    # The merged document asks every service when its cache is cold: not for free.
    nowhere = f"http://127.0.0.1:{free_port()}"
    async with lone_gateway(
        tmp_path,
        LOTSE_KAFKA_BOOTSTRAP=broker.bootstrap,
        service_urls={"projects": nowhere, "funding": nowhere, "knowledge": nowhere},
        anonymous_rate_limit_per_minute=6,
        anonymous_rate_limit_burst=3,
    ) as (_, client):
        answers = [(await client.get("/api/v1/openapi.json")).status_code for _ in range(3)]
        assert answers == [200, 200, 200]
        refused = await client.get("/api/v1/openapi.json")
        assert refused.status_code == 429
        assert refused.headers["content-type"] == "application/problem+json"
        assert int(refused.headers["retry-after"]) >= 1
        assert (await client.get("/docs")).status_code == 429
        # A key does not buy more of it: these pages are counted by address.
        admin = {"Authorization": f"Bearer {ADMIN_KEY}"}
        assert (await client.get("/api/v1/openapi.json", headers=admin)).status_code == 429
