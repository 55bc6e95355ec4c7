"""A gateway stopped with webhook requests in flight loses none of them: the deliveries are
rows, queued with their feed entries, and a gateway started on the same database sends
what was not recorded as delivered, under the same `webhook-id`."""

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from services.gateway.app import create_app as create_gateway
from services.gateway.consumers import record_and_announce
from services.gateway.settings import Settings as GatewaySettings
from shared.cli.broker import EmbeddedBroker, free_port
from shared.contracts.projects import ProjectCreated
from shared.kit.events import CloudEvent
from shared.kit.inbox import idempotent
from tests.conftest import ADMIN_KEY, BACKENDS, SECRET, database_url, eventually, serve
from tests.funding.receiver import receiver
from tests.gateway.test_feed import snapshot

CREATED = "de.lotse.project.created.v1"
HOOKS = "/api/v1/webhooks"


@contextlib.asynccontextmanager
async def gateway(settings: dict[str, Any]) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
    app = create_gateway(GatewaySettings(**settings))
    port = free_port()
    async with (
        serve(app, port),
        httpx.AsyncClient(
            base_url=f"http://127.0.0.1:{port}",
            headers={"Authorization": f"Bearer {ADMIN_KEY}"},
            timeout=10,
        ) as client,
    ):
        yield app, client


@pytest.mark.parametrize("backend", BACKENDS)
async def test_a_gateway_stopped_mid_delivery_loses_nothing(
    backend: str, tmp_path: Path, broker: EmbeddedBroker
) -> None:
    async with database_url(backend, tmp_path) as url, receiver() as box:
        settings = {
            "database_url": url,
            "LOTSE_INTERNAL_TOKEN_SECRET": SECRET,
            "LOTSE_BOOTSTRAP_ADMIN_KEY": ADMIN_KEY,
            "LOTSE_KAFKA_BOOTSTRAP": broker.bootstrap,
            "LOTSE_KAFKA_SESSION_TIMEOUT_MS": 2000,
            "LOTSE_WEBHOOK_ALLOWED_CIDRS": "127.0.0.0/8",
            "webhook_lease_seconds": 1,
        }
        projects = [uuid.uuid4() for _ in range(3)]
        box.hold = asyncio.Event()  # every request waits: the gateway stops meanwhile
        async with gateway(settings) as (first, client):
            created = await client.post(HOOKS, json={"url": box.url, "event_types": [CREATED]})
            assert created.status_code == 201, created.text
            webhook = created.json()
            box.secrets.append(webhook["secret"])
            apply = idempotent(first.state.runtime.db, record_and_announce)
            await apply(
                [
                    CloudEvent.of(
                        ProjectCreated(project=snapshot(project_id, "06999002", 1, "public")),
                        source="/lotse/projects",
                        subject=str(project_id),
                    )
                    for project_id in projects
                ]
            )

            async def all_in_flight() -> bool:
                return len(box.received) == 3

            await eventually(all_in_flight)
        # The gateway is gone; its requests arrive late and take effect (answered 204),
        # but it never learnt that.
        box.hold.set()
        box.hold = None
        in_flight = [r.webhook_id for r in box.received]
        async with gateway(settings) as (_, client):

            async def all_delivered() -> list[dict[str, Any]]:
                listed = await client.get(f"{HOOKS}/{webhook['id']}/deliveries")
                items: list[dict[str, Any]] = listed.json()["items"]
                return items if all(d["status"] == "delivered" for d in items) else []

            deliveries = await eventually(all_delivered)
    assert len(deliveries) == 3
    assert {d["attempts"] for d in deliveries} == {1}  # the lost attempts were never recorded
    ids = {d["webhook_message_id"] for d in deliveries}
    # Sent again under the same webhook-ids: a receiver deduplicating by them applies each
    # event once, and none is missing.
    assert set(in_flight) == ids == set(box.acknowledged)
    assert len(box.acknowledged) == 6
    subjects = {r.payload["subject"] for r in box.received if r.payload is not None}
    assert subjects == {str(p) for p in projects}
