"""A lean HTTP/1.1 client for one hop between Lotse processes (gateway to service).

httpx on aiohttp cost the gateway about a third of its CPU per forwarded write
(docs/PERFORMANCE.md). This client does only what a hop on a trusted network needs:
kept-alive connections per host, a request written in one piece, the response parsed
by httptools (uvicorn's parser), no redirects, cookies, proxies or decompression.
"""

import asyncio
import contextlib
from collections import deque
from dataclasses import dataclass
from typing import cast
from urllib.parse import urlsplit

import httptools

# Methods a hop may send a second time when a kept connection closed unanswered: the
# service may have acted on the first before it went, and POST or PATCH would then act
# twice. A POST the hop cannot deliver is the caller's 503, to retry with its
# Idempotency-Key.
RETRYABLE = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
# Services close a connection idle for 5 s (uvicorn's keep-alive); the hop lets one go
# before that, so a request rarely meets a connection closing under it.
IDLE_SECONDS = 4.0


class HopError(Exception):
    """The service could not be asked or did not answer properly."""


class HopConnectError(HopError):
    """No connection: refused, unreachable or not made within the connect timeout."""


class HopBusy(HopError):
    """Every connection to the service is taken, and none came free in time."""


class HopTimeout(HopError):
    """Connected and asked, but no complete answer within the read timeout."""


@dataclass(frozen=True)
class HopResponse:
    status_code: int
    headers: dict[str, str]
    """Names in lower case; repeated headers joined with ", " as httpx does."""
    content: bytes


class _Connection(asyncio.Protocol):
    """One kept-alive connection; answers one request at a time."""

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.closed = False
        self._parser = httptools.HttpResponseParser(self)
        self._waiter: asyncio.Future[HopResponse] | None = None
        self._headers: dict[str, str] = {}
        self._body: list[bytes] = []
        self.received = False
        self.idle_since = 0.0

    # -- asyncio.Protocol
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # asyncio types it as the base class; a TCP connection hands a full Transport.
        self.transport = cast(asyncio.Transport, transport)

    def data_received(self, data: bytes) -> None:
        self.received = True
        try:
            self._parser.feed_data(data)
        except httptools.HttpParserError as exc:
            self._fail(HopError(f"unreadable answer: {exc}"))
            self.close()

    def eof_received(self) -> bool | None:
        return None  # the transport closes; connection_lost follows

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        # A response without length ends with the connection (HTTP/1.0 style).
        with contextlib.suppress(httptools.HttpParserError):
            self._parser.feed_data(b"")
        self._fail(HopError("the service closed the connection before answering"))

    # -- httptools callbacks
    def on_header(self, name: bytes, value: bytes) -> None:
        key = name.decode("latin-1").lower()
        text = value.decode("latin-1")
        self._headers[key] = f"{self._headers[key]}, {text}" if key in self._headers else text

    def on_body(self, body: bytes) -> None:
        self._body.append(body)

    def on_message_complete(self) -> None:
        response = HopResponse(self._parser.get_status_code(), self._headers, b"".join(self._body))
        if not self._parser.should_keep_alive():
            self.close()
        self._headers, self._body = {}, []
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_result(response)

    # --
    def _fail(self, error: HopError) -> None:
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_exception(error)

    def send(self, data: bytes) -> "asyncio.Future[HopResponse]":
        assert self.transport is not None
        self.received = False
        self._waiter = asyncio.get_running_loop().create_future()
        self.transport.write(data)
        return self._waiter

    def close(self) -> None:
        self.closed = True
        if self.transport is not None:
            self.transport.close()


class HopClient:
    """Requests to services at absolute `http://host:port` URLs, over kept-alive connections."""

    def __init__(
        self, *, connect_timeout: float, read_timeout: float, max_connections: int = 256
    ) -> None:
        self.connect_timeout = connect_timeout
        self.read_timeout = read_timeout
        self._idle: dict[tuple[str, int], deque[_Connection]] = {}
        # Per service: one that hangs holds its own connections, not the others'.
        self._limits: dict[tuple[str, int], asyncio.Semaphore] = {}
        self._max_connections = max_connections

    async def request(
        self,
        method: str,
        base_url: str,
        target: str,
        *,
        headers: dict[str, str],
        content: bytes = b"",
        read_timeout: float | None = None,
    ) -> HopResponse:
        """Send `method target` to the service at `base_url`; `target` is path and query.

        `read_timeout` (default: the client's) bounds the wait for the answer, and the
        wait for a free connection to that service as well.
        """
        timeout = self.read_timeout if read_timeout is None else read_timeout
        parts = urlsplit(base_url)
        if parts.scheme != "http" or parts.hostname is None:
            raise ValueError(f"a hop goes to http://host:port, not {base_url}")
        where = (parts.hostname, parts.port or 80)
        head = [f"{method} {parts.path.rstrip('/')}{target} HTTP/1.1", f"host: {parts.netloc}"]
        head += [f"{name}: {value}" for name, value in headers.items()]
        if content or method not in ("GET", "DELETE"):
            head.append(f"content-length: {len(content)}")
        data = ("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + content
        limit = self._limits.setdefault(where, asyncio.Semaphore(self._max_connections))
        try:
            await asyncio.wait_for(limit.acquire(), timeout)
        except TimeoutError as exc:
            raise HopBusy(f"no free connection to {where[0]}:{where[1]} in time") from exc
        try:
            connection = self._reuse(where)
            if connection is not None:
                try:
                    return await self._exchange(connection, where, data, timeout)
                except HopTimeout:
                    raise
                except HopError:
                    if connection.received or method not in RETRYABLE:
                        raise
                    # Closed by the service before it answered: once anew, where safe.
            connection = await self._connect(where)
            return await self._exchange(connection, where, data, timeout)
        finally:
            limit.release()

    def _reuse(self, where: tuple[str, int]) -> _Connection | None:
        idle = self._idle.get(where)
        now = asyncio.get_running_loop().time()
        while idle:
            connection = idle.pop()
            if not connection.closed and now - connection.idle_since < IDLE_SECONDS:
                return connection
            connection.close()
        return None

    async def _connect(self, where: tuple[str, int]) -> _Connection:
        loop = asyncio.get_running_loop()
        try:
            _, connection = await asyncio.wait_for(
                loop.create_connection(_Connection, *where), self.connect_timeout
            )
        except (OSError, TimeoutError) as exc:
            raise HopConnectError(f"no connection to {where[0]}:{where[1]}: {exc!r}") from exc
        return connection

    async def _exchange(
        self, connection: _Connection, where: tuple[str, int], data: bytes, within: float
    ) -> HopResponse:
        done = False
        try:
            response = await asyncio.wait_for(connection.send(data), within)
            done = True
        except TimeoutError as exc:
            raise HopTimeout(f"no answer from {where[0]}:{where[1]} in time") from exc
        finally:
            if not done:
                connection.close()  # a half-read answer must not reach the next request
        if not connection.closed:
            idle = self._idle.setdefault(where, deque())
            if len(idle) < self._max_connections:
                connection.idle_since = asyncio.get_running_loop().time()
                idle.append(connection)
            else:
                connection.close()
        return response

    async def close(self) -> None:
        for idle in self._idle.values():
            for connection in idle:
                connection.close()
        self._idle.clear()
