"""Forwarding /api/v1/<service>... to the service that owns it, with the internal token.

httpx's API on the aiohttp transport: the proxy hop decides the gateway's
throughput (see docs/PERFORMANCE.md). A service that is down answers 503 at once,
one that hangs 504 after the read timeout; the gateway never hangs with it.
"""

import time

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


def _plain_path(raw_path: bytes) -> bool:
    lowered = raw_path.lower()
    if any(code in lowered for code in (b"%2f", b"%5c", b"%2e", b"\\")):
        return False
    return not any(segment in (b".", b"..") for segment in raw_path.split(b"/"))


class ServiceProxy:
    def __init__(self, *, secret: str, connect_timeout: float, read_timeout: float) -> None:
        self.secret = secret
        self._tokens: dict[Principal, tuple[float, str]] = {}
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

    async def forward(self, request: Request, principal: Principal, base_url: str) -> Response:
        if not _plain_path(request.scope.get("raw_path") or request.url.path.encode()):
            # Dot segments or encoded slashes could step out of the service's /api/
            # routes (to /metrics, /docs) once decoded and normalised.
            raise NotFound("There is no such path.")
        headers = {
            name: value
            for name in FORWARDED_REQUEST_HEADERS
            if (value := request.headers.get(name)) is not None
        }
        request_id = request_id_var.get()
        headers["authorization"] = "Bearer " + self._token(principal)
        if request_id:
            headers["x-request-id"] = request_id
        if traceparent := traceparent_var.get():
            headers["traceparent"] = traceparent
        # The path and query as the caller sent them (checked above), not re-encoded.
        target = (request.scope.get("raw_path") or request.url.path.encode()).decode("latin-1")
        if query := request.scope.get("query_string"):
            target += "?" + query.decode("latin-1")
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
        return Response(
            content=upstream.content,
            status_code=upstream.status_code,
            headers={
                name: value
                for name in FORWARDED_RESPONSE_HEADERS
                if (value := upstream.headers.get(name)) is not None
            },
        )

    def _token(self, principal: Principal) -> str:
        """A signed token for `principal`, reused while it has most of its life ahead."""
        now = time.monotonic()
        cached = self._tokens.get(principal)
        if cached is None or cached[0] < now:
            if len(self._tokens) >= 10_000:
                self._tokens.clear()
            cached = (now + TOKEN_SECONDS / 2, sign_internal_token(principal, self.secret))
            self._tokens[principal] = cached
        return cached[1]

    async def fetch_json(self, url: str, principal: Principal) -> dict[str, object]:
        response = await self.client.get(
            url, headers={"authorization": "Bearer " + self._token(principal)}
        )
        response.raise_for_status()
        return response.json()

    async def close(self) -> None:
        await self.hop.close()
        await self.client.aclose()
