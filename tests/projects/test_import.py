"""Bulk import: CSV or JSON Lines, every row valid or nothing written."""

import json
from pathlib import Path

import httpx

from tests.conftest import Platform

CSV_HEADER = "title,summary,topics,status,visibility,tags,contact_name,contact_email\n"


async def _total(client: httpx.AsyncClient, ags: str) -> int:
    response = await client.get("/api/v1/projects", params={"municipality": ags, "limit": 1})
    return int(response.json()["total"])


async def test_csv_import_creates_every_row(platform: Platform) -> None:
    ags = await platform.municipality()
    client = platform.client(await platform.key("municipality", ags))
    rows = "".join(
        f"Projekt {n},Kurz,administration;citizen_services,planned,public,OZG;Portal,"
        f"Lotsin,lotsin@stadt.example\n"
        for n in range(50)
    )
    response = await client.post(
        "/api/v1/projects/import", content=CSV_HEADER + rows, headers={"content-type": "text/csv"}
    )
    assert response.status_code == 201, response.text
    assert response.json()["created"] == 50
    assert await _total(client, ags) == 50
    one = await client.get(f"/api/v1/projects/{response.json()['ids'][0]}")
    assert one.json()["topics"] == ["administration", "citizen_services"]
    assert one.json()["contact"]["email"] == "lotsin@stadt.example"


async def test_the_readmes_example_file_imports(platform: Platform) -> None:
    example = Path(__file__).parents[2] / "demo" / "import-example.csv"
    ags = await platform.municipality()
    client = platform.client(await platform.key("municipality", ags))
    response = await client.post(
        "/api/v1/projects/import",
        content=example.read_bytes(),
        headers={"content-type": "text/csv"},
    )
    assert response.status_code == 201, response.text
    assert response.json()["created"] == 2
    assert await _total(client, ags) == 2


async def test_jsonl_import_with_bad_rows_reports_each_and_writes_nothing(
    platform: Platform,
) -> None:
    ags = await platform.municipality()
    client = platform.client(await platform.key("municipality", ags))
    good = {"title": "Gut", "topics": ["energy"]}
    lines = [
        json.dumps(good),
        json.dumps({"title": "", "topics": ["energy"]}),
        "{broken",
        json.dumps(good | {"topics": ["unknown"]}),
        json.dumps(good | {"municipality_ags": "06534014"}),
        json.dumps(good),
    ]
    response = await client.post(
        "/api/v1/projects/import",
        content="\n".join(lines),
        headers={"content-type": "application/x-ndjson"},
    )
    assert response.status_code == 422
    problem = response.json()
    assert problem["type"].endswith("import-rejected")
    reported = {(e["line"], e["field"]) for e in problem["errors"]}
    assert (2, "title") in reported
    assert (3, "(row)") in reported
    assert (4, "topics.0") in reported
    assert any(line == 5 for line, _ in reported)
    assert {line for line, _ in reported} == {2, 3, 4, 5}
    assert await _total(client, ags) == 0


async def test_import_refuses_unknown_formats_and_too_many_rows(platform: Platform) -> None:
    ags = await platform.municipality()
    client = platform.client(await platform.key("municipality", ags))
    xml = await client.post(
        "/api/v1/projects/import", content="<projects/>", headers={"content-type": "text/xml"}
    )
    assert xml.status_code == 415
    rows = CSV_HEADER + "x,,administration,idea,public,,,\n" * 10_001
    too_many = await client.post(
        "/api/v1/projects/import", content=rows, headers={"content-type": "text/csv"}
    )
    assert too_many.status_code == 422
    assert "10000" in too_many.json()["detail"]
    assert await _total(client, ags) == 0


async def test_reader_cannot_import(platform: Platform) -> None:
    reader = platform.client(await platform.key("reader"))
    response = await reader.post(
        "/api/v1/projects/import",
        content=CSV_HEADER + "x,,administration,idea,public,,,\n",
        headers={"content-type": "text/csv"},
    )
    assert response.status_code == 403


async def test_csv_is_decoded_in_the_charset_it_declares(platform: Platform) -> None:
    ags = await platform.municipality()
    client = platform.client(await platform.key("municipality", ags))
    for charset, title in (
        ("latin-1", "Bürgerbüro Gießen"),
        ("ISO-8859-1", "Straßenbeleuchtung"),
        ("windows-1252", "Förderung 5 000 € „Glasfaser“"),
        ("utf-8", "Schöne Grüße"),
    ):
        row = f"{title},,energy,idea,public,,,\n"
        response = await client.post(
            "/api/v1/projects/import",
            content=(CSV_HEADER + row).encode(charset),
            headers={"content-type": f"text/csv; charset={charset}"},
        )
        assert response.status_code == 201, (charset, response.text)
        project = await client.get(f"/api/v1/projects/{response.json()['ids'][0]}")
        assert project.json()["title"] == title, charset


async def test_an_import_that_is_not_its_declared_charset_is_refused(platform: Platform) -> None:
    ags = await platform.municipality()
    client = platform.client(await platform.key("municipality", ags))
    rows = "Rathaus,,energy,idea,public,,,\nBürgerbüro,,energy,idea,public,,,\n"
    latin1 = (CSV_HEADER + rows).encode("latin-1")
    undeclared = await client.post(
        "/api/v1/projects/import", content=latin1, headers={"content-type": "text/csv"}
    )
    assert undeclared.status_code == 422
    assert undeclared.json()["type"].endswith("import-rejected")
    assert [e["line"] for e in undeclared.json()["errors"]] == [3]
    unknown = await client.post(
        "/api/v1/projects/import",
        content=latin1,
        headers={"content-type": "text/csv; charset=ebcdic-klingon"},
    )
    assert unknown.status_code == 415
    assert "ebcdic-klingon" in unknown.json()["detail"]
    assert await _total(client, ags) == 0
