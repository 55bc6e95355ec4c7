"""Large answers pass through the gateway as they arrive, and end cleanly whatever happens.

The service behind the gateway is a socket server whose answer each test writes byte
by byte, so it can send slowly, stop, or die midway; the client talks to the gateway
over a real socket too.
"""

import asyncio
import contextlib
import json
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from shared.cli.broker import EmbeddedBroker
from tests.conftest import ADMIN_KEY, eventually
from tests.gateway.conftest import lone_gateway

MiB = 1024 * 1024
ADMIN = {"Authorization": f"Bearer {ADMIN_KEY}"}
# A piece of a CSV export, each line different so that a lost or doubled piece shows.
LINES = b"".join(b"%08d;Projekt;mobility\n" % n for n in range(400_000))  # 9.6 MB
SMALL = b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 2\r\n\r\n{}"

Answer = Callable[[asyncio.StreamReader, asyncio.StreamWriter, int], Awaitable[None]]


@contextlib.asynccontextmanager
async def upstream(answer: Answer) -> AsyncIterator[str]:
    """A service at the returned URL that reads each request head, then runs `answer`
    with the number of the request (1, 2, ...)."""
    asked = 0

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal asked
        try:
            while True:
                await reader.readuntil(b"\r\n\r\n")
                asked += 1
                await answer(reader, writer, asked)
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    try:
        yield f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}"
    finally:
        server.close()


def in_front_of(
    url: str, broker: EmbeddedBroker, tmp_path: Path, **settings: Any
) -> AbstractAsyncContextManager[tuple[FastAPI, httpx.AsyncClient]]:
    return lone_gateway(
        tmp_path, LOTSE_KAFKA_BOOTSTRAP=broker.bootstrap, service_urls={"projects": url}, **settings
    )


def head(framing: str, extra: str = "") -> bytes:
    length = (
        f"content-length: {len(LINES)}" if framing == "length" else "transfer-encoding: chunked"
    )
    return (
        "HTTP/1.1 200 OK\r\ncontent-type: text/csv; charset=utf-8\r\n"
        f'content-disposition: attachment; filename="projekte.csv"\r\n{length}\r\n{extra}\r\n'
    ).encode()


def framed(data: bytes, framing: str) -> bytes:
    return data if framing == "length" else b"%x\r\n%s\r\n" % (len(data), data)


class TestLargeAnswersStream:
    @pytest.mark.parametrize("framing", ["length", "chunked"])
    async def test_a_large_answer_arrives_whole_and_begins_before_the_service_is_done(
        self, broker: EmbeddedBroker, tmp_path: Path, framing: str
    ) -> None:
        client_has_bytes = asyncio.Event()

        async def export(_r: asyncio.StreamReader, writer: asyncio.StreamWriter, _n: int) -> None:
            half = len(LINES) // 2
            writer.write(head(framing) + framed(LINES[:half], framing))
            await writer.drain()
            # The rest only once the client holds bytes: a gateway that waited for the
            # whole answer would wait here forever, and the client's read time out.
            await client_has_bytes.wait()
            writer.write(
                framed(LINES[half:], framing) + (b"0\r\n\r\n" if framing == "chunked" else b"")
            )
            await writer.drain()

        async with (
            upstream(export) as url,
            in_front_of(url, broker, tmp_path) as (_, client),
            client.stream("GET", "/api/v1/projects/export.csv", headers=ADMIN) as answer,
        ):
            assert answer.status_code == 200
            assert answer.headers["content-disposition"] == 'attachment; filename="projekte.csv"'
            if framing == "length":
                assert answer.headers.get_list("content-length") == [str(len(LINES))]
            else:
                assert "content-length" not in answer.headers
            received = bytearray()
            async for chunk in answer.aiter_raw():
                received += chunk
                client_has_bytes.set()
        assert bytes(received) == LINES

    async def test_a_small_answer_keeps_its_own_length_and_headers(
        self, broker: EmbeddedBroker, tmp_path: Path
    ) -> None:
        body = json.dumps({"name": "Bürgerportal"}).encode()

        async def small(_r: asyncio.StreamReader, writer: asyncio.StreamWriter, _n: int) -> None:
            writer.write(
                b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n"
                b'content-disposition: attachment; filename="solution.json"\r\n'
                b"x-internal: not for clients\r\ncontent-length: %d\r\n\r\n%s" % (len(body), body)
            )
            await writer.drain()

        async with upstream(small) as url, in_front_of(url, broker, tmp_path) as (_, client):
            answer = await client.get("/api/v1/projects/1", headers=ADMIN)
        assert answer.content == body
        assert answer.headers.get_list("content-length") == [str(len(body))]
        assert answer.headers["content-disposition"] == 'attachment; filename="solution.json"'
        assert "x-internal" not in answer.headers

    async def test_a_large_request_body_reaches_the_service_whole(
        self, broker: EmbeddedBroker, tmp_path: Path
    ) -> None:
        received: list[bytes] = []

        async def echo_length(
            reader: asyncio.StreamReader, writer: asyncio.StreamWriter, _n: int
        ) -> None:
            received.append(await reader.readexactly(900_000))
            writer.write(SMALL)
            await writer.drain()

        sent = LINES[:900_000]
        async with upstream(echo_length) as url, in_front_of(url, broker, tmp_path) as (_, client):
            answer = await client.post(
                "/api/v1/projects", content=sent, headers=ADMIN | {"content-type": "text/csv"}
            )
        assert answer.status_code == 200
        assert received == [sent]


class TestAStreamEndsCleanly:
    async def test_a_client_that_leaves_midway_frees_its_place_and_the_service_connection(
        self, broker: EmbeddedBroker, tmp_path: Path
    ) -> None:
        let_go = asyncio.Event()

        async def endless(
            reader: asyncio.StreamReader, writer: asyncio.StreamWriter, n: int
        ) -> None:
            if n > 1:
                writer.write(SMALL)
                return
            writer.write(head("chunked"))
            with contextlib.suppress(ConnectionError):
                while not reader.at_eof():
                    writer.write(framed(LINES[: 64 * 1024], "chunked"))
                    await writer.drain()
                    await asyncio.sleep(0.01)
            let_go.set()
            raise ConnectionResetError  # this connection is done

        async with (
            upstream(endless) as url,
            # One call under way per key: a place not given back shows as a 429.
            in_front_of(url, broker, tmp_path, calls_per_identity=1) as (_, client),
        ):
            port = int(str(client.base_url).rsplit(":", 1)[1].rstrip("/"))
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.write(
                b"GET /api/v1/projects/export.csv HTTP/1.1\r\nHost: x\r\n"
                b"Authorization: Bearer " + ADMIN_KEY.encode() + b"\r\n\r\n"
            )
            assert (await reader.readuntil(b"\r\n\r\n")).startswith(b"HTTP/1.1 200")
            await reader.readexactly(100_000)
            writer.close()
            await asyncio.wait_for(let_go.wait(), 10)
            answer = await eventually(
                lambda: _status_unless(429, client.get("/api/v1/projects", headers=ADMIN)), 10
            )
            assert answer == 200

    @pytest.mark.parametrize("how", ["dies", "stalls"])
    @pytest.mark.parametrize("framing", ["length", "chunked"])
    async def test_a_service_that_breaks_off_midway_is_a_cut_answer_and_a_failure(
        self, broker: EmbeddedBroker, tmp_path: Path, how: str, framing: str
    ) -> None:
        async def breaks_off(
            reader: asyncio.StreamReader, writer: asyncio.StreamWriter, _n: int
        ) -> None:
            writer.write(head(framing) + framed(LINES[: 2 * MiB], framing))
            await writer.drain()
            if how == "stalls":
                await reader.read()  # sends nothing more, until the gateway gives up
            writer.transport.abort()
            raise ConnectionResetError

        async with (
            upstream(breaks_off) as url,
            in_front_of(
                url, broker, tmp_path, service_timeouts={"projects": 1.0}, breaker_failures=1,
                breaker_open_seconds=60,
            ) as (_, client),
        ):  # fmt: skip
            received = bytearray()
            # Cut off, never complete-looking, and no hang (the client's timeout is 5 s).
            with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
                async with client.stream("GET", "/api/v1/projects/export.csv", headers=ADMIN) as r:
                    async for chunk in r.aiter_raw():
                        received += chunk
            assert 0 < len(received) < len(LINES)
            # The broken stream counted: the circuit is open, the service not asked again.
            refused = await client.get("/api/v1/projects", headers=ADMIN)
            assert refused.status_code == 503
            assert refused.headers["content-type"] == "application/problem+json"


class TestAClientThatDoesNotRead:
    async def test_is_let_go_and_its_place_and_the_service_connection_are_freed(
        self, broker: EmbeddedBroker, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setattr("shared.kit.server.SEND_SECONDS", 0.5)
        let_go = asyncio.Event()

        async def endless(_r: asyncio.StreamReader, writer: asyncio.StreamWriter, n: int) -> None:
            if n > 1:
                writer.write(SMALL)
                return
            writer.write(head("chunked"))
            with contextlib.suppress(ConnectionError):
                while True:
                    writer.write(framed(LINES[: 256 * 1024], "chunked"))
                    await writer.drain()
            let_go.set()
            raise ConnectionResetError

        async with (
            upstream(endless) as url,
            in_front_of(url, broker, tmp_path, calls_per_identity=1) as (_, client),
        ):
            port = int(str(client.base_url).rsplit(":", 1)[1].rstrip("/"))
            sock = socket.socket()
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            sock.connect(("127.0.0.1", port))
            sock.sendall(
                b"GET /api/v1/projects/export.csv HTTP/1.1\r\nHost: x\r\n"
                b"Authorization: Bearer " + ADMIN_KEY.encode() + b"\r\n\r\n"
            )
            try:
                # The client reads nothing; the gateway drops it, and the service's
                # connection with it.
                await asyncio.wait_for(let_go.wait(), 30)
                answer = await eventually(
                    lambda: _status_unless(429, client.get("/api/v1/projects", headers=ADMIN)), 10
                )
                assert answer == 200
            finally:
                sock.close()


async def _status_unless(unwanted: int, call: Awaitable[httpx.Response]) -> int | None:
    status = (await call).status_code
    return None if status == unwanted else status
