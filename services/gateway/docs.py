"""One OpenAPI for the whole platform, and Swagger UI served from here."""

import logging
import time
from pathlib import Path
from typing import Any

import fastapi_offline
from fastapi import APIRouter, FastAPI, Request
from fastapi.openapi.utils import get_openapi
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles

from services.gateway.headers import CONTENT_SECURITY_POLICY
from services.gateway.proxy import ServiceProxy
from shared.kit.auth import ANONYMOUS
from shared.kit.http import PROBLEM_JSON, complete_openapi

log = logging.getLogger("lotse.gateway.docs")

CACHE_SECONDS = 60.0

DESCRIPTION = """
The API of a Digitale Region: municipalities publish their digitalisation projects,
see each other's and find partners. Send `Authorization: Bearer <API key>`; without a
key you see public data only. Errors are `application/problem+json` (RFC 9457).
Updates need `If-Match` with the `ETag` of your last read; `POST` accepts an
`Idempotency-Key` so a retry never creates twice. Lists page with `cursor` and `limit`.
"""


async def merged_openapi(app: FastAPI) -> dict[str, Any]:
    """The gateway's own paths plus every service's, as one document."""
    state = app.state
    cached: tuple[float, dict[str, Any]] | None = getattr(state, "openapi_cache", None)
    if cached is not None and cached[0] > time.monotonic():
        return cached[1]
    document = complete_openapi(
        get_openapi(title="Lotse API", version="1.0.0", description=DESCRIPTION, routes=app.routes)
    )
    document["servers"] = [{"url": "/"}]
    document.setdefault("components", {})["securitySchemes"] = {
        "apiKey": {"type": "http", "scheme": "bearer", "description": "a Lotse API key"}
    }
    document["security"] = [{"apiKey": []}, {}]
    issuer = state.settings.oidc_issuer
    if issuer is not None:
        # Where single sign-on is configured, the issuer's tokens are bearer credentials too.
        document["components"]["securitySchemes"]["oidc"] = {
            "type": "openIdConnect",
            "openIdConnectUrl": issuer.rstrip("/") + "/.well-known/openid-configuration",
            "description": "a token of the region's identity provider (see /auth/oidc/login)",
        }
        document["security"].insert(1, {"oidc": []})
    proxy: ServiceProxy = state.runtime.part(ServiceProxy)
    complete = True
    for base_url in dict.fromkeys(state.settings.service_routes.values()):  # one per service
        try:
            service_doc = await proxy.fetch_json(base_url + "/openapi.json", ANONYMOUS)
        except Exception:
            complete = False
            log.warning("OpenAPI of %s not available; served without it", base_url)
            continue
        for path, item in service_doc.get("paths", {}).items():
            if path.startswith("/api/"):
                document["paths"][path] = _forwarded(item)
        for name, schema in service_doc.get("components", {}).get("schemas", {}).items():
            document["components"].setdefault("schemas", {})[name] = schema
    for item in document["paths"].values():
        _answers(item, _LIMITED)
    if complete:
        state.openapi_cache = (time.monotonic() + CACHE_SECONDS, document)
    return document


_RETRY_AFTER: dict[str, Any] = {
    "Retry-After": {
        "description": "seconds after which trying again may succeed",
        "schema": {"type": "integer"},
    }
}
_FORWARDED: dict[str, dict[str, Any]] = {
    "503": {
        "description": "The service behind this path is not reachable right now, or keeps "
        "failing and is not asked for a moment",
        "headers": _RETRY_AFTER,
    },
    "504": {"description": "The service behind this path did not answer in time"},
}
_LIMITED: dict[str, dict[str, Any]] = {
    "429": {
        "description": "Too many calls from this key (or, without a key, from this address)",
        "headers": _RETRY_AFTER,
    }
}


def _answers(item: dict[str, Any], answers: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """`item` with the problems the gateway itself may answer on each operation."""
    problem = {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}}
    for operation in item.values():
        if isinstance(operation, dict) and "responses" in operation:
            for status, answer in answers.items():
                operation["responses"].setdefault(status, {**answer, "content": problem})
    return item


def _forwarded(item: dict[str, Any]) -> dict[str, Any]:
    """A service's path item as the gateway serves it: it may also answer 503 and 504."""
    return _answers(item, _FORWARDED)


def docs_router() -> APIRouter:
    router = APIRouter(include_in_schema=False)

    @router.get("/api/v1/openapi.json")
    async def openapi(request: Request) -> JSONResponse:
        return JSONResponse(await merged_openapi(request.app))

    @router.get("/docs", response_class=HTMLResponse)
    async def swagger() -> HTMLResponse:
        # Swagger UI sets style attributes as it renders; its scripts stay files.
        policy = CONTENT_SECURITY_POLICY.replace(
            "style-src 'self'", "style-src 'self' 'unsafe-inline'"
        )
        return HTMLResponse(DOCS, headers={"Content-Security-Policy": policy})

    return router


def mount_static(app: FastAPI) -> None:
    """Our own files, and Swagger UI's from its Python package: nothing from a CDN."""
    app.mount("/static/swagger-ui", StaticFiles(directory=SWAGGER_UI), name="swagger-ui")
    app.mount("/static", StaticFiles(directory=Path(__file__).parent / "static"), name="static")


SWAGGER_UI = Path(fastapi_offline.__file__).parent / "static"

DOCS = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Lotse API</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="/static/swagger-ui/swagger-ui.css">
<link rel="icon" href="/static/swagger-ui/favicon.png"></head>
<body><div id="swagger-ui"></div>
<script src="/static/swagger-ui/swagger-ui-bundle.js"></script>
<script src="/static/docs.js"></script>
</body></html>"""
