"""Who is calling: the Principal, its roles, and the internal token the gateway signs.

The gateway authenticates the caller (API key, later OIDC) and forwards the identity
as a short-lived HMAC-signed JWT. Services accept nothing else and apply the rules
again with the Principal they decode from it.
"""

import time
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated, Any

import jwt
from fastapi import Depends, Request, Response
from fastapi.routing import APIRoute
from starlette.types import ASGIApp, Receive, Scope, Send

from shared.kit.http import Forbidden, NotFound, Unauthorized, reply_problem

ISSUER = "lotse-gateway"
AUDIENCE = "lotse-services"
TOKEN_SECONDS = 60
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class Role(StrEnum):
    ADMIN = "admin"
    COORDINATOR = "coordinator"
    MUNICIPALITY = "municipality"
    READER = "reader"
    ANONYMOUS = "anonymous"


@dataclass(frozen=True)
class Principal:
    """The caller of a request; `ags` only for municipality principals."""

    role: Role
    subject: str
    ags: str | None = None

    @property
    def signed_in(self) -> bool:
        return self.role is not Role.ANONYMOUS

    @property
    def region_wide(self) -> bool:
        """Coordinators and operators act for the whole region."""
        return self.role in (Role.ADMIN, Role.COORDINATOR)

    @property
    def can_write(self) -> bool:
        return self.role in (Role.ADMIN, Role.COORDINATOR, Role.MUNICIPALITY)


ANONYMOUS = Principal(role=Role.ANONYMOUS, subject="anonymous")


def sign_internal_token(
    principal: Principal, secret: str, *, request_id: str | None = None, forwarded: bool = False
) -> str:
    """The token the gateway attaches to its calls to a service.

    `forwarded` marks a client's call the gateway passes on: it may reach only /api/.
    """
    now = int(time.time())
    claims: dict[str, object] = {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "iat": now,
        "exp": now + TOKEN_SECONDS,
        "sub": principal.subject,
        "role": principal.role.value,
    }
    if principal.ags:
        claims["ags"] = principal.ags
    if request_id:
        claims["rid"] = request_id
    if forwarded:
        claims["fwd"] = True
    return jwt.encode(claims, secret, algorithm="HS256")


def verify_internal_token(token: str, secret: str) -> Principal:
    """Decode a token the gateway signed; raise Unauthorized for anything else."""
    try:
        claims = jwt.decode(
            token,
            secret,
            algorithms=["HS256"],
            audience=AUDIENCE,
            issuer=ISSUER,
            options={"require": ["exp", "iat", "sub", "role"]},
        )
        role = Role(claims["role"])
        _check_claim_types(claims)
    except (jwt.InvalidTokenError, ValueError) as exc:
        raise Unauthorized(
            "The internal token is missing, expired or not signed by the gateway."
        ) from exc
    return Principal(role=role, subject=claims["sub"], ags=claims.get("ags"))


def _check_claim_types(claims: dict[str, Any]) -> None:
    """What the gateway signs, and nothing else: a token made with a leaked or default
    secret still cannot smuggle a list as AGS or live for ever."""
    subject, ags = claims["sub"], claims.get("ags")
    issued, expires = claims["iat"], claims["exp"]
    if not isinstance(subject, str) or not 0 < len(subject) <= 200:
        raise ValueError("sub")
    if ags is not None and not (isinstance(ags, str) and len(ags) == 8 and ags.isdigit()):
        raise ValueError("ags")
    if type(issued) is not int or type(expires) is not int:
        raise ValueError("iat/exp")
    if not 0 < expires - issued <= TOKEN_SECONDS:
        raise ValueError("lifetime")


async def internal_principal(request: Request) -> Principal:
    """FastAPI dependency of every service route: the verified caller."""
    known: Principal | None = getattr(request.state, "principal", None)
    if known is not None:
        return known  # AuthenticatedRoute verified it already
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise Unauthorized("Service ports accept only calls the gateway signed.")
    principal = _verified(token, request.app.state.settings.internal_token_secret)
    request.state.principal = principal
    return principal


_VERIFIED: dict[tuple[str, str], tuple[float, Principal]] = {}
_VERIFIED_MAX = 10_000


def _verified(token: str, secret: str) -> Principal:
    """verify_internal_token, remembering good tokens until they expire.

    The gateway reuses a token for half its life, so most calls skip the HMAC check.
    """
    now = time.time()
    cached = _VERIFIED.get((secret, token))
    if cached is not None and cached[0] > now:
        return cached[1]
    principal = verify_internal_token(token, secret)
    expires = jwt.decode(token, options={"verify_signature": False})["exp"]
    if len(_VERIFIED) >= _VERIFIED_MAX:
        _VERIFIED.clear()
    _VERIFIED[(secret, token)] = (float(expires), principal)
    return principal


CurrentPrincipal = Annotated[Principal, Depends(internal_principal)]


def require_writer(principal: Principal) -> None:
    """Readers and anonymous callers may not change anything."""
    if not principal.signed_in:
        raise Unauthorized("Sign in with an API key to change data.")
    if not principal.can_write:
        raise Forbidden(f"A {principal.role.value} key cannot change data.")


class AuthenticatedRoute(APIRoute):
    """A route that settles who calls before it reads the body.

    FastAPI parses and validates a body before it runs the dependencies that would
    refuse the caller, so an anonymous caller got a 422 with field details where a 401
    belongs. Here the app's authenticator (create_service_app's `authenticate`) runs
    first: an unknown caller gets 401, and on a write method an anonymous one 401 and a
    reader 403, before a byte of the body is read. create_service_app refuses write
    routes under /api/ of any other class.
    """

    writer_required = True
    writer_methods: frozenset[str] = WRITE_METHODS

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()
        writer_required, writer_methods = self.writer_required, self.writer_methods

        async def authenticate_first(request: Request) -> Response:
            principal: Principal = await request.app.state.authenticate(request)
            if writer_required and request.method in writer_methods:
                require_writer(principal)
            return await handler(request)

        return authenticate_first


class WritersOnlyRoute(AuthenticatedRoute):
    """A resource only keys that may write hold (a municipality's subscriptions): reading
    it is refused like writing it, 401 without a key and 403 for a reader, instead of an
    empty answer that looks as if there were nothing."""

    writer_methods = frozenset({"GET", "HEAD", *WRITE_METHODS})


class SecretLinkRoute(AuthenticatedRoute):
    """A write that a secret in its URL authorises, not a key: the one-click unsubscribe
    of RFC 8058, which a mail client POSTs without any credentials. The caller is still
    settled first (anonymous here); the endpoint must check the URL's secret itself."""

    writer_required = False


class ForwardedCallsStayInTheApi:
    """A call the gateway forwarded reaches only a service's /api/ routes.

    The gateway forwards only paths it rebuilt under a service's prefix; should that
    ever fail, /metrics, /readyz, /docs and /openapi.json still answer 404 to a
    forwarded call. Orchestrators and Prometheus call them directly, without a token.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        outside_api = scope["type"] == "http" and not scope["path"].startswith("/api/")
        if outside_api and _carries_forwarded_token(scope):
            await reply_problem(scope, send, NotFound("There is no such path."))
            return
        await self.app(scope, receive, send)


def _carries_forwarded_token(scope: Scope) -> bool:
    header = dict(scope["headers"]).get(b"authorization", b"")
    scheme, _, token = header.decode("latin-1").partition(" ")
    if scheme.lower() != "bearer" or not token:
        return False
    try:
        # Unverified is enough: a forged mark only ever refuses its bearer.
        claims = jwt.decode(token.strip(), options={"verify_signature": False})
    except jwt.InvalidTokenError:
        return False
    return isinstance(claims, dict) and bool(claims.get("fwd"))
