"""A lean HTTP/1.1 client for one hop between Lotse processes (gateway to service).

httpx on aiohttp cost the gateway about a third of its CPU per forwarded write
(docs/PERFORMANCE.md). This client does only what a hop on a trusted network needs:
kept-alive connections per host, a request written in one piece, the response parsed
by httptools (uvicorn's parser), no redirects, cookies, proxies or decompression.

A small answer (a known length up to STREAM_ABOVE bytes, or one whose end came with
its head) comes back whole in `HopResponse.content`, the fast path. A larger or open-ended
one (exports, feeds) comes back as soon as its head has arrived, with the rest to read
from `HopResponse.body`: the hop then holds at most about BUFFER_HIGH bytes of it.
"""

import asyncio
import contextlib
from collections import deque
from collections.abc import Callable
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
# An answer up to this size, with its length announced, is read whole before it is
# handed on; a larger one, or one without a length, streams.
STREAM_ABOVE = 256 * 1024
# A streamed answer not yet read by the caller: reading from the service pauses above
# this, and resumes when the caller has taken what was there.
BUFFER_HIGH = 1024 * 1024


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
    """The whole body; empty when it streams."""
    body: "HopBody | None" = None
    """The body still to come, for a streamed answer: read it to its end or close it."""


class HopBody:
    """The rest of a streamed answer. `read()` until it gives b"", or `close()`; either
    way the connection goes back (whole) or is closed (cut off), exactly once."""

    def __init__(self, connection: "_Connection", read_timeout: float) -> None:
        self._connection = connection
        self._read_timeout = read_timeout
        self._chunks: deque[bytes] = deque()
        self._buffered = 0
        self._paused = False
        self._complete = False
        self._error: HopError | None = None
        self._wakeup: asyncio.Future[bool] | None = None
        self._on_end: list[Callable[[bool], None]] = []
        self.ended = False
        self.received = 0
        """Bytes of the body handed to the reader so far."""

    @property
    def waiting(self) -> int:
        """Bytes arrived from the service and not read yet."""
        return self._buffered

    def when_ended(self, callback: Callable[[bool], None]) -> None:
        """Call `callback(whole)` once the body was read to its end (True) or not."""
        self._on_end.append(callback)

    async def read(self) -> bytes:
        """What has arrived since the last read (waiting for it), or b"" at the end.

        Raises HopTimeout when nothing arrives within the read timeout, HopError when
        the service closes the connection before the end.
        """
        while not self._chunks:
            if self._error is not None:
                self._end(whole=False)
                raise self._error
            if self._complete:
                self._end(whole=True)
                return b""
            # Not asyncio.wait_for: on 3.11 it swallows a cancellation that meets a wake-up,
            # and a reader whose client left must stop.
            loop = asyncio.get_running_loop()
            self._wakeup = wakeup = loop.create_future()
            timer = loop.call_later(self._read_timeout, _expire, wakeup)
            try:
                in_time = await wakeup
            finally:
                timer.cancel()
                self._wakeup = None
            if not in_time:
                self._end(whole=False)
                raise HopTimeout("the service stopped sending within the read timeout")
        data = b"".join(self._chunks) if len(self._chunks) > 1 else self._chunks[0]
        self._chunks.clear()
        self._buffered = 0
        if self._paused and self._connection.transport is not None:
            self._paused = False
            self._connection.transport.resume_reading()
        self.received += len(data)
        return data

    def close(self) -> None:
        """Stop reading: a body not read to its end takes its connection with it."""
        self._end(whole=False)

    # -- fed by the connection
    def _put(self, chunk: bytes) -> None:
        self._chunks.append(chunk)
        self._buffered += len(chunk)
        if self._buffered > BUFFER_HIGH and not self._paused:
            transport = self._connection.transport
            if transport is not None and not transport.is_closing():
                self._paused = True
                transport.pause_reading()
        self._wake()

    def _finish(self) -> None:
        self._complete = True
        self._wake()

    def _fail(self, error: HopError) -> None:
        if not self._complete:
            self._error = error
            self._wake()

    def _wake(self) -> None:
        if self._wakeup is not None and not self._wakeup.done():
            self._wakeup.set_result(True)

    def _end(self, *, whole: bool) -> None:
        if self.ended:
            return
        self.ended = True
        if not whole:
            self._connection.close()  # the rest of the answer must not reach the next request
        self._connection.body = None
        for callback in self._on_end:
            callback(whole)


class _Connection(asyncio.Protocol):
    """One kept-alive connection; answers one request at a time."""

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.closed = False
        self._parser = httptools.HttpResponseParser(self)
        self._waiter: asyncio.Future[HopResponse] | None = None
        self._headers: dict[str, str] = {}
        self._body: list[bytes] = []
        self._head_complete = False
        self.body: HopBody | None = None
        """The streamed body being read, while there is one."""
        self.read_timeout = 0.0
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
            return
        waiter = self._waiter
        if self._head_complete and waiter is not None and not waiter.done() and self._streams():
            self._start_stream(waiter)

    def eof_received(self) -> bool | None:
        return None  # the transport closes; connection_lost follows

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        # A response without length ends with the connection (HTTP/1.0 style).
        with contextlib.suppress(httptools.HttpParserError):
            self._parser.feed_data(b"")
        self._fail(HopError("the service closed the connection before answering"))
        if self.body is not None:
            self.body._fail(HopError("the service closed the connection before the answer's end"))

    # -- httptools callbacks
    def on_header(self, name: bytes, value: bytes) -> None:
        key = name.decode("latin-1").lower()
        text = value.decode("latin-1")
        self._headers[key] = f"{self._headers[key]}, {text}" if key in self._headers else text

    def on_headers_complete(self) -> None:
        self._head_complete = True

    def on_body(self, body: bytes) -> None:
        if not body:
            return  # httptools reports an empty piece at the connection's end
        if self.body is not None:
            self.body._put(body)
        else:
            self._body.append(body)

    def on_message_complete(self) -> None:
        keep_alive = self._parser.should_keep_alive()
        self._head_complete = False
        if self.body is not None:  # streamed: its reader takes the end from here
            if not keep_alive:
                self.closed = True  # not reused; closed once the reader is done
            self.body._finish()
            return
        response = HopResponse(self._parser.get_status_code(), self._headers, b"".join(self._body))
        if not keep_alive:
            self.close()
        self._headers, self._body = {}, []
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_result(response)

    # --
    def _streams(self) -> bool:
        """Whether an answer still arriving is handed on before its end."""
        length = self._headers.get("content-length", "")
        return not (length.isdigit() and int(length) <= STREAM_ABOVE)

    def _start_stream(self, waiter: "asyncio.Future[HopResponse]") -> None:
        body = HopBody(self, self.read_timeout)
        for chunk in self._body:
            body._put(chunk)
        self.body = body
        response = HopResponse(self._parser.get_status_code(), self._headers, b"", body)
        self._headers, self._body = {}, []
        waiter.set_result(response)

    # --
    def _fail(self, error: HopError) -> None:
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_exception(error)

    def send(
        self, head: bytes, content: bytes, read_timeout: float
    ) -> "asyncio.Future[HopResponse]":
        assert self.transport is not None
        self.received = False
        self.read_timeout = read_timeout
        self._waiter = asyncio.get_running_loop().create_future()
        if content:
            # Two writes, no copy of the body: the transport sends them as one when it can.
            self.transport.writelines((head, content))
        else:
            self.transport.write(head)
        return self._waiter

    def close(self) -> None:
        self.closed = True
        if self.transport is not None:
            self.transport.close()


def _expire(wakeup: "asyncio.Future[bool]") -> None:
    if not wakeup.done():
        wakeup.set_result(False)


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
        data = ("\r\n".join(head) + "\r\n\r\n").encode("latin-1")
        limit = self._limits.setdefault(where, asyncio.Semaphore(self._max_connections))
        try:
            await asyncio.wait_for(limit.acquire(), timeout)
        except TimeoutError as exc:
            raise HopBusy(f"no free connection to {where[0]}:{where[1]} in time") from exc
        response: HopResponse | None = None
        try:
            connection = self._reuse(where)
            if connection is not None:
                try:
                    response = await self._exchange(connection, where, data, content, timeout)
                except HopTimeout:
                    raise
                except HopError:
                    if connection.received or method not in RETRYABLE:
                        raise
                    # Closed by the service before it answered: once anew, where safe.
            if response is None:
                connection = await self._connect(where)
                response = await self._exchange(connection, where, data, content, timeout)
            return response
        finally:
            if response is not None and response.body is not None and connection is not None:
                # The connection and its place stay taken until the body is done with.
                kept = connection
                response.body.when_ended(lambda whole: self._done_with(kept, where, limit))
            else:
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
        self,
        connection: _Connection,
        where: tuple[str, int],
        head: bytes,
        content: bytes,
        within: float,
    ) -> HopResponse:
        done = False
        try:
            response = await asyncio.wait_for(connection.send(head, content, within), within)
            done = True
        except TimeoutError as exc:
            raise HopTimeout(f"no answer from {where[0]}:{where[1]} in time") from exc
        finally:
            if not done:
                connection.close()  # a half-read answer must not reach the next request
        if response.body is None:
            self._keep(connection, where)
        return response

    def _keep(self, connection: _Connection, where: tuple[str, int]) -> None:
        if connection.closed:
            connection.close()  # its transport too, should the answer have said "close"
            return
        idle = self._idle.setdefault(where, deque())
        if len(idle) < self._max_connections:
            connection.idle_since = asyncio.get_running_loop().time()
            idle.append(connection)
        else:
            connection.close()

    def _done_with(
        self, connection: _Connection, where: tuple[str, int], limit: asyncio.Semaphore
    ) -> None:
        self._keep(connection, where)
        limit.release()

    async def close(self) -> None:
        for idle in self._idle.values():
            for connection in idle:
                connection.close()
        self._idle.clear()
