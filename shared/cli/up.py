"""`lotse up`: every service of the registry as its own process, next to the broker."""

import os
import secrets
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from shared.cli.broker import EmbeddedBroker, port_open
from shared.cli.seed import seed_demo_region
from shared.kit.mail import MailSettings
from shared.kit.settings import DEV_ADMIN_KEY
from shared.registry import ALL, GATEWAY, SERVICES, ServiceEntry


@dataclass
class Child:
    """One service process, restarted by the runner when it dies."""

    entry: ServiceEntry
    command: list[str]
    env: dict[str, str]
    log: Path
    process: subprocess.Popen[bytes] | None = None
    restarts: list[float] = field(default_factory=list)

    def start(self) -> None:
        with open(self.log, "ab") as output:
            # A session of its own: Ctrl-C reaches `lotse up` alone, which stops the
            # services first and the broker last.
            self.process = subprocess.Popen(
                self.command, env=self.env, stdout=output, stderr=output, start_new_session=True
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

    def exited(self) -> bool:
        return self.process is not None and self.process.poll() is not None


def service_command(entry: ServiceEntry, host: str) -> list[str]:
    # shared.kit.server: uvicorn with the platform's bound on request heads.
    return [
        sys.executable, "-m", "shared.kit.server", entry.app,
        "--host", host, "--port", str(entry.port),
        "--log-level", "warning", "--timeout-graceful-shutdown", "5",
    ]  # fmt: skip


def platform_env(base: dict[str, str], *, bootstrap: str, host: str) -> dict[str, str]:
    """The environment every service process gets: one broker, the services' addresses."""
    env = dict(base)
    env["LOTSE_KAFKA_BOOTSTRAP"] = bootstrap
    if env.get("LOTSE_ENV", "dev") == "dev":
        env.setdefault("LOTSE_BOOTSTRAP_ADMIN_KEY", DEV_ADMIN_KEY)
    # A secret of this run, not the well-known development one: no local user can sign
    # internal tokens and call a service port directly.
    env.setdefault("LOTSE_INTERNAL_TOKEN_SECRET", secrets.token_urlsafe(48))
    for entry in SERVICES:
        env.setdefault(f"{GATEWAY.env_prefix}{entry.name.upper()}_URL", entry.url(host))
    # Links in mails and feeds point at the gateway, wherever this run put it.
    env.setdefault("LOTSE_PUBLIC_URL", GATEWAY.url(host))
    return env


def wait_ready(urls: list[str], timeout: float, children: list[Child]) -> None:
    """Block until every URL answers 200; fail early when a child exits."""
    deadline = time.monotonic() + timeout
    pending = list(urls)
    while pending:
        for child in children:
            if child.exited():
                raise RuntimeError(f"{child.entry.name} exited; see {child.log}")
        try:
            if httpx.get(pending[0], timeout=2).status_code == 200:
                pending.pop(0)
                continue
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            raise TimeoutError(f"{pending[0]} did not become ready within {timeout:.0f} s")
        time.sleep(0.2)


def run_platform(*, host: str, broker_port: int, seed: bool) -> int:
    """Start broker and services, seed if asked, supervise until SIGINT/SIGTERM."""
    data_dir = Path(os.environ.get("LOTSE_DATA_DIR", "data"))
    data_dir.mkdir(parents=True, exist_ok=True)
    # Without an SMTP server, mail goes to a local sink that writes data/mail/*.eml, so a
    # newcomer reads what `make run` sends (shared.kit.mail sends there by default).
    mail_settings = MailSettings()
    if mail_settings.uses_mailsink and port_open(mail_settings.mailsink_port):
        print(f"Port {mail_settings.mailsink_port} is taken; set LOTSE_MAILSINK_PORT.")
        return 1
    broker: EmbeddedBroker | None = None
    bootstrap = os.environ.get("LOTSE_KAFKA_BOOTSTRAP")
    if not bootstrap:
        if port_open(broker_port):
            # LOTSE_KAFKA_BOOTSTRAP would join whatever Kafka listens there: not the way out.
            print(
                f"Port {broker_port} is taken; start the embedded broker on another with "
                "LOTSE_BROKER_PORT=<port> (or --broker-port)."
            )
            return 1
        broker = EmbeddedBroker(broker_port, log_file=data_dir / "broker.log")
        broker.start()
        bootstrap = broker.bootstrap
    env = platform_env(dict(os.environ), bootstrap=bootstrap, host=host)
    children = [
        Child(entry, service_command(entry, host), env, data_dir / f"{entry.name}.log")
        for entry in ALL
    ]
    mailsink = (
        start_mailsink_process(data_dir, mail_settings.mailsink_port, env)
        if mail_settings.uses_mailsink
        else None
    )
    stopping = False

    def request_stop(_signum: int, _frame: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)
    try:
        for child in children:
            child.start()
        wait_ready([f"{c.entry.url(host)}/readyz" for c in children], 90, children)
        gateway = GATEWAY.url(host)
        admin_key = env.get("LOTSE_BOOTSTRAP_ADMIN_KEY")
        keys = seed_demo_region(gateway, admin_key or DEV_ADMIN_KEY, data_dir) if seed else {}
        print_welcome(gateway, admin_key, keys, data_dir)
        while not stopping:
            time.sleep(0.5)
            if broker is not None and not broker.alive() and not stopping:
                print("The embedded broker stopped; restarting it.", flush=True)
                broker.start()
            for child in children:
                if not stopping and child.exited():
                    _restart(child)
    finally:
        print("Stopping Lotse ...", flush=True)
        for child in reversed(children):
            child.stop()
        for child in reversed(children):
            child.wait(10)
        if mailsink is not None:
            mailsink.terminate()
            mailsink.wait(10)
        if broker is not None:
            broker.stop()
    return 0


def start_mailsink_process(
    data_dir: Path, port: int, env: dict[str, str]
) -> subprocess.Popen[bytes]:
    """The local mail sink (shared.cli.mailsink) as a process beside the services."""
    command = [
        sys.executable, "-m", "shared.cli.mailsink",
        "--port", str(port), "--dir", str(data_dir / "mail"),
    ]  # fmt: skip
    with open(data_dir / "mailsink.log", "ab") as output:
        return subprocess.Popen(
            command, env=env, stdout=output, stderr=output, start_new_session=True
        )


def _restart(child: Child) -> None:
    """Restart a crashed service, waiting longer the more often it crashed lately."""
    assert child.process is not None
    child.restarts = [t for t in child.restarts if t > time.monotonic() - 60]
    child.restarts.append(time.monotonic())
    pause = min(2 ** len(child.restarts) * 0.25, 10)
    print(
        f"{child.entry.name} exited ({child.process.returncode}); restarting "
        f"in {pause:.1f} s. Log: {child.log}",
        flush=True,
    )
    time.sleep(pause)
    child.start()


def print_welcome(
    gateway: str, admin_key: str | None, keys: dict[str, str], data_dir: Path
) -> None:
    lines = [
        "",
        f"Lotse is running at {gateway}  (API docs: {gateway}/docs)",
        f"Web app: {gateway}/  (sign in with one of the keys below)",
        f"Logs and data: {data_dir.resolve()}",
    ]
    if MailSettings().uses_mailsink:
        lines.append(f"Mail it sends (no LOTSE_SMTP_HOST): {(data_dir / 'mail').resolve()}/")
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
