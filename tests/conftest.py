"""Real parts for every test: a Kafka-protocol broker, SQLite and PostgreSQL, HTTP servers."""

import asyncio
import contextlib
import importlib
import os
import socket
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
import uvicorn
from fastapi import FastAPI
from starlette.types import ASGIApp

from shared.cli.broker import EmbeddedBroker, free_port
from shared.cli.mailsink import start_mailsink
from shared.kit.server import config as server_config
from shared.registry import GATEWAY, SERVICES, ServiceEntry

ADMIN_KEY = "lotse_test_admin_key_0123456789abcdef"
SECRET = "test-internal-secret-0123456789-abcdef"
PUBLIC_URL = "https://lotse.test"
"""The address subscribers see in links; tests call the gateway at its path."""
PG_URL = os.environ.get("LOTSE_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")


def _postgres_reachable() -> bool:
    host, port = "127.0.0.1", 5432
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((host, port)) == 0


POSTGRES = bool(os.environ.get("LOTSE_TEST_POSTGRES_URL")) or _postgres_reachable()
if os.environ.get("CI") and not POSTGRES:
    raise RuntimeError("CI must test on PostgreSQL, but none answers at 127.0.0.1:5432")

BACKENDS = ["sqlite", "postgres"]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # Files marked `long` go first: side by side (pytest-xdist, whole files per worker),
    # the short files then fill the gaps instead of one long file running on alone at the end.
    items.sort(key=lambda item: item.get_closest_marker("long") is None)
    if POSTGRES:
        return
    skip = pytest.mark.skip(reason="no PostgreSQL reachable (CI requires one)")
    for item in items:
        if "postgres" in item.name:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def broker() -> Iterator[EmbeddedBroker]:
    """One embedded broker for tests that only need a broker to talk to."""
    instance = EmbeddedBroker(free_port())
    instance.start()
    yield instance
    instance.stop()


@contextlib.asynccontextmanager
async def database_url(backend: str, tmp: Path) -> AsyncIterator[str]:
    """A fresh, empty database of `backend`, dropped afterwards."""
    if backend == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp / (uuid.uuid4().hex + '.db')}"
        return
    name = "lotse_t_" + uuid.uuid4().hex[:12]
    admin = await asyncpg.connect(PG_URL)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    base = PG_URL.rsplit("/", 1)[0]
    try:
        yield f"{base}/{name}"
    finally:
        admin = await asyncpg.connect(PG_URL)
        try:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await admin.close()


@contextlib.asynccontextmanager
async def serve(app: ASGIApp, port: int) -> AsyncIterator[uvicorn.Server]:
    """Run `app` on a real socket, lifespan included, in this event loop."""
    # The same server configuration as `lotse up` and the deployment (shared.kit.server).
    config = server_config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
            raise RuntimeError("server stopped while starting")
        await asyncio.sleep(0.02)
    try:
        yield server
    finally:
        server.should_exit = True
        await task


@dataclass
class RawResponse:
    """An HTTP/1.1 answer as it came over the wire: status, headers as sent, body."""

    status: int
    headers: list[tuple[str, str]]
    body: bytes

    def header(self, name: str) -> str | None:
        return next((v for k, v in self.headers if k.lower() == name.lower()), None)


async def raw_http(url: str, head: bytes, body: bytes = b"") -> RawResponse:
    """Send `head` (request line and headers, no final blank line) byte for byte.

    httpx normalises paths and refuses odd headers; an attacker's client does neither.
    """
    host, port = url.removeprefix("http://").split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    data = b""
    try:
        # A server that refuses a request may stop reading it: what it answered still counts.
        with contextlib.suppress(ConnectionError):
            writer.write(head + b"\r\nConnection: close\r\n\r\n" + body)
            await writer.drain()
        with contextlib.suppress(ConnectionError):
            while chunk := await reader.read(65536):
                data += chunk
    finally:
        writer.close()
        with contextlib.suppress(ConnectionError):
            await writer.wait_closed()
    head_part, _, payload = data.partition(b"\r\n\r\n")
    status_line, *lines = head_part.decode("latin-1").split("\r\n")
    headers = [(k.strip(), v.strip()) for k, _, v in (line.partition(":") for line in lines)]
    return RawResponse(int(status_line.split()[1]), headers, payload)


async def eventually(check: Callable[[], Awaitable[Any]], within: float = 20.0) -> Any:
    """Wait until `check` returns something truthy; fail with its last answer."""
    deadline = asyncio.get_running_loop().time() + within
    result = None
    while asyncio.get_running_loop().time() < deadline:
        result = await check()
        if result:
            return result
        await asyncio.sleep(0.05)
    raise AssertionError(f"condition not met within {within} s; last result: {result!r}")


_ags_counter = iter(range(1, 1_000_000))


def new_ags() -> str:
    """A fresh, valid AGS in Hessen that no other test uses."""
    return f"06{(os.getpid() % 900) * 1000 + next(_ags_counter) % 1000:06d}"


def load(reference: str) -> Any:
    """`module:name` of the registry, imported."""
    module, _, name = reference.partition(":")
    return getattr(importlib.import_module(module), name)


def build_app(entry: ServiceEntry, **settings: Any) -> FastAPI:
    """A service's app as its registry entry names it, with these settings."""
    app: FastAPI = load(entry.app)(load(entry.settings)(**settings))
    return app


@dataclass
class Platform:
    """Every service of the registry on real sockets, with their own broker and databases."""

    backend: str
    broker: EmbeddedBroker
    gateway_url: str
    apps: dict[str, FastAPI]
    urls: dict[str, str]
    mail_folder: Path
    clients: list[httpx.AsyncClient] = field(default_factory=list)

    @property
    def gateway(self) -> FastAPI:
        return self.apps[GATEWAY.name]

    @property
    def projects(self) -> FastAPI:
        return self.apps["projects"]

    @property
    def knowledge(self) -> FastAPI:
        return self.apps["knowledge"]

    @property
    def projects_url(self) -> str:
        return self.urls["projects"]

    def client(self, key: str | None = None, **kwargs: Any) -> httpx.AsyncClient:
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        client = httpx.AsyncClient(base_url=self.gateway_url, headers=headers, timeout=30, **kwargs)
        self.clients.append(client)
        return client

    @property
    def admin(self) -> httpx.AsyncClient:
        return self.client(ADMIN_KEY)

    @property
    def funding(self) -> FastAPI:
        return self.apps["funding"]

    async def municipality(
        self,
        ags: str | None = None,
        name: str = "Teststadt",
        kind: str = "stadt",
        population: int | None = None,
    ) -> str:
        """Register a municipality and wait until the services that keep them know it."""
        ags = ags or new_ags()
        body: dict[str, Any] = {"ags": ags, "name": name, "kind": kind}
        if population is not None:
            body["population"] = population
        response = await self.admin.post("/api/v1/municipalities", json=body)
        assert response.status_code == 201, response.text
        projects_db = self.projects.state.runtime.db
        funding_db = self.funding.state.runtime.db

        async def known() -> bool:
            from services.funding.models import KnownMunicipality
            from services.projects.repository import unknown_municipalities

            async with projects_db.session() as session:
                if await unknown_municipalities(session, {ags}):
                    return False
            async with funding_db.session() as session:
                return await session.get(KnownMunicipality, ags) is not None

        async def known_to_knowledge() -> bool:
            from services.knowledge.repository import get_known_municipality

            async with self.knowledge.state.runtime.db.session() as session:
                return await get_known_municipality(session, ags) is not None

        await eventually(known)
        await eventually(known_to_knowledge)
        return ags

    async def key(self, role: str, ags: str | None = None) -> str:
        body = {"name": f"test {role}", "role": role} | ({"ags": ags} if ags else {})
        response = await self.admin.post("/api/v1/api-keys", json=body)
        assert response.status_code == 201, response.text
        return str(response.json()["key"])


@contextlib.asynccontextmanager
async def running_platform(
    backend: str, tmp: Path, **gateway_settings: Any
) -> AsyncIterator[Platform]:
    """Every service of the registry; the gateway with these settings besides.

    Rate limits are off unless a test sets them: the tests all call from one address.
    Live streams end after a second, so that a test (or schemathesis) reading one ends.
    Webhooks may go to loopback, where the tests' receivers listen.
    """
    gateway_settings = {
        "rate_limit_per_minute": 0,
        "anonymous_rate_limit_per_minute": 0,
        "stream_max_seconds": 1,
        # Webhooks may reach the tests' receivers on loopback.
        "LOTSE_WEBHOOK_ALLOWED_CIDRS": "127.0.0.0/8,::1/128",
    } | gateway_settings
    broker = EmbeddedBroker(free_port())
    broker.start()
    common = {
        "LOTSE_KAFKA_BOOTSTRAP": broker.bootstrap,
        "LOTSE_INTERNAL_TOKEN_SECRET": SECRET,
        "LOTSE_KAFKA_SESSION_TIMEOUT_MS": 2000,
    }
    ports = {entry.name: free_port() for entry in (*SERVICES, GATEWAY)}
    urls = {name: f"http://127.0.0.1:{port}" for name, port in ports.items()}
    # Mail goes to a real SMTP server writing files; webhooks may reach loopback receivers.
    mail_port, mail_folder = free_port(), tmp / "mail"
    sink = await start_mailsink(mail_folder, port=mail_port)
    own = {
        "funding": {
            "LOTSE_MAILSINK_PORT": mail_port,
            "LOTSE_WEBHOOK_ALLOWED_CIDRS": "127.0.0.0/8,::1/128",
            # https, as in production: mails then carry RFC 8058 List-Unsubscribe-Post.
            "public_url": PUBLIC_URL,
        }
    }
    try:
        async with contextlib.AsyncExitStack() as stack:
            apps: dict[str, FastAPI] = {}
            for entry in SERVICES:
                db = await stack.enter_async_context(database_url(backend, tmp))
                settings = common | own.get(entry.name, {})
                apps[entry.name] = build_app(entry, database_url=db, **settings)
            gateway_db = await stack.enter_async_context(database_url(backend, tmp))
            apps[GATEWAY.name] = build_app(
                GATEWAY,
                database_url=gateway_db,
                service_urls={entry.name: urls[entry.name] for entry in SERVICES},
                LOTSE_BOOTSTRAP_ADMIN_KEY=ADMIN_KEY,
                **common,
                # Where browsers reach it, as `lotse up` tells it: the sign-on callback.
                **({"public_url": urls[GATEWAY.name]} | gateway_settings),
            )
            for name, app in apps.items():  # the gateway last, as `lotse up` starts it
                await stack.enter_async_context(serve(app, ports[name]))
            # Ready as `lotse up` waits for it: consumers joined and caught up.
            async with httpx.AsyncClient() as probe:
                for url in urls.values():

                    async def ready(url: str = url) -> bool:
                        return (await probe.get(f"{url}/readyz")).status_code == 200

                    await eventually(ready, within=60)
            platform = Platform(
                backend=backend,
                broker=broker,
                gateway_url=urls[GATEWAY.name],
                apps=apps,
                urls=urls,
                mail_folder=mail_folder,
            )
            try:
                yield platform
            finally:
                for client in platform.clients:
                    await client.aclose()
    finally:
        sink.close()
        await sink.wait_closed()
        broker.stop()


@pytest.fixture(scope="module", params=BACKENDS)
async def platform(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Platform]:
    """The platform on SQLite and on PostgreSQL; tests keep apart by fresh AGS."""
    async with running_platform(request.param, tmp_path_factory.mktemp("platform")) as running:
        yield running
