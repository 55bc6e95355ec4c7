"""The region's software inventory: recorded by municipalities, brought by projects, stale
when nobody confirms it."""

from datetime import timedelta
from typing import Any

import httpx
from sqlalchemy import update
from sqlmodel import col

from services.knowledge.models import Adoption
from services.knowledge.repository import get_known_project
from shared.kit.sqltypes import utcnow
from tests.conftest import Platform, eventually
from tests.knowledge.test_solutions import SOLUTION


async def publish_solution(platform: Platform, **changes: Any) -> str:
    coordinator = platform.client(await platform.key("coordinator"))
    response = await coordinator.post("/api/v1/solutions", json=SOLUTION | changes)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


async def municipality_client(platform: Platform) -> tuple[str, httpx.AsyncClient]:
    ags = await platform.municipality()
    return ags, platform.client(await platform.key("municipality", ags))


class TestRecording:
    async def test_a_municipality_records_its_own_and_the_region_sees_it(
        self, platform: Platform
    ) -> None:
        solution = await publish_solution(platform)
        ags, client = await municipality_client(platform)
        recorded = await client.post(
            "/api/v1/adoptions",
            json={"solution_id": solution, "status": "live", "since": "2024-03-01"},
        )
        assert recorded.status_code == 201, recorded.text
        body = recorded.json()
        assert (body["municipality_ags"], body["status"], body["stale"]) == (ags, "live", False)
        assert body["solution_name"] == "Ratsfenster"
        reader = platform.client(await platform.key("reader"))
        inventory = await reader.get(f"/api/v1/municipalities/{ags}/solutions")
        assert inventory.status_code == 200, inventory.text
        (entry,) = inventory.json()["items"]
        assert entry["solution"]["name"] == "Ratsfenster" and entry["status"] == "live"
        users = await reader.get(f"/api/v1/solutions/{solution}/adoptions")
        assert [a["municipality_ags"] for a in users.json()["items"]] == [ags]
        matrix = await reader.get("/api/v1/adoptions", params={"solution": solution})
        assert matrix.json()["total"] == 1

    async def test_the_inventory_is_for_members_only(self, platform: Platform) -> None:
        ags = await platform.municipality()
        anonymous = platform.client()
        assert (await anonymous.get("/api/v1/adoptions")).status_code == 401
        assert (await anonymous.get(f"/api/v1/municipalities/{ags}/solutions")).status_code == 401

    async def test_one_adoption_per_municipality_and_solution(self, platform: Platform) -> None:
        solution = await publish_solution(platform)
        _, client = await municipality_client(platform)
        first = await client.post("/api/v1/adoptions", json={"solution_id": solution})
        again = await client.post("/api/v1/adoptions", json={"solution_id": solution})
        assert (first.status_code, again.status_code) == (201, 409)
        assert first.json()["id"] in again.json()["detail"]

    async def test_nobody_records_or_changes_for_another_municipality(
        self, platform: Platform
    ) -> None:
        solution = await publish_solution(platform)
        owner, owner_client = await municipality_client(platform)
        _, stranger = await municipality_client(platform)
        refused = await stranger.post(
            "/api/v1/adoptions", json={"solution_id": solution, "municipality_ags": owner}
        )
        assert refused.status_code == 403
        assert refused.json()["errors"][0]["field"] == "municipality_ags"
        created = await owner_client.post("/api/v1/adoptions", json={"solution_id": solution})
        url = f"/api/v1/adoptions/{created.json()['id']}"
        change = await stranger.patch(url, json={"status": "ended"}, headers={"If-Match": '"1"'})
        assert change.status_code == 403

    async def test_an_unknown_solution_or_municipality_is_named(self, platform: Platform) -> None:
        coordinator = platform.client(await platform.key("coordinator"))
        solution = await publish_solution(platform)
        missing = await coordinator.post(
            "/api/v1/adoptions",
            json={
                "solution_id": "00000000-0000-4000-8000-000000000000",
                "municipality_ags": await platform.municipality(),
            },
        )
        assert missing.status_code == 422
        assert missing.json()["errors"][0]["field"] == "solution_id"
        stranger = await coordinator.post(
            "/api/v1/adoptions", json={"solution_id": solution, "municipality_ags": "09162000"}
        )
        assert stranger.status_code == 422
        assert stranger.json()["type"].endswith("unknown-municipality")


class TestStaleness:
    async def test_an_unconfirmed_adoption_turns_stale_and_a_confirmation_renews_it(
        self, platform: Platform
    ) -> None:
        solution = await publish_solution(platform)
        ags, client = await municipality_client(platform)
        created = (await client.post("/api/v1/adoptions", json={"solution_id": solution})).json()
        # Thirteen months cannot pass in a test: the row is dated back instead.
        async with platform.knowledge.state.runtime.db.session() as session:
            await session.execute(
                update(Adoption)
                .where(col(Adoption.id) == created["id"])
                .values(confirmed_at=utcnow() - timedelta(days=400))
            )
            await session.commit()
        inventory = f"/api/v1/municipalities/{ags}/solutions"
        stale = (await client.get(inventory, params={"stale": "true"})).json()["items"]
        assert [e["id"] for e in stale] == [created["id"]] and stale[0]["stale"] is True
        confirmed = await client.patch(
            f"/api/v1/adoptions/{created['id']}", json={}, headers={"If-Match": '"1"'}
        )
        assert confirmed.status_code == 200, confirmed.text
        assert confirmed.json()["stale"] is False and confirmed.json()["version"] == 2
        assert (await client.get(inventory, params={"stale": "true"})).json()["total"] == 0


class TestFromProjects:
    async def test_a_project_based_on_a_solution_plans_and_its_completion_makes_it_live(
        self, platform: Platform
    ) -> None:
        solution = await publish_solution(platform)
        ags, client = await municipality_client(platform)
        project = await client.post(
            "/api/v1/projects",
            json={
                "title": "Ratsinformationssystem einführen",
                "topics": ["participation"],
                "status": "in_progress",
                "based_on_solution": solution,
                "visibility": "region",
            },
        )
        assert project.status_code == 201, project.text
        inventory = f"/api/v1/municipalities/{ags}/solutions"

        async def adoption_with(status: str) -> dict[str, Any] | None:
            items = (await client.get(inventory)).json()["items"]
            return items[0] if items and items[0]["status"] == status else None

        planned = await eventually(lambda: adoption_with("planned"))
        assert planned["project_id"] == project.json()["id"]
        done = await client.patch(
            f"/api/v1/projects/{project.json()['id']}",
            json={"status": "completed"},
            headers={"If-Match": '"1"'},
        )
        assert done.status_code == 200, done.text
        live = await eventually(lambda: adoption_with("live"))
        assert live["id"] == planned["id"] and live["version"] == 2

        async def events() -> list[str]:
            feed = (await client.get("/api/v1/feed", params={"limit": 200})).json()["items"]
            types = [e["type"] for e in reversed(feed) if e["subject"] == planned["id"]]
            return types if len(types) == 2 else []

        assert await eventually(events) == [
            "de.lotse.adoption.recorded.v1",
            "de.lotse.adoption.changed.v1",
        ]
        anonymous = (await platform.client().get("/api/v1/feed", params={"limit": 200})).json()
        assert planned["id"] not in {e["subject"] for e in anonymous["items"]}

    async def test_a_private_project_records_no_adoption(self, platform: Platform) -> None:
        solution = await publish_solution(platform)
        ags, client = await municipality_client(platform)
        private = await client.post(
            "/api/v1/projects",
            json={
                "title": "Geheimes Vorhaben",
                "topics": ["internal_it"],
                "based_on_solution": solution,
                "visibility": "private",
            },
        )
        assert private.status_code == 201

        async def handled() -> bool:
            # The service keeps private projects too (for their own municipality's search).
            async with platform.knowledge.state.runtime.db.session() as session:
                return await get_known_project(session, private.json()["id"]) is not None

        await eventually(handled)
        inventory = await client.get(f"/api/v1/municipalities/{ags}/solutions")
        assert inventory.json()["total"] == 0
