"""A gateway on its own, on SQLite and PostgreSQL, for the web app's HTTP behaviour
(sessions, forms, headers); the browser tests start the whole platform (browser.py)."""

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from services.gateway.app import create_app as create_gateway
from services.gateway.settings import Settings as GatewaySettings
from shared.cli.broker import free_port
from tests.conftest import ADMIN_KEY, BACKENDS, SECRET, database_url, serve


@dataclass
class WebGateway:
    app: FastAPI
    url: str
    clients: list[httpx.AsyncClient]

    def browser(self, **options: Any) -> httpx.AsyncClient:
        """A client that keeps cookies, like one browser; it follows no redirect."""
        client = httpx.AsyncClient(base_url=self.url, timeout=10, **options)
        self.clients.append(client)
        return client

    async def key(self, role: str) -> tuple[str, str]:
        """A new API key of `role` (no municipality): its secret and its id."""
        async with httpx.AsyncClient(base_url=self.url, timeout=10) as admin:
            answer = await admin.post(
                "/api/v1/api-keys",
                json={"name": f"web {role}", "role": role},
                headers={"Authorization": f"Bearer {ADMIN_KEY}"},
            )
        assert answer.status_code == 201, answer.text
        return str(answer.json()["key"]), str(answer.json()["id"])


@contextlib.asynccontextmanager
async def web_gateway(backend: str, tmp: Path, **settings: Any) -> AsyncIterator[WebGateway]:
    async with database_url(backend, tmp) as url:
        app = create_gateway(
            GatewaySettings(
                database_url=url,
                LOTSE_INTERNAL_TOKEN_SECRET=SECRET,
                LOTSE_BOOTSTRAP_ADMIN_KEY=ADMIN_KEY,
                **({"rate_limit_per_minute": 0, "anonymous_rate_limit_per_minute": 0} | settings),
            )
        )
        port = free_port()
        async with serve(app, port):
            gateway = WebGateway(app=app, url=f"http://127.0.0.1:{port}", clients=[])
            try:
                yield gateway
            finally:
                for client in gateway.clients:
                    await client.aclose()


@pytest.fixture(scope="module", params=BACKENDS)
async def gateway(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[WebGateway]:
    async with web_gateway(request.param, tmp_path_factory.mktemp("web")) as running:
        yield running
