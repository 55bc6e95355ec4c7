"""Calls matched to the region's projects, known from the projects service's events."""

from typing import Any

import httpx
from sqlalchemy import select
from sqlmodel import col

from shared.kit.outbox import OutboxEvent
from tests.conftest import Platform, eventually
from tests.funding.test_calls import CALLS, call_body


async def project(client: httpx.AsyncClient, **fields: Any) -> str:
    body = {"title": "Glasfaser für alle", "topics": ["broadband"], "status": "planned"}
    response = await client.post("/api/v1/projects", json=body | fields)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


async def known_to_funding(platform: Platform, project_id: str, version: int = 1) -> None:
    from services.funding.models import KnownProject

    async def known() -> bool:
        async with platform.funding.state.runtime.db.session() as session:
            row = await session.get(KnownProject, project_id)
            return row is not None and row.version >= version

    await eventually(known)


async def test_a_published_call_finds_the_projects_it_fits(platform: Platform) -> None:
    ags = await platform.municipality(kind="stadt", population=30_000)
    owner = platform.client(await platform.key("municipality", ags))
    fitting = await project(owner, visibility="public")
    done = await project(owner, title="Fertig", status="in_progress")
    await owner.patch(
        f"/api/v1/projects/{done}", json={"status": "completed"}, headers={"If-Match": '"1"'}
    )
    other_topic = await project(owner, title="Schule", topics=["education"])
    await known_to_funding(platform, fitting)
    await known_to_funding(platform, done, version=2)
    await known_to_funding(platform, other_topic)
    coordinator = platform.client(await platform.key("coordinator"))
    body = call_body(title="Gigabitförderung", topics=["broadband"], applicants={"laender": ["06"]})
    call = (await coordinator.post(CALLS, json=body)).json()

    matches = await owner.get(f"/api/v1/funding-calls/{call['id']}/matching-projects")
    assert matches.status_code == 200, matches.text
    assert [m["project_id"] for m in matches.json()["items"]] == [fitting]
    reasons = matches.json()["items"][0]["reasons"]
    assert (
        reasons[0] == "Thema: Breitband und Mobilfunk" and "Hessen ist förderberechtigt" in reasons
    )
    # The gateway routes this projects path to the funding service (most specific prefix).
    for_project = await platform.client().get(f"/api/v1/projects/{fitting}/funding-matches")
    assert for_project.status_code == 200, for_project.text
    assert [m["call"]["id"] for m in for_project.json()["items"]] == [call["id"]]
    async with platform.funding.state.runtime.db.session() as session:
        payloads = (
            await session.scalars(
                select(col(OutboxEvent.payload)).where(
                    col(OutboxEvent.type) == "de.lotse.funding_match.found.v1",
                    col(OutboxEvent.key) == call["id"],
                )
            )
        ).all()
    assert len(payloads) == 1 and fitting in payloads[0]


async def test_a_new_project_finds_current_calls_and_a_private_one_stays_private(
    platform: Platform,
) -> None:
    coordinator = platform.client(await platform.key("coordinator"))
    body = call_body(title="Smart City", topics=["mobility"], applicants={"laender": []})
    call = (await coordinator.post(CALLS, json=body)).json()
    ags, neighbour = await platform.municipality(), await platform.municipality()
    owner = platform.client(await platform.key("municipality", ags))
    private = await project(owner, title="Verkehrsdaten", topics=["mobility"], visibility="private")

    async def matched() -> list[Any]:
        response = await owner.get(f"/api/v1/projects/{private}/funding-matches")
        return list(response.json()["items"]) if response.status_code == 200 else []

    assert [m["call"]["id"] for m in await eventually(matched)] == [call["id"]]
    stranger = platform.client(await platform.key("municipality", neighbour))
    hidden = await stranger.get(f"/api/v1/projects/{private}/funding-matches")
    assert hidden.status_code == 404
    listed = await stranger.get(f"/api/v1/funding-calls/{call['id']}/matching-projects")
    assert private not in {m["project_id"] for m in listed.json()["items"]}


async def test_an_ineligible_owner_gets_no_match(platform: Platform) -> None:
    ags = await platform.municipality(kind="gemeinde", population=5_000)
    owner = platform.client(await platform.key("municipality", ags))
    planned = await project(owner, title="Gewerbegebiet", topics=["economy"])
    await known_to_funding(platform, planned)
    coordinator = platform.client(await platform.key("coordinator"))
    body = call_body(topics=["economy"], applicants={"population_min": 50_000})
    call = (await coordinator.post(CALLS, json=body)).json()
    matches = await owner.get(f"/api/v1/funding-calls/{call['id']}/matching-projects")
    assert matches.json()["items"] == []
