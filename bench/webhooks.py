"""Webhook delivery benchmark: signed deliveries per second to a local receiver.

The receiver is an aiohttp server in its own process on 127.0.0.1 (answers 204, checks
nothing). In the same run and with the same `WebhookClient` (connection pool, address
guard at connect, capped read), the baseline posts the same body unsigned; then the
same deliveries signed with one secret, and with two during a rotation. A plain aiohttp
session without the guard shows what the guard costs. The modes run in turns of equal
rounds, so load from others on the machine hits each alike; the client's CPU time per
delivery is reported beside the rate. Usage:
python -m bench.webhooks [--count 10000] [--concurrency 50] [--body-bytes 1024]
"""

import argparse
import asyncio
import json
import os
import platform
import sys
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

import aiohttp
from aiohttp import web

from shared.cli.broker import free_port
from shared.kit.webhooks import (
    DeliveryPolicy,
    EndpointSecrets,
    WebhookClient,
    build_payload,
    generate_secret,
    message_id,
    parse_cidrs,
)


def serve(port: int) -> None:
    """The receiver process."""

    async def hook(request: web.Request) -> web.Response:
        await request.read()
        return web.Response(status=204)

    app = web.Application()
    app.router.add_post("/hook", hook)
    web.run_app(app, host="127.0.0.1", port=port, print=None, access_log=None)


async def wait_listening(port: int) -> None:
    for _ in range(200):
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
        except OSError:
            await asyncio.sleep(0.05)
            continue
        writer.close()
        await writer.wait_closed()
        return
    raise RuntimeError("receiver did not start")


@dataclass
class Tally:
    count: int = 0
    failures: int = 0
    wall: float = 0.0
    cpu: float = 0.0
    latencies: list[float] = field(default_factory=list)

    def report(self) -> dict[str, float]:
        ordered = sorted(self.latencies)
        return {
            "deliveries_per_s": round(self.count / self.wall),
            "client_cpu_us_per_delivery": round(self.cpu / self.count * 1e6),
            "p50_ms": round(ordered[len(ordered) // 2] * 1000, 2),
            "p99_ms": round(ordered[int(len(ordered) * 0.99)] * 1000, 2),
            "failures": self.failures,
        }


async def run(
    send: Callable[[int], Awaitable[bool]], count: int, concurrency: int, tally: Tally
) -> None:
    next_index = iter(range(count))

    async def worker() -> None:
        for n in next_index:
            started = time.perf_counter()
            if not await send(n):
                tally.failures += 1
            tally.latencies.append(time.perf_counter() - started)

    wall, cpu = time.perf_counter(), time.process_time()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    tally.wall += time.perf_counter() - wall
    tally.cpu += time.process_time() - cpu
    tally.count += count


MODES = (
    "baseline_unsigned_same_client",
    "signed_one_secret",
    "signed_two_secrets_rotation",
    "reference_plain_aiohttp_no_guard",
)


async def bench(
    count: int, concurrency: int, body_bytes: int, rounds: int = 5
) -> dict[str, object]:
    port = free_port()
    receiver = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bench.webhooks", "--serve", str(port)
    )
    try:
        await wait_listening(port)
        url = f"http://127.0.0.1:{port}/hook"
        data = {"id": "call-1", "padding": "x" * max(0, body_bytes - 80)}
        body = build_payload("funding.call.published", data, datetime.now(UTC))
        one = EndpointSecrets(current=generate_secret())
        rotating, _ = one.rotate(datetime.now(UTC))
        policy = DeliveryPolicy(allowed_networks=parse_cidrs("127.0.0.0/8"))
        tallies = {name: Tally() for name in MODES}
        connector = aiohttp.TCPConnector(limit=concurrency)
        async with (
            WebhookClient(policy, limit=concurrency) as client,
            aiohttp.ClientSession(connector=connector) as session,
        ):

            async def unsigned(n: int) -> bool:
                headers = {"content-type": "application/json"}
                return (await client.post(url, body, headers)).ok

            async def signed(n: int) -> bool:
                return (await client.deliver(url, one, message_id(), body)).ok

            async def signed_rotation(n: int) -> bool:
                return (await client.deliver(url, rotating, message_id(), body)).ok

            async def raw(n: int) -> bool:
                async with session.post(url, data=body) as response:
                    await response.read()
                    return response.status == 204

            senders = dict(zip(MODES, (unsigned, signed, signed_rotation, raw), strict=True))
            for sender in senders.values():  # warm both connection pools
                await run(sender, min(200, count), concurrency, Tally())
            # Rounds in turn, so load from others on the shared machine hits every mode alike.
            for _ in range(rounds):
                for name, sender in senders.items():
                    await run(sender, count // rounds, concurrency, tallies[name])
        results: dict[str, object] = {name: t.report() for name, t in tallies.items()}
        return results
    finally:
        receiver.terminate()
        await asyncio.wait_for(receiver.wait(), timeout=10)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--count", type=int, default=10_000, help="deliveries per mode")
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--body-bytes", type=int, default=1024)
    parser.add_argument("--serve", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve)
        return
    try:
        import uvloop

        uvloop.install()
        loop_name = "uvloop"
    except ImportError:
        loop_name = "asyncio"
    results = asyncio.run(bench(args.count, args.concurrency, args.body_bytes))
    report = {
        "benchmark": "webhooks",
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {sys.version.split()[0]}",
        "loop": loop_name,
        "count": args.count,
        "concurrency": args.concurrency,
        "body_bytes": args.body_bytes,
        "aim": "1,000 signed deliveries/s",
        **results,
    }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
