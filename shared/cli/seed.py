"""Load the demo region through the public API, like any client would."""

import email
import email.policy
import json
import time
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import httpx

from shared.kit.mail import MailSettings

DEMO_DIR = Path(__file__).resolve().parents[2] / "demo"
"""The demo region's data files: in the repository, not in the installed package."""
DEMO_KEYS_FILE = "demo-keys.json"
COUNTY_AGS = "06534000"
DEMO_MUNICIPALITY_AGS = "06534014"


def load_demo(demo_dir: Path, name: str) -> list[dict[str, Any]]:
    """One demo data file: a JSON list of request bodies for the public API."""
    items: list[dict[str, Any]] = json.loads((demo_dir / f"{name}.json").read_text("utf-8"))
    return items


def seed_demo_region(
    gateway: str, admin_key: str, data_dir: Path, *, demo_dir: Path = DEMO_DIR
) -> dict[str, str]:
    """Register the municipalities, issue demo keys, publish the projects and the knowledge
    (solutions, who uses them, articles, contacts), subscribe the demo addresses to
    funding alerts and publish the funding calls; return the keys.

    Safe to run again: what exists is left alone, and keys issued on the first run
    are read back from data_dir (they are shown once by the API).
    """
    keys_file = data_dir / DEMO_KEYS_FILE
    with httpx.Client(
        base_url=gateway,
        headers={"Authorization": f"Bearer {admin_key}"},
        timeout=30,
        transport=PatientTransport(),
    ) as admin:
        for municipality in load_demo(demo_dir, "municipalities"):
            response = admin.post("/api/v1/municipalities", json=municipality)
            if response.status_code not in (201, 409):
                raise RuntimeError(f"could not register {municipality['name']}: {response.text}")
        if keys_file.exists():
            keys: dict[str, str] = json.loads(keys_file.read_text())
        else:
            keys = {
                "coordinator key": _issue(admin, "Koordinierungsstelle (Demo)", "coordinator"),
                "municipality key": _issue(
                    admin,
                    "Universitätsstadt Marburg (Demo)",
                    "municipality",
                    DEMO_MUNICIPALITY_AGS,
                ),
                "reader key": _issue(admin, "Intranet-Widget (Demo)", "reader"),
            }
            keys_file.write_text(json.dumps(keys, indent=2))
            keys_file.chmod(0o600)
        coordinator = {"Authorization": f"Bearer {keys['coordinator key']}"}
        existing = admin.get("/api/v1/projects", params={"limit": 1}).json().get("total", 0)
        if existing == 0:
            for number, project in enumerate(load_demo(demo_dir, "projects")):
                _post(admin, coordinator, "/api/v1/projects", project, f"demo-project-{number}")
        solutions = admin.get("/api/v1/solutions", params={"limit": 1}).json().get("total", 0)
        if solutions == 0:
            _seed_knowledge(admin, coordinator, demo_dir)
        calls = admin.get("/api/v1/funding-calls", params={"limit": 1}).json().get("total", 0)
        if calls == 0:
            _subscribe(admin, keys, load_demo(demo_dir, "subscriptions"), data_dir / "mail")
            for number, call in enumerate(load_demo(demo_dir, "funding_calls")):
                _publish_call(admin, coordinator, call, f"demo-call-{number}")
    return keys


class PatientTransport(httpx.HTTPTransport):
    """Waits as long as a 429's Retry-After says, and asks again: an operator's rate
    limit must not stop the demo region from loading, only slow it."""

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        for _ in range(30):
            response = super().handle_request(request)
            if response.status_code != 429:
                return response
            response.read()
            time.sleep(min(float(response.headers.get("retry-after", "1")), 60.0))
        return response


def _seed_knowledge(client: httpx.Client, headers: dict[str, str], demo_dir: Path) -> None:
    """The catalogue, the inventory, articles and contacts; files name solutions by name."""
    ids: dict[str, str] = {}
    for number, solution in enumerate(load_demo(demo_dir, "solutions")):
        created = _post(client, headers, "/api/v1/solutions", solution, f"demo-solution-{number}")
        ids[solution["name"]] = created["id"]
    for number, adoption in enumerate(load_demo(demo_dir, "adoptions")):
        body = {k: v for k, v in adoption.items() if k != "solution"}
        body["solution_id"] = ids[adoption["solution"]]
        _post(client, headers, "/api/v1/adoptions", body, f"demo-adoption-{number}")
    for number, article in enumerate(load_demo(demo_dir, "articles")):
        body = {k: v for k, v in article.items() if k != "solutions"}
        body["solution_ids"] = [ids[name] for name in article["solutions"]]
        _post(client, headers, "/api/v1/articles", body, f"demo-article-{number}")
    for number, contact in enumerate(load_demo(demo_dir, "contacts")):
        _post(client, headers, "/api/v1/contacts", contact, f"demo-contact-{number}")


def _subscribe(
    client: httpx.Client, keys: dict[str, str], subscriptions: list[dict[str, Any]], mail: Path
) -> None:
    """Subscribe the demo's addresses and, when mail goes to the local sink, follow the
    confirmation links as their owners would (opt-in), so the alerts show in data/mail/."""
    addresses = set()
    for number, item in enumerate(subscriptions):
        headers = {
            "Authorization": f"Bearer {keys[item['key']]}",
            "Idempotency-Key": f"demo-subscription-{number}",
        }
        response = client.post("/api/v1/subscriptions", json=item["body"], headers=headers)
        if response.status_code not in (201, 409):
            raise RuntimeError(f"could not subscribe {item['body']['name']}: {response.text}")
        addresses.add(item["body"]["email"])
    if not MailSettings().uses_mailsink:
        return  # real mail: the owners confirm themselves
    deadline = time.monotonic() + 20
    confirmed: set[str] = set()
    while confirmed != addresses and time.monotonic() < deadline:
        for to, link in _confirmation_links(mail):
            if to in addresses - confirmed and client.get(link).status_code == 200:
                confirmed.add(to)
        time.sleep(0.2)


def _confirmation_links(folder: Path) -> list[tuple[str, str]]:
    found = []
    for path in sorted(folder.glob("*.eml")) if folder.exists() else []:
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        if isinstance(message, EmailMessage) and (body := message.get_body(("plain",))):
            for line in str(body.get_content()).splitlines():
                if "/api/v1/subscriptions/confirm?" in line:
                    found.append((str(message["To"]), line.strip()))
    return found


def _publish_call(
    client: httpx.Client, headers: dict[str, str], call: dict[str, Any], key: str
) -> None:
    """A demo funding call; its example dates count from today."""
    body = {k: v for k, v in call.items() if not k.startswith("demo_")}
    today = datetime.now(UTC).replace(hour=12, minute=0, second=0, microsecond=0)
    for field in ("opens", "deadline"):
        if (days := call.get(f"demo_{field}_in_days")) is not None:
            body[f"{field}_at"] = (today + timedelta(days=days)).isoformat()
    response = client.post(
        "/api/v1/funding-calls", json=body, headers=headers | {"Idempotency-Key": key}
    )
    if response.status_code != 201:
        raise RuntimeError(f"could not publish a demo funding call: {response.text}")


def _issue(client: httpx.Client, name: str, role: str, ags: str | None = None) -> str:
    body = {"name": name, "role": role} | ({"ags": ags} if ags else {})
    response = client.post("/api/v1/api-keys", json=body)
    response.raise_for_status()
    return str(response.json()["key"])


def _post(
    client: httpx.Client, headers: dict[str, str], path: str, body: object, key: str
) -> dict[str, Any]:
    # The services learn of new municipalities through events: right after registering
    # them they may not know them yet, so an unknown AGS is retried briefly.
    deadline = time.monotonic() + 30
    while True:
        response = client.post(path, json=body, headers=headers | {"Idempotency-Key": key})
        if response.status_code == 201:
            created: dict[str, Any] = response.json()
            return created
        unknown = response.status_code == 422 and "unknown-municipality" in response.text
        if not unknown or time.monotonic() > deadline:
            raise RuntimeError(f"could not load demo data into {path}: {response.text}")
        time.sleep(0.2)
