"""Write benchmark: POST /api/v1/projects through the gateway, 32 concurrent clients.

Runs wrk (Debian package `wrk`) when it is installed, otherwise a Python load
generator; measures the bare FastAPI baseline the same way in the same run.
Usage: python -m bench.write [--seconds 20] [--connections 32]
"""

import argparse
import asyncio
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from bench.platform import cpu_seconds, municipality_key, running_platform, uvicorn_process
from shared.cli.broker import free_port

BODY = json.dumps({
    "title": "Digitaler Bauantrag", "summary": "Bauanträge online stellen.",
    "topics": ["administration", "citizen_services"], "status": "planned",
    "visibility": "public", "tags": ["OZG"],
})  # fmt: skip

WRK_SCRIPT = """
wrk.method = "POST"
wrk.body = [[{body}]]
wrk.headers["Content-Type"] = "application/json"
{auth}
"""


def run_wrk(url: str, key: str | None, seconds: int, connections: int) -> dict[str, float]:
    auth = f'wrk.headers["Authorization"] = "Bearer {key}"' if key else ""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_SCRIPT.format(body=BODY, auth=auth))
    out = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "-s", script.name, url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    requests = re.search(r"Requests/sec:\s+([\d.]+)", out)
    if requests is None:
        raise SystemExit("wrk printed no Requests/sec:\n" + out)
    rps = float(requests.group(1))
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)", out)
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}
    return {
        "rps": rps,
        "errors": float(non2xx.group(1)) if non2xx else 0.0,
        "p99_ms": float(p99.group(1)) * scale[p99.group(2)] if p99 else float("nan"),
    }


async def python_load(
    url: str, key: str | None, seconds: int, connections: int
) -> dict[str, float]:
    headers = {"Content-Type": "application/json"} | (
        {"Authorization": f"Bearer {key}"} if key else {}
    )
    latencies: list[float] = []
    errors = 0
    deadline = time.perf_counter() + seconds
    limits = httpx.Limits(max_connections=connections)
    async with httpx.AsyncClient(limits=limits, timeout=30) as client:

        async def worker() -> None:
            nonlocal errors
            while time.perf_counter() < deadline:
                started = time.perf_counter()
                response = await client.post(url, content=BODY, headers=headers)
                latencies.append(time.perf_counter() - started)
                errors += response.status_code >= 300

        await asyncio.gather(*(worker() for _ in range(connections)))
    latencies.sort()
    return {
        "rps": len(latencies) / seconds,
        "errors": float(errors),
        "p99_ms": latencies[int(len(latencies) * 0.99)] * 1000,
    }


def load(url: str, key: str | None, seconds: int, connections: int) -> dict[str, float]:
    if shutil.which("wrk"):
        return run_wrk(url, key, seconds, connections)
    return asyncio.run(python_load(url, key, seconds, connections))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--connections", type=int, default=32)
    args = parser.parse_args()
    generator = "wrk" if shutil.which("wrk") else "python httpx (install wrk for less overhead)"

    port = free_port()
    bare = uvicorn_process(
        "bench.bare:app", port, dict(os.environ), Path(os.devnull), factory=False
    )
    try:
        for _ in range(100):
            try:
                httpx.get(f"http://127.0.0.1:{port}/bare")
                break
            except httpx.HTTPError:
                time.sleep(0.1)
        baseline = load(f"http://127.0.0.1:{port}/bare", None, args.seconds, args.connections)
    finally:
        bare.terminate()
        bare.wait()

    with running_platform() as lotse:
        key = municipality_key(lotse.gateway)
        load(f"{lotse.gateway}/api/v1/projects", key, 3, args.connections)  # warm-up
        before = {name: cpu_seconds(pid) for name, pid in lotse.pids.items()}
        result = load(f"{lotse.gateway}/api/v1/projects", key, args.seconds, args.connections)
        time.sleep(2)  # the relay and the feed consumer finish their share of the work
        writes = result["rps"] * args.seconds
        result |= {
            f"{name}_cpu_ms_per_write": round((cpu_seconds(pid) - before[name]) / writes * 1000, 2)
            for name, pid in lotse.pids.items()
        }
        result["cpu_ms_per_write"] = round(
            sum(result[f"{name}_cpu_ms_per_write"] for name in lotse.pids), 2
        )
    report = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {sys.version.split()[0]}",
        "generator": generator,
        "connections": args.connections,
        "seconds": args.seconds,
        "bare_fastapi_post": baseline,
        "gateway_post_project": result,
        "ratio_to_bare": round(result["rps"] / baseline["rps"], 3),
    }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
