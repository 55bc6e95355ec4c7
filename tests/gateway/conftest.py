"""A gateway on its own, for what it does when its neighbours misbehave."""

import contextlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI

from services.gateway.app import create_app as create_gateway
from services.gateway.settings import Settings as GatewaySettings
from shared.cli.broker import free_port
from tests.conftest import ADMIN_KEY, SECRET, serve


@contextlib.asynccontextmanager
async def lone_gateway(
    tmp_path: Path, **settings: Any
) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
    """A gateway on its own (SQLite), to see how it behaves when its neighbours are away."""
    port = free_port()
    gateway = create_gateway(
        GatewaySettings(
            database_url=f"sqlite+aiosqlite:///{tmp_path / 'gateway.db'}",
            LOTSE_INTERNAL_TOKEN_SECRET=SECRET,
            LOTSE_BOOTSTRAP_ADMIN_KEY=ADMIN_KEY,
            **({"public_url": f"http://127.0.0.1:{port}"} | settings),
        )
    )
    async with (
        serve(gateway, port),
        # A hang would end this client's request with a timeout error, failing the test.
        httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=5) as client,
    ):
        yield gateway, client


async def publish(owner: httpx.AsyncClient, title: str, visibility: str) -> str:
    response = await owner.post(
        "/api/v1/projects",
        json={"title": title, "topics": ["mobility"], "visibility": visibility},
    )
    assert response.status_code == 201, response.text
    return str(response.json()["id"])
