"""Forwarding /api/v1/<service>... to the service that owns it, with the internal token.

httpx's API on the aiohttp transport: the proxy hop decides the gateway's
throughput (see docs/PERFORMANCE.md). A service that is down answers 503 at once,
one that hangs 504 after the read timeout; the gateway never hangs with it.
"""

import re
import time
from typing import Any
from urllib.parse import quote, quote_from_bytes, unquote_to_bytes

import httpx
from fastapi import Request, Response
from httpx_aiohttp import AiohttpTransport

from shared.kit.auth import TOKEN_SECONDS, Principal, sign_internal_token
from shared.kit.hop import HopClient, HopConnectError, HopError, HopTimeout
from shared.kit.http import GatewayTimeout, NotFound, ServiceUnavailable
from shared.kit.observability import request_id_var, traceparent_var

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
)


# Bytes a query may carry as they are; every other byte is percent-encoded.
QUERY_SAFE = "!$&'()*+,/:;=?@%"


def upstream_target(raw_path: bytes, raw_query: bytes, prefix: str) -> str:
    """The path and query to ask the service for, rebuilt from checked parts only.

    The path must begin with the prefix's literal segments as they are; a `{name}`
    segment of the prefix and every segment after it are decoded once and checked: one
    that is empty, `.` or `..`, or holds `/`, `\\` or a control character is refused,
    so no spelling (encoded, doubled, with a tab the URL parser would drop) can step out
    of the service's prefix to its /metrics or /docs. Each is encoded again here.
    """
    parts = raw_path.split(b"?", 1)[0].split(b"/")[1:]
    prefix_parts = prefix.encode().split(b"/")[1:]
    if len(parts) < len(prefix_parts):
        raise NotFound("There is no such path.")
    segments: list[str] = []
    for index, raw_segment in enumerate(parts):
        literal = prefix_parts[index] if index < len(prefix_parts) else None
        if literal is not None and not literal.startswith(b"{"):
            if raw_segment != literal:
                raise NotFound("There is no such path.")
            segments.append(literal.decode())
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


_UNSAFE_SEGMENT = re.compile(r"[/\\\x00-\x1f\x7f]")


def public_location(location: str, base_url: str) -> str | None:
    """A service's Location as the client may see it: a path, never an internal address."""
    if location.startswith(base_url + "/"):
        location = location[len(base_url) :]
    if location.startswith("/") and not location.startswith("//"):
        return location
    return None


class ServiceProxy:
    def __init__(self, *, secret: str, connect_timeout: float, read_timeout: float) -> None:
        self.secret = secret
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
        try:
            upstream = await self.hop.request(
                request.method, base_url, target, content=await request.body(), headers=headers
            )
        except HopConnectError as exc:
            raise ServiceUnavailable(
                "The service behind this path is not reachable right now; try again shortly."
            ) from exc
        except HopTimeout as exc:
            raise GatewayTimeout("The service did not answer in time; try again.") from exc
        except HopError as exc:
            raise ServiceUnavailable(
                "The service behind this path is not reachable right now; try again shortly."
            ) from exc
        headers = {
            name: value
            for name in FORWARDED_RESPONSE_HEADERS
            if (value := upstream.headers.get(name)) is not None
        }
        if "location" in headers and (
            location := public_location(headers.pop("location"), base_url)
        ):
            headers["location"] = location
        return Response(content=upstream.content, status_code=upstream.status_code, headers=headers)

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
