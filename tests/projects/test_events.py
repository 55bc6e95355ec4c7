"""Every change of a project is an event with the full snapshot, seen by consumers."""

from typing import Any

from tests.conftest import Platform, eventually


async def test_lifecycle_of_a_project_reaches_consumers_as_events(platform: Platform) -> None:
    ags = await platform.municipality()
    client = platform.client(await platform.key("municipality", ags))
    created = await client.post(
        "/api/v1/projects",
        json={"title": "Sensorik", "topics": ["environment_climate"], "visibility": "public"},
    )
    url = f"/api/v1/projects/{created.json()['id']}"
    await client.patch(url, json={"summary": "Pegel messen"}, headers={"If-Match": '"1"'})
    await client.patch(url, json={"status": "planned"}, headers={"If-Match": '"2"'})
    await client.delete(url)

    async def events() -> list[dict[str, Any]]:
        feed = (await client.get("/api/v1/feed", params={"limit": 200})).json()["items"]
        mine = [e for e in feed if e["subject"] == created.json()["id"]]
        return mine if len(mine) == 4 else []

    entries = list(reversed(await eventually(events)))
    assert [e["type"] for e in entries] == [
        "de.lotse.project.created.v1",
        "de.lotse.project.updated.v1",
        "de.lotse.project.status_changed.v1",
        "de.lotse.project.deleted.v1",
    ]
    assert entries[1]["data"]["changed"] == ["summary"]
    assert entries[1]["data"]["project"]["summary"] == "Pegel messen"
    assert entries[2]["data"]["previous_status"] == "idea"
    assert entries[2]["data"]["project"]["status"] == "planned"
    assert entries[3]["data"]["project"]["version"] == 3


async def test_a_refused_change_emits_nothing(platform: Platform) -> None:
    ags = await platform.municipality()
    client = platform.client(await platform.key("municipality", ags))
    created = await client.post(
        "/api/v1/projects", json={"title": "Stabil", "topics": ["energy"], "status": "planned"}
    )
    url = f"/api/v1/projects/{created.json()['id']}"
    stale = await client.patch(url, json={"title": "X"}, headers={"If-Match": '"7"'})
    illegal = await client.patch(url, json={"status": "completed"}, headers={"If-Match": '"1"'})
    assert (stale.status_code, illegal.status_code) == (412, 409)
    from sqlalchemy import select
    from sqlmodel import col

    from shared.kit.outbox import OutboxEvent

    async with platform.projects.state.runtime.db.session() as session:
        types = (
            await session.scalars(
                select(col(OutboxEvent.type)).where(col(OutboxEvent.key) == created.json()["id"])
            )
        ).all()
    assert types == ["de.lotse.project.created.v1"]
