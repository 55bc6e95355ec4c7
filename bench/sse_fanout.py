"""Live-stream fan-out: 500 clients on /api/v1/events/stream, one project posted.

The platform runs as `lotse up` runs it, with the per-identity bound on open streams
raised for the benchmark (every client here comes from 127.0.0.1). The clients are
raw sockets in this process; each round posts one public project through the gateway
and measures, per client, from sending the POST to reading the event on its stream.
The same is reported from the 201 on, which leaves out the write itself. Usage:
python -m bench.sse_fanout [--clients 500] [--rounds 5]
"""

import argparse
import asyncio
import contextlib
import json
import os
import platform
import sys
import time
from urllib.parse import urlsplit

import httpx

from bench.platform import cpu_seconds, municipality_key, running_platform
from bench.propagation import percentiles


class StreamClient:
    """One open live stream; `arrived[title]` is when an event naming `title` was read."""

    def __init__(self) -> None:
        self.arrived: dict[str, float] = {}
        self.ready = asyncio.Event()
        self._news = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    async def open(self, host: str, port: int) -> None:
        reader, writer = await asyncio.open_connection(host, port)
        writer.write(
            b"GET /api/v1/events/stream HTTP/1.1\r\nHost: bench\r\n"
            b"Accept: text/event-stream\r\n\r\n"
        )
        head = await reader.readuntil(b"\r\n\r\n")
        if not head.startswith(b"HTTP/1.1 200"):
            raise RuntimeError(f"stream refused: {head.splitlines()[0]!r}")
        self._task = asyncio.create_task(self._read(reader, writer))

    async def _read(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while line := await reader.readline():
                if line.startswith(b"retry:"):
                    self.ready.set()
                elif line.startswith(b"data:"):
                    now = time.perf_counter()
                    entry = json.loads(line[5:])
                    title = entry["data"].get("project", {}).get("title", "")
                    self.arrived.setdefault(title, now)
                    self._news.set()
        except (ConnectionError, ValueError, KeyError):
            pass
        finally:
            writer.close()

    async def has(self, title: str) -> None:
        while title not in self.arrived:
            self._news.clear()
            await self._news.wait()

    def close(self) -> None:
        if self._task is not None:
            self._task.cancel()


async def fan_out(gateway: str, key: str, clients: int, rounds: int) -> dict[str, object]:
    url = urlsplit(gateway)
    host, port = url.hostname or "127.0.0.1", url.port or 80
    streams = [StreamClient() for _ in range(clients)]
    for start in range(0, clients, 50):  # not all at once: the accept queue is finite
        await asyncio.gather(*(s.open(host, port) for s in streams[start : start + 50]))
    await asyncio.wait_for(asyncio.gather(*(s.ready.wait() for s in streams)), 30)
    from_post: list[float] = []
    from_201: list[float] = []
    missing = 0
    async with httpx.AsyncClient(base_url=gateway, timeout=30) as client:
        for n in range(rounds):
            await asyncio.sleep(1.0)  # each event on its own
            title = f"Fan-out {n} {time.time_ns()}"
            posted = time.perf_counter()
            answer = await client.post(
                "/api/v1/projects",
                json={"title": title, "topics": ["mobility"], "visibility": "public"},
                headers={"Authorization": f"Bearer {key}"},
            )
            answered = time.perf_counter()
            answer.raise_for_status()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(asyncio.gather(*(s.has(title) for s in streams)), 10)
            for s in streams:
                if title not in s.arrived:
                    missing += 1
                    continue
                from_post.append(s.arrived[title] - posted)
                from_201.append(s.arrived[title] - answered)
    for s in streams:
        s.close()
    return {
        "from_post": percentiles(from_post),
        "from_201": percentiles(from_201),
        "missing": missing,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    env = {
        "LOTSE_GATEWAY_STREAM_PER_IDENTITY": str(args.clients + 10),
        "LOTSE_GATEWAY_STREAM_HEARTBEAT_SECONDS": "15",
    }
    with running_platform(env) as lotse:
        key = municipality_key(lotse.gateway)
        gateway_pid = lotse.pids["gateway"]
        cpu_before = cpu_seconds(gateway_pid)
        result = asyncio.run(fan_out(lotse.gateway, key, args.clients, args.rounds))
        gateway_cpu = cpu_seconds(gateway_pid) - cpu_before
    report = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {sys.version.split()[0]}",
        "load_average": os.getloadavg(),
        "clients": args.clients,
        "rounds": args.rounds,
        "gateway_cpu_seconds": round(gateway_cpu, 2),
        **result,
    }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
