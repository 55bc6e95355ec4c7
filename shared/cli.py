"""The `lotse` command: run the platform, load the demo region, issue keys.

`lotse up` runs every service as its own process (by module path) next to the
embedded broker; `lotse seed` and `lotse keys` talk to the public API like any
client, so the rules stay in the services.
"""

import argparse
import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from shared.broker import EmbeddedBroker, port_open

DEV_ADMIN_KEY = "lotse_dev_admin_key_for_local_use_only"


@dataclass(frozen=True)
class ServiceSpec:
    name: str
    module: str
    port: int


SERVICES = (
    ServiceSpec(
        "projects",
        "services.projects.app:create_app",
        int(os.environ.get("LOTSE_PROJECTS_PORT", 8001)),
    ),
    ServiceSpec(
        "gateway",
        "services.gateway.app:create_app",
        int(os.environ.get("LOTSE_GATEWAY_PORT", 8000)),
    ),
)


@dataclass
class Child:
    spec: ServiceSpec
    command: list[str]
    env: dict[str, str]
    log: Path
    process: subprocess.Popen[bytes] | None = None
    restarts: list[float] = field(default_factory=list)

    def start(self) -> None:
        with open(self.log, "ab") as output:
            self.process = subprocess.Popen(
                self.command, env=self.env, stdout=output, stderr=output
            )

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)

    def wait(self, timeout: float) -> None:
        if self.process is None:
            return
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def service_command(spec: ServiceSpec, host: str) -> list[str]:
    # shared.server: uvicorn with the platform's bound on request heads.
    return [
        sys.executable, "-m", "shared.server", spec.module,
        "--host", host, "--port", str(spec.port),
        "--log-level", "warning", "--timeout-graceful-shutdown", "5",
    ]  # fmt: skip


def platform_env(base: dict[str, str], *, bootstrap: str, host: str) -> dict[str, str]:
    """The environment every service process gets."""
    env = dict(base)
    env["LOTSE_KAFKA_BOOTSTRAP"] = bootstrap
    if env.get("LOTSE_ENV", "dev") == "dev":
        env.setdefault("LOTSE_BOOTSTRAP_ADMIN_KEY", DEV_ADMIN_KEY)
    ports = {s.name: s.port for s in SERVICES}
    env.setdefault("LOTSE_GATEWAY_PROJECTS_URL", f"http://{host}:{ports['projects']}")
    return env


def wait_ready(urls: list[str], timeout: float, children: list[Child]) -> None:
    deadline = time.monotonic() + timeout
    pending = list(urls)
    while pending:
        for child in children:
            if child.process is not None and child.process.poll() is not None:
                raise RuntimeError(f"{child.spec.name} exited; see {child.log}")
        url = pending[0]
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                pending.pop(0)
                continue
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            raise TimeoutError(f"{url} did not become ready within {timeout:.0f} s")
        time.sleep(0.2)


def up(args: argparse.Namespace) -> int:
    data_dir = Path(os.environ.get("LOTSE_DATA_DIR", "data"))
    data_dir.mkdir(parents=True, exist_ok=True)
    host = args.host
    broker: EmbeddedBroker | None = None
    bootstrap = os.environ.get("LOTSE_KAFKA_BOOTSTRAP")
    if not bootstrap:
        broker = EmbeddedBroker(args.broker_port, log_file=data_dir / "broker.log")
        if port_open(args.broker_port):
            print(f"Port {args.broker_port} is taken; set LOTSE_KAFKA_BOOTSTRAP or --broker-port.")
            return 1
        broker.start()
        bootstrap = broker.bootstrap
    env = platform_env(dict(os.environ), bootstrap=bootstrap, host=host)
    children = [
        Child(spec, service_command(spec, host), env, data_dir / f"{spec.name}.log")
        for spec in SERVICES
    ]
    stopping = False

    def request_stop(_signum: int, _frame: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)
    try:
        for child in children:
            child.start()
        wait_ready([f"http://{host}:{c.spec.port}/readyz" for c in children], 90, children)
        gateway = f"http://{host}:{SERVICES[-1].port}"
        keys: dict[str, str] = {}
        if args.seed:
            from shared.seed import seed_demo_region

            keys = seed_demo_region(gateway, env["LOTSE_BOOTSTRAP_ADMIN_KEY"], data_dir)
        print_welcome(gateway, env.get("LOTSE_BOOTSTRAP_ADMIN_KEY"), keys, data_dir)
        while not stopping:
            time.sleep(0.5)
            if broker is not None and not broker.alive() and not stopping:
                print("The embedded broker stopped; restarting it.", flush=True)
                broker.start()
            for child in children:
                if stopping or child.process is None or child.process.poll() is None:
                    continue
                child.restarts = [t for t in child.restarts if t > time.monotonic() - 60]
                child.restarts.append(time.monotonic())
                pause = min(2 ** len(child.restarts) * 0.25, 10)
                print(
                    f"{child.spec.name} exited ({child.process.returncode}); restarting "
                    f"in {pause:.1f} s. Log: {child.log}",
                    flush=True,
                )
                time.sleep(pause)
                child.start()
    finally:
        print("Stopping Lotse ...", flush=True)
        for child in reversed(children):
            child.stop()
        for child in reversed(children):
            child.wait(10)
        if broker is not None:
            broker.stop()
    return 0


def print_welcome(
    gateway: str, admin_key: str | None, keys: dict[str, str], data_dir: Path
) -> None:
    lines = [
        "",
        f"Lotse is running at {gateway}  (API docs: {gateway}/docs)",
        f"Logs and data: {data_dir.resolve()}",
    ]
    if admin_key:
        lines.append(f"  admin key:        {admin_key}")
    for label, key in keys.items():
        lines.append(f"  {label + ':':<18}{key}")
    if keys:
        first = keys.get("municipality key") or next(iter(keys.values()))
        lines += [
            "",
            "Try:",
            f"  export LOTSE_KEY={first}",
            f'  curl -H "Authorization: Bearer $LOTSE_KEY" {gateway}/api/v1/projects',
        ]
    lines += ["", "Stop with Ctrl-C."]
    print("\n".join(lines), flush=True)


def seed(args: argparse.Namespace) -> int:
    from shared.seed import seed_demo_region

    keys = seed_demo_region(
        args.url, args.admin_key, Path(os.environ.get("LOTSE_DATA_DIR", "data"))
    )
    print(json.dumps(keys, indent=2))
    return 0


def keys_create(args: argparse.Namespace) -> int:
    body: dict[str, str] = {"name": args.name, "role": args.role}
    if args.ags:
        body["ags"] = args.ags
    response = httpx.post(
        f"{args.url}/api/v1/api-keys",
        json=body,
        headers={"Authorization": f"Bearer {args.admin_key}"},
        timeout=10,
    )
    if response.status_code != 201:
        print(response.text, file=sys.stderr)
        return 1
    print(response.json()["key"])
    return 0


def replay(args: argparse.Namespace) -> int:
    import asyncio

    from shared.bus import EventBus

    async def run() -> int:
        bus = EventBus(args.bootstrap, client_id="lotse-replay")
        try:
            return await bus.replay(args.topic, args.to)
        finally:
            await bus.stop()

    count = asyncio.run(run())
    print(f"Replayed {count} events from {args.topic}.")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="lotse", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)

    p_up = sub.add_parser("up", help="start the whole platform")
    p_up.add_argument("--seed", action="store_true", help="load the demo region on first start")
    p_up.add_argument("--host", default="127.0.0.1")
    p_up.add_argument("--broker-port", type=int, default=9092)
    p_up.set_defaults(run=up)

    admin_key = os.environ.get("LOTSE_ADMIN_KEY") or os.environ.get(
        "LOTSE_BOOTSTRAP_ADMIN_KEY", DEV_ADMIN_KEY
    )
    p_seed = sub.add_parser("seed", help="load the demo region through the API")
    p_seed.add_argument("--url", default="http://127.0.0.1:8000")
    p_seed.add_argument("--admin-key", default=admin_key)
    p_seed.set_defaults(run=seed)

    p_keys = sub.add_parser("keys", help="manage API keys")
    keys_sub = p_keys.add_subparsers(dest="keys_command", required=True)
    p_create = keys_sub.add_parser("create", help="issue a key and print it")
    p_create.add_argument(
        "--role", required=True, choices=["admin", "coordinator", "municipality", "reader"]
    )
    p_create.add_argument("--ags", help="the municipality of a municipality key")
    p_create.add_argument("--name", default="issued with lotse keys create")
    p_create.add_argument("--url", default="http://127.0.0.1:8000")
    p_create.add_argument("--admin-key", default=admin_key)
    p_create.set_defaults(run=keys_create)

    p_replay = sub.add_parser(
        "replay", help="publish a topic's events again, e.g. a DLQ back to its topic"
    )
    p_replay.add_argument("topic", help="e.g. lotse.projects.dlq")
    p_replay.add_argument("--to", help="target topic; default: where each event came from")
    p_replay.add_argument(
        "--bootstrap", default=os.environ.get("LOTSE_KAFKA_BOOTSTRAP", "127.0.0.1:9092")
    )
    p_replay.set_defaults(run=replay)

    args = parser.parse_args(argv)
    return int(args.run(args))


if __name__ == "__main__":
    sys.exit(main())
