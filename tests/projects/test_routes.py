"""The project registry as municipalities and coordinators use it, through the gateway."""

import httpx
import pytest

from tests.conftest import Platform, new_ags

PROJECT = {
    "title": "Digitaler Bauantrag",
    "summary": "Bauanträge online stellen und verfolgen.",
    "topics": ["administration", "citizen_services"],
    "status": "planned",
    "visibility": "public",
    "target_groups": ["Bauherrinnen und Bauherren"],
    "indicators": [{"name": "Online-Anteil", "unit": "%", "target": 80, "current": 0}],
    "contact": {"name": "Digitallotsin", "email": "lotsin@teststadt.example"},
    "tags": ["OZG", "Bauen"],
}


class TestPublishing:
    async def test_municipality_publishes_its_own_project(self, platform: Platform) -> None:
        ags = await platform.municipality()
        client = platform.client(await platform.key("municipality", ags))
        response = await client.post("/api/v1/projects", json=PROJECT)
        assert response.status_code == 201, response.text
        body = response.json()
        assert body["municipality_ags"] == ags
        assert body["version"] == 1
        assert response.headers["etag"] == '"1"'
        read = await client.get(response.headers["location"])
        assert read.status_code == 200
        assert read.json()["title"] == "Digitaler Bauantrag"

    async def test_coordinator_must_name_the_municipality(self, platform: Platform) -> None:
        ags = await platform.municipality()
        client = platform.client(await platform.key("coordinator"))
        missing = await client.post("/api/v1/projects", json=PROJECT)
        assert missing.status_code == 422
        named = await client.post("/api/v1/projects", json=PROJECT | {"municipality_ags": ags})
        assert named.status_code == 201
        assert named.json()["municipality_ags"] == ags

    async def test_other_municipality_cannot_create_for_someone_else(
        self, platform: Platform
    ) -> None:
        mine, theirs = await platform.municipality(), await platform.municipality()
        client = platform.client(await platform.key("municipality", mine))
        response = await client.post(
            "/api/v1/projects", json=PROJECT | {"municipality_ags": theirs}
        )
        assert response.status_code == 403
        assert response.headers["content-type"] == "application/problem+json"

    async def test_reader_and_anonymous_cannot_write(self, platform: Platform) -> None:
        reader = platform.client(await platform.key("reader"))
        assert (await reader.post("/api/v1/projects", json=PROJECT)).status_code == 403
        anonymous = platform.client()
        assert (await anonymous.post("/api/v1/projects", json=PROJECT)).status_code == 401


class TestVisibility:
    async def test_each_caller_sees_what_the_rules_allow(self, platform: Platform) -> None:
        owner = await platform.municipality()
        neighbour = await platform.municipality()
        owner_client = platform.client(await platform.key("municipality", owner))
        ids = {}
        for visibility in ("public", "region", "private"):
            response = await owner_client.post(
                "/api/v1/projects", json=PROJECT | {"visibility": visibility}
            )
            ids[visibility] = response.json()["id"]
        callers = {
            "anonymous": (platform.client(), {"public"}),
            "reader": (platform.client(await platform.key("reader")), {"public", "region"}),
            "neighbour": (
                platform.client(await platform.key("municipality", neighbour)),
                {"public", "region"},
            ),
            "owner": (owner_client, {"public", "region", "private"}),
            "coordinator": (
                platform.client(await platform.key("coordinator")),
                {"public", "region", "private"},
            ),
        }
        for name, (client, allowed) in callers.items():
            listed = await client.get("/api/v1/projects", params={"municipality": owner})
            seen = {p["visibility"] for p in listed.json()["items"]}
            assert seen == allowed, name
            for visibility, project_id in ids.items():
                status = (await client.get(f"/api/v1/projects/{project_id}")).status_code
                assert status == (200 if visibility in allowed else 404), (name, visibility)


class TestChanging:
    async def _project(self, platform: Platform) -> tuple[httpx.AsyncClient, str, str]:
        ags = await platform.municipality()
        client = platform.client(await platform.key("municipality", ags))
        created = await client.post("/api/v1/projects", json=PROJECT)
        return client, created.json()["id"], ags

    async def test_update_needs_the_current_etag(self, platform: Platform) -> None:
        client, project_id, _ = await self._project(platform)
        url = f"/api/v1/projects/{project_id}"
        without = await client.patch(url, json={"title": "Neu"})
        assert without.status_code == 428
        ok = await client.patch(url, json={"title": "Neu"}, headers={"If-Match": '"1"'})
        assert ok.status_code == 200
        assert ok.headers["etag"] == '"2"'
        stale = await client.patch(url, json={"title": "Alt"}, headers={"If-Match": '"1"'})
        assert stale.status_code == 412
        assert (await client.get(url)).json()["title"] == "Neu"

    async def test_a_project_cannot_end_before_it_starts(self, platform: Platform) -> None:
        ags = await platform.municipality()
        client = platform.client(await platform.key("municipality", ags))
        backwards = PROJECT | {"start_date": "2027-05-01", "end_date": "2027-04-30"}
        refused = await client.post("/api/v1/projects", json=backwards)
        assert refused.status_code == 422
        assert [e["field"] for e in refused.json()["errors"]] == ["end_date"]
        mine = await client.get("/api/v1/projects", params={"municipality": ags})
        assert mine.json()["total"] == 0
        created = await client.post("/api/v1/projects", json=PROJECT | {"start_date": "2027-05-01"})
        url = f"/api/v1/projects/{created.json()['id']}"
        moved = await client.patch(
            url, json={"end_date": "2027-01-01"}, headers={"If-Match": '"1"'}
        )
        assert moved.status_code == 422
        assert [e["field"] for e in moved.json()["errors"]] == ["end_date"]
        assert (await client.get(url)).json()["end_date"] is None

    async def test_illegal_status_transition_is_a_conflict(self, platform: Platform) -> None:
        client, project_id, _ = await self._project(platform)
        url = f"/api/v1/projects/{project_id}"
        done = await client.patch(url, json={"status": "in_progress"}, headers={"If-Match": '"1"'})
        assert done.status_code == 200
        done = await client.patch(url, json={"status": "completed"}, headers={"If-Match": '"2"'})
        assert done.status_code == 200
        back = await client.patch(url, json={"status": "idea"}, headers={"If-Match": '"3"'})
        assert back.status_code == 409
        assert back.json()["type"].endswith("illegal-status-transition")
        assert (await client.get(url)).json()["status"] == "completed"

    async def test_other_municipality_cannot_edit_or_delete(self, platform: Platform) -> None:
        _, project_id, _ = await self._project(platform)
        other = platform.client(await platform.key("municipality", await platform.municipality()))
        url = f"/api/v1/projects/{project_id}"
        assert (
            await other.patch(url, json={"title": "X"}, headers={"If-Match": '"1"'})
        ).status_code == 403
        assert (await other.delete(url)).status_code == 403

    async def test_owner_deletes_and_it_is_gone(self, platform: Platform) -> None:
        client, project_id, _ = await self._project(platform)
        url = f"/api/v1/projects/{project_id}"
        assert (await client.delete(url)).status_code == 204
        assert (await client.get(url)).status_code == 404


class TestListing:
    async def test_filters_and_cursor_pagination(self, platform: Platform) -> None:
        ags = await platform.municipality()
        client = platform.client(await platform.key("municipality", ags))
        for number in range(5):
            await client.post(
                "/api/v1/projects",
                json=PROJECT | {"title": f"Glasfaser Ortsteil {number}", "topics": ["broadband"]},
            )
        await client.post(
            "/api/v1/projects", json=PROJECT | {"title": "Schul-WLAN", "topics": ["education"]}
        )
        seen: list[str] = []
        cursor = None
        while True:
            params: dict[str, str | int] = {"municipality": ags, "topic": "broadband", "limit": 2}
            if cursor:
                params["cursor"] = cursor
            page = (await client.get("/api/v1/projects", params=params)).json()
            assert page["total"] == 5
            seen += [p["title"] for p in page["items"]]
            cursor = page.get("next_cursor")
            if not cursor:
                break
        assert sorted(seen) == [f"Glasfaser Ortsteil {n}" for n in range(5)]
        found = await client.get("/api/v1/projects", params={"municipality": ags, "q": "wlan"})
        assert [p["title"] for p in found.json()["items"]] == ["Schul-WLAN"]

    async def test_tampered_cursor_is_a_bad_request(self, platform: Platform) -> None:
        response = await platform.client().get("/api/v1/projects", params={"cursor": "bm9wZQ"})
        assert response.status_code == 400


class TestPolling:
    """Intranet pages poll: an unchanged project or page is a 304 without a body."""

    async def test_an_unchanged_project_is_not_sent_again(self, platform: Platform) -> None:
        ags = await platform.municipality()
        client = platform.client(await platform.key("municipality", ags))
        location = (await client.post("/api/v1/projects", json=PROJECT)).headers["location"]
        first = await client.get(location)
        assert first.headers["etag"] == '"1"'
        for tag in ('"1"', 'W/"1"', '"7", "1"', "*"):
            again = await client.get(location, headers={"If-None-Match": tag})
            assert again.status_code == 304, tag
            assert again.content == b""
            assert again.headers["etag"] == '"1"'
        await client.patch(location, json={"title": "Neu"}, headers={"If-Match": '"1"'})
        changed = await client.get(location, headers={"If-None-Match": '"1"'})
        assert changed.status_code == 200
        assert changed.headers["etag"] == '"2"'
        assert changed.json()["title"] == "Neu"

    async def test_an_unchanged_list_page_is_not_sent_again(self, platform: Platform) -> None:
        ags = await platform.municipality()
        client = platform.client(await platform.key("municipality", ags))
        await client.post("/api/v1/projects", json=PROJECT | {"visibility": "region"})
        params = {"municipality": ags}
        first = await client.get("/api/v1/projects", params=params)
        etag = first.headers["etag"]
        again = await client.get("/api/v1/projects", params=params, headers={"If-None-Match": etag})
        assert again.status_code == 304
        assert again.content == b""
        # An anonymous caller sees another page (no region projects): its tag does not match.
        other = await platform.client().get(
            "/api/v1/projects", params=params, headers={"If-None-Match": etag}
        )
        assert other.status_code == 200
        await client.post("/api/v1/projects", json=PROJECT | {"title": "Zweites"})
        changed = await client.get(
            "/api/v1/projects", params=params, headers={"If-None-Match": etag}
        )
        assert changed.status_code == 200
        assert changed.json()["total"] == 2
        assert changed.headers["etag"] != etag


class TestIdempotency:
    async def test_same_key_and_body_gives_the_same_project_once(self, platform: Platform) -> None:
        ags = await platform.municipality()
        client = platform.client(await platform.key("municipality", ags))
        headers = {"Idempotency-Key": "retry-1"}
        first = await client.post("/api/v1/projects", json=PROJECT, headers=headers)
        second = await client.post("/api/v1/projects", json=PROJECT, headers=headers)
        assert first.status_code == second.status_code == 201
        assert first.json()["id"] == second.json()["id"]
        assert second.headers["idempotent-replayed"] == "true"
        listed = await client.get("/api/v1/projects", params={"municipality": ags})
        assert listed.json()["total"] == 1

    async def test_same_key_with_other_body_is_refused(self, platform: Platform) -> None:
        ags = await platform.municipality()
        client = platform.client(await platform.key("municipality", ags))
        headers = {"Idempotency-Key": "retry-2"}
        await client.post("/api/v1/projects", json=PROJECT, headers=headers)
        other = await client.post(
            "/api/v1/projects", json=PROJECT | {"title": "Anders"}, headers=headers
        )
        assert other.status_code == 422
        assert other.json()["type"].endswith("idempotency-key-reused")
        listed = await client.get("/api/v1/projects", params={"municipality": ags})
        assert listed.json()["total"] == 1


@pytest.mark.parametrize(
    ("body", "status"),
    [
        (b"{not json", 400),
        (b'{"title": 5, "topics": ["administration"]}', 422),
        (b'{"title": "' + b"x" * 201 + b'", "topics": ["administration"]}', 422),
        (b'{"title": "T", "topics": ["space_travel"]}', 422),
        (b'{"title": "T", "topics": ["administration"], "status": "done"}', 422),
        (b'{"title": "T", "topics": ["administration"], "partner_municipalities": ["123"]}', 422),
        (b'{"title": "T", "topics": ["administration"], "colour": "blue"}', 422),
        (
            b'{"title": "T", "topics": ["administration"], "tags": ["' + b"x" * 2_000_000 + b'"]}',
            413,
        ),
    ],
    ids=[
        "malformed",
        "wrong-type",
        "overlong",
        "unknown-topic",
        "unknown-status",
        "invalid-ags",
        "unknown-field",
        "oversized",
    ],
)
async def test_bad_input_is_refused_and_changes_nothing(
    platform: Platform, body: bytes, status: int
) -> None:
    ags = await platform.municipality()
    client = platform.client(await platform.key("municipality", ags))
    outbox_before = await _outbox_size(platform)
    response = await client.post(
        "/api/v1/projects", content=body, headers={"content-type": "application/json"}
    )
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    listed = await client.get("/api/v1/projects", params={"municipality": ags})
    assert listed.json()["total"] == 0
    assert await _outbox_size(platform) == outbox_before


async def _outbox_size(platform: Platform) -> int:
    from sqlalchemy import func, select

    from shared.kit.outbox import OutboxEvent

    async with platform.projects.state.runtime.db.session() as session:
        return int(await session.scalar(select(func.count()).select_from(OutboxEvent)) or 0)


async def test_unknown_partner_municipality_is_refused(platform: Platform) -> None:
    ags = await platform.municipality()
    client = platform.client(await platform.key("municipality", ags))
    response = await client.post(
        "/api/v1/projects", json=PROJECT | {"partner_municipalities": [new_ags()]}
    )
    assert response.status_code == 422
    assert response.json()["type"].endswith("unknown-municipality")
