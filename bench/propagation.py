"""Propagation benchmark: from the 201 of a write to its event consumed in another process.

The platform runs as `lotse up` runs it (one process per service, embedded broker);
this process publishes projects through the gateway and consumes `lotse.projects` with a
plain aiokafka consumer. The baseline, in the same run and broker: raw aiokafka
produce-to-consume. Usage: python -m bench.propagation [--count 500] [--rate 100]
"""

import argparse
import asyncio
import json
import os
import platform
import sys
import time
import uuid

import httpx
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from bench.platform import municipality_key, running_platform
from shared.contracts.topics import PROJECTS


def percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)

    def at(q: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(len(ordered) * q))] * 1000, 2)

    return {"p50_ms": at(0.50), "p95_ms": at(0.95), "p99_ms": at(0.99),
            "max_ms": round(ordered[-1] * 1000, 2), "n": len(ordered)}  # fmt: skip


async def listening_consumer(bootstrap: str, topic: str) -> AIOKafkaConsumer:
    consumer = AIOKafkaConsumer(
        topic, bootstrap_servers=bootstrap, group_id=f"bench-{uuid.uuid4().hex[:8]}",
        auto_offset_reset="latest", enable_auto_commit=False, fetch_max_wait_ms=20,
        session_timeout_ms=2000, heartbeat_interval_ms=500,
    )  # fmt: skip
    await consumer.start()
    for _ in range(200):  # the group join takes about a second
        if consumer.assignment():
            break
        await asyncio.sleep(0.05)
    await consumer.seek_to_end()
    return consumer


async def collect(consumer: AIOKafkaConsumer, seen: dict[bytes, float], wanted: int) -> None:
    while len(seen) < wanted:
        for records in (await consumer.getmany(timeout_ms=100)).values():
            now = time.perf_counter()
            for record in records:
                seen.setdefault(record.key or b"", now)


async def raw_kafka(bootstrap: str, count: int, rate: float) -> list[float]:
    topic = f"bench.raw.{uuid.uuid4().hex[:8]}"
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=1)
    await producer.start()
    await producer.send_and_wait(topic, b"warm-up", key=b"warm-up")
    consumer = await listening_consumer(bootstrap, topic)
    seen: dict[bytes, float] = {}
    sent: dict[bytes, float] = {}
    collector = asyncio.create_task(collect(consumer, seen, count))
    for n in range(count):
        key = f"m{n}".encode()
        await producer.send_and_wait(topic, b"{}", key=key)
        sent[key] = time.perf_counter()
        await asyncio.sleep(1 / rate)
    await asyncio.wait_for(collector, 30)
    await consumer.stop()
    await producer.stop()
    return [seen[k] - sent[k] for k in sent]


async def through_lotse(
    gateway: str, bootstrap: str, key: str, count: int, rate: float
) -> tuple[list[float], float]:
    consumer = await listening_consumer(bootstrap, PROJECTS)
    seen: dict[bytes, float] = {}
    answered: dict[bytes, float] = {}
    collector = asyncio.create_task(collect(consumer, seen, count))
    headers = {"Authorization": f"Bearer {key}"}
    async with httpx.AsyncClient(base_url=gateway, headers=headers, timeout=30) as client:
        started = time.perf_counter()
        for n in range(count):
            response = await client.post(
                "/api/v1/projects",
                json={"title": f"Projekt {n}", "topics": ["administration"]},
            )
            answered[response.json()["id"].encode()] = time.perf_counter()
            # Paced by the clock, not by sleeps after each answer: `rate` writes a second.
            await asyncio.sleep(max(0.0, started + (n + 1) / rate - time.perf_counter()))
        achieved = count / (time.perf_counter() - started)
    await asyncio.wait_for(collector, 60)
    await consumer.stop()
    # An event can arrive before this client has read the 201; that counts as 0.
    return [max(seen[k] - answered[k], 0.0) for k in answered], achieved


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=500)
    parser.add_argument("--rate", type=float, default=100.0, help="writes per second")
    args = parser.parse_args()
    with running_platform() as lotse:
        key = municipality_key(lotse.gateway)
        baseline = asyncio.run(raw_kafka(lotse.broker, args.count, args.rate))
        lotse_latency, achieved = asyncio.run(
            through_lotse(lotse.gateway, lotse.broker, key, args.count, args.rate)
        )
    report = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {sys.version.split()[0]}",
        "count": args.count,
        "rate_per_s": args.rate,
        "achieved_rate_per_s": round(achieved, 1),
        "raw_aiokafka_produce_to_consume": percentiles(baseline),
        "lotse_201_to_event_consumed": percentiles(lotse_latency),
    }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
