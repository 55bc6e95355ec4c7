"""Inputs found in review that once gave a 500: each is a clear 4xx and changes nothing."""

import json
from collections.abc import AsyncIterator

import pytest

from shared.kit.pagination import encode_cursor
from tests.conftest import Platform

PROJECT = {"title": "Robust", "topics": ["it_security"], "visibility": "public"}


@pytest.mark.parametrize(
    ("params", "status"),
    [
        ({"cursor": encode_cursor(["2024-01-01T00:00:00", "x"])}, 400),
        ({"cursor": encode_cursor(["0001-01-01T00:00:00+05:00", "x"])}, 400),
        ({"updated_since": "0001-01-01T00:00:00+05:00"}, 422),
        ({"updated_since": "9999-12-31T23:59:59-05:00"}, 422),
        ({"q": "a\x00b"}, 400),
        ({"q": "a\x01b"}, 400),
        ({"q": "a\tb"}, 400),
    ],
    ids=[
        "naive-cursor",
        "overflowing-cursor",
        "since-too-early",
        "since-too-late",
        "nul-in-q",
        "control-in-q",
        "tab-in-q",
    ],
)
async def test_odd_list_parameters(platform: Platform, params: dict[str, str], status: int) -> None:
    response = await platform.client().get("/api/v1/projects", params=params)
    assert response.status_code == status, response.text


@pytest.mark.parametrize(
    "body",
    [
        b'{"title": "T", "topics": ["energy"], "indicators": [{"name": "x", "target": NaN}]}',
        b'{"title": "T", "topics": ["energy"], "budget_eur": Infinity}',
        b'{"title": "a\\u0000b", "topics": ["energy"]}',
    ],
    ids=["nan", "infinity", "nul"],
)
async def test_values_a_database_cannot_hold_are_refused(platform: Platform, body: bytes) -> None:
    ags = await platform.municipality()
    client = platform.client(await platform.key("municipality", ags))
    response = await client.post(
        "/api/v1/projects", content=body, headers={"content-type": "application/json"}
    )
    assert response.status_code == 422, response.text
    listed = await client.get("/api/v1/projects", params={"municipality": ags})
    assert listed.json()["total"] == 0


async def test_broken_import_lines_are_reported_not_crashed(platform: Platform) -> None:
    ags = await platform.municipality()
    client = platform.client(await platform.key("municipality", ags))
    lines = [json.dumps(PROJECT), "[" * 100_000, "1" * 5000]
    response = await client.post(
        "/api/v1/projects/import",
        content="\n".join(lines),
        headers={"content-type": "application/x-ndjson"},
    )
    assert response.status_code == 422
    assert {e["line"] for e in response.json()["errors"]} == {2, 3}
    csv_body = "title,topics\n" + "x" * 200_000 + ",energy\n"
    too_long = await client.post(
        "/api/v1/projects/import", content=csv_body, headers={"content-type": "text/csv"}
    )
    assert too_long.status_code == 422


async def test_feed_cursor_out_of_range_is_a_bad_request(platform: Platform) -> None:
    for value in (10**30, 2**63, -1):
        response = await platform.client().get(
            "/api/v1/feed", params={"cursor": encode_cursor([value])}
        )
        assert response.status_code == 400


async def test_dot_segments_cannot_reach_service_internals(platform: Platform) -> None:
    client = platform.client()
    for path in (
        "/api/v1/projects/..%2F..%2F..%2Fmetrics",
        "/api/v1/projects/%2e%2e/%2e%2e/openapi.json",
        "/api/v1/projects/x%2Fy",
    ):
        response = await client.get(path)
        assert response.status_code == 404, path
        assert "lotse_http_requests_total" not in response.text


async def test_a_streamed_body_over_the_limit_is_413(platform: Platform) -> None:
    ags = await platform.municipality()
    client = platform.client(await platform.key("municipality", ags))

    async def chunks() -> AsyncIterator[bytes]:
        yield b'{"title": "T", "topics": ["energy"], "description": "'
        for _ in range(40):
            yield b"x" * 65536
        yield b'"}'

    response = await client.post(
        "/api/v1/projects", content=chunks(), headers={"content-type": "application/json"}
    )
    assert response.status_code == 413
