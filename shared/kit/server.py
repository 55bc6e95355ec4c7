"""How every Lotse service is served: uvicorn with bounds on the request head.

httptools, uvicorn's fast parser, reads a request head of any size and any number of
headers into memory, and waits for it as long as the client likes; h11 has a size
bound but is slower. BoundedHttpToolsProtocol keeps httptools, refuses a head over
MAX_HEAD_BYTES with 431 before it is read to its end, and one that takes longer than
HEAD_SECONDS with 408. A client that stops reading its answer is let go after
SEND_SECONDS, one that keeps an idle connection after KEEP_ALIVE_SECONDS. uvicorn's own
log lines are JSON lines like every other (observability.JsonFormatter). Start a
service with

    python -m shared.kit.server services.gateway.app:create_app --host 0.0.0.0 --port 8000

(`lotse up`, deploy/Dockerfile, docker-compose.yml and deploy/k8s all do).
"""

import argparse
import asyncio
import json
import logging
import uuid
from typing import Any

import uvicorn

from shared.kit.http import MAX_HEADER_BYTES, PROBLEM_BASE, PROBLEM_JSON
from shared.kit.observability import configure_logging

log = logging.getLogger("lotse.server")

# Request line and headers; what RequestContextMiddleware checks is within this bound.
MAX_HEAD_BYTES = MAX_HEADER_BYTES + 8 * 1024

try:
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
except ImportError:  # pragma: no cover - httptools is part of uvicorn[standard]
    HAS_HTTPTOOLS = False
else:
    HAS_HTTPTOOLS = True


HEAD_SECONDS = 10.0
"""A request head must be complete this long after its first byte (or the connection's
start): a client that sends it a byte at a time (slowloris) is let go."""
BODY_SECONDS = 60.0
"""A request body must be complete this long after its head."""
SEND_SECONDS = 30.0
"""An answer the client does not read: once the server's write buffer for it is full
(asyncio's high mark, 64 KiB, beyond what the kernel holds), the client must take it
down to the low mark (16 KiB) within this long, or its connection is dropped and the
app sees it leave. So a client must read at least about 1.6 KB/s while the server has
more to send. Holds for every answer, streamed or whole."""
KEEP_ALIVE_SECONDS = 5
"""A kept-alive connection with no next request is closed after this long (uvicorn's
timeout_keep_alive); services' hop clients let theirs go a second before."""


def _refusal(status: int, reason: str, slug: str, title: str, detail: str) -> bytes:
    body = json.dumps(
        {"type": PROBLEM_BASE + slug, "title": title, "status": status, "detail": detail}
    ).encode()
    head = (
        f"HTTP/1.1 {status} {reason}\r\n"
        f"content-type: {PROBLEM_JSON}\r\n"
        f"content-length: {len(body)}\r\n"
        f"x-request-id: {uuid.uuid4().hex}\r\n"
        "cache-control: no-store\r\n"
        # A bare problem document: nothing in it for a browser to run or frame.
        "x-content-type-options: nosniff\r\n"
        "content-security-policy: default-src 'none'; frame-ancestors 'none'\r\n"
        "connection: close\r\n\r\n"
    )
    return head.encode() + body


if HAS_HTTPTOOLS:

    class BoundedHttpToolsProtocol(HttpToolsProtocol):
        """httptools that stops reading a request head once it is over MAX_HEAD_BYTES,
        and lets go of a client too slow with its head or body.

        Only chunks that lie wholly inside one head are counted, so a body or a
        pipelined neighbour never counts against it; the head may overshoot by at
        most the chunk that started it (asyncio reads up to 256 KiB at a time).
        """

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._in_head = True  # between the end of one message and its next head
            self._heads = 0
            self._head_bytes = 0
            self._deadline: asyncio.TimerHandle | None = None
            self._unread: asyncio.TimerHandle | None = None  # while writing is paused

        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            super().connection_made(transport)
            self._set_deadline(HEAD_SECONDS, self._head_too_slow)

        def connection_lost(self, exc: Exception | None) -> None:
            self._set_deadline(None)
            self._reading_again()
            super().connection_lost(exc)

        def pause_writing(self) -> None:
            # The transport's buffer is full: the client has not read for a while.
            super().pause_writing()
            if self._unread is None:
                self._unread = self.loop.call_later(SEND_SECONDS, self._not_reading)

        def resume_writing(self) -> None:
            self._reading_again()
            super().resume_writing()

        def _reading_again(self) -> None:
            if self._unread is not None:
                self._unread.cancel()
                self._unread = None

        def _not_reading(self) -> None:
            # abort, not close: close would wait for the buffer to drain, which never comes.
            self._unread = None
            log.warning(
                "let go of a client that took too little of its answer in %g s", SEND_SECONDS
            )
            self.transport.abort()

        def data_received(self, data: bytes) -> None:
            in_head, heads = self._in_head, self._heads
            if in_head and self._head_bytes == 0 and self._deadline is None:
                self._set_deadline(HEAD_SECONDS, self._head_too_slow)  # a next head begins
            super().data_received(data)
            if not (in_head and self._in_head and heads == self._heads):
                return
            self._head_bytes += len(data)
            if self._head_bytes > MAX_HEAD_BYTES and not self.transport.is_closing():
                log.warning("refused a request head of more than %d bytes", MAX_HEAD_BYTES)
                self._refuse(
                    431,
                    "Request Header Fields Too Large",
                    "request-header-fields-too-large",
                    "Request headers too large",
                    f"The head of a request may have at most {MAX_HEAD_BYTES} bytes.",
                )

        def on_headers_complete(self) -> None:
            self._in_head, self._head_bytes = False, 0
            self._heads += 1
            self._set_deadline(BODY_SECONDS, self._body_too_slow)
            super().on_headers_complete()

        def on_message_complete(self) -> None:
            self._set_deadline(None)
            super().on_message_complete()
            self._in_head = True

        def _set_deadline(self, seconds: float | None, then: Any = None) -> None:
            if self._deadline is not None:
                self._deadline.cancel()
            self._deadline = None if seconds is None else self.loop.call_later(seconds, then)

        def _head_too_slow(self) -> None:
            self._deadline = None
            if self._in_head and not self.transport.is_closing():
                self._refuse(
                    408,
                    "Request Timeout",
                    "request-timeout",
                    "Request too slow",
                    f"A request head must arrive within {HEAD_SECONDS:g} s.",
                )

        def _body_too_slow(self) -> None:
            # The app reading the body sees the client leave (a 499 in the log).
            self._deadline = None
            log.warning("let go of a client whose body took over %g s", BODY_SECONDS)
            self.transport.close()

        def send_400_response(self, msg: str) -> None:
            # The parser's own refusals are problems like every other answer.
            self._refuse(400, "Bad Request", "bad-request", "Bad request", msg)

        def _refuse(self, status: int, reason: str, slug: str, title: str, detail: str) -> None:
            if self.cycle is None or self.cycle.response_complete:
                self.transport.write(_refusal(status, reason, slug, title, detail))
            self.transport.close()


def config(app: Any, *, host: str, port: int, **options: Any) -> uvicorn.Config:
    """The uvicorn configuration of a Lotse service (tests use it too)."""
    options.setdefault("timeout_keep_alive", KEEP_ALIVE_SECONDS)
    return uvicorn.Config(
        app,
        host=host,
        port=port,
        http=BoundedHttpToolsProtocol if HAS_HTTPTOOLS else "h11",
        # The bound for h11, should a platform lack httptools (it answers 400 then).
        h11_max_incomplete_event_size=MAX_HEAD_BYTES,
        # No handlers of uvicorn's own: its loggers pass their records to the root
        # logger, which writes JSON lines (configure_logging).
        log_config=None,
        **options,
    )


def service_name(factory: str) -> str:
    """`services.gateway.app:create_app` -> `gateway`: whose lines the log holds."""
    parts = factory.split(":", 1)[0].split(".")
    return parts[1] if len(parts) > 1 and parts[0] == "services" else parts[0]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m shared.kit.server", description="Serve one Lotse service."
    )
    parser.add_argument("factory", help="module:function that builds the app")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--log-level", default="info")
    parser.add_argument("--timeout-graceful-shutdown", type=int, default=5)
    parser.add_argument(
        "--access-log", action="store_true", help="one line per request (off: metrics count them)"
    )
    args = parser.parse_args(argv)
    # From the first line on, before the app's lifespan sets it up again for itself.
    configure_logging(service_name(args.factory), args.log_level)
    server = uvicorn.Server(
        config(
            args.factory,
            host=args.host,
            port=args.port,
            factory=True,
            access_log=args.access_log,
            log_level=args.log_level,
            timeout_graceful_shutdown=args.timeout_graceful_shutdown,
        )
    )
    server.run()


if __name__ == "__main__":
    main()
