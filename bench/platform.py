"""Start the platform as `lotse up` does (real processes) on free ports, for benchmarks."""

import contextlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx

from shared.cli.broker import EmbeddedBroker, free_port

ADMIN_KEY = "lotse_bench_admin_key_0123456789abcdef"


@dataclass
class BenchPlatform:
    gateway: str
    projects: str
    broker: str
    data: Path
    pids: dict[str, int]
    funding: str | None = None


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time a process has used so far (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _wait(url: str, deadline: float) -> None:
    while time.monotonic() < deadline:
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(url, timeout=1).status_code == 200:
                return
        time.sleep(0.1)
    raise TimeoutError(url)


def uvicorn_process(
    target: str, port: int, env: dict[str, str], log: Path, *, factory: bool = True
) -> subprocess.Popen[bytes]:
    """One uvicorn worker, as `lotse up` runs each service (a factory: via shared.kit.server)."""
    server = ["shared.kit.server"] if factory else ["uvicorn", "--no-access-log"]
    with open(log, "wb") as output:
        return subprocess.Popen(
            [sys.executable, "-m", *server, target,
             "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"],
            env=env, stdout=output, stderr=output,
        )  # fmt: skip


@contextlib.contextmanager
def running_platform(*, funding: bool = False) -> Iterator[BenchPlatform]:
    """Gateway and projects service (and, asked, the funding service, whose webhooks may
    reach loopback receivers)."""
    data = Path(tempfile.mkdtemp(prefix="lotse-bench-"))
    broker = EmbeddedBroker(free_port())
    broker.start()
    gateway_port, projects_port, funding_port = free_port(), free_port(), free_port()
    env = os.environ | {
        "LOTSE_DATA_DIR": str(data),
        "LOTSE_KAFKA_BOOTSTRAP": broker.bootstrap,
        "LOTSE_BOOTSTRAP_ADMIN_KEY": ADMIN_KEY,
        "LOTSE_GATEWAY_PROJECTS_URL": f"http://127.0.0.1:{projects_port}",
        "LOTSE_GATEWAY_FUNDING_URL": f"http://127.0.0.1:{funding_port}",
        "LOTSE_WEBHOOK_ALLOWED_CIDRS": "127.0.0.0/8",
        "LOTSE_MAILSINK_PORT": str(free_port()),
        "LOTSE_LOG_LEVEL": "WARNING",
    }
    services = {"projects": projects_port} | ({"funding": funding_port} if funding else {})
    processes = {
        name: uvicorn_process(f"services.{name}.app:create_app", port, env, data / f"{name}.log")
        for name, port in services.items()
    }
    processes["gateway"] = uvicorn_process(
        "services.gateway.app:create_app", gateway_port, env, data / "gateway.log"
    )
    try:
        deadline = time.monotonic() + 60
        for port in (*services.values(), gateway_port):
            _wait(f"http://127.0.0.1:{port}/readyz", deadline)
        yield BenchPlatform(
            gateway=f"http://127.0.0.1:{gateway_port}",
            projects=f"http://127.0.0.1:{projects_port}",
            broker=broker.bootstrap,
            data=data,
            pids={name: process.pid for name, process in processes.items()},
            funding=f"http://127.0.0.1:{funding_port}" if funding else None,
        )
    finally:
        for process in processes.values():
            process.terminate()
        for process in processes.values():
            process.wait(10)
        broker.stop()
        shutil.rmtree(data, ignore_errors=True)


def municipality_key(gateway: str, ags: str = "06534014") -> str:
    """Register a municipality, wait until the projects service knows it, return its key."""
    admin = {"Authorization": f"Bearer {ADMIN_KEY}"}
    httpx.post(
        f"{gateway}/api/v1/municipalities",
        headers=admin,
        json={"ags": ags, "name": "Marburg", "kind": "stadt"},
    )
    key = httpx.post(
        f"{gateway}/api/v1/api-keys",
        headers=admin,
        json={"name": "bench", "role": "municipality", "ags": ags},
    ).json()["key"]
    probe = {"title": "Probe", "topics": ["administration"]}
    for _ in range(100):
        response = httpx.post(
            f"{gateway}/api/v1/projects", json=probe, headers={"Authorization": f"Bearer {key}"}
        )
        if response.status_code == 201:
            return str(key)
        time.sleep(0.1)
    raise RuntimeError(f"the projects service never learned of {ags}")
