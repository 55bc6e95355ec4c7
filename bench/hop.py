"""The gateway's hop alone: small JSON answers over kept connections, CPU per request.

A socket server in this process answers every request with the same small JSON (as a
service's read would, with its length); `shared.kit.hop.HopClient` asks it from 8
concurrent callers. CPU time of the process per request is the figure: it includes the
server's share, which is the same in every run, and hardly moves with other load on
the machine, unlike requests per second. Usage: python -m bench.hop [--requests 40000]
"""

import argparse
import asyncio
import json
import os
import platform
import sys
import time

from shared.kit.hop import HopClient

BODY = json.dumps({"id": "0" * 32, "title": "Digitaler Bauantrag", "topics": ["mobility"]})
ANSWER = (
    'HTTP/1.1 200 OK\r\ncontent-type: application/json\r\netag: "1"\r\n'
    f"content-length: {len(BODY)}\r\n\r\n{BODY}"
).encode()


class Service(asyncio.Protocol):
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        # One request per read: the client sends the next only after its answer.
        self.transport.write(ANSWER)  # type: ignore[attr-defined]


async def run(requests: int, callers: int) -> dict[str, float]:
    loop = asyncio.get_running_loop()
    server = await loop.create_server(Service, "127.0.0.1", 0)
    url = f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}"
    client = HopClient(connect_timeout=1, read_timeout=5)
    headers = {"authorization": "Bearer " + "x" * 300, "accept": "application/json"}

    async def caller(count: int) -> None:
        for _ in range(count):
            answer = await client.request("GET", url, "/api/v1/projects/1", headers=headers)
            assert answer.content == BODY.encode()

    await asyncio.gather(*(caller(200) for _ in range(callers)))  # warm-up
    cpu, wall = time.process_time(), time.perf_counter()
    await asyncio.gather(*(caller(requests // callers) for _ in range(callers)))
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    await client.close()
    server.close()
    return {
        "requests": requests,
        "cpu_us_per_request": round(cpu / requests * 1e6, 1),
        "requests_per_second": round(requests / wall),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=40_000)
    parser.add_argument("--callers", type=int, default=8)
    args = parser.parse_args()
    try:
        import uvloop

        uvloop.install()
    except ImportError:  # pragma: no cover - part of uvicorn[standard]
        pass
    result = asyncio.run(run(args.requests, args.callers))
    report = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {sys.version.split()[0]}",
        "load_average": os.getloadavg(),
        "tree": os.getcwd(),
        **result,
    }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
