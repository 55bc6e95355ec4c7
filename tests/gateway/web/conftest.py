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
from playwright.async_api import Browser, Page, async_playwright

from services.gateway.app import create_app as create_gateway
from services.gateway.settings import Settings as GatewaySettings
from shared.cli.broker import free_port
from tests.conftest import (
    ADMIN_KEY,
    BACKENDS,
    SECRET,
    Platform,
    database_url,
    running_platform,
    serve,
)
from tests.gateway.web.browser import (
    ARTIFACTS,
    AXE,
    CHROMIUM,
    CHROMIUM_FLAGS,
    RequestLog,
    artifact_name,
)


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


@dataclass
class BrowserPlatform:
    """The platform as `lotse up` runs it, and a chromium to look at it with."""

    platform: Platform
    browser: Browser

    @property
    def url(self) -> str:
        return self.platform.gateway_url


@pytest.fixture(scope="module")
async def browser_platform(
    tmp_path_factory: pytest.TempPathFactory,
) -> AsyncIterator[BrowserPlatform]:
    """Every service as `lotse up` starts it (SQLite: the pages are what is tested here),
    and one headless chromium for the module's tests."""
    if not CHROMIUM.exists() or not AXE.exists():
        pytest.fail(
            "run `make test` (or `make /usr/bin/chromium node_modules/axe-core/axe.min.js`)"
        )
    async with (
        running_platform("sqlite", tmp_path_factory.mktemp("browser")) as platform,
        async_playwright() as playwright,
    ):
        browser = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS, headless=True
        )
        try:
            yield BrowserPlatform(platform=platform, browser=browser)
        finally:
            await browser.close()


@pytest.fixture
def request_log() -> RequestLog:
    """Every request the test's tab makes."""
    return RequestLog()


@pytest.fixture
async def page(
    browser_platform: BrowserPlatform, request_log: RequestLog, request: pytest.FixtureRequest
) -> AsyncIterator[Page]:
    """A fresh browser tab (own cookies) with axe-core at hand and every request in
    `request_log`; its screenshot goes to test-artifacts/ whatever the outcome."""
    context = await browser_platform.browser.new_context(
        base_url=browser_platform.url, locale="de-DE", viewport={"width": 1280, "height": 900}
    )
    # An init script comes in through the browser's devtools, not the page: the pages'
    # CSP (script-src 'self') stays in force and is what the tests see.
    await context.add_init_script(path=str(AXE))
    tab = await context.new_page()
    context.on("request", request_log.record)  # the tab and anything it starts
    try:
        yield tab
    finally:
        ARTIFACTS.mkdir(exist_ok=True)
        await tab.screenshot(path=ARTIFACTS / artifact_name(request.node.nodeid), full_page=True)
        await context.close()


@pytest.fixture
async def signed_in_page(page: Page) -> Page:
    """The tab signed in with the bootstrap admin key, on the dashboard."""
    await sign_in_with(page, ADMIN_KEY)
    return page


async def sign_in_with(page: Page, key: str) -> None:
    await page.goto("/sign-in")
    await page.get_by_label("API-Schlüssel").fill(key)
    await page.get_by_role("button", name="Anmelden").click()
    await page.wait_for_url("**/dashboard")
