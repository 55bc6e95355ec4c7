"""The gateway in front of the services: signed calls only, no hangs, one OpenAPI."""

from pathlib import Path

import httpx
import pytest
from sqlalchemy import select
from sqlmodel import col

from services.gateway.proxy import upstream_target
from services.gateway.routing import service_router
from shared.cli.broker import EmbeddedBroker, free_port
from shared.kit.http import NotFound
from shared.kit.outbox import OutboxEvent
from tests.conftest import ADMIN_KEY, Platform, eventually, new_ags
from tests.gateway.conftest import lone_gateway


async def test_service_ports_refuse_unsigned_calls(platform: Platform) -> None:
    async with httpx.AsyncClient(base_url=platform.projects_url) as direct:
        assert (await direct.get("/api/v1/projects")).status_code == 401
        forged = await direct.get(
            "/api/v1/projects", headers={"Authorization": "Bearer eyJhbGciOiJub25lIn0.e30."}
        )
        assert forged.status_code == 401
        assert (await direct.get("/healthz")).status_code == 200


async def test_a_service_that_is_down_gives_503_not_a_hang(
    broker: EmbeddedBroker, tmp_path: Path
) -> None:
    nobody_listens = f"http://127.0.0.1:{free_port()}"
    async with lone_gateway(
        tmp_path, service_urls={"projects": nobody_listens}, LOTSE_KAFKA_BOOTSTRAP=broker.bootstrap
    ) as (_, client):
        response = await client.get("/api/v1/projects")
        assert response.status_code == 503
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["type"].endswith("service-unavailable")
        assert (await client.get("/api/v1/topics")).status_code == 200


async def test_merged_openapi_lists_gateway_and_service_paths(platform: Platform) -> None:
    document = (await platform.client().get("/api/v1/openapi.json")).json()
    assert "/api/v1/projects" in document["paths"]
    assert "/api/v1/projects/{project_id}" in document["paths"]
    assert "/api/v1/municipalities" in document["paths"]
    assert "ProjectPublic" in document["components"]["schemas"]
    landing = await platform.client().get("/")
    assert "/docs" in landing.text
    assert f"{platform.gateway_url}/api/v1/projects" in landing.text  # where the reader is


async def test_unknown_path_and_method_are_problems(platform: Platform) -> None:
    client = platform.client()
    missing = await client.get("/api/v1/nothing-here")
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"
    wrong = await client.put("/api/v1/municipalities")
    assert wrong.status_code == 405
    assert wrong.headers["content-type"] == "application/problem+json"


async def test_health_readiness_and_metrics(platform: Platform) -> None:
    client = platform.client()
    assert (await client.get("/healthz")).json() == {"status": "ok"}

    async def ready() -> bool:
        return (await client.get("/readyz")).status_code == 200

    await eventually(ready)
    assert (await client.get("/readyz")).json()["checks"] == {
        "database": "ok",
        "broker": "ok",
        "consumers": "ok",
        "outbox_refill": "ok",
    }
    metrics = await client.get("/metrics")
    assert "lotse_http_requests_total" in metrics.text
    assert 'lotse_outbox_refill_pending{service="gateway"} 0.0' in metrics.text


async def test_feed_shows_what_happened_within_visibility(platform: Platform) -> None:
    ags = await platform.municipality()
    owner = platform.client(await platform.key("municipality", ags))
    public = await owner.post(
        "/api/v1/projects",
        json={"title": "Offenes Projekt", "topics": ["mobility"], "visibility": "public"},
    )
    private = await owner.post(
        "/api/v1/projects",
        json={"title": "Internes Projekt", "topics": ["internal_it"], "visibility": "private"},
    )
    ids = {public.json()["id"], private.json()["id"]}

    async def owner_sees_both() -> bool:
        entries = (await owner.get("/api/v1/feed", params={"limit": 200})).json()["items"]
        return ids <= {e["subject"] for e in entries}

    await eventually(owner_sees_both)
    anonymous = (await platform.client().get("/api/v1/feed", params={"limit": 200})).json()
    subjects = {e["subject"] for e in anonymous["items"]}
    assert public.json()["id"] in subjects
    assert private.json()["id"] not in subjects


async def test_without_a_broker_it_is_not_ready_but_still_takes_writes(tmp_path: Path) -> None:
    nobody_listens = f"127.0.0.1:{free_port()}"
    async with lone_gateway(tmp_path, LOTSE_KAFKA_BOOTSTRAP=nobody_listens) as (
        gateway,
        client,
    ):
        ready = await client.get("/readyz")
        assert ready.status_code == 503
        assert ready.json()["checks"]["database"] == "ok"
        assert ready.json()["checks"]["broker"].startswith("unavailable")
        created = await client.post(
            "/api/v1/municipalities",
            json={"ags": "06534014", "name": "Marburg", "kind": "stadt"},
            headers={"Authorization": f"Bearer {ADMIN_KEY}"},
        )
        assert created.status_code == 201
        async with gateway.state.db.session() as session:
            pending = (await session.scalars(select(col(OutboxEvent.type)))).all()
        assert pending == ["de.lotse.municipality.created.v1"]


async def test_municipality_registration_is_idempotent(platform: Platform) -> None:
    body = {"ags": new_ags(), "name": "Wohratal", "kind": "gemeinde"}
    headers = {"Idempotency-Key": "register-wohratal"}
    first = await platform.admin.post("/api/v1/municipalities", json=body, headers=headers)
    again = await platform.admin.post("/api/v1/municipalities", json=body, headers=headers)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert again.headers["idempotent-replayed"] == "true"
    other = await platform.admin.post(
        "/api/v1/municipalities", json=body | {"name": "Anders"}, headers=headers
    )
    assert other.status_code == 422


class TestMostSpecificPrefix:
    def test_a_named_segment_stands_for_one_checked_segment(self) -> None:
        prefix = "/api/v1/projects/{project_id}/funding-matches"
        assert upstream_target(b"/api/v1/projects/a%20b/funding-matches", b"", prefix) == (
            "/api/v1/projects/a%20b/funding-matches"
        )
        for refused in (
            b"/api/v1/projects/../funding-matches",
            b"/api/v1/projects/%2e%2e/funding-matches",
            b"/api/v1/projects/a%2Fb/funding-matches",
            b"/api/v1/projects/x/funding-matches/",
            b"/api/v1/projects/x/other",
        ):
            with pytest.raises(NotFound):
                upstream_target(refused, b"", prefix)

    def test_the_longer_prefix_is_routed_first(self) -> None:
        router = service_router(
            {"/api/v1/projects": "http://p", "/api/v1/projects/{project_id}/funding-matches": "f"}
        )
        paths = [getattr(route, "path", "") for route in router.routes]
        assert paths.index("/api/v1/projects/{project_id}/funding-matches") < paths.index(
            "/api/v1/projects/{rest:path}"
        )
