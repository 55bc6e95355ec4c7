"""A local OpenID Connect issuer for the tests: real HTTP on a loopback port.

It serves discovery, a JWKS of RS256 keys it generated, an authorization endpoint that
approves one configured user at once, and a token endpoint that checks the client and
the PKCE verifier and answers with signed ID and access tokens. Tests rotate its keys,
change what it signs, and mint hostile tokens with it.
"""

import base64
import contextlib
import hashlib
import hmac
import json
import secrets
import time
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, unquote_plus, urlencode

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

from shared.cli.broker import free_port
from tests.conftest import serve

REALM = "/realms/lotse"


@dataclass
class SigningKey:
    kid: str
    private: rsa.RSAPrivateKey = field(
        default_factory=lambda: rsa.generate_private_key(public_exponent=65537, key_size=2048)
    )

    def jwk(self) -> dict[str, Any]:
        public: dict[str, Any] = RSAAlgorithm.to_jwk(self.private.public_key(), as_dict=True)
        return public | {"kid": self.kid, "use": "sig", "alg": "RS256"}

    def public_pem(self) -> bytes:
        return self.private.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )


@dataclass
class Grant:
    """An authorization code the issuer handed out, and what it was handed out for."""

    client_id: str
    redirect_uri: str
    challenge: str
    nonce: str | None
    claims: dict[str, Any]
    used: bool = False


class TestIssuer:
    __test__ = False  # a helper, not a test class

    def __init__(self, *, client_id: str = "lotse", client_secret: str | None = None) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.issuer = self.base + REALM
        self.client_id = client_id
        self.client_secret = client_secret
        self.redirect_uris: set[str] = set()
        self.keys = [SigningKey("key-1")]
        self.user: dict[str, Any] = {"sub": "user-1", "groups": ["lotse-lesen"]}
        self.id_token_changes: dict[str, Any] = {}
        """Claims the token endpoint puts into ID tokens besides the real ones (hostile)."""
        self.discovery_changes: dict[str, Any] = {}
        self.hits: Counter[str] = Counter()
        self.refusals: list[str] = []
        self._grants: dict[str, Grant] = {}

    # -- what tests do with it ------------------------------------------------------------

    @property
    def current(self) -> SigningKey:
        return self.keys[-1]

    def rotate(self, *, keep_old: bool) -> SigningKey:
        """A new signing key; the old ones stay published only with `keep_old`."""
        key = SigningKey(f"key-{len(self.keys) + 1}-{secrets.token_hex(2)}")
        self.keys = [*self.keys, key] if keep_old else [key]
        return key

    def claims(self, **changes: Any) -> dict[str, Any]:
        """A good access token's claims for the configured user, with `changes`
        (a change to None drops the claim)."""
        now = int(time.time())
        claims = {
            "iss": self.issuer,
            "aud": self.client_id,
            "iat": now,
            "exp": now + 300,
            **self.user,
        } | changes
        return {k: v for k, v in claims.items() if v is not None}

    def token(
        self,
        *,
        key: SigningKey | None = None,
        kid: str | None = "",
        headers: dict[str, Any] | None = None,
        **changes: Any,
    ) -> str:
        """An RS256 token signed by `key` (default the current one), naming `kid`
        (default the key's own; None: no kid)."""
        key = key or self.current
        header = dict(headers or {})
        if kid is not None:
            header["kid"] = kid or key.kid
        return jwt.encode(self.claims(**changes), key.private, algorithm="RS256", headers=header)

    def unsigned_token(self, **changes: Any) -> str:
        """`alg: none`, no signature: accepted by a verifier that trusts the header."""
        header = {"alg": "none", "typ": "JWT", "kid": self.current.kid}
        return f"{_b64(header)}.{_b64(self.claims(**changes))}."

    def hmac_with_public_key(self, **changes: Any) -> str:
        """HS256 with the published public key as the secret (algorithm confusion)."""
        header = {"alg": "HS256", "typ": "JWT", "kid": self.current.kid}
        signing_input = f"{_b64(header)}.{_b64(self.claims(**changes))}"
        mac = hmac.new(self.current.public_pem(), signing_input.encode(), hashlib.sha256)
        signature = base64.urlsafe_b64encode(mac.digest()).rstrip(b"=").decode()
        return f"{signing_input}.{signature}"

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator["TestIssuer"]:
        async with serve(self.app(), self.port):
            yield self

    # -- the issuer's endpoints -----------------------------------------------------------

    def app(self) -> Starlette:
        return Starlette(
            routes=[
                Route(REALM + "/.well-known/openid-configuration", self._discovery),
                Route(REALM + "/protocol/openid-connect/certs", self._jwks),
                Route(REALM + "/protocol/openid-connect/auth", self._authorize),
                Route(REALM + "/protocol/openid-connect/token", self._token, methods=["POST"]),
            ]
        )

    async def _discovery(self, request: Request) -> Response:
        self.hits["discovery"] += 1
        endpoints = self.issuer + "/protocol/openid-connect"
        document = {
            "issuer": self.issuer,
            "authorization_endpoint": endpoints + "/auth",
            "token_endpoint": endpoints + "/token",
            "jwks_uri": endpoints + "/certs",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "code_challenge_methods_supported": ["S256"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        } | self.discovery_changes
        return JSONResponse(document)

    async def _jwks(self, request: Request) -> Response:
        self.hits["jwks"] += 1
        return JSONResponse({"keys": [key.jwk() for key in self.keys]})

    async def _authorize(self, request: Request) -> Response:
        self.hits["authorize"] += 1
        query = request.query_params
        redirect_uri = query.get("redirect_uri", "")
        # Never redirect to a URI the client did not register (RFC 6749, 4.1.2.1).
        if query.get("client_id") != self.client_id or redirect_uri not in self.redirect_uris:
            return self._refuse("unknown client or redirect_uri", PlainTextResponse, 400)
        if query.get("response_type") != "code" or "openid" not in query.get("scope", "").split():
            return self._refuse("not an OpenID Connect code request", PlainTextResponse, 400)
        if query.get("code_challenge_method") != "S256" or not query.get("code_challenge"):
            return self._refuse("PKCE S256 is required", PlainTextResponse, 400)
        code = secrets.token_urlsafe(24)
        self._grants[code] = Grant(
            client_id=self.client_id,
            redirect_uri=redirect_uri,
            challenge=query["code_challenge"],
            nonce=query.get("nonce"),
            claims=dict(self.user),
        )
        answer = {"code": code, "state": query.get("state", "")}
        return RedirectResponse(f"{redirect_uri}?{urlencode(answer)}", status_code=302)

    async def _token(self, request: Request) -> Response:
        self.hits["token"] += 1
        form = {k: v[0] for k, v in parse_qs((await request.body()).decode()).items()}
        if not self._client_authenticated(request, form):
            return self._refuse("invalid_client", _error, 401)
        if form.get("grant_type") != "authorization_code":
            return self._refuse("unsupported_grant_type", _error, 400)
        grant = self._grants.get(form.get("code", ""))
        if grant is None or grant.used:
            return self._refuse("invalid_grant: unknown or used code", _error, 400)
        grant.used = True  # once, whatever comes of it (RFC 6749, 4.1.2)
        if form.get("redirect_uri") != grant.redirect_uri:
            return self._refuse("invalid_grant: redirect_uri", _error, 400)
        verifier = form.get("code_verifier", "")
        if not 43 <= len(verifier) <= 128 or _challenge(verifier) != grant.challenge:
            return self._refuse("invalid_grant: code_verifier", _error, 400)
        now = int(time.time())
        id_claims = {
            "iss": self.issuer,
            "aud": self.client_id,
            "iat": now,
            "exp": now + 300,
            "nonce": grant.nonce,
            **grant.claims,
        } | self.id_token_changes
        header = {"kid": self.current.kid}
        return JSONResponse(
            {
                "token_type": "Bearer",
                "expires_in": 300,
                "id_token": jwt.encode(id_claims, self.current.private, "RS256", header),
                "access_token": self.token(),
            },
            headers={"Cache-Control": "no-store"},
        )

    def _client_authenticated(self, request: Request, form: dict[str, str]) -> bool:
        if self.client_secret is None:
            return form.get("client_id") == self.client_id
        scheme, _, value = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() == "basic":
            # RFC 6749, 2.3.1: both parts form-encoded, then joined by a colon.
            given_id, _, given_secret = base64.b64decode(value).decode().partition(":")
            return (unquote_plus(given_id), unquote_plus(given_secret)) == (
                self.client_id,
                self.client_secret,
            )
        return (form.get("client_id"), form.get("client_secret")) == (
            self.client_id,
            self.client_secret,
        )

    def _refuse(self, reason: str, kind: Any, status: int) -> Response:
        self.refusals.append(reason)
        answer: Response = kind(reason, status)
        return answer


def _error(reason: str, status: int) -> JSONResponse:
    return JSONResponse({"error": reason.split(":")[0]}, status_code=status)


def _challenge(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def _b64(part: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(part).encode()).rstrip(b"=").decode()
