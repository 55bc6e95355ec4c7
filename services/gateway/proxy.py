"""Forwarding /api/v1/<service>... to the service that owns it, with the internal token.

The proxy hop decides the gateway's throughput (see docs/PERFORMANCE.md). A service
that is down answers 503 at once, one that hangs 504 after its read timeout; the
gateway never hangs with it, and a service that keeps failing is refused at once for
a while (breaker.py).

A small answer is passed on whole; a large or open-ended one (an export, a feed) as it
arrives (ForwardedStream), so the gateway holds little of it at any time. A streamed
answer holds its caller's place under way until it ends, and counts for the breaker
when it ends: whole is a success, broken off by the service a failure; a caller that
leaves counts for neither.
"""

import asyncio
import contextlib
import logging
import re
import time
from collections.abc import Callable
from typing import Any, Literal
from urllib.parse import quote, quote_from_bytes, unquote_to_bytes

import httpx
from fastapi import Request, Response
from httpx_aiohttp import AiohttpTransport
from starlette.types import Receive, Scope, Send

from services.gateway.breaker import CircuitBreaker
from services.gateway.ratelimit import UnderWay, identity_of
from shared.kit.auth import TOKEN_SECONDS, Principal, sign_internal_token
from shared.kit.hop import HopBody, HopBusy, HopClient, HopError, HopResponse, HopTimeout
from shared.kit.http import GatewayTimeout, NotFound, ServiceUnavailable
from shared.kit.observability import request_id_var, traceparent_var

log = logging.getLogger("lotse.gateway.proxy")

FORWARDED_REQUEST_HEADERS = (
    "content-type",
    "accept",
    "if-match",
    "if-none-match",
    "idempotency-key",
)
FORWARDED_RESPONSE_HEADERS = (
    "content-type",
    "etag",
    "location",
    "cache-control",
    "idempotent-replayed",
    "www-authenticate",
    "retry-after",
    "content-disposition",
    "vary",
)


# Bytes a query may carry as they are; every other byte is percent-encoded.
QUERY_SAFE = "!$&'()*+,/:;=?@%"


def upstream_target(raw_path: bytes, raw_query: bytes, prefix: str) -> str:
    """The path and query to ask the service for, rebuilt from checked parts only.

    `prefix` is the route's template: literal segments must be there as written, and a
    `{name}` segment stands for any one segment (`/api/v1/projects/{id}/suggestions`).
    The path is decoded once and split into segments; a segment that is empty, `.`
    or `..`, or holds `/`, `\\` or a control character is refused, so no spelling
    (encoded, doubled, with a tab the URL parser would drop) can step out of the
    service's prefix to its /metrics or /docs. Each segment is encoded again here.
    """
    template = prefix.split("/")[1:]
    raw_segments = raw_path.split(b"?", 1)[0].split(b"/")[1:]
    if len(raw_segments) < len(template):
        raise NotFound("There is no such path.")
    segments: list[str] = []
    for i, raw_segment in enumerate(raw_segments):
        if i < len(template) and not _is_parameter(template[i]):
            # The prefix's own words must be there as written, not in another spelling.
            if raw_segment != template[i].encode():
                raise NotFound("There is no such path.")
            segments.append(template[i])
            continue
        try:
            segment = unquote_to_bytes(raw_segment).decode("utf-8")
        except UnicodeDecodeError as exc:
            raise NotFound("There is no such path.") from exc
        if segment in ("", ".", "..") or _UNSAFE_SEGMENT.search(segment):
            raise NotFound("There is no such path.")
        segments.append(quote(segment, safe=""))
    target = "/" + "/".join(segments)
    if raw_query:
        target += "?" + quote_from_bytes(raw_query, safe=QUERY_SAFE)
    return target


def _is_parameter(segment: str) -> bool:
    return segment.startswith("{") and segment.endswith("}")


_UNSAFE_SEGMENT = re.compile(r"[/\\\x00-\x1f\x7f]")


def public_location(location: str, base_url: str) -> str | None:
    """A service's Location as the client may see it: a path, never an internal address."""
    if location.startswith(base_url + "/"):
        location = location[len(base_url) :]
    if location.startswith("/") and not location.startswith("//"):
        return location
    return None


class ServiceProxy:
    def __init__(
        self,
        *,
        secret: str,
        connect_timeout: float,
        read_timeout: float,
        read_timeouts: dict[str, float] | None = None,
        breaker_failures: int = 5,
        breaker_open_seconds: float = 10.0,
        calls_per_identity: int = 16,
    ) -> None:
        self.secret = secret
        self.read_timeout = read_timeout
        self.read_timeouts = read_timeouts or {}
        """Per service base URL, where it differs from `read_timeout`."""
        self._breakers: dict[str, CircuitBreaker] = {}
        self._breaker_failures = breaker_failures
        self._breaker_open_seconds = breaker_open_seconds
        # A key (or address) cannot take every connection to a service, nor trip its
        # breaker for everyone, alone.
        self.in_flight = UnderWay(
            calls_per_identity,
            refusal=f"At most {calls_per_identity} calls under way at once; wait for an "
            "answer before you send more.",
            retry_after=1,
        )
        self._tokens: dict[tuple[Principal, bool], tuple[float, str]] = {}
        self.client = httpx.AsyncClient(
            # Services are addressed directly: no proxy settings to read per request.
            trust_env=False,
            # Keep every connection the load needs: a new connection per request costs
            # both processes more than the request itself.
            transport=AiohttpTransport(
                trust_env=False,
                limits=httpx.Limits(max_connections=256, max_keepalive_connections=256),
            ),
            timeout=httpx.Timeout(read_timeout, connect=connect_timeout),
        )
        # The forwarding hop itself: a third of the gateway's CPU per write went to httpx.
        self.hop = HopClient(connect_timeout=connect_timeout, read_timeout=read_timeout)

    async def forward(
        self, request: Request, principal: Principal, prefix: str, base_url: str
    ) -> Response:
        target = upstream_target(
            request.scope.get("raw_path") or request.url.path.encode(),
            request.scope.get("query_string", b""),
            prefix,
        )
        # RequestContextMiddleware admitted these as printable ASCII only.
        headers = {
            name: value
            for name in FORWARDED_REQUEST_HEADERS
            if (value := request.headers.get(name)) is not None
        }
        request_id = request_id_var.get()
        headers["authorization"] = "Bearer " + self._token(principal, forwarded=True)
        if request_id:
            headers["x-request-id"] = request_id
        if traceparent := traceparent_var.get():
            headers["traceparent"] = traceparent
        breaker = self.breaker(base_url)
        breaker.admit()
        content = await request.body()
        identity = identity_of(request, principal)
        self.in_flight.take(identity)
        try:
            upstream = await self._ask(request.method, base_url, target, content, headers)
        except BaseException:
            self.in_flight.give_back(identity)
            raise
        headers = {
            name: value
            for name in FORWARDED_RESPONSE_HEADERS
            if (value := upstream.headers.get(name)) is not None
        }
        if "location" in headers and (
            location := public_location(headers.pop("location"), base_url)
        ):
            headers["location"] = location
        if upstream.body is None:
            self.in_flight.give_back(identity)
            breaker.succeeded()
            # The length is the body's own, set by the Response.
            return Response(
                content=upstream.content, status_code=upstream.status_code, headers=headers
            )
        if (length := upstream.headers.get("content-length")) is not None:
            headers["content-length"] = length  # the client learns the size before the body

        def ended(outcome: StreamOutcome) -> None:
            self.in_flight.give_back(identity)
            if outcome == "whole":
                breaker.succeeded()
            elif outcome == "broken":
                breaker.failed()

        return ForwardedStream(upstream.status_code, headers, upstream.body, ended=ended)

    async def _ask(
        self, method: str, base_url: str, target: str, content: bytes, headers: dict[str, str]
    ) -> HopResponse:
        breaker = self.breaker(base_url)
        try:
            return await self.hop.request(
                method,
                base_url,
                target,
                content=content,
                headers=headers,
                read_timeout=self.read_timeouts.get(base_url, self.read_timeout),
            )
        except HopBusy as exc:  # our own connections are taken: no sign of the service
            raise ServiceUnavailable(
                "The service behind this path is busy; try again shortly.", retry_after=1
            ) from exc
        except HopTimeout as exc:
            breaker.failed()
            raise GatewayTimeout("The service did not answer in time; try again.") from exc
        except HopError as exc:  # no connection, or closed before it answered
            breaker.failed()
            raise ServiceUnavailable(
                "The service behind this path is not reachable right now; try again shortly.",
                retry_after=1,
            ) from exc

    def breaker(self, base_url: str) -> CircuitBreaker:
        breaker = self._breakers.get(base_url)
        if breaker is None:
            breaker = self._breakers[base_url] = CircuitBreaker(
                failures=self._breaker_failures, open_seconds=self._breaker_open_seconds
            )
        return breaker

    def _token(self, principal: Principal, *, forwarded: bool = False) -> str:
        """A signed token for `principal`, reused while it has most of its life ahead."""
        now = time.monotonic()
        cached = self._tokens.get((principal, forwarded))
        if cached is None or cached[0] < now:
            if len(self._tokens) >= 10_000:
                self._tokens.clear()
            token = sign_internal_token(principal, self.secret, forwarded=forwarded)
            cached = (now + TOKEN_SECONDS / 2, token)
            self._tokens[(principal, forwarded)] = cached
        return cached[1]

    async def fetch_json(self, url: str, principal: Principal) -> dict[str, Any]:
        response = await self.client.get(
            url, headers={"authorization": "Bearer " + self._token(principal)}
        )
        response.raise_for_status()
        document: dict[str, Any] = response.json()
        return document

    async def close(self) -> None:
        await self.hop.close()
        await self.client.aclose()


StreamOutcome = Literal["whole", "broken", "left"]


class ForwardedStream(Response):
    """A service's answer passed on as it arrives.

    The head goes out at once, each piece of the body as it comes. It ends `whole`;
    `broken` when the service stops sending or closes early (the client's connection
    is then closed without the answer's end, so it sees a cut-off answer, not a short
    complete one); or `left` when the client goes away. `ended(outcome)` is called
    exactly once, and the service's connection is closed unless the answer was whole.
    """

    def __init__(
        self,
        status_code: int,
        headers: dict[str, str],
        body: HopBody,
        *,
        ended: Callable[[StreamOutcome], None],
    ) -> None:
        # Not Response.__init__: it would announce a length of 0 for the missing content.
        self.status_code = status_code
        self.background = None
        self.raw_headers = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in headers.items()]
        self.body_stream = body
        self._ended = ended

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        outcome: StreamOutcome = "left"
        pump = asyncio.ensure_future(self._pump(send))
        leaving = asyncio.ensure_future(_client_leaves(receive))
        try:
            await asyncio.wait((pump, leaving), return_when=asyncio.FIRST_COMPLETED)
            if pump.done():
                pump.result()
                outcome = "whole"
        except HopError as exc:
            outcome = "broken"
            log.warning(
                "a streamed answer broke off after %d bytes: %s", self.body_stream.received, exc
            )
        finally:
            for task in (pump, leaving):
                task.cancel()
            for task in (pump, leaving):
                with contextlib.suppress(asyncio.CancelledError, HopError):
                    await task
            self.body_stream.close()
            self._ended(outcome)

    async def _pump(self, send: Send) -> None:
        await send(
            {"type": "http.response.start", "status": self.status_code, "headers": self.raw_headers}
        )
        while chunk := await self.body_stream.read():
            await send({"type": "http.response.body", "body": chunk, "more_body": True})
        await send({"type": "http.response.body", "body": b"", "more_body": False})


async def _client_leaves(receive: Receive) -> None:
    """Returns when the client has gone (the request's body was read before)."""
    while (await receive())["type"] != "http.disconnect":
        pass
