"""A kit-built service on a real socket: bounded request heads, 500s that can be traced.

Requests go byte for byte over the socket (tests.conftest.raw_http), the app is built
by create_service_app and served as `lotse up` serves it (shared.kit.server).
"""

import asyncio
import contextlib
import json
import re
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from fastapi import APIRouter, Request, Response

from shared.cli.broker import EmbeddedBroker, free_port
from shared.cli.up import service_command
from shared.kit.events import EventRegistry
from shared.kit.server import KEEP_ALIVE_SECONDS
from shared.kit.service import create_service_app
from shared.kit.settings import ServiceSettings
from shared.registry import ALL as SERVICES
from tests.conftest import SECRET, eventually, raw_http, serve
from tests.shared.conftest import MIGRATIONS

ROOT = Path(__file__).parents[2]


@contextlib.asynccontextmanager
async def running_kit_service(broker: EmbeddedBroker, tmp: Path) -> AsyncIterator[str]:
    """A service made with the kit whose one route fails unexpectedly."""
    router = APIRouter()

    @router.get("/fail")
    async def fail() -> None:
        raise RuntimeError("an unexpected failure 7f3a")

    @router.get("/echo")
    async def echo(request: Request) -> Response:
        return Response(await request.body())

    app = create_service_app(
        ServiceSettings(
            database_url=f"sqlite+aiosqlite:///{tmp / 'kit.db'}",
            LOTSE_KAFKA_BOOTSTRAP=broker.bootstrap,
            LOTSE_INTERNAL_TOKEN_SECRET=SECRET,
            consumers_enabled=False,
        ),
        title="kit",
        description="a service of the tests",
        migrations=MIGRATIONS,
        events=EventRegistry(),
        routers=[router],
    )
    port = free_port()
    async with serve(app, port):
        yield f"http://127.0.0.1:{port}"


@pytest.fixture(scope="module")
async def kit_service(
    broker: EmbeddedBroker, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[str]:
    async with running_kit_service(broker, tmp_path_factory.mktemp("kit")) as url:
        yield url


async def assert_healthy(url: str) -> None:
    response = await raw_http(url, b"GET /healthz HTTP/1.1\r\nHost: x")
    assert response.status == 200


async def test_an_unexpected_error_is_a_500_with_its_request_id_logged_once(
    broker: EmbeddedBroker, tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    # Started here, so that its log handlers and the server's write to what capfd reads.
    async with running_kit_service(broker, tmp_path) as url:
        capfd.readouterr()
        response = await raw_http(
            url, b"GET /fail HTTP/1.1\r\nHost: x\r\nX-Request-ID: trace-me-500"
        )
        await assert_healthy(url)
    assert response.status == 500
    assert response.header("x-request-id") == "trace-me-500"
    assert response.header("content-type") == "application/problem+json"
    assert "7f3a" not in response.body.decode()
    assert json.loads(response.body)["type"].endswith("internal-error")
    err = capfd.readouterr().err
    mentions = [line for line in err.splitlines() if "7f3a" in line or "Traceback" in line]
    assert len(mentions) == 1, err
    record = json.loads(mentions[0])
    assert record["level"] == "error"
    assert record["request_id"] == "trace-me-500"
    assert "RuntimeError: an unexpected failure 7f3a" in record["error"]


async def test_a_caller_that_leaves_mid_body_is_no_server_error(
    kit_service: str, capfd: pytest.CaptureFixture[str]
) -> None:
    host, port = kit_service.removeprefix("http://").split(":")
    capfd.readouterr()
    _, writer = await asyncio.open_connection(host, int(port))
    writer.write(b"GET /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nabc")
    await writer.drain()
    writer.close()  # gone before the other 97 bytes
    await writer.wait_closed()

    async def counted() -> str:
        metrics = (await raw_http(kit_service, b"GET /metrics HTTP/1.1\r\nHost: x")).body
        lines = metrics.decode().splitlines()
        return "\n".join(line for line in lines if 'route="/echo"' in line and "_total" in line)

    seen = await eventually(counted)
    assert 'status="499"' in seen
    assert 'status="500"' not in seen
    assert "Traceback" not in capfd.readouterr().err


@pytest.mark.parametrize(
    "head",
    [
        b"GET /healthz HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + b"a" * 1_048_576,
        b"GET /healthz HTTP/1.1\r\nHost: x\r\n"
        + b"\r\n".join(b"X-%d: y" % i for i in range(10_000)),
        b"GET /healthz?" + b"q" * 1_048_576 + b" HTTP/1.1\r\nHost: x",
    ],
    ids=["1-MB-header", "10000-headers", "1-MB-request-line"],
)
async def test_an_oversized_request_head_is_refused_at_the_server(
    kit_service: str, head: bytes
) -> None:
    response = await raw_http(kit_service, head)
    assert response.status == 431
    assert response.header("content-type") == "application/problem+json"
    assert json.loads(response.body)["status"] == 431
    await assert_healthy(kit_service)


@pytest.mark.parametrize(
    "head",
    [
        b"GET /healthz HTTP/1.1\r\nHost: x\r\n" + b"\r\n".join(b"X-%d: y" % i for i in range(101)),
        b"GET /healthz HTTP/1.1\r\nHost: x\r\n"
        + b"\r\n".join(b"X-%d: " % i + b"v" * 4000 for i in range(5)),
    ],
    ids=["101-headers", "20-kB-of-headers"],
)
async def test_too_many_or_too_large_headers_are_a_431_problem(
    kit_service: str, head: bytes
) -> None:
    response = await raw_http(kit_service, head)
    assert response.status == 431
    assert response.header("content-type") == "application/problem+json"
    assert response.header("x-request-id")
    await assert_healthy(kit_service)


async def test_a_body_is_not_a_head(kit_service: str) -> None:
    """A large body, sent with its head in the same write, is not counted as head."""
    body = b"x" * 600_000
    response = await raw_http(
        kit_service,
        f"POST /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: {len(body)}".encode(),
        body,
    )
    assert response.status == 405


async def test_a_generous_but_normal_head_is_served(kit_service: str) -> None:
    head = b"GET /healthz HTTP/1.1\r\nHost: x\r\n" + b"\r\n".join(
        b"X-%d: " % i + b"v" * 100 for i in range(90)
    )
    assert (await raw_http(kit_service, head)).status == 200


def test_every_way_of_running_a_service_uses_the_bounded_server() -> None:
    for spec in SERVICES:
        assert service_command(spec, "127.0.0.1")[1:3] == ["-m", "shared.kit.server"]
    deployments = [
        ROOT / "deploy" / "Dockerfile",
        ROOT / "docker-compose.yml",
        *sorted((ROOT / "deploy" / "k8s").glob("*.yaml")),
    ]
    for path in deployments:
        text = path.read_text()
        # Any command line that names an app factory must start it through shared.kit.server.
        for factory in re.findall(r"services\.\w+\.app:create_app", text):
            assert "shared.kit.server" in text, (path, factory)
        assert not re.search(r"^\s*(- )?uvicorn\b|\"uvicorn\"", text, re.M), path


async def _open(url: str) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    host, port = url.removeprefix("http://").split(":")
    return await asyncio.open_connection(host, int(port))


async def until_closed(url: str, sent: bytes, *, drip: int = 0) -> bytes:
    """What the server answers to `sent` (then a header line every 100 ms, `drip`
    times) until it closes the connection."""
    reader, writer = await _open(url)
    try:
        writer.write(sent)
        for _ in range(drip):
            await asyncio.sleep(0.1)
            writer.write(b"X-Drip: 1\r\n")
        return await asyncio.wait_for(reader.read(), 5)  # a hang fails here
    finally:
        writer.close()


async def test_a_head_sent_a_byte_at_a_time_is_let_go_with_408(
    kit_service: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("shared.kit.server.HEAD_SECONDS", 0.5)
    # slowloris: a header line now and then, never the end of the head
    answer = await until_closed(kit_service, b"GET /healthz HTTP/1.1\r\nHost: x\r\n", drip=4)
    status, _, body = answer.partition(b"\r\n\r\n")
    assert status.startswith(b"HTTP/1.1 408")
    assert b"content-type: application/problem+json" in status
    assert json.loads(body)["type"].endswith("request-timeout")


async def test_a_connection_that_never_asks_is_closed(
    kit_service: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("shared.kit.server.HEAD_SECONDS", 0.3)
    assert (await until_closed(kit_service, b"")).startswith(b"HTTP/1.1 408")


async def test_a_body_that_never_ends_is_let_go(
    kit_service: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("shared.kit.server.BODY_SECONDS", 0.3)
    head = b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nsome"
    answer = await until_closed(kit_service, head)
    # The connection is closed; the app saw its caller leave, not a server error.
    assert not answer.startswith(b"HTTP/1.1 5")


async def test_a_slow_answer_on_a_kept_connection_is_not_cut(
    kit_service: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The head's deadline ends with the head: a request, however long its answer
    # takes, and the next request on the same connection are both served.
    monkeypatch.setattr("shared.kit.server.HEAD_SECONDS", 0.3)
    reader, writer = await _open(kit_service)
    try:
        for _ in range(2):
            writer.write(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5)
            assert head.startswith(b"HTTP/1.1 200")
            length = int(re.search(rb"content-length: (\d+)", head).group(1))  # type: ignore[union-attr]
            await reader.readexactly(length)
            await asyncio.sleep(0.2)
    finally:
        writer.close()


async def test_a_request_the_parser_cannot_read_is_a_400_problem(kit_service: str) -> None:
    answer = await until_closed(kit_service, b"GET /healthz HTTP/1.1\r\nHo st: x\r\n\r\n")
    status, _, body = answer.partition(b"\r\n\r\n")
    assert status.startswith(b"HTTP/1.1 400")
    assert b"content-type: application/problem+json" in status
    assert json.loads(body)["type"].endswith("bad-request")


async def test_an_idle_kept_connection_is_closed(kit_service: str) -> None:
    reader, writer = await _open(kit_service)
    try:
        writer.write(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5)
        assert head.startswith(b"HTTP/1.1 200")
        length = int(re.search(rb"content-length: (\d+)", head).group(1))  # type: ignore[union-attr]
        await reader.readexactly(length)
        # Nothing more is asked: the server closes the connection after its keep-alive.
        assert await asyncio.wait_for(reader.read(), KEEP_ALIVE_SECONDS + 5) == b""
    finally:
        writer.close()


async def test_the_servers_own_log_lines_are_json() -> None:
    port = free_port()
    command = [sys.executable, "-m", "shared.kit.server", "tests.shared.plain_app:create_app",
               "--port", str(port), "--access-log"]  # fmt: skip
    process = await asyncio.create_subprocess_exec(
        *command, cwd=ROOT, stderr=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE
    )
    try:
        url = f"http://127.0.0.1:{port}"

        async def answers() -> bool:
            with contextlib.suppress(OSError):
                return (await raw_http(url, b"GET /hello HTTP/1.1\r\nHost: x")).status == 200
            return False

        await eventually(answers, within=20)
        # uvicorn's parser refuses this and says so in its own log.
        await raw_http(url, b"GET /hello HTTP/1.1\r\nHo st: x")
    finally:
        process.terminate()
        _, stderr = await asyncio.wait_for(process.communicate(), 20)
    lines = [json.loads(line) for line in stderr.decode().splitlines() if line.strip()]
    loggers = {line["logger"] for line in lines}
    assert {"uvicorn.error", "uvicorn.access"} <= loggers, lines
    access = next(line for line in lines if line["logger"] == "uvicorn.access")
    assert "GET /hello" in access["message"]
    assert all(line["service"] == "tests" and line["level"] for line in lines)
