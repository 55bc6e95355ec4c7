"""Funding calls as coordinators publish them and everyone reads them, through the gateway."""

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import select
from sqlmodel import col

from services.funding.alerts import Alerts
from services.funding.scheduler import move_calls
from shared.kit.outbox import OutboxEvent
from tests.conftest import Platform, eventually

CALLS = "/api/v1/funding-calls"


def call_body(**changes: Any) -> dict[str, Any]:
    """A call open now, its deadline in 60 days (Berlin wall-clock time, no offset)."""
    deadline = (datetime.now(UTC) + timedelta(days=60)).strftime("%Y-%m-%dT12:00:00")
    body: dict[str, Any] = {
        "reference": "DIGI-2026-01",
        "title": "Digitale Modellkommune",
        "summary": "Zuschüsse für digitale Verwaltungsleistungen.",
        "funder": "Hessisches Ministerium für Digitalisierung",
        "funder_level": "land",
        "programme": "Starke Heimat Hessen",
        "funding_types": ["zuschuss"],
        "topics": ["administration", "data_platforms"],
        "applicants": {"laender": ["06"], "municipality_kinds": ["gemeinde", "stadt"]},
        "award_min": 50_000,
        "award_max": 250_000,
        "funding_rate": 80,
        "min_own_contribution": 20,
        "deadline_at": deadline,
        "source_url": "https://digitales.hessen.de/foerderung",
    }
    return body | changes


async def outbox_types(platform: Platform, call_id: str) -> list[str]:
    async with platform.funding.state.runtime.db.session() as session:
        rows = await session.scalars(
            select(col(OutboxEvent.type))
            .where(col(OutboxEvent.key) == call_id)
            .order_by(col(OutboxEvent.seq))
        )
        return list(rows.all())


class TestPublishing:
    async def test_coordinator_publishes_and_everyone_reads(self, platform: Platform) -> None:
        coordinator = platform.client(await platform.key("coordinator"))
        created = await coordinator.post(CALLS, json=call_body())
        assert created.status_code == 201, created.text
        body = created.json()
        assert body["status"] == "open"
        assert body["version"] == 1 and created.headers["etag"] == '"1"'
        # A deadline without an offset is Berlin wall-clock time, shown in its zone.
        assert body["deadline_at"].endswith(("T12:00:00+01:00", "T12:00:00+02:00"))
        assert body["timezone"] == "Europe/Berlin"
        anonymous = platform.client()
        read = await anonymous.get(created.headers["location"])
        assert read.status_code == 200 and read.json()["title"] == "Digitale Modellkommune"
        assert await outbox_types(platform, body["id"]) == ["de.lotse.funding_call.published.v1"]

    async def test_municipalities_and_readers_may_not_publish(self, platform: Platform) -> None:
        ags = await platform.municipality()
        municipality = platform.client(await platform.key("municipality", ags))
        assert (await municipality.post(CALLS, json=call_body())).status_code == 403
        reader = platform.client(await platform.key("reader"))
        assert (await reader.post(CALLS, json=call_body())).status_code == 403
        assert (await platform.client().post(CALLS, json=call_body())).status_code == 401

    async def test_idempotency_key_publishes_once(self, platform: Platform) -> None:
        coordinator = platform.client(await platform.key("coordinator"))
        key = {"Idempotency-Key": "call-once-" + platform.backend}
        first = await coordinator.post(CALLS, json=call_body(title="Einmalig"), headers=key)
        again = await coordinator.post(CALLS, json=call_body(title="Einmalig"), headers=key)
        assert first.status_code == again.status_code == 201
        assert again.headers["idempotent-replayed"] == "true"
        assert first.json()["id"] == again.json()["id"]


class TestBadInput:
    async def problem(self, platform: Platform, body: dict[str, Any]) -> httpx.Response:
        coordinator = platform.client(await platform.key("coordinator"))
        response = await coordinator.post(CALLS, json=body)
        assert response.status_code == 422, response.text
        assert response.headers["content-type"] == "application/problem+json"
        return response

    def fields(self, response: httpx.Response) -> set[str]:
        return {e["field"] for e in response.json()["errors"]}

    async def test_a_title_over_several_lines_is_refused(self, platform: Platform) -> None:
        # A title becomes a mail's Subject: a line break there would jam every alert.
        body = call_body(title="Titel\r\nBcc: evil@x.example")
        assert self.fields(await self.problem(platform, body)) == {"title"}

    async def test_dates_out_of_any_funding_call_are_refused(self, platform: Platform) -> None:
        for field, value in [
            ("opens_at", "0001-01-01T00:00:00"),
            ("deadline_at", "9999-12-31T23:00:00-12:00"),
            ("last_verified_at", "1970-01-01T00:00:00Z"),
        ]:
            body = call_body(**{field: value})
            assert self.fields(await self.problem(platform, body)) == {field}, field

    async def test_deadline_before_opening(self, platform: Platform) -> None:
        body = call_body(opens_at="2026-06-01T00:00:00", deadline_at="2026-05-01T12:00:00")
        assert self.fields(await self.problem(platform, body)) == {"deadline_at"}

    async def test_award_minimum_above_maximum(self, platform: Platform) -> None:
        body = call_body(award_min=300_000, award_max=100_000)
        assert self.fields(await self.problem(platform, body)) == {"award_min"}

    async def test_unknown_topic(self, platform: Platform) -> None:
        body = call_body(topics=["administration", "weltraum"])
        assert any(f.startswith("topics") for f in self.fields(await self.problem(platform, body)))

    async def test_single_deadline_model_needs_a_deadline(self, platform: Platform) -> None:
        body = call_body(deadline_at=None)
        assert self.fields(await self.problem(platform, body)) == {"deadline_at"}

    async def test_a_time_the_clocks_skip_is_refused_and_a_doubled_one_is_the_first(
        self, platform: Platform
    ) -> None:
        # 28 March 2027: Berlin's clocks go from 02:00 to 03:00; 02:30 is no moment.
        body = call_body(opens_at="2027-01-04T09:00:00", deadline_at="2027-03-28T02:30:00")
        problem = await self.problem(platform, body)
        assert self.fields(problem) == {"deadline_at"}
        assert "does not exist in Europe/Berlin" in problem.text
        # 31 October 2027: 02:30 comes twice; the deadline is the first, still summer time.
        body = call_body(opens_at="2027-01-04T09:00:00", deadline_at="2027-10-31T02:30:00")
        coordinator = platform.client(await platform.key("coordinator"))
        created = await coordinator.post(CALLS, json=body)
        assert created.status_code == 201, created.text
        assert created.json()["deadline_at"] == "2027-10-31T02:30:00+02:00"

    async def test_unknown_time_zone(self, platform: Platform) -> None:
        body = call_body(timezone="Europe/Atlantis")
        assert self.fields(await self.problem(platform, body)) == {"timezone"}

    async def test_refused_call_leaves_nothing(self, platform: Platform) -> None:
        body = call_body(title="Nie gespeichert", award_min=9, award_max=1)
        await self.problem(platform, body)
        listing = await platform.client().get(CALLS, params={"q": "nie gespeichert"})
        assert listing.json()["total"] == 0


class TestEditing:
    async def test_wording_fix_is_not_material_and_deadline_move_is(
        self, platform: Platform
    ) -> None:
        coordinator = platform.client(await platform.key("coordinator"))
        created = (await coordinator.post(CALLS, json=call_body(title="Wortlaut"))).json()
        url = f"{CALLS}/{created['id']}"
        typo = await coordinator.patch(
            url, json={"summary": "Zuschüsse für digitale Dienste."}, headers={"If-Match": '"1"'}
        )
        assert typo.status_code == 200 and typo.headers["etag"] == '"2"'
        stale = await coordinator.patch(url, json={"title": "X"}, headers={"If-Match": '"1"'})
        assert stale.status_code == 412
        later = (datetime.now(UTC) + timedelta(days=90)).isoformat()
        moved = await coordinator.patch(
            url, json={"deadline_at": later}, headers={"If-Match": '"2"'}
        )
        assert moved.status_code == 200 and moved.json()["deadline_revision"] == 1
        assert await outbox_types(platform, created["id"]) == [
            "de.lotse.funding_call.published.v1",
            "de.lotse.funding_call.updated.v1",
            "de.lotse.funding_call.updated.v1",
        ]
        async with platform.funding.state.runtime.db.session() as session:
            payloads = (
                await session.scalars(
                    select(col(OutboxEvent.payload))
                    .where(col(OutboxEvent.key) == created["id"])
                    .order_by(col(OutboxEvent.seq))
                )
            ).all()
        assert ['"material":false' in p for p in payloads[1:]] == [True, False]

    async def test_withdrawal_is_a_status_change(self, platform: Platform) -> None:
        coordinator = platform.client(await platform.key("coordinator"))
        created = (await coordinator.post(CALLS, json=call_body())).json()
        url = f"{CALLS}/{created['id']}"
        withdrawn = await coordinator.patch(
            url, json={"status": "withdrawn"}, headers={"If-Match": '"1"'}
        )
        assert withdrawn.json()["status"] == "withdrawn"
        assert (await outbox_types(platform, created["id"]))[-1] == (
            "de.lotse.funding_call.status_changed.v1"
        )
        open_again = await coordinator.patch(
            url, json={"status": "open"}, headers={"If-Match": '"2"'}
        )
        assert open_again.status_code == 422  # open and closed follow the dates


class TestStatusFollowsDates:
    async def test_forecast_opens_and_closes_by_date(self, platform: Platform) -> None:
        coordinator = platform.client(await platform.key("coordinator"))
        now = datetime.now(UTC)
        body = call_body(
            opens_at=(now + timedelta(days=1)).isoformat(),
            deadline_at=(now + timedelta(days=2)).isoformat(),
        )
        created = (await coordinator.post(CALLS, json=body)).json()
        assert created["status"] == "forecasted"
        db, source = platform.funding.state.runtime.db, platform.funding.state.settings.source
        alerts = platform.funding.state.runtime.part(Alerts)
        await move_calls(db, source=source, alerts=alerts, now=now + timedelta(days=1, seconds=1))
        opened = (await coordinator.get(f"{CALLS}/{created['id']}")).json()
        assert opened["status"] == "open" and opened["version"] == 2
        await move_calls(db, source=source, alerts=alerts, now=now + timedelta(days=2, seconds=1))
        closed = (await coordinator.get(f"{CALLS}/{created['id']}")).json()
        assert closed["status"] == "closed"
        # A second pass at the same time moves nothing again.
        await move_calls(db, source=source, alerts=alerts, now=now + timedelta(days=2, seconds=2))
        types = await outbox_types(platform, created["id"])
        assert types.count("de.lotse.funding_call.status_changed.v1") == 2


class TestListing:
    async def test_filters_and_pages(self, platform: Platform) -> None:
        coordinator = platform.client(await platform.key("coordinator"))
        marker = f"filtertest{platform.backend}"
        bodies = [
            call_body(title=f"{marker} Breitband", topics=["broadband"], funder_level="bund"),
            call_body(title=f"{marker} Klima", topics=["environment_climate"]),
            call_body(
                title=f"{marker} Darlehen",
                funding_types=["darlehen"],
                award_min=1_000_000,
                award_max=5_000_000,
            ),
        ]
        for body in bodies:
            assert (await coordinator.post(CALLS, json=body)).status_code == 201
        reader = platform.client()

        async def titles(**params: Any) -> set[str]:
            response = await reader.get(CALLS, params={"q": marker, **params})
            assert response.status_code == 200, response.text
            return {c["title"].removeprefix(marker + " ") for c in response.json()["items"]}

        assert await titles() == {"Breitband", "Klima", "Darlehen"}
        assert await titles(topic="broadband") == {"Breitband"}
        assert await titles(funder_level="bund") == {"Breitband"}
        assert await titles(funding_type="darlehen") == {"Darlehen"}
        assert await titles(amount_max=500_000) == {"Breitband", "Klima"}
        assert await titles(amount_min=2_000_000) == {"Darlehen"}
        first = (await reader.get(CALLS, params={"q": marker, "limit": 2})).json()
        second = (
            await reader.get(
                CALLS, params={"q": marker, "limit": 2, "cursor": first["next_cursor"]}
            )
        ).json()
        assert first["total"] == 3 and len(first["items"]) == 2 and len(second["items"]) == 1
        assert second["next_cursor"] is None


async def test_the_region_feed_shows_calls_but_not_wording_fixes(platform: Platform) -> None:
    coordinator = platform.client(await platform.key("coordinator"))
    created = (await coordinator.post(CALLS, json=call_body(title="Im Feed"))).json()
    url = f"{CALLS}/{created['id']}"
    await coordinator.patch(url, json={"summary": "Tippfehler"}, headers={"If-Match": '"1"'})
    await coordinator.patch(url, json={"status": "withdrawn"}, headers={"If-Match": '"2"'})
    anonymous = platform.client()

    async def entries() -> list[str]:
        feed = (await anonymous.get("/api/v1/feed", params={"limit": 200})).json()["items"]
        types = [e["type"] for e in reversed(feed) if e["subject"] == created["id"]]
        return types if len(types) == 2 else []

    assert await eventually(entries) == [
        "de.lotse.funding_call.published.v1",
        "de.lotse.funding_call.status_changed.v1",
    ]
