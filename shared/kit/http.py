"""HTTP conventions of every Lotse service.

RFC 9457 problem+json for every error, one error family that carries its status,
request ids, a body size limit, cursor pagination and ETags.
"""

import base64
import binascii
import json
import logging
import time
import uuid
from collections.abc import Sequence
from typing import Any, Generic, TypeVar

from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy.exc import DataError, IntegrityError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.kit.observability import HTTP_LATENCY, HTTP_REQUESTS, request_id_var, traceparent_var

log = logging.getLogger("lotse.http")

PROBLEM_JSON = "application/problem+json"
PROBLEM_BASE = "https://lotse.dev/problems/"


class Problem(BaseModel):
    """An RFC 9457 problem document; `type` is stable, `detail` is for people."""

    type: str = Field(examples=[PROBLEM_BASE + "not-found"])
    title: str
    status: int
    detail: str | None = None
    instance: str | None = None
    errors: list[dict[str, Any]] | None = Field(
        default=None, description="field-level errors of a validation problem"
    )


class LotseError(Exception):
    """An error a caller can act on; rendered as problem+json with its own status."""

    status = 400
    slug = "bad-request"
    title = "Bad request"

    def __init__(
        self, detail: str | None = None, *, errors: list[dict[str, Any]] | None = None
    ) -> None:
        super().__init__(detail or self.title)
        self.detail = detail
        self.errors = errors

    def problem(self, instance: str | None = None) -> dict[str, Any]:
        body: dict[str, Any] = {
            "type": PROBLEM_BASE + self.slug,
            "title": self.title,
            "status": self.status,
        }
        if self.detail:
            body["detail"] = self.detail
        if instance:
            body["instance"] = instance
        if self.errors is not None:
            body["errors"] = self.errors
        return body


class Unauthorized(LotseError):
    status, slug, title = 401, "unauthorized", "Authentication required"


class Forbidden(LotseError):
    status, slug, title = 403, "forbidden", "Not allowed"


class NotFound(LotseError):
    status, slug, title = 404, "not-found", "Not found"


class Conflict(LotseError):
    status, slug, title = 409, "conflict", "Conflict"


class PreconditionFailed(LotseError):
    status, slug, title = 412, "precondition-failed", "The resource has changed"


class PreconditionRequired(LotseError):
    status, slug, title = 428, "precondition-required", "If-Match is required"


class PayloadTooLarge(LotseError):
    status, slug, title = 413, "payload-too-large", "Request body too large"


class UnsupportedMediaType(LotseError):
    status, slug, title = 415, "unsupported-media-type", "Unsupported media type"


class InvalidInput(LotseError):
    status, slug, title = 422, "invalid-input", "The input is not valid"


class ServiceUnavailable(LotseError):
    status, slug, title = 503, "service-unavailable", "A service is not available"


class GatewayTimeout(LotseError):
    status, slug, title = 504, "service-timeout", "A service did not answer in time"


class GenericProblem(LotseError):
    """A problem whose status is known only at run time (framework errors, 500)."""

    def __init__(self, status: int, slug: str, title: str, detail: str | None = None) -> None:
        super().__init__(detail)
        self.status, self.slug, self.title = status, slug, title


_HTTP_ERRORS = {
    404: ("not-found", "Not found"),
    405: ("method-not-allowed", "Method not allowed"),
    413: ("payload-too-large", "Request body too large"),
}


def problem_response(error: LotseError, request: Request | None = None) -> JSONResponse:
    instance = request.url.path if request is not None else None
    headers = {"Cache-Control": "no-store"}
    if isinstance(error, Unauthorized):
        headers["WWW-Authenticate"] = 'Bearer realm="lotse"'
    return JSONResponse(
        error.problem(instance),
        status_code=error.status,
        media_type=PROBLEM_JSON,
        headers=headers,
    )


def responses(*errors: type[LotseError]) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses=` entry declaring the problems an endpoint may answer with."""
    return {
        e.status: {"model": Problem, "description": e.title, "content": {PROBLEM_JSON: {}}}
        for e in errors
    }


def _validation_errors(exc: RequestValidationError) -> list[dict[str, Any]]:
    errors = []
    for err in exc.errors():
        loc = [str(part) for part in err.get("loc", ())]
        errors.append(
            {
                "field": ".".join(loc[1:]) or loc[0] if loc else "",
                "in": loc[0] if loc else "",
                "message": err.get("msg", ""),
                "code": err.get("type", ""),
            }
        )
    return errors


def install_problem_handlers(app: FastAPI) -> None:
    """Render every error (ours, validation, 404/405, unexpected) as problem+json."""

    @app.exception_handler(LotseError)
    async def lotse_error(request: Request, exc: LotseError) -> JSONResponse:
        return problem_response(exc, request)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = _validation_errors(exc)
        if any(e["code"] == "json_invalid" for e in errors):
            return problem_response(
                LotseError("The body is not valid JSON.", errors=errors), request
            )
        return problem_response(
            InvalidInput("Some fields are missing or not valid.", errors=errors), request
        )

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        slug, title = _HTTP_ERRORS.get(exc.status_code, ("http-error", "HTTP error"))
        error = GenericProblem(exc.status_code, slug, title, str(exc.detail))
        response = problem_response(error, request)
        for name, value in (exc.headers or {}).items():
            response.headers[name] = value
        return response

    @app.exception_handler(IntegrityError)
    async def integrity_error(request: Request, exc: IntegrityError) -> JSONResponse:
        # Two writers raced for the same unique thing (id, key, Idempotency-Key).
        return problem_response(
            Conflict("This conflicts with data written at the same time; retry the request."),
            request,
        )

    @app.exception_handler(DataError)
    async def data_error(request: Request, exc: DataError) -> JSONResponse:
        # Valid JSON the database still cannot store, e.g. a NUL character on PostgreSQL.
        return problem_response(
            InvalidInput("The input holds values that cannot be stored, e.g. NUL characters."),
            request,
        )

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        error = GenericProblem(
            500, "internal-error", "Internal error", "An unexpected error occurred; it is logged."
        )
        return problem_response(error, request)


class RequestContextMiddleware:
    """Request id and trace context in and out, the body size limit, and metrics."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        service: str,
        max_body_bytes: int,
        large_body_paths: dict[str, int] | None = None,
    ) -> None:
        self.app = app
        self.service = service
        self.max_body_bytes = max_body_bytes
        self.large_body_paths = large_body_paths or {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        request_id = (headers.get(b"x-request-id") or b"").decode("latin-1")[
            :64
        ] or uuid.uuid4().hex
        traceparent = (headers.get(b"traceparent") or b"").decode("latin-1")[:55] or None
        rid_token = request_id_var.set(request_id)
        tp_token = traceparent_var.set(traceparent or _new_traceparent())
        limit = self.large_body_paths.get(scope["path"], self.max_body_bytes)
        started = time.perf_counter()
        status_holder = [500]

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                status_holder[0] = message["status"]
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (b"x-request-id", request_id.encode())]
            await send(message)

        try:
            declared = headers.get(b"content-length")
            if declared is not None and (not declared.isdigit() or int(declared) > limit):
                await _reply_problem(
                    scope,
                    send_with_id,
                    PayloadTooLarge(f"The body may have at most {limit} bytes."),
                )
                return
            await self.app(scope, _limited(receive, limit), send_with_id)
        except _BodyTooLarge:
            await _reply_problem(
                scope, send_with_id, PayloadTooLarge(f"The body may have at most {limit} bytes.")
            )
        finally:
            route = scope.get("route")
            path = getattr(route, "path", "unmatched")
            HTTP_REQUESTS.labels(self.service, scope["method"], path, status_holder[0]).inc()
            HTTP_LATENCY.labels(self.service, scope["method"], path).observe(
                time.perf_counter() - started
            )
            request_id_var.reset(rid_token)
            traceparent_var.reset(tp_token)


class _BodyTooLarge(HTTPException):
    """Raised while a body streams in; an HTTPException so FastAPI lets it through."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"The body may have at most {limit} bytes.")


def _limited(receive: Receive, limit: int) -> Receive:
    seen = 0

    async def limited_receive() -> Message:
        nonlocal seen
        message = await receive()
        if message["type"] == "http.request":
            seen += len(message.get("body", b""))
            if seen > limit:
                raise _BodyTooLarge(limit)
        return message

    return limited_receive


async def _reply_problem(scope: Scope, send: Send, error: LotseError) -> None:
    body = json.dumps(error.problem(scope.get("path"))).encode()
    await send(
        {
            "type": "http.response.start",
            "status": error.status,
            "headers": [
                (b"content-type", PROBLEM_JSON.encode()),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


def _new_traceparent() -> str:
    return f"00-{uuid.uuid4().hex}-{uuid.uuid4().hex[:16]}-01"


# -- pagination ---------------------------------------------------------------

T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    """One page of a list; pass `next_cursor` as `cursor` to get the next one."""

    items: Sequence[T]
    next_cursor: str | None = Field(default=None, description="opaque; absent on the last page")
    total: int | None = Field(default=None, description="all items matching the filters")


def encode_cursor(values: Sequence[Any]) -> str:
    raw = json.dumps(list(values), separators=(",", ":"), default=str).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, *, size: int) -> list[Any]:
    """Decode a cursor made by encode_cursor; a tampered one is a 400, not a 500."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, binascii.Error, UnicodeDecodeError) as exc:
        raise LotseError("The cursor is not one this API handed out.") from exc
    if not isinstance(values, list) or len(values) != size:
        raise LotseError("The cursor is not one this API handed out.")
    return values


# -- ETags ----------------------------------------------------------------------


def etag_of(version: int) -> str:
    return f'"{version}"'


def check_if_match(if_match: str | None, version: int) -> None:
    """Demand `If-Match` on updates and refuse a stale one with 412."""
    if if_match is None:
        raise PreconditionRequired(
            "Send the ETag of your last read as If-Match, so no one's change is overwritten."
        )
    # If-Match compares strongly (RFC 9110): a weak tag never matches.
    candidates = [tag.strip() for tag in if_match.split(",")]
    if "*" not in candidates and etag_of(version) not in candidates:
        raise PreconditionFailed(
            f"Your copy is out of date: the current version is {version}. Read it again."
        )
