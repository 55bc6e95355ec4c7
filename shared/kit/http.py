"""HTTP conventions of every Lotse service.

RFC 9457 problem+json for every error, one error family that carries its status,
request ids, a body size limit, cursor pagination, ETags and conditional reads, and the
OpenAPI document that says all of this.
"""

import hashlib
import json
import logging
import math
import os
import re
import time
from collections.abc import Callable
from email.message import Message as MimeMessage
from typing import Annotated, Any
from urllib.parse import unquote_to_bytes

from fastapi import FastAPI, Header, HTTPException, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlalchemy.exc import DataError, IntegrityError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import ClientDisconnect
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.kit.observability import HTTP_LATENCY, HTTP_REQUESTS, request_id_var, traceparent_var

log = logging.getLogger("lotse.http")

PROBLEM_JSON = "application/problem+json"
PROBLEM_BASE = "https://lotse.dev/problems/"


class FieldProblem(BaseModel):
    """One thing wrong with the input: where, and what."""

    model_config = ConfigDict(extra="allow")

    field: str = Field(description="dotted path of the field, or (row) for a whole import line")
    message: str
    line: int | None = Field(default=None, description="line of an import")
    in_: str | None = Field(default=None, alias="in", description="body, query, path or header")
    code: str | None = Field(default=None, description="machine-readable kind of error")


class Problem(BaseModel):
    """An RFC 9457 problem document; `type` is stable, `detail` is for people."""

    type: str = Field(examples=[PROBLEM_BASE + "not-found"])
    title: str
    status: int
    detail: str | None = None
    instance: str | None = None
    errors: list[FieldProblem] | None = Field(
        default=None, description="field-level errors of a validation problem"
    )


class LotseError(Exception):
    """An error a caller can act on; rendered as problem+json with its own status."""

    status = 400
    slug = "bad-request"
    title = "Bad request"

    def __init__(
        self,
        detail: str | None = None,
        *,
        errors: list[dict[str, Any]] | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(detail or self.title)
        self.detail = detail
        self.errors = errors
        self.retry_after = retry_after
        """Seconds after which trying again may succeed: the `Retry-After` header."""

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


class RequestHeadersTooLarge(LotseError):
    status, slug, title = 431, "request-header-fields-too-large", "Request headers too large"


class TooManyRequests(LotseError):
    status, slug, title = 429, "too-many-requests", "Too many requests"


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
    400: ("bad-request", "Bad request"),
    404: ("not-found", "Not found"),
    405: ("method-not-allowed", "Method not allowed"),
    413: ("payload-too-large", "Request body too large"),
}


def problem_response(error: LotseError, request: Request | None = None) -> JSONResponse:
    instance = request.url.path if request is not None else None
    headers = {"Cache-Control": "no-store"}
    if isinstance(error, Unauthorized):
        headers["WWW-Authenticate"] = 'Bearer realm="lotse"'
    if error.retry_after is not None:
        headers["Retry-After"] = str(max(1, math.ceil(error.retry_after)))
    return JSONResponse(
        error.problem(instance),
        status_code=error.status,
        media_type=PROBLEM_JSON,
        headers=headers,
    )


def responses(*errors: type[LotseError]) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses=` entry declaring the problems an endpoint may answer with.

    complete_openapi gives each the Problem schema under application/problem+json.
    """
    return {e.status: {"description": e.title} for e in errors}


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


def media_type_of(header: str) -> tuple[str, str | None]:
    """The media type of a Content-Type and its charset parameter, both lower case."""
    message = MimeMessage()
    message["content-type"] = header
    charset = message.get_param("charset")
    return message.get_content_type(), str(charset).strip().lower() if charset else None


def _is_json(content_type: str) -> bool:
    media_type = content_type.split(";")[0].strip().lower()
    return media_type == "application/json" or (
        media_type.startswith("application/") and media_type.endswith("+json")
    )


def install_problem_handlers(app: FastAPI) -> None:
    """Render every error (ours, validation, 404/405, unexpected) as problem+json."""

    @app.exception_handler(LotseError)
    async def lotse_error(request: Request, exc: LotseError) -> JSONResponse:
        return problem_response(exc, request)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = _validation_errors(exc)
        content_type = request.headers.get("content-type")
        if content_type and not _is_json(content_type) and any(e["in"] == "body" for e in errors):
            # FastAPI reads a body of another type as bytes and fails on the model.
            return problem_response(
                UnsupportedMediaType(f"Send the body as application/json, not {content_type}."),
                request,
            )
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
        # Only errors outside RequestContextMiddleware get here; it handles all others.
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        return problem_response(INTERNAL_ERROR, request)


CLIENT_CLOSED_REQUEST = 499
INTERNAL_ERROR = GenericProblem(
    500, "internal-error", "Internal error", "An unexpected error occurred; it is logged."
)

# Limits of a request head, enforced at the server (shared.kit.server) and again here.
MAX_HEADERS = 100
MAX_HEADER_BYTES = 16 * 1024
# Headers the platform reads or forwards: printable ASCII (and tab) only.
ASCII_HEADERS = (b"accept", b"content-type", b"if-match", b"if-none-match", b"idempotency-key")
_FIELD_VALUE = re.compile(rb"[\t\x20-\x7e]*")
_REQUEST_ID = re.compile(rb"[\x21-\x7e]{1,64}")
_TRACEPARENT = re.compile(rb"00-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}")


def _request_id(given: bytes | None) -> str:
    """The caller's X-Request-ID if it is 1-64 visible ASCII characters, else a new one."""
    if given is not None and _REQUEST_ID.fullmatch(given):
        return given.decode("ascii")
    return os.urandom(16).hex()  # as random as uuid4, at a fraction of its cost


def _traceparent(given: bytes | None) -> str:
    """The caller's W3C traceparent (version 00) if well-formed, else a new trace."""
    if given is not None and (match := _TRACEPARENT.fullmatch(given)):
        trace_id, parent_id = match.groups()
        if trace_id.strip(b"0") and parent_id.strip(b"0"):
            return given.decode("ascii")
    return _new_traceparent()


def _head_problem(headers: list[tuple[bytes, bytes]]) -> LotseError | None:
    """What is wrong with a request's headers before anything reads them, if anything."""
    if len(headers) > MAX_HEADERS:
        return RequestHeadersTooLarge(f"A request may carry at most {MAX_HEADERS} headers.")
    if sum(len(name) + len(value) for name, value in headers) > MAX_HEADER_BYTES:
        return RequestHeadersTooLarge(
            f"The headers of a request may have at most {MAX_HEADER_BYTES} bytes."
        )
    for name, value in headers:
        if name in ASCII_HEADERS and not _FIELD_VALUE.fullmatch(value):
            return LotseError(
                f"The {name.decode().title()} header may hold only printable ASCII characters."
            )
        if name == b"content-encoding" and value.strip().lower() not in (b"", b"identity"):
            # No service decodes a body: a gzip body would be read as the bytes it is.
            return UnsupportedMediaType(
                "Send the body without a Content-Encoding: it is read as sent, not decoded."
            )
    return None


_QUERY_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _query_problem(query_string: bytes) -> LotseError | None:
    """A query string whose values are not UTF-8 text, or hold control characters:
    refused here, before any endpoint guesses what was meant."""
    if not query_string:
        return None
    try:
        text = unquote_to_bytes(query_string.replace(b"+", b" ")).decode("utf-8")
    except UnicodeDecodeError:
        return LotseError("The query string must be UTF-8, percent-encoded.")
    if _QUERY_CONTROL.search(text):
        return LotseError("The query string may not hold control characters.")
    return None


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
        request_id = _request_id(headers.get(b"x-request-id"))
        rid_token = request_id_var.set(request_id)
        tp_token = traceparent_var.set(_traceparent(headers.get(b"traceparent")))
        limit = self.large_body_paths.get(scope["path"], self.max_body_bytes)
        started = time.perf_counter()
        status_holder = [500]
        started_holder = [False]

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                started_holder[0] = True
                status_holder[0] = message["status"]
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (b"x-request-id", request_id.encode())]
            await send(message)

        try:
            problem = _head_problem(scope["headers"]) or _query_problem(
                scope.get("query_string", b"")
            )
            declared = headers.get(b"content-length")
            too_large = declared is not None and (not declared.isdigit() or int(declared) > limit)
            if problem is None and too_large:
                problem = PayloadTooLarge(f"The body may have at most {limit} bytes.")
            if problem is not None:
                await reply_problem(scope, send_with_id, problem)
                return
            await self.app(scope, _limited(receive, limit), send_with_id)
        except _BodyTooLarge:
            await reply_problem(
                scope, send_with_id, PayloadTooLarge(f"The body may have at most {limit} bytes.")
            )
        except ClientDisconnect:
            # The caller left before its body arrived: its doing, not an error of ours,
            # so no 500 in the metrics and no traceback in the log (nginx's 499).
            status_holder[0] = CLIENT_CLOSED_REQUEST
            log.info("client left during %s %s", scope["method"], scope["path"])
        except Exception:
            # Logged here, once and with the request id; answered here, with the request id.
            # Nothing is re-raised: the server would log the same error a second time.
            log.exception("unexpected error on %s %s", scope["method"], scope["path"])
            if not started_holder[0]:
                await reply_problem(scope, send_with_id, INTERNAL_ERROR)
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


async def reply_problem(scope: Scope, send: Send, error: LotseError) -> None:
    """Answer with a problem from ASGI middleware, where there is no Request yet."""
    body = json.dumps(error.problem(scope.get("path"))).encode()
    await send(
        {
            "type": "http.response.start",
            "status": error.status,
            "headers": [
                (b"content-type", PROBLEM_JSON.encode()),
                (b"content-length", str(len(body)).encode()),
                (b"cache-control", b"no-store"),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


def _new_traceparent() -> str:
    return f"00-{os.urandom(16).hex()}-{os.urandom(8).hex()}-01"


# -- schemas ----------------------------------------------------------------


class StrictBody(BaseModel):
    """Base of request bodies: unknown fields and NUL characters are refused (422).

    An unknown field is a client's mistake worth telling, not something to drop, and
    PostgreSQL cannot store NUL in text: refused the same on every database, per field
    so the error names it.
    """

    model_config = ConfigDict(extra="forbid")

    @field_validator("*", mode="before")
    @classmethod
    def _no_nul_characters(cls, value: Any) -> Any:
        if _holds_nul(value):
            raise ValueError("text may not contain NUL characters")
        return value


# Control characters but tab, line feed and carriage return (C0, DEL, C1): no text field
# has a use for them, and they hide in what a reader sees.
CONTROL_CHARACTER = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def control_character_at(value: Any, path: str = "") -> str | None:
    """The dotted path of the first text in `value` that holds a control character."""
    if isinstance(value, str):
        return path if CONTROL_CHARACTER.search(value) else None
    if isinstance(value, dict):
        items: Any = value.items()
    elif isinstance(value, list):
        items = ((f"[{i}]", item) for i, item in enumerate(value))
    else:
        return None
    for key, item in items:
        key = str(key)
        where = path + key if key.startswith("[") else f"{path}.{key}" if path else key
        found = control_character_at(item, where)
        if found is not None:
            return found
    return None


def _holds_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_holds_nul(v) for v in value.values())
    if isinstance(value, list):
        return any(_holds_nul(v) for v in value)
    return False


def not_nullable(*fields: str) -> Callable[[dict[str, Any]], None]:
    """json_schema_extra of a partial update whose `fields` may be left out but not cleared:
    the document shows no null for them (the domain refuses null with a 422)."""

    def drop_null(schema: dict[str, Any]) -> None:
        for name in fields:
            prop = schema["properties"][name]
            branches = [b for b in prop.get("anyOf", []) if b.get("type") != "null"]
            if len(branches) == 1:
                del prop["anyOf"]
                prop.update(branches[0])
            prop.pop("default", None)

    return drop_null


def refuse_cleared(requested: dict[str, Any], required: frozenset[str]) -> None:
    """A partial update may leave `required` fields out, never set them to null: 422."""
    cleared = sorted(k for k, v in requested.items() if v is None and k in required)
    if cleared:
        raise InvalidInput(
            "These fields cannot be cleared.",
            errors=[{"field": k, "message": "may not be null"} for k in cleared],
        )


# -- ETags ----------------------------------------------------------------------

IfMatch = Annotated[
    str | None,
    Header(
        description="the ETag of your last read; without it 428, with a stale one 412",
        examples=['"1"'],
    ),
]
# Deleting: a caller who read the resource may send its ETag, and is then refused a
# stale one; a delete without it still goes through.
OptionalIfMatch = Annotated[
    str | None,
    Header(
        alias="If-Match",
        description="optional here: when sent, a stale one gets 412",
        examples=['"1"'],
    ),
]
IfNoneMatch = Annotated[
    str | None,
    Header(
        description="the ETag of your last read: 304 without a body while nothing changed",
        examples=['"1"'],
    ),
]


def etag_of(version: int) -> str:
    return f'"{version}"'


def content_etag(body: bytes) -> str:
    """A strong ETag of exactly these bytes, e.g. of one page of a list."""
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def _opaque(tag: str) -> str:
    tag = tag.strip()
    return tag[2:] if tag.startswith("W/") else tag


def none_match(if_none_match: str | None, etag: str) -> bool:
    """True unless If-None-Match names `etag`; it compares weakly (RFC 9110 13.1.2)."""
    if if_none_match is None:
        return True
    candidates = {_opaque(tag) for tag in if_none_match.split(",")}
    return "*" not in candidates and _opaque(etag) not in candidates


def cacheable(
    body: str | bytes,
    if_none_match: str | None,
    *,
    etag: str | None = None,
    headers: dict[str, str] | None = None,
    media_type: str = "application/json",
) -> Response:
    """A 200 answer (JSON unless said) with an ETag (the given one, else a hash of the
    body), or a 304 without a body when the caller's If-None-Match names it: pollers
    save the body."""
    raw = body.encode() if isinstance(body, str) else body
    etag = etag or content_etag(raw)
    if not none_match(if_none_match, etag):
        # A 304 says what the 200 would have said of caching (RFC 9110, 15.4.5).
        vary = {k: v for k, v in (headers or {}).items() if k.lower() == "vary"}
        return Response(status_code=304, headers={"ETag": etag, **vary})
    return Response(raw, media_type=media_type, headers={"ETag": etag, **(headers or {})})


def check_optional_if_match(if_match: str | None, version: int) -> None:
    """Refuse a stale `If-Match` when one was sent (deletes, where it is optional)."""
    if if_match is not None:
        check_if_match(if_match, version)


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


# -- OpenAPI ------------------------------------------------------------------

_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
_WRITES = ("post", "put", "patch", "delete")
_PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}
_ETAG_HEADER = {
    "description": "the version of what you read",
    "required": True,
    "schema": {"type": "string"},
}
_KIT_PROBLEMS = {
    400: "Bad request: a header or the query string that is not plain text (control "
    "characters, bytes that are not UTF-8), a body that is not valid JSON, or a cursor not "
    "handed out by this API",
    401: "Authentication required: the API key is unknown or revoked (or missing for writes)",
    403: "Not allowed for your role or municipality",
    412: "The resource has changed since your read (stale If-Match)",
    413: "Request body too large",
    415: "Unsupported media type",
    422: "The input is not valid: `errors` lists each field",
    428: "If-Match is required",
}


def complete_openapi(document: dict[str, Any]) -> dict[str, Any]:
    """Make a FastAPI document say what the kit does around every endpoint.

    Every error is a Problem under application/problem+json; operations declare the
    400, 401, 403, 412, 413, 415, 422 and 428 the kit answers, PATCH requires If-Match,
    and reads that honour If-None-Match declare their 304 and ETag.
    """
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    schemas.pop("HTTPValidationError", None)
    schemas.pop("ValidationError", None)
    problem = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
    schemas.update(problem.pop("$defs", {}))
    schemas["Problem"] = problem
    for path, item in document.get("paths", {}).items():
        for method, operation in item.items():
            if method in _METHODS:
                _complete_operation(path, method, operation)
    return document


def _complete_operation(path: str, method: str, operation: dict[str, Any]) -> None:
    parameters: list[dict[str, Any]] = operation.get("parameters", [])
    for parameter in parameters:
        # An HTTP header or query string has no null; FastAPI's "or null" says "optional".
        schema = parameter.get("schema", {})
        branches = [b for b in schema.pop("anyOf", []) if b.get("type") != "null"]
        if len(branches) == 1:
            schema.update(branches[0])
        elif branches:
            schema["anyOf"] = branches
    names = {(p["in"], p["name"].lower()) for p in parameters}
    answers: dict[str, Any] = operation.setdefault("responses", {})
    # Every request passes the kit's checks of its headers and query string.
    statuses: set[int] = {400}
    if path.startswith("/api/"):
        statuses.add(401)
        if method in _WRITES:
            statuses.add(403)
    if "requestBody" in operation:
        statuses |= {413, 415, 422}
    if parameters:
        statuses.add(422)
    if ("header", "if-match") in names:
        statuses.add(412)
        if method in ("put", "patch"):
            statuses.add(428)
            for parameter in parameters:
                if parameter["in"] == "header" and parameter["name"].lower() == "if-match":
                    parameter["required"] = True
        _declare_etag(answers)
    if ("header", "if-none-match") in names:
        answers.setdefault("304", {"description": "Not modified: your copy is current"}).setdefault(
            "headers", {}
        )["ETag"] = _ETAG_HEADER
        _declare_etag(answers)
    for status in statuses:
        answers.setdefault(str(status), {"description": _KIT_PROBLEMS[status]})
    for code, answer in answers.items():
        if code[:1] in ("4", "5"):
            answer["content"] = {PROBLEM_JSON: {"schema": _PROBLEM_REF}}
    operation["responses"] = dict(sorted(answers.items()))


def _declare_etag(answers: dict[str, Any]) -> None:
    for status in ("200", "201"):
        if status in answers:
            answers[status].setdefault("headers", {})["ETag"] = _ETAG_HEADER
