"""Who is calling: the Principal, its roles, and the internal token the gateway signs.

The gateway authenticates the caller (API key, later OIDC) and forwards the identity
as a short-lived HMAC-signed JWT. Services accept nothing else and apply the rules
again with the Principal they decode from it.
"""

import time
from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated

import jwt
from fastapi import Depends, Request

from shared.kit.http import Forbidden, Unauthorized

ISSUER = "lotse-gateway"
AUDIENCE = "lotse-services"
TOKEN_SECONDS = 60


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


def sign_internal_token(principal: Principal, secret: str, *, request_id: str | None = None) -> str:
    """The token the gateway attaches to every call it forwards to a service."""
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
    except (jwt.InvalidTokenError, ValueError) as exc:
        raise Unauthorized(
            "The internal token is missing, expired or not signed by the gateway."
        ) from exc
    return Principal(role=role, subject=str(claims["sub"]), ags=claims.get("ags"))


async def internal_principal(request: Request) -> Principal:
    """FastAPI dependency of every service route: the verified caller."""
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
