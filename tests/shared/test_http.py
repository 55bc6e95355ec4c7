"""HTTP conventions every service shares: problems, limits, request ids, cursors, logs."""

import json
import logging
from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI

from shared.kit.db import Database
from shared.kit.http import (
    PreconditionFailed,
    PreconditionRequired,
    RequestContextMiddleware,
    StrictBody,
    check_if_match,
    install_problem_handlers,
)
from shared.kit.observability import JsonFormatter, event_id_var, request_id_var


class Item(StrictBody):
    name: str


def tiny_app() -> FastAPI:
    app = FastAPI()
    install_problem_handlers(app)
    app.add_middleware(RequestContextMiddleware, service="test", max_body_bytes=100)

    @app.post("/items")
    async def create(item: Item) -> Item:
        return item

    @app.get("/boom")
    async def boom() -> None:
        raise RuntimeError("secret internals")

    return app


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=tiny_app(), raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        yield http


@pytest.mark.parametrize(
    ("method", "path", "body", "status"),
    [
        ("POST", "/items", b"{", 400),
        ("POST", "/items", b'{"name": 1}', 422),
        ("POST", "/items", b'{"name": "' + b"x" * 200 + b'"}', 413),
        ("GET", "/nowhere", None, 404),
        ("DELETE", "/items", None, 405),
        ("GET", "/boom", None, 500),
    ],
)
async def test_every_error_is_a_problem_document(
    client: httpx.AsyncClient, method: str, path: str, body: bytes | None, status: int
) -> None:
    response = await client.request(
        method, path, content=body, headers={"content-type": "application/json"}
    )
    assert response.status_code == status
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["status"] == status
    assert problem["type"].startswith("https://lotse.dev/problems/")
    assert "secret internals" not in response.text


async def test_a_body_of_another_media_type_is_a_415(client: httpx.AsyncClient) -> None:
    for content_type in ("text/plain", "application/x-www-form-urlencoded"):
        response = await client.post(
            "/items", content=b'{"name": "a"}', headers={"content-type": content_type}
        )
        assert response.status_code == 415, content_type
        assert response.json()["type"].endswith("unsupported-media-type")
    problem_json = await client.post(
        "/items", content=b'{"name": "a"}', headers={"content-type": "application/merge+json"}
    )
    assert problem_json.status_code == 200


async def test_a_content_coded_body_is_a_415_not_read_as_sent(
    client: httpx.AsyncClient,
) -> None:
    for coding in ("gzip", "deflate, gzip", "br"):
        response = await client.post(
            "/items", json={"name": "a"}, headers={"content-encoding": coding}
        )
        assert response.status_code == 415, coding
        assert response.json()["type"].endswith("unsupported-media-type")
    identity = {"content-encoding": "identity"}
    plain = await client.post("/items", json={"name": "a"}, headers=identity)
    assert plain.status_code == 200


async def test_a_nul_character_is_a_422_naming_its_field(client: httpx.AsyncClient) -> None:
    response = await client.post("/items", json={"name": "a\x00b"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "name"


async def test_request_id_is_kept_or_made(client: httpx.AsyncClient) -> None:
    given = await client.post("/items", json={"name": "a"}, headers={"X-Request-ID": "abc-123"})
    assert given.headers["x-request-id"] == "abc-123"
    made = await client.post("/items", json={"name": "a"})
    assert len(made.headers["x-request-id"]) == 32


def test_if_match_must_name_the_current_version() -> None:
    check_if_match('"3"', 3)
    check_if_match('"2", "3"', 3)
    check_if_match("*", 3)
    for stale in ('"2"', 'W/"3"'):
        with pytest.raises(PreconditionFailed):
            check_if_match(stale, 3)
    with pytest.raises(PreconditionRequired):
        check_if_match(None, 3)


def test_log_lines_are_json_with_request_and_event_id() -> None:
    formatter = JsonFormatter("projects")
    rid, eid = request_id_var.set("req-1"), event_id_var.set("evt-1")
    try:
        record = logging.LogRecord("lotse", logging.INFO, __file__, 1, "Projekt %s", ("ä",), None)
        line = json.loads(formatter.format(record))
    finally:
        request_id_var.reset(rid)
        event_id_var.reset(eid)
    assert line["service"] == "projects"
    assert line["message"] == "Projekt ä"
    assert (line["request_id"], line["event_id"]) == ("req-1", "evt-1")


async def test_idempotency_answers_expire(db: Database) -> None:
    from datetime import timedelta

    from sqlalchemy import func, select, update
    from sqlmodel import col

    from shared.kit.idempotency import KEEP_FOR, IdempotencyRecord, IdempotentRequest, purge_expired
    from shared.kit.sqltypes import utcnow

    async with db.session() as session:
        for key in ("old", "new"):
            IdempotentRequest(scope="s", key=key, request_hash="h").remember(
                session, status_code=201, body="{}", headers={}
            )
        await session.commit()
        await session.execute(
            update(IdempotencyRecord)
            .where(col(IdempotencyRecord.key) == "old")
            .values(created_at=utcnow() - KEEP_FOR - timedelta(minutes=1))
        )
        await purge_expired(session)
        await session.commit()
        keys = (await session.scalars(select(col(IdempotencyRecord.key)))).all()
        assert keys == ["new"]
        assert await session.scalar(select(func.count()).select_from(IdempotencyRecord)) == 1
