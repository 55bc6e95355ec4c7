"""The API as the signed-in person's key sees it, asked in process: what pages show.

A page never queries a service's data itself. It calls the gateway's own public API
(`/api/v1/...`) through the gateway app, in this process and without a socket, as the
session's principal: gateway routes answer as they answer that key, and service paths
go through the gateway's ServiceProxy with the internal token for that principal. So a
page shows exactly what the API shows its caller, and visibility stays decided in the
services. A refusal comes back as the kit's LotseError with the API's own texts, and
`field_messages` puts its field errors next to the form's fields.
"""

from typing import Any
from urllib.parse import unquote

import httpx
from fastapi import FastAPI, Request
from starlette.types import ASGIApp, Receive, Scope, Send

from shared.kit.auth import ANONYMOUS, Principal
from shared.kit.http import PROBLEM_JSON, GenericProblem, LotseError, media_type_of
from shared.kit.observability import request_id_var

INTERNAL_HOST = "lotse.internal"
"""A name for this app in its own calls; never resolved, the calls stay in process."""


class PageApi:
    """Calls of one page request, as `principal` (anonymous when nobody is signed in)."""

    def __init__(
        self,
        app: FastAPI,
        principal: Principal,
        state: dict[str, Any],
        client: tuple[str, int] = ("unknown", 0),
    ) -> None:
        self.principal = principal
        self._client = httpx.AsyncClient(
            # The browser's own address: what the API knows of the caller stays true (an
            # in-process call must not pass for loopback, which may read /metrics).
            transport=httpx.ASGITransport(app=_acting_as(app, principal, state), client=client),
            base_url=f"http://{INTERNAL_HOST}",
            timeout=None,  # the proxy's own timeouts bound every forwarded call
        )

    @classmethod
    def of(cls, request: Request, principal: Principal | None) -> "PageApi":
        address = (request.client.host, request.client.port) if request.client else None
        return cls(
            request.app,
            principal or ANONYMOUS,
            dict(request.scope.get("state") or {}),
            address or ("unknown", 0),
        )

    async def get(self, path: str, params: dict[str, Any] | None = None) -> Any:
        return await self.call("GET", path, params=params)

    async def post(self, path: str, body: Any, headers: dict[str, str] | None = None) -> Any:
        return await self.call("POST", path, json=body, headers=headers)

    async def call(self, method: str, path: str, **options: Any) -> Any:
        """The JSON of a 2xx answer (None for 204); else the API's problem, raised."""
        headers = dict(options.pop("headers", None) or {})
        if request_id := request_id_var.get():
            headers["x-request-id"] = request_id  # one request id in the page's logs
        request = self._client.build_request(method, path, headers=headers, **options)
        # Checked as sent, after the URL is normalised: an id from a form that reads
        # `../../metrics` must not leave the public API.
        segments = [unquote(part) for part in request.url.path.split("/")]
        if (
            not path.startswith("/api/v1/")
            or request.url.host != INTERNAL_HOST
            or segments[:3] != ["", "api", "v1"]
            or ".." in segments
            or "." in segments
        ):
            raise ValueError(f"pages ask the public API only, not {path!r}")
        answer = await self._client.send(request)
        if answer.status_code >= 400:
            raise problem_of(answer)
        if answer.status_code == 204 or not answer.content:
            return None
        return answer.json()

    async def close(self) -> None:
        await self._client.aclose()

    async def __aenter__(self) -> "PageApi":
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.close()


def _acting_as(app: ASGIApp, principal: Principal, state: dict[str, Any]) -> ASGIApp:
    """The app with the caller already known: `caller` takes request.state.principal.

    Only code in this process can build such a scope; a request from outside comes in
    through the server with no principal in its state and proves itself with a key.
    """

    async def app_as(scope: Scope, receive: Receive, send: Send) -> None:
        scope["state"] = {**state, "principal": principal}
        await app(scope, receive, send)

    return app_as


def problem_of(answer: httpx.Response) -> LotseError:
    """The API's refusal as the kit's error: status, type, title, detail, field errors."""
    body: dict[str, Any] = {}
    kind = media_type_of(answer.headers.get("content-type", ""))[0]
    if kind in (PROBLEM_JSON, "application/json"):
        try:
            parsed = answer.json()
        except ValueError:
            parsed = None
        body = parsed if isinstance(parsed, dict) else {}
    slug = str(body.get("type", "")).rsplit("/", 1)[-1] or "error"
    error = GenericProblem(
        answer.status_code, slug, str(body.get("title") or answer.reason_phrase), body.get("detail")
    )
    errors = body.get("errors")
    error.errors = errors if isinstance(errors, list) else None
    if retry_after := answer.headers.get("retry-after"):
        error.retry_after = float(retry_after) if retry_after.isdigit() else None
    return error


def field_messages(error: LotseError) -> dict[str, str]:
    """Field name -> the API's message about it, for a form to show beside the field."""
    messages: dict[str, str] = {}
    for item in error.errors or []:
        if isinstance(item, dict) and item.get("field") and item.get("message"):
            messages.setdefault(str(item["field"]), str(item["message"]))
    return messages
