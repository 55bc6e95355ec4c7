"""A gateway on its own for the web app's HTTP behaviour (sessions, forms, headers)."""

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from tests.gateway.conftest import lone_gateway


@pytest.fixture
async def web(tmp_path: Path) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
    async with lone_gateway(tmp_path) as (app, client):
        yield app, client
