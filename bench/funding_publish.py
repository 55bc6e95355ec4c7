"""Funding alert latency: a call published through the gateway, to its signed webhook
received by a subscriber.

The platform runs as `lotse up` runs it (gateway, projects and funding service as their
own processes, embedded broker). An aiohttp receiver in this process verifies every
webhook with the `standardwebhooks` library and notes when it arrived; a coordinator
publishes calls at a steady rate, and the time from the gateway's `201` to the webhook
is measured (the webhook may arrive before the client has read its `201`: that counts
as 0). Baseline in the same run: the same signed payload posted straight to the same
receiver with the kit's WebhookClient (the floor of any delivery).
Usage: python -m bench.funding_publish [--count 300] [--rate 20]
"""

import argparse
import asyncio
import json
import os
import platform
import sys
import time
from datetime import UTC, datetime

import httpx
from aiohttp import web
from standardwebhooks import Webhook

from bench.platform import ADMIN_KEY, running_platform
from bench.propagation import percentiles
from shared.cli.broker import free_port
from shared.kit.webhooks import (
    DeliveryPolicy,
    EndpointSecrets,
    WebhookClient,
    build_payload,
    message_id,
    parse_cidrs,
)

CALL = {
    "title": "Benchmark-Aufruf",
    "funder": "Land Hessen",
    "funder_level": "land",
    "funding_types": ["zuschuss"],
    "topics": ["broadband"],
    "deadline_model": "rolling",
    "source_url": "https://example.org/aufruf",
}


class Receiver:
    def __init__(self) -> None:
        self.secret = ""
        self.arrived: dict[str, float] = {}
        self.awaited: set[str] = set()
        self.all_arrived = asyncio.Event()

    def await_all(self, keys: set[str]) -> None:
        self.awaited = keys
        self._check()

    def _check(self) -> None:
        if self.awaited and self.awaited <= self.arrived.keys():
            self.all_arrived.set()

    async def hook(self, request: web.Request) -> web.Response:
        body = await request.read()
        payload = Webhook(self.secret).verify(body, dict(request.headers))
        data = payload["data"]
        self.arrived[str(data["call"]["id"] if "call" in data else data["n"])] = time.perf_counter()
        self._check()
        return web.Response(status=204)


async def start_receiver(receiver: Receiver) -> tuple[web.AppRunner, str]:
    app = web.Application()
    app.router.add_post("/hook", receiver.hook)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    return runner, f"http://127.0.0.1:{port}/hook"


async def baseline(receiver: Receiver, url: str, count: int, rate: float) -> list[float]:
    """The same kind of signed delivery, posted straight to the receiver."""
    policy = DeliveryPolicy(allowed_networks=parse_cidrs("127.0.0.0/8"))
    secrets = EndpointSecrets(receiver.secret)
    samples = []
    async with WebhookClient(policy) as client:
        started = time.perf_counter()
        for n in range(count):
            body = build_payload("bench", {"n": n}, datetime.now(UTC))
            sent = time.perf_counter()
            await client.deliver(url, secrets, message_id(), body)
            samples.append(receiver.arrived[str(n)] - sent)
            await asyncio.sleep(max(0.0, started + (n + 1) / rate - time.perf_counter()))
    return samples


async def through_lotse(
    gateway: str, receiver: Receiver, url: str, count: int, rate: float
) -> tuple[list[float], float]:
    headers = {"Authorization": f"Bearer {ADMIN_KEY}"}
    async with httpx.AsyncClient(base_url=gateway, headers=headers, timeout=30) as client:
        created = await client.post(
            "/api/v1/subscriptions",
            json={"name": "Bench", "channel": "webhook", "url": url,
                  "filter": {"topics": ["broadband"]}},
        )  # fmt: skip
        created.raise_for_status()
        receiver.secret = created.json()["secret"]
        answered: dict[str, float] = {}
        started = time.perf_counter()
        for n in range(count):
            response = await client.post("/api/v1/funding-calls", json=CALL | {"title": f"B{n}"})
            response.raise_for_status()
            answered[response.json()["id"]] = time.perf_counter()
            await asyncio.sleep(max(0.0, started + (n + 1) / rate - time.perf_counter()))
        achieved = count / (time.perf_counter() - started)
    receiver.await_all(set(answered))
    try:
        await asyncio.wait_for(receiver.all_arrived.wait(), 60)
    except TimeoutError as exc:
        missing = answered.keys() - receiver.arrived.keys()
        raise RuntimeError(f"{len(missing)} webhooks never arrived") from exc
    return [max(receiver.arrived[k] - answered[k], 0.0) for k in answered], achieved


async def run(gateway: str, count: int, rate: float) -> dict[str, object]:
    receiver = Receiver()
    runner, url = await start_receiver(receiver)
    try:
        lotse, achieved = await through_lotse(gateway, receiver, url, count, rate)
        floor = await baseline(receiver, url, count, rate)
    finally:
        await runner.cleanup()
    return {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {sys.version.split()[0]}",
        "count": count,
        "rate_per_s": rate,
        "achieved_rate_per_s": round(achieved, 1),
        "baseline_signed_post_to_receiver": percentiles(floor),
        "lotse_201_to_webhook_received": percentiles(lotse),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=300)
    parser.add_argument("--rate", type=float, default=20.0, help="calls published per second")
    args = parser.parse_args()
    with running_platform() as lotse:
        report = asyncio.run(run(lotse.gateway, args.count, args.rate))
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
