"""Start the platform as `lotse up` does (real processes) on free ports, for benchmarks."""

import contextlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx

from shared.cli.broker import EmbeddedBroker, free_port
from shared.registry import ALL, GATEWAY, SERVICES

ADMIN_KEY = "lotse_bench_admin_key_0123456789abcdef"


@dataclass
class BenchPlatform:
    gateway: str
    projects: str
    broker: str
    data: Path
    pids: dict[str, int]
    urls: dict[str, str]

    @property
    def funding(self) -> str:
        return self.urls["funding"]


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
def running_platform(
    env: dict[str, str] | None = None,
    prepare: Callable[[Path], None] | None = None,
    ready_seconds: float = 60,
) -> Iterator[BenchPlatform]:
    """Every service of the registry and the gateway, each its own uvicorn process.

    `env` adds settings (`{data}` in a value is the platform's data folder);
    `prepare(data_dir)` runs before the services start (to load their databases);
    `ready_seconds` bounds the start (a large rebuild takes minutes).
    """
    data = Path(tempfile.mkdtemp(prefix="lotse-bench-"))
    broker = EmbeddedBroker(free_port())
    broker.start()
    ports = {entry.name: free_port() for entry in ALL}
    urls = {name: f"http://127.0.0.1:{port}" for name, port in ports.items()}
    env = os.environ | {
        "LOTSE_DATA_DIR": str(data),
        "LOTSE_KAFKA_BOOTSTRAP": broker.bootstrap,
        "LOTSE_BOOTSTRAP_ADMIN_KEY": ADMIN_KEY,
        "LOTSE_WEBHOOK_ALLOWED_CIDRS": "127.0.0.0/8",
        "LOTSE_MAILSINK_PORT": str(free_port()),
        "LOTSE_LOG_LEVEL": "WARNING",
        **{f"{GATEWAY.env_prefix}{e.name.upper()}_URL": urls[e.name] for e in SERVICES},
        # Measured is the platform, not its rate limit.
        "LOTSE_GATEWAY_RATE_LIMIT_PER_MINUTE": "0",
        "LOTSE_GATEWAY_ANONYMOUS_RATE_LIMIT_PER_MINUTE": "0",
        "LOTSE_GATEWAY_CALLS_PER_IDENTITY": "0",
        **{name: value.format(data=data) for name, value in (env or {}).items()},
    }
    processes: dict[str, subprocess.Popen[bytes]] = {}
    try:
        if prepare is not None:
            prepare(data)
        for entry in ALL:  # the gateway last, as `lotse up` starts it
            processes[entry.name] = uvicorn_process(
                entry.app, ports[entry.name], env, data / f"{entry.name}.log"
            )
        deadline = time.monotonic() + ready_seconds
        for url in urls.values():
            _wait(f"{url}/readyz", deadline)
        yield BenchPlatform(
            gateway=urls[GATEWAY.name],
            projects=urls["projects"],
            broker=broker.bootstrap,
            data=data,
            pids={name: process.pid for name, process in processes.items()},
            urls=urls,
        )
    finally:
        for process in processes.values():
            process.terminate()
        for process in processes.values():
            process.wait(30)
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
