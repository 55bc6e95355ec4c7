"""The Kooperationsradar through the gateway: who else does this, which solution fits, and
a private project never shown to another municipality."""

import uuid
from datetime import UTC, datetime
from typing import Any

import httpx

from services.knowledge.consumers import projects_handler
from services.knowledge.repository import radar_match_known
from shared.contracts.projects import ProjectCreated, ProjectSnapshot
from shared.kit.events import CloudEvent
from tests.conftest import Platform, eventually
from tests.knowledge.test_search_api import indexed, project
from tests.knowledge.test_solutions import SOLUTION

FRIEDHOF = {
    "summary": "Grabstellen, Nutzungsrechte und Gebührenbescheide der Friedhofsverwaltung "
    "digital führen.",
    "description": "Die Friedhofsverwaltung erfasst Grabstellen im Friedhofsplan, verlängert "
    "Nutzungsrechte online und erstellt Gebührenbescheide ohne Papierakte.",
    "topics": ["administration", "citizen_services"],
    "target_groups": ["Angehörige"],
}
HUNDESTEUER = {
    "summary": "Hunde online zur Hundesteuer anmelden und abmelden, Steuermarke per Post.",
    "description": "Hundehalterinnen und Hundehalter melden ihren Hund online zur "
    "Hundesteuer an; der Hundesteuerbescheid kommt digital, die Steuermarke per Post.",
    "topics": ["administration"],
}


# Other undertakings of the region: a word is telling only against a background.
BACKGROUND = [
    "Radwegenetz planen",
    "WLAN in allen Grundschulen",
    "Hochwasser-Pegel mit Sensoren",
    "Bürgerhaushalt online beteiligen",
    "Digitale Bauakte im Bauamt",
    "Glasfaser für Gewerbegebiete",
    "Tourismus-App für die Altstadt",
    "E-Rechnung in der Kämmerei",
]


async def with_background(platform: Platform) -> None:
    client = platform.client(await platform.key("municipality", await platform.municipality()))
    ids = [await project(client, title, summary=f"{title} im Landkreis.") for title in BACKGROUND]
    await indexed(platform, *ids)


async def announced(client: httpx.AsyncClient, *ends: str) -> list[dict[str, Any]]:
    """The `match.found` events in the caller's feed that pair exactly these two."""
    feed = (await client.get("/api/v1/feed", params={"limit": 200})).json()["items"]
    return [
        e
        for e in feed
        if e["type"] == "de.lotse.match.found.v1"
        and {e["data"]["project"]["id"], e["data"]["match"]["id"]} == set(ends)
    ]


async def suggested(
    client: httpx.AsyncClient, project_id: str, kind: str = "projects"
) -> list[dict[str, Any]]:
    response = await client.get(f"/api/v1/projects/{project_id}/suggestions")
    assert response.status_code == 200, response.text
    found: list[dict[str, Any]] = response.json()[kind]
    return found


async def test_two_municipalities_doing_the_same_are_paired_with_a_reason(
    platform: Platform,
) -> None:
    await with_background(platform)
    a, b = await platform.municipality(), await platform.municipality()
    client_a = platform.client(await platform.key("municipality", a))
    client_b = platform.client(await platform.key("municipality", b))
    solution = (
        await platform.client(await platform.key("coordinator")).post(
            "/api/v1/solutions",
            json=SOLUTION
            | {
                "name": "Friedhofsverwaltung online",
                "short_description": "Grabstellen und Nutzungsrechte im Friedhofsplan führen.",
                "long_description": "Gebührenbescheide der Friedhofsverwaltung ohne Papier.",
                "topics": ["administration"],
            },
        )
    ).json()["id"]
    mine = await project(client_a, "Digitale Friedhofsverwaltung", **FRIEDHOF)
    theirs = await project(client_b, "Friedhofsverwaltung digitalisieren", **FRIEDHOF)
    await indexed(platform, mine, theirs, solution)
    projects = await suggested(client_a, mine)
    (match,) = [s for s in projects if s["id"] == theirs]
    assert match["municipality_ags"] == b and match["score"] > 0.3
    assert "gemeinsame Begriffe" in match["reason"] and "Friedhofsverwaltung" in match["reason"]
    assert solution in {s["id"] for s in await suggested(client_a, mine, "solutions")}

    (event,) = await eventually(lambda: announced(client_a, mine, theirs))
    assert event["data"]["visibility"] == "public"
    assert event["data"]["reason"].startswith("beide Vorhaben")


async def test_a_private_project_is_never_shown_to_another_municipality(
    platform: Platform,
) -> None:
    a, b = await platform.municipality(), await platform.municipality()
    client_a = platform.client(await platform.key("municipality", a))
    client_b = platform.client(await platform.key("municipality", b))
    # The private project comes first: when it arrives, there is nothing to pair it with,
    # and the public one, arriving later, cannot see it; the pair must still be found.
    private_b = await project(client_b, "Hundesteuer digital", visibility="private", **HUNDESTEUER)
    await indexed(platform, private_b)
    public_a = await project(client_a, "Hundesteuer online", **HUNDESTEUER)
    await indexed(platform, public_a)
    assert private_b not in {s["id"] for s in await suggested(client_a, public_a)}
    # The owner of the private project sees its suggestions; the other municipality
    # cannot even ask.
    assert public_a in {s["id"] for s in await suggested(client_b, private_b)}
    refused = await client_a.get(f"/api/v1/projects/{private_b}/suggestions")
    assert refused.status_code == 404

    (event,) = await eventually(lambda: announced(client_b, private_b, public_a))
    assert event["data"]["project"]["id"] == private_b  # found from the private side
    assert event["data"]["visibility"] == "private"
    feed_of_a = (await client_a.get("/api/v1/feed", params={"limit": 200})).json()["items"]
    assert event["subject"] not in {e["subject"] for e in feed_of_a}
    assert private_b not in str([e["data"] for e in feed_of_a])


async def test_anonymous_callers_see_public_suggestions_only(platform: Platform) -> None:
    a, b = await platform.municipality(), await platform.municipality()
    client_a = platform.client(await platform.key("municipality", a))
    client_b = platform.client(await platform.key("municipality", b))
    body = HUNDESTEUER | {"summary": "Zweithund und Kampfhund: Hundesteuer online anmelden."}
    public_a = await project(client_a, "Hundesteuer Zweithund", **body)
    region_b = await project(client_b, "Hundesteuer Kampfhund", visibility="region", **body)
    await indexed(platform, public_a, region_b)
    assert region_b in {s["id"] for s in await suggested(client_a, public_a)}
    anonymous = await suggested(platform.client(), public_a)
    assert region_b not in {s["id"] for s in anonymous}


def _created(ags: str, title: str, when: datetime) -> CloudEvent:
    snapshot = ProjectSnapshot.model_validate(
        {"id": uuid.uuid4(), "municipality_ags": ags, "title": title, "status": "planned",
         "target_groups": [], "value_proposition": None, "indicators": [], "budget_eur": None,
         "funding_sources": [], "start_date": None, "end_date": None,
         "partner_municipalities": [], "contact": None, "links": [],
         "based_on_solution": None, "visibility": "public", "tags": [], "version": 1,
         "created_at": when, "updated_at": when} | FRIEDHOF
    )  # fmt: skip
    payload = ProjectCreated(project=snapshot)
    return CloudEvent.of(payload, source="/test/projects", subject=str(snapshot.id))


async def test_two_projects_in_one_batch_are_paired(platform: Platform) -> None:
    # Two projects whose events come in one batch are applied in one transaction: neither
    # is in the radar while the other is looked at, and the pair must still be announced.
    runtime = platform.knowledge.state.runtime
    a, b = await platform.municipality(), await platform.municipality()
    now = datetime.now(UTC)
    batch = [_created(a, "Friedhofsplan digital", now), _created(b, "Friedhof online", now)]
    await projects_handler(runtime)(batch)
    first, second = (e.subject for e in batch)
    async with runtime.db.session() as session:
        assert await radar_match_known(session, first, second)
    coordinator = platform.client(await platform.key("coordinator"))

    (event,) = await eventually(lambda: announced(coordinator, first, second))
    assert "Friedhof" in event["data"]["reason"]


async def test_a_match_is_never_more_visible_than_either_end(platform: Platform) -> None:
    await with_background(platform)
    a, b = await platform.municipality(), await platform.municipality()
    client_a = platform.client(await platform.key("municipality", a))
    client_b = platform.client(await platform.key("municipality", b))
    coordinator = platform.client(await platform.key("coordinator"))
    reader, anonymous = platform.client(await platform.key("reader")), platform.client()
    mine = await project(client_a, "Friedhofsverwaltung im Netz", **FRIEDHOF)
    theirs = await project(client_b, "Friedhofsverwaltung ohne Papier", **FRIEDHOF)
    await eventually(lambda: announced(anonymous, mine, theirs))

    async def applied(project_id: str, event_type: str, version: int) -> None:
        """Wait until the gateway's feed holds the event, and so what it narrowed."""

        async def there() -> bool:
            feed = (await coordinator.get("/api/v1/feed", params={"limit": 200})).json()
            return any(
                (e["subject"], e["type"]) == (project_id, event_type)
                and e["data"]["project"]["version"] == version
                for e in feed["items"]
            )

        await eventually(there)

    async def narrow(client: httpx.AsyncClient, project_id: str, visibility: str) -> int:
        url = f"/api/v1/projects/{project_id}"
        etag = (await client.get(url)).headers["etag"]
        changed = await client.patch(
            url, json={"visibility": visibility}, headers={"If-Match": etag}
        )
        assert changed.status_code == 200, changed.text
        version: int = changed.json()["version"]
        await applied(project_id, "de.lotse.project.updated.v1", version)
        return version

    await narrow(client_b, theirs, "region")
    assert not await announced(anonymous, mine, theirs)
    assert await announced(reader, mine, theirs)
    # One end private: for its owner only, who may see the other (public) end too.
    await narrow(client_b, theirs, "private")
    assert not await announced(reader, mine, theirs)
    assert not await announced(client_a, mine, theirs)
    assert await announced(client_b, mine, theirs)
    # Both ends private to two municipalities: neither may see the other's.
    last = await narrow(client_a, mine, "private")
    assert not await announced(client_a, mine, theirs)
    assert not await announced(client_b, mine, theirs)
    assert await announced(coordinator, mine, theirs)

    assert (await client_a.delete(f"/api/v1/projects/{mine}")).status_code == 204
    await applied(mine, "de.lotse.project.deleted.v1", last)
    assert not await announced(coordinator, mine, theirs)
