"""The dashboard: its numbers are the API's, within visibility; its live stream is the
API's stream for a signed-in browser; a part whose service is away leaves a note."""

import asyncio
import contextlib
import html
import json
import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any, get_args

import httpx
import pytest
from sqlalchemy import select
from sqlmodel import col

from services.gateway.web.messages import CATALOGUES
from shared.contracts.projects import ProjectStatus
from shared.kit.outbox import OutboxEvent
from shared.region.topics import TOPICS
from tests.conftest import ADMIN_KEY, BACKENDS, Platform, eventually, new_ags, running_platform
from tests.gateway.web.conftest import WebGateway
from tests.gateway.web.forms import sign_in

ROW = re.compile(r'<tr><th scope="row">([^<]+)</th><td>(\d+)</td></tr>')


@pytest.fixture(scope="module", params=BACKENDS)
async def dash(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Platform]:
    async with running_platform(
        request.param,
        tmp_path_factory.mktemp("dashboard"),
        stream_per_identity=2,
        stream_heartbeat_seconds=0.3,
        stream_poll_seconds=0.05,
    ) as platform:
        yield platform


def browser(platform: Platform) -> httpx.AsyncClient:
    """A client that keeps cookies, like one browser."""
    return httpx.AsyncClient(base_url=platform.gateway_url, timeout=10)


async def publish(owner: httpx.AsyncClient, title: str, **fields: Any) -> str:
    body = {"title": title, "topics": ["mobility"], "visibility": "region"} | fields
    response = await owner.post("/api/v1/projects", json=body)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def table(page: str, caption: str) -> dict[str, int]:
    """The rows of the table with this caption: label -> number."""
    start = page.index(f"<caption>{html.escape(caption)}</caption>")
    end = page.index("</table>", start)
    return {html.unescape(label): int(n) for label, n in ROW.findall(page[start:end])}


def test_every_status_and_topic_has_a_name_in_both_languages() -> None:
    for catalogue in CATALOGUES.values():
        assert {k for k in catalogue if k.startswith("dashboard.topic.")} == {
            f"dashboard.topic.{topic}" for topic in TOPICS
        }
        assert {k for k in catalogue if k.startswith("dashboard.status.")} == {
            f"dashboard.status.{status}" for status in get_args(ProjectStatus)
        }


class TestCharts:
    async def test_the_charts_show_the_apis_counts(self, dash: Platform) -> None:
        ags = await dash.municipality(name="Zählstadt")
        owner = dash.client(await dash.key("municipality", ags))
        await publish(owner, "Radweg", status="planned")
        await publish(owner, "Ladesäulen", status="planned", topics=["mobility", "energy"])
        await publish(owner, "Idee", status="idea", topics=["energy"])
        key = await dash.key("coordinator")
        api = dash.client(key)
        async with browser(dash) as client:
            await sign_in(client, key)
            page = await client.get("/dashboard")
            counts = (await api.get("/api/v1/projects/counts")).json()
        assert page.status_code == 200
        statuses = table(page.text, "Projekte nach Stand")
        assert statuses["geplant"] == counts["by_status"]["planned"] >= 2
        assert statuses["Idee"] == counts["by_status"]["idea"] >= 1
        assert statuses["abgebrochen"] == counts["by_status"].get("cancelled", 0)
        topics = table(
            page.text, "Projekte nach Gestaltungsfeld (ein Projekt kann in mehreren stehen)"
        )
        assert topics["Energie"] == counts["by_topic"]["energy"]
        assert topics["Mobilität"] == counts["by_topic"]["mobility"]
        assert f"Projekte, die Sie sehen dürfen: {counts['total']}" in page.text

    async def test_counts_agree_with_the_lists_totals(self, dash: Platform) -> None:
        ags = await dash.municipality()
        owner = dash.client(await dash.key("municipality", ags))
        await publish(owner, "A", status="completed", topics=["energy", "education"])
        await publish(owner, "B", status="completed", topics=["education"])
        api = dash.client(await dash.key("reader"))
        counts = (await api.get("/api/v1/projects/counts", params={"municipality": ags})).json()
        assert counts == {
            "total": 2,
            "by_status": {"completed": 2},
            "by_topic": {"education": 2, "energy": 1},
            "by_municipality": {ags: 2},
        }
        for status in ["completed", "planned"]:
            listed = await api.get("/api/v1/projects", params={"status": status, "limit": 1})
            region = (await api.get("/api/v1/projects/counts", params={"status": status})).json()
            assert region["total"] == listed.json()["total"]

    async def test_another_municipalitys_private_project_is_not_counted(
        self, dash: Platform
    ) -> None:
        mine, theirs = await dash.municipality(), await dash.municipality(name="Verschwiegen")
        other = dash.client(await dash.key("municipality", theirs))
        await publish(other, "Offen", visibility="region")
        await publish(other, "Intern", visibility="private", status="idea")
        current = await dash.admin.get(f"/api/v1/municipalities/{theirs}")
        placed = await dash.admin.patch(
            f"/api/v1/municipalities/{theirs}",
            json={"latitude": 50.8, "longitude": 8.9},
            headers={"If-Match": current.headers["etag"]},
        )
        assert placed.status_code == 200, placed.text
        key = await dash.key("municipality", mine)
        seen = await dash.client(key).get(
            "/api/v1/projects/counts", params={"municipality": theirs}
        )
        assert seen.json() == {
            "total": 1,
            "by_status": {"idea": 1},
            "by_topic": {"mobility": 1},
            "by_municipality": {theirs: 1},
        }
        owners = await other.get("/api/v1/projects/counts", params={"municipality": theirs})
        assert owners.json()["by_municipality"] == {theirs: 2}
        caption = "Die Kommunen der Region an ihrem Ort, nach Zahl ihrer Projekte"
        for viewer, expected in [(key, 1), (await dash.key("municipality", theirs), 2)]:
            async with browser(dash) as client:
                await sign_in(client, viewer)
                page = await client.get("/dashboard")
            assert table(page.text, caption)["Verschwiegen"] == expected
            ring = "1 Projekt" if expected == 1 else f"{expected} Projekte"
            assert f"<title>Verschwiegen: {ring}</title>" in page.text
        assert f"Verschwiegen (AGS {theirs})" in page.text  # the last viewer's own


class TestCountsRefuseBadFilters:
    @pytest.mark.parametrize(
        "params",
        [
            {"status": "fertig"},
            {"topic": "weltraum"},
            {"municipality": "0653401"},
            {"municipality": "06534014\x00"},
            {"visibility": "geheim"},
        ],
    )
    async def test_a_bad_filter_is_a_problem(self, dash: Platform, params: dict[str, str]) -> None:
        answer = await dash.client(await dash.key("reader")).get(
            "/api/v1/projects/counts", params=params
        )
        # Control characters are refused at the door (400), the rest by validation (422).
        assert answer.status_code == (400 if any("\x00" in v for v in params.values()) else 422), (
            answer.text
        )
        assert answer.headers["content-type"] == "application/problem+json"

    async def test_an_unchanged_count_is_not_sent_again(self, dash: Platform) -> None:
        client = dash.client(await dash.key("reader"))
        first = await client.get("/api/v1/projects/counts", params={"topic": "it_security"})
        again = await client.get(
            "/api/v1/projects/counts",
            params={"topic": "it_security"},
            headers={"If-None-Match": first.headers["etag"]},
        )
        assert again.status_code == 304 and not again.content


class TestDeadlinesAndRadar:
    async def test_the_nearest_deadlines_come_first(self, dash: Platform) -> None:
        coordinator = dash.client(await dash.key("coordinator"))
        noon = datetime.now(UTC).replace(hour=12, minute=0, second=0, microsecond=0)
        for title, days in [("Später Aufruf", 9), ("Früher Aufruf", 3), ("Vorbei", -2)]:
            answer = await coordinator.post(
                "/api/v1/funding-calls",
                json={
                    "title": title,
                    "funder": "Land Hessen",
                    "funder_level": "land",
                    "funding_types": ["zuschuss"],
                    "topics": ["administration"],
                    "deadline_model": "single",
                    "deadline_at": (noon + timedelta(days=days)).isoformat(),
                    "source_url": "https://foerderung.example/aufruf",
                },
            )
            assert answer.status_code == 201, answer.text
        async with browser(dash) as client:
            await sign_in(client, await dash.key("reader"))
            page = (await client.get("/dashboard")).text
        deadlines = page.split('id="deadlines-title"', 1)[1].split("</section>", 1)[0]
        assert deadlines.index("Früher Aufruf") < deadlines.index("Später Aufruf")
        assert "Vorbei" not in deadlines

    async def test_the_radar_shows_what_it_found_for_the_caller(self, dash: Platform) -> None:
        mine, theirs = await dash.municipality(), await dash.municipality(name="Nachbarort")
        text = {
            "summary": "Digitale Anmeldung und Platzvergabe für Kindertagesstätten mit "
            "Wartelisten, Elternportal und Bescheiden",
            "topics": ["education", "citizen_services"],
            "tags": ["Kita", "Platzvergabe"],
        }
        key = await dash.key("municipality", mine)
        await publish(dash.client(key), "Kita-Platzvergabe online", **text)
        other = dash.client(await dash.key("municipality", theirs))
        await publish(other, "Online-Kitaplatzvergabe", **text)

        async def found() -> list[Any]:
            page = await dash.client(key).get(
                "/api/v1/feed", params={"type": "de.lotse.match.found.v1", "limit": 5}
            )
            return [e for e in page.json()["items"] if "Kita" in e["title"]]

        await eventually(found)
        async with browser(dash) as client:
            await sign_in(client, key)
            page = (await client.get("/dashboard")).text
        radar = page.split('id="radar-title"', 1)[1].split("</section>", 1)[0]
        assert "Kita-Platzvergabe online" in radar and "Online-Kitaplatzvergabe" in radar


class TestCoordinates:
    @pytest.mark.parametrize(
        ("place", "field"),
        [
            ({"latitude": 91, "longitude": 8.7}, "latitude"),
            ({"latitude": -90.5, "longitude": 8.7}, "latitude"),
            ({"latitude": 50.8, "longitude": 180.1}, "longitude"),
            ({"latitude": "Norden", "longitude": 8.7}, "latitude"),
            ({"latitude": 50.8}, None),
            ({"longitude": 8.7}, None),
        ],
    )
    async def test_bad_coordinates_are_refused(
        self, dash: Platform, place: dict[str, Any], field: str | None
    ) -> None:
        ags = new_ags()
        answer = await dash.admin.post(
            "/api/v1/municipalities", json={"ags": ags, "name": "X", "kind": "stadt"} | place
        )
        assert answer.status_code == 422, answer.text
        assert answer.headers["content-type"] == "application/problem+json"
        if field:
            assert field in answer.text
        assert (await dash.admin.get(f"/api/v1/municipalities/{ags}")).status_code == 404

    async def test_the_municipality_events_carry_the_place(self, dash: Platform) -> None:
        ags = new_ags()
        created = await dash.admin.post(
            "/api/v1/municipalities",
            json={"ags": ags, "name": "Ortsfest", "kind": "stadt", "latitude": 50.81},
        )
        assert created.status_code == 422  # half a place is no place
        created = await dash.admin.post(
            "/api/v1/municipalities",
            json={
                "ags": ags,
                "name": "Ortsfest",
                "kind": "stadt",
                "latitude": 50.81,
                "longitude": 8.77,
            },
        )
        assert created.status_code == 201, created.text
        current = await dash.admin.get(f"/api/v1/municipalities/{ags}")
        moved = await dash.admin.patch(
            f"/api/v1/municipalities/{ags}",
            json={"latitude": 50.82, "longitude": 8.78},
            headers={"If-Match": current.headers["etag"]},
        )
        assert moved.status_code == 200, moved.text
        async with dash.gateway.state.runtime.db.session() as session:
            rows = await session.scalars(
                select(OutboxEvent)
                .where(col(OutboxEvent.key) == ags)
                .order_by(col(OutboxEvent.seq))
            )
            payloads = [(row.type, json.loads(row.payload)) for row in rows]
        assert [(kind, p["municipality"]["latitude"]) for kind, p in payloads] == [
            ("de.lotse.municipality.created.v1", 50.81),
            ("de.lotse.municipality.updated.v1", 50.82),
        ]
        assert payloads[1][1]["changed"] == ["latitude", "longitude"]

    async def test_coordinates_change_together_or_not_at_all(self, dash: Platform) -> None:
        ags = await dash.municipality()
        current = await dash.admin.get(f"/api/v1/municipalities/{ags}")
        assert current.json()["latitude"] is None and current.json()["longitude"] is None
        half = await dash.admin.patch(
            f"/api/v1/municipalities/{ags}",
            json={"latitude": 50.8},
            headers={"If-Match": current.headers["etag"]},
        )
        assert half.status_code == 422, half.text
        both = await dash.admin.patch(
            f"/api/v1/municipalities/{ags}",
            json={"latitude": 50.8, "longitude": 8.77},
            headers={"If-Match": current.headers["etag"]},
        )
        assert both.status_code == 200, both.text
        assert (both.json()["latitude"], both.json()["longitude"]) == (50.8, 8.77)
        cleared_one = await dash.admin.patch(
            f"/api/v1/municipalities/{ags}",
            json={"longitude": None},
            headers={"If-Match": both.headers["etag"]},
        )
        assert cleared_one.status_code == 422, cleared_one.text
        moved = await dash.admin.patch(
            f"/api/v1/municipalities/{ags}",
            json={"longitude": 8.8},
            headers={"If-Match": both.headers["etag"]},
        )
        assert moved.status_code == 200 and moved.json()["longitude"] == 8.8


@contextlib.asynccontextmanager
async def dashboard_stream(client: httpx.AsyncClient) -> AsyncIterator[list[dict[str, Any]]]:
    """The page's stream, read in the background: the entries it brought so far."""
    entries: list[dict[str, Any]] = []
    opened = asyncio.Event()

    async def read() -> None:
        async with client.stream("GET", "/dashboard/stream") as response:
            assert response.status_code == 200, await response.aread()
            assert response.headers["content-type"].startswith("text/event-stream")
            async for line in response.aiter_lines():
                opened.set()
                if line.startswith("data:"):
                    entries.append(json.loads(line.removeprefix("data:")))

    task = asyncio.create_task(read())
    try:
        async with asyncio.timeout(10):
            await asyncio.wait(
                [task, asyncio.create_task(opened.wait())], return_when="FIRST_COMPLETED"
            )
        if task.done():
            task.result()
        yield entries
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


class TestStream:
    async def test_the_stream_shows_what_the_signed_in_person_may_see(self, dash: Platform) -> None:
        mine, theirs = await dash.municipality(), await dash.municipality()
        other = dash.client(await dash.key("municipality", theirs))
        async with browser(dash) as client:
            await sign_in(client, await dash.key("municipality", mine))
            async with dashboard_stream(client) as entries:
                private = await publish(other, "Geheim", visibility="private")
                public = await publish(other, "Offen", visibility="public")

                async def arrived() -> bool:
                    return public in {e["subject"] for e in entries}

                await eventually(arrived)
                assert private not in {e["subject"] for e in entries}

    async def test_a_browser_without_a_session_gets_no_stream(self, dash: Platform) -> None:
        async with browser(dash) as client:
            answer = await client.get("/dashboard/stream")
        assert answer.status_code == 401
        assert answer.headers["content-type"] == "application/problem+json"

    async def test_a_bad_resume_point_is_refused(self, dash: Platform) -> None:
        async with browser(dash) as client:
            await sign_in(client, await dash.key("reader"))
            for params, headers in [
                ({"after": "-1"}, {}),
                ({"after": "gestern"}, {}),
                ({}, {"Last-Event-ID": "gestern"}),
            ]:
                answer = await client.get("/dashboard/stream", params=params, headers=headers)
                assert answer.status_code == 422, (params, headers)
                assert answer.headers["content-type"] == "application/problem+json"

    async def test_the_stream_resumes_after_the_entry_the_page_showed(self, dash: Platform) -> None:
        ags = await dash.municipality()
        owner = dash.client(await dash.key("municipality", ags))
        first = await publish(owner, "Vorher", visibility="public")
        key = await dash.key("reader")

        async def position() -> int | None:
            page = await dash.client(key).get("/api/v1/feed", params={"limit": 20})
            ids = [e["id"] for e in page.json()["items"] if e["subject"] == first]
            return ids[0] if ids else None

        seen = await eventually(position)
        second = await publish(owner, "Während die Seite lud", visibility="public")
        async with browser(dash) as client:
            await sign_in(client, key)
            entries: list[dict[str, Any]] = []
            async with (
                asyncio.timeout(20),  # without the resume point, `second` never comes
                client.stream("GET", "/dashboard/stream", params={"after": seen}) as s,
            ):
                async for line in s.aiter_lines():
                    if line.startswith("data:"):
                        entries.append(json.loads(line.removeprefix("data:")))
                        if any(e["subject"] == second for e in entries):
                            break
        assert first not in {e["subject"] for e in entries}

    async def test_streams_share_the_keys_bound_with_the_api(self, dash: Platform) -> None:
        key = await dash.key("reader")
        async with browser(dash) as client, browser(dash) as second:
            await sign_in(client, key)
            await sign_in(second, key)
            async with dashboard_stream(client), dashboard_stream(second):
                refused = await client.get("/dashboard/stream")
                assert refused.status_code == 429
                assert "retry-after" in refused.headers
                api = await dash.client(key).get("/api/v1/events/stream")
                assert api.status_code == 429


class TestDegrades:
    async def test_the_page_stands_when_the_services_are_away(self, gateway: WebGateway) -> None:
        # A gateway alone: projects, funding and knowledge do not answer.
        client = gateway.browser()
        await sign_in(client, ADMIN_KEY)
        page = await client.get("/dashboard")
        assert page.status_code == 200
        assert page.text.count("Dieser Teil ist gerade nicht verfügbar") == 3  # charts,
        # picture (needs the counts), deadlines; the feed is the gateway's own
        assert 'id="activity-list"' in page.text
        assert "Das Kooperationsradar hat noch nichts" in page.text
