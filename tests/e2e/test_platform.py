"""The whole platform as `lotse up` runs it: real processes, real broker, real sockets."""

import asyncio
import email
import email.policy
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from aiokafka import AIOKafkaConsumer

from shared.cli.broker import free_port
from shared.cli.seed import PatientTransport
from shared.contracts.topics import PROJECTS
from shared.registry import ALL

pytestmark = pytest.mark.long  # minutes: started first (tests/conftest.py)

ADMIN_KEY = "lotse_e2e_admin_key_0123456789abcdef"


class Running:
    def __init__(
        self,
        process: subprocess.Popen[bytes],
        gateway: str,
        projects_port: int,
        broker_port: int,
        data: Path,
    ) -> None:
        self.process = process
        self.gateway = gateway
        self.projects_port = projects_port
        self.broker_port = broker_port
        self.data = data


def wait_for(
    condition: Callable[[], bool], process: subprocess.Popen[bytes], log: Path, what: str
) -> None:
    """Poll `condition` while `lotse up` runs; fail with its output if it never holds."""
    deadline = time.monotonic() + 90
    while not condition():
        if process.poll() is not None:
            raise AssertionError(f"lotse up exited early:\n{log.read_text()}")
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} never happened:\n{log.read_text()}")
        time.sleep(0.1)


def answers_200(url: str) -> Callable[[], bool]:
    def check() -> bool:
        try:
            return httpx.get(url, timeout=1).status_code == 200
        except httpx.HTTPError:
            return False

    return check


def service_pid(port: int) -> str | None:
    found = subprocess.run(
        ["pgrep", "-f", f"shared.kit.server.*--port {port}"], capture_output=True, text=True
    ).stdout.split()
    return found[0] if found else None


@pytest.fixture(scope="module")
def lotse_up(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    """`lotse up --seed` in its own data folder and ports, stopped with SIGTERM at the end."""
    data = tmp_path_factory.mktemp("lotse-up")
    ports = {entry.name: free_port() for entry in ALL}
    gateway_port, projects_port, broker_port = ports["gateway"], ports["projects"], free_port()
    env = os.environ | {
        "LOTSE_DATA_DIR": str(data),
        "LOTSE_MAILSINK_PORT": str(free_port()),
        "LOTSE_BOOTSTRAP_ADMIN_KEY": ADMIN_KEY,
        # As README tells a second `make run`: the broker's port from the environment.
        "LOTSE_BROKER_PORT": str(broker_port),
        # Every service on a port of its own: another platform may run on the defaults.
        **{f"{entry.env_prefix}PORT": str(ports[entry.name]) for entry in ALL},
    }
    env.pop("LOTSE_KAFKA_BOOTSTRAP", None)
    env.pop("LOTSE_SMTP_HOST", None)  # so `lotse up` runs its mail sink
    log = data / "lotse-up.out"
    with open(log, "wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "shared.cli", "up", "--seed"],
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    gateway = f"http://127.0.0.1:{gateway_port}"
    try:
        # Seeding goes through the API like any client; the welcome comes after it.
        wait_for(lambda: "Lotse is running" in log.read_text(), process, log, "the welcome")
        yield Running(process, gateway, projects_port, broker_port, data)
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            process.wait(30)


def test_up_prints_the_url_and_keys_that_work(lotse_up: Running) -> None:
    output = (lotse_up.data / "lotse-up.out").read_text()
    assert f"Lotse is running at {lotse_up.gateway}" in output
    key = next(line.split()[-1] for line in output.splitlines() if "coordinator key:" in line)
    projects = httpx.get(
        f"{lotse_up.gateway}/api/v1/projects", headers={"Authorization": f"Bearer {key}"}
    ).json()
    assert projects["total"] >= 30
    topics = {t for p in projects["items"] for t in p["topics"]}
    assert len(topics) >= 5
    municipalities = httpx.get(f"{lotse_up.gateway}/api/v1/municipalities").json()
    assert "06534014" in {m["ags"] for m in municipalities["items"]}


def test_the_demo_region_has_its_catalogue_and_the_radar_pairs_two_projects(
    lotse_up: Running,
) -> None:
    output = (lotse_up.data / "lotse-up.out").read_text()
    key = next(line.split()[-1] for line in output.splitlines() if "coordinator key:" in line)
    # Seeding spent the demo coordinator's burst: a patient client waits out its 429s.
    client = httpx.Client(
        base_url=lotse_up.gateway,
        headers={"Authorization": f"Bearer {key}"},
        transport=PatientTransport(),
    )
    solutions = client.get("/api/v1/solutions", params={"limit": 200}).json()
    assert solutions["total"] >= 20
    assert client.get("/api/v1/adoptions").json()["total"] >= 15
    assert client.get("/api/v1/articles").json()["total"] >= 3
    assert client.get("/api/v1/contacts").json()["total"] >= 3
    found = client.get("/api/v1/search", params={"q": "Friedhofsverwaltung"}).json()
    friedhof = {h["municipality_ags"]: h["id"] for h in found["items"] if h["kind"] == "project"}
    suggested = client.get(f"/api/v1/projects/{friedhof['06534004']}/suggestions").json()
    (pair,) = [s for s in suggested["projects"] if s["id"] == friedhof["06534007"]]
    assert "Friedhofsverwaltung" in pair["reason"]


def test_a_published_project_reaches_kafka_with_cloudevents_headers(lotse_up: Running) -> None:
    headers = {"Authorization": f"Bearer {ADMIN_KEY}"}
    key = httpx.post(
        f"{lotse_up.gateway}/api/v1/api-keys",
        json={"name": "e2e", "role": "municipality", "ags": "06534014"},
        headers=headers,
    ).json()["key"]
    created = httpx.post(
        f"{lotse_up.gateway}/api/v1/projects",
        json={"title": "Digitale Sitzungen", "topics": ["internal_it"], "visibility": "public"},
        headers={"Authorization": f"Bearer {key}"},
    )
    assert created.status_code == 201, created.text
    project_id = created.json()["id"]

    async def find_event() -> dict[str, bytes]:
        consumer = AIOKafkaConsumer(
            PROJECTS,
            bootstrap_servers=f"127.0.0.1:{lotse_up.broker_port}",
            auto_offset_reset="earliest",
            enable_auto_commit=False,
        )
        await consumer.start()
        try:
            async with asyncio.timeout(30):
                while True:
                    for records in (await consumer.getmany(timeout_ms=200)).values():
                        for record in records:
                            if record.key == project_id.encode():
                                return dict(record.headers) | {"value": record.value}
        finally:
            await consumer.stop()

    event = asyncio.run(find_event())
    assert event["ce_type"] == b"de.lotse.project.created.v1"
    assert event["ce_source"] == b"/lotse/projects"
    assert event["ce_subject"] == project_id.encode()
    assert event["ce_specversion"] == b"1.0"
    assert event["content-type"] == b"application/json"
    # W3C trace context travels with the event: version 00, 32-hex trace id, 16-hex parent.
    assert re.fullmatch(rb"00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}", event["traceparent"])
    assert b"Digitale Sitzungen" in event["value"]


def test_readme_shows_what_make_run_prints(lotse_up: Running) -> None:
    readme = (Path(__file__).parents[2] / "README.md").read_text()
    block = readme.split("It prints the URL and the demo keys", 1)[1].split("```\n", 2)[1]
    printed = (lotse_up.data / "lotse-up.out").read_text().splitlines()
    position = 0
    for line in filter(None, block.splitlines()):
        # Keys, paths and ports differ from run to run; the wording must not.
        pattern = re.escape(line)
        pattern = re.sub(r"lotse_[0-9a-f]{8}_\\\.\\\.\\\.", r"lotse_\\S+", pattern)
        pattern = pattern.replace(re.escape("lotse_dev_admin_key_for_local_use_only"), r"\S+")
        pattern = pattern.replace(re.escape("/path/to/lotse/data"), r"/\S+")
        pattern = pattern.replace(re.escape("127.0.0.1:8000"), r"127\.0\.0\.1:\d+")
        found = next(
            (i for i in range(position, len(printed)) if re.fullmatch(pattern, printed[i])), None
        )
        assert found is not None, f"README shows {line!r}, make run does not print it"
        position = found + 1


def test_keys_create_prints_a_key_that_works(lotse_up: Running) -> None:
    issued = subprocess.run(
        [sys.executable, "-m", "shared.cli", "keys", "create", "--role", "municipality",
         "--ags", "06534014", "--url", lotse_up.gateway, "--admin-key", ADMIN_KEY],
        capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    assert issued.startswith("lotse_")
    created = httpx.post(
        f"{lotse_up.gateway}/api/v1/projects",
        json={"title": "Per Kommando", "topics": ["administration"]},
        headers={"Authorization": f"Bearer {issued}"},
    )
    assert created.status_code == 201
    assert created.json()["municipality_ags"] == "06534014"


def test_demo_funding_calls_and_their_alerts_land_in_the_mail_folder(lotse_up: Running) -> None:
    calls = httpx.get(f"{lotse_up.gateway}/api/v1/funding-calls", params={"limit": 200}).json()
    assert calls["total"] >= 10
    assert {c["funder_level"] for c in calls["items"]} >= {"eu", "bund", "land", "stiftung"}
    eligible = httpx.get(
        f"{lotse_up.gateway}/api/v1/funding-calls", params={"eligible_for": "06534014"}
    ).json()
    assert eligible["total"] >= 3 and all(c["eligibility"]["eligible"] for c in eligible["items"])
    mail = lotse_up.data / "mail"

    def alerts() -> bool:
        subjects = [
            str(email.message_from_bytes(p.read_bytes(), policy=email.policy.default)["Subject"])
            for p in mail.glob("*.eml")
        ]
        # The demo's addresses were confirmed by the seed, so alerts followed.
        return any(s.startswith("Neuer Förderaufruf") for s in subjects)

    wait_for(alerts, lotse_up.process, lotse_up.data / "lotse-up.out", "alerts in data/mail")


def test_a_crashed_service_is_restarted(lotse_up: Running) -> None:
    log = lotse_up.data / "lotse-up.out"
    killed = service_pid(lotse_up.projects_port)
    assert killed is not None
    os.kill(int(killed), signal.SIGKILL)

    def restarted() -> bool:
        pid = service_pid(lotse_up.projects_port)
        return pid is not None and pid != killed

    wait_for(restarted, lotse_up.process, log, "a new projects process")
    ready = answers_200(f"http://127.0.0.1:{lotse_up.projects_port}/readyz")
    wait_for(ready, lotse_up.process, log, "readiness of the restarted service")
    assert "projects exited (-9); restarting" in log.read_text()
    assert httpx.get(f"{lotse_up.gateway}/api/v1/projects").status_code == 200


def _events_of(lines: Iterator[str]) -> Iterator[tuple[int, dict[str, object]]]:
    """The (id, data) of each event of an SSE stream, as it comes."""
    fields: dict[str, str] = {}
    for line in lines:
        if line == "" and "data" in fields:
            yield int(fields["id"]), json.loads(fields["data"])
        if line == "":
            fields = {}
        elif not line.startswith(":"):
            name, _, value = line.partition(":")
            fields[name] = value.strip()


def _next_about(
    events: Iterator[tuple[int, dict[str, object]]], subject: str
) -> tuple[int, list[str]]:
    """Read `events` until the entry about `subject`: its id, and the subjects seen."""
    seen: list[str] = []
    for event_id, data in events:
        seen.append(str(data["subject"]))
        if data["subject"] == subject:
            return event_id, seen
    raise AssertionError(f"the stream ended before {subject}; it showed {seen}")


def test_a_stream_resumes_across_a_gateway_restart(lotse_up: Running) -> None:
    # The gateway is killed and `lotse up` starts it again; a browser reconnecting with
    # the last id it saw gets what came meanwhile, once, and then what comes next.
    admin = {"Authorization": f"Bearer {ADMIN_KEY}"}
    key = httpx.post(
        f"{lotse_up.gateway}/api/v1/api-keys",
        json={"name": "e2e stream", "role": "municipality", "ags": "06534014"},
        headers=admin,
    ).json()["key"]
    writer = httpx.Client(base_url=lotse_up.gateway, headers={"Authorization": f"Bearer {key}"})

    def publish(title: str) -> str:
        created = writer.post(
            "/api/v1/projects",
            json={"title": title, "topics": ["internal_it"], "visibility": "public"},
        )
        assert created.status_code == 201, created.text
        return str(created.json()["id"])

    url, params = f"{lotse_up.gateway}/api/v1/events/stream", {"municipality": "06534014"}
    with httpx.stream("GET", url, params=params, timeout=60) as stream:
        before = publish("Vor dem Neustart")
        last_id, _ = _next_about(_events_of(stream.iter_lines()), before)
    meanwhile = publish("Während des Neustarts")
    port = int(lotse_up.gateway.rsplit(":", 1)[1])
    killed = service_pid(port)
    assert killed is not None
    os.kill(int(killed), signal.SIGKILL)
    log = lotse_up.data / "lotse-up.out"
    wait_for(
        lambda: service_pid(port) not in (None, killed), lotse_up.process, log, "a new gateway"
    )
    wait_for(answers_200(f"{lotse_up.gateway}/readyz"), lotse_up.process, log, "its readiness")
    headers = {"Last-Event-ID": str(last_id)}
    with httpx.stream("GET", url, params=params, headers=headers, timeout=60) as stream:
        events = _events_of(stream.iter_lines())
        _, resumed = _next_about(events, meanwhile)
        after = publish("Nach dem Neustart")
        _, live = _next_about(events, after)
    assert before not in resumed + live
    assert (resumed + live).count(meanwhile) == 1
    writer.close()


def test_sigterm_stops_everything_cleanly(lotse_up: Running) -> None:
    lotse_up.process.send_signal(signal.SIGTERM)
    assert lotse_up.process.wait(30) == 0
    assert service_pid(lotse_up.projects_port) is None
    with pytest.raises(httpx.ConnectError):
        httpx.get(lotse_up.gateway + "/healthz")


def test_a_taken_broker_port_names_the_setting_that_moves_it(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        env = os.environ | {
            "LOTSE_BROKER_PORT": str(port),
            "LOTSE_DATA_DIR": str(tmp_path),
            "LOTSE_MAILSINK_PORT": str(free_port()),
        }
        env.pop("LOTSE_KAFKA_BOOTSTRAP", None)
        done = subprocess.run(
            [sys.executable, "-m", "shared.cli", "up"], env=env, capture_output=True, timeout=60
        )
    assert done.returncode == 1
    assert f"Port {port} is taken" in done.stdout.decode()
    assert "LOTSE_BROKER_PORT" in done.stdout.decode()
