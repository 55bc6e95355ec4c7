"""Gateway overhead: the same GET through the gateway and straight to the service, one run.

The platform runs as `lotse up` runs it; the direct calls carry an internal token signed
for the same municipality the gateway's key stands for, so the service does the same
work both ways. Two reads: one project, and a page of 20. Each is measured twice with
wrk: with one connection (latency without queueing: what the hop adds to a request)
and with 32 (throughput). Usage:
python -m bench.gateway_overhead [--seconds 10] [--connections 32]
"""

import argparse
import json
import os
import platform
import re
import shutil
import subprocess
import sys
from collections.abc import Callable

import httpx

from bench.platform import BenchPlatform, cpu_seconds, municipality_key, running_platform
from shared.kit.auth import Principal, Role, sign_internal_token
from shared.kit.settings import DEV_INTERNAL_SECRET

AGS = "06534014"
SCALE = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def wrk_get(url: str, token: str, seconds: int, connections: int) -> dict[str, float]:
    """Requests per second, p50 and p99 of GET `url` with `token` (wrk, 1 or 2 threads)."""
    threads = min(2, connections)
    out = subprocess.run(
        ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency",
         "-H", f"Authorization: Bearer {token}", url],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    p50 = re.search(r"50%\s+([\d.]+)(us|ms|s)", out)
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)", out)
    if rps is None or p50 is None or p99 is None:
        raise SystemExit("wrk printed no figures:\n" + out)
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {
        "rps": float(rps.group(1)),
        "p50_ms": round(float(p50.group(1)) * SCALE[p50.group(2)], 3),
        "p99_ms": round(float(p99.group(1)) * SCALE[p99.group(2)], 3),
        "errors": float(non2xx.group(1)) if non2xx else 0.0,
    }


def measured(
    lotse: BenchPlatform,
    load: Callable[[str, str, int, int], dict[str, float]],
    url: str,
    token: str,
    args: argparse.Namespace,
    connections: int,
) -> dict[str, float]:
    """`load`'s figures plus the CPU time the gateway and the service spent per request:
    on a shared machine the steadier figure (latency follows the neighbours' load)."""
    pids = {name: lotse.pids[name] for name in ("gateway", "projects")}
    before = {name: cpu_seconds(pid) for name, pid in pids.items()}
    result = load(url, token, args.seconds, connections)
    requests = max(1.0, result["rps"] * args.seconds)
    for name, pid in pids.items():
        result[f"{name}_cpu_ms"] = round((cpu_seconds(pid) - before[name]) / requests * 1000, 3)
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--reads", nargs="+", default=["project", "list"])
    parser.add_argument("--latency-only", action="store_true", help="one connection only")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("this benchmark needs wrk: apt-get install wrk")

    with running_platform() as lotse:
        key = municipality_key(lotse.gateway, AGS)
        owner = {"Authorization": f"Bearer {key}"}
        for n in range(50):
            created = httpx.post(
                f"{lotse.gateway}/api/v1/projects",
                json={"title": f"Projekt {n}", "topics": ["mobility"], "visibility": "public",
                      "summary": "Ein Projekt, wie es viele gibt."},
                headers=owner,
            )  # fmt: skip
            created.raise_for_status()
        project = created.json()["id"]
        # What a read may see depends on role and AGS only, not on which key it is.
        principal = Principal(role=Role.MUNICIPALITY, subject="key:bench", ags=AGS)
        reads = {"project": f"/api/v1/projects/{project}", "list": "/api/v1/projects?limit=20"}
        results: dict[str, dict[str, object]] = {}
        for name in args.reads:
            path = reads[name]
            for connections in (1,) if args.latency_only else (1, args.connections):
                # Warm both paths, then measure them back to back.
                token = sign_internal_token(principal, DEV_INTERNAL_SECRET, forwarded=True)
                wrk_get(lotse.gateway + path, key, 2, connections)
                wrk_get(lotse.projects + path, token, 2, connections)
                direct = measured(lotse, wrk_get, lotse.projects + path, token, args, connections)
                through = measured(lotse, wrk_get, lotse.gateway + path, key, args, connections)
                results[f"{name}_c{connections}"] = {
                    "direct": direct,
                    "gateway": through,
                    "p50_ratio": round(through["p50_ms"] / direct["p50_ms"], 2),
                    "p99_ratio": round(through["p99_ms"] / direct["p99_ms"], 2),
                    "throughput_ratio": round(through["rps"] / direct["rps"], 3),
                }
    report = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {sys.version.split()[0]}",
        "load_average": os.getloadavg(),
        "seconds": args.seconds,
        "tree": os.getcwd(),
        "results": results,
    }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
