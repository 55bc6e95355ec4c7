"""The OpenID Connect issuer as the gateway knows it: discovery, signing keys, verification.

The issuer's discovery document and key set (JWKS) are fetched over HTTP and kept for
`oidc_cache_seconds`. A token naming a key id the cached set lacks (the issuer rotated its
keys) fetches the set again, but at most once every `oidc_refresh_seconds`: a flood of
made-up key ids cannot make the gateway hammer the issuer. Only asymmetric algorithms
are accepted, each with a key of its own type, so neither `alg: none` nor an HMAC made
with the public key as secret ever verifies. Tokens never appear in the log.
"""

import asyncio
import json
import logging
import time
from dataclasses import dataclass
from typing import Any

import httpx
import jwt
from jwt.exceptions import PyJWKError

from shared.kit.http import ServiceUnavailable, Unauthorized

log = logging.getLogger("lotse.gateway.oidc")

ASYMMETRIC_ALGORITHMS = frozenset(
    {"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"}
)
MAX_DOCUMENT_BYTES = 512 * 1024
"""Discovery documents and key sets are small; a larger answer is refused unread."""
MAX_TOKEN_CHARS = 8192


class TokenRefused(Unauthorized):
    """A bearer or ID token that is not one the configured issuer signed for Lotse."""

    slug, title = "invalid-token", "The token is not valid"


@dataclass(frozen=True)
class IssuerMetadata:
    """What the gateway uses of the issuer's discovery document."""

    issuer: str
    jwks_uri: str
    authorization_endpoint: str | None
    token_endpoint: str | None
    token_auth_methods: tuple[str, ...]


def looks_like_jwt(token: str) -> bool:
    """Is `token` a JWS in compact form (header.payload.signature with a JSON header)?

    API keys never are: they have no dots and no JSON header.
    """
    if token.count(".") != 2:
        return False
    try:
        jwt.get_unverified_header(token)
    except jwt.InvalidTokenError:
        return False
    return True


class OidcIssuer:
    """One configured issuer: its metadata, its keys, and verification of its tokens."""

    def __init__(
        self,
        issuer: str,
        *,
        cache_seconds: float,
        refresh_seconds: float,
        leeway_seconds: float,
        timeout_seconds: float,
    ) -> None:
        self.issuer = issuer
        self.cache_seconds = cache_seconds
        self.refresh_seconds = refresh_seconds
        self.leeway_seconds = leeway_seconds
        self._http = httpx.AsyncClient(timeout=timeout_seconds, follow_redirects=False)
        self._metadata: IssuerMetadata | None = None
        self._keys: dict[str, dict[str, Any]] = {}  # kid -> JWK, signing keys only
        self._fetched_at = -float("inf")  # when keys and metadata were last fetched
        self._attempted_at = -float("inf")  # when a fetch was last tried, good or not
        self._lock = asyncio.Lock()

    async def close(self) -> None:
        await self._http.aclose()

    @property
    def http(self) -> httpx.AsyncClient:
        """The client for the issuer's endpoints (the sign-on's token exchange uses it)."""
        return self._http

    async def metadata(self) -> IssuerMetadata:
        """The discovery document, fetched when it is missing or older than the cache time."""
        if self._metadata is None or self._stale():
            await self._refresh(forced=False)
        if self._metadata is None:
            raise _unreachable()
        return self._metadata

    async def verify(self, token: str, *, audience: str) -> dict[str, Any]:
        """The claims of `token` if the issuer signed it for `audience` and it is valid now;
        TokenRefused (401) with the reason otherwise, ServiceUnavailable while the issuer
        cannot be asked for its keys."""
        if len(token) > MAX_TOKEN_CHARS:
            raise _refused("The token is longer than any issuer signs.", reason="too long")
        try:
            header = jwt.get_unverified_header(token)
        except jwt.InvalidTokenError as exc:
            raise _refused("The token is not a signed JWT.", reason="malformed") from exc
        algorithm, kid = header.get("alg"), header.get("kid")
        if algorithm not in ASYMMETRIC_ALGORITHMS:
            # alg none, and HS256 with the issuer's public key as secret, end here.
            raise _refused(
                "The token's algorithm is not accepted: only the issuer's asymmetric "
                "signatures (RS256 and the like) are.",
                reason=f"algorithm {str(algorithm)[:20]!r}",
            )
        if kid is not None and not isinstance(kid, str):
            raise _refused("The token's key id is not a string.", reason="kid type")
        key = await self._key(kid, algorithm)
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key,
                algorithms=[algorithm],
                audience=audience,
                issuer=self.issuer,
                leeway=self.leeway_seconds,
                options={"require": ["iss", "aud", "exp", "iat", "sub"]},
            )
        except jwt.InvalidTokenError as exc:
            raise _refused(_reason(exc), reason=type(exc).__name__, kid=kid) from exc
        return claims

    async def _key(self, kid: str | None, algorithm: str) -> jwt.PyJWK:
        if self._metadata is None or self._stale():
            await self._refresh(forced=False)
        jwk = self._find(kid, algorithm)
        if jwk is None and await self._refresh(forced=True):
            jwk = self._find(kid, algorithm)  # the issuer may have rotated its keys
        if jwk is None:
            if self._metadata is None:
                raise _unreachable()
            raise _refused(
                "The token names a key the issuer does not publish.",
                reason="unknown key id",
                kid=kid,
            )
        try:
            return jwt.PyJWK(jwk, algorithm)
        except (PyJWKError, jwt.InvalidKeyError, ValueError) as exc:
            # A key of another type than the algorithm (an EC key for RS256, ...).
            raise _refused(
                "The token's algorithm does not fit the issuer's key.",
                reason="key type",
                kid=kid,
            ) from exc

    def _find(self, kid: str | None, algorithm: str) -> dict[str, Any] | None:
        if kid is None:
            # Without a key id only an issuer with one key for this algorithm is unambiguous.
            fitting = [k for k in self._keys.values() if k.get("alg") in (None, algorithm)]
            return fitting[0] if len(fitting) == 1 else None
        jwk = self._keys.get(kid)
        if jwk is None or jwk.get("alg") not in (None, algorithm):
            return None
        return jwk

    def _stale(self) -> bool:
        return time.monotonic() - self._fetched_at > self.cache_seconds

    async def _refresh(self, *, forced: bool) -> bool:
        """Fetch discovery document and keys; False if it was not tried (too soon)."""
        async with self._lock:
            now = time.monotonic()
            if now - self._attempted_at < self.refresh_seconds:
                # Tried a moment ago (by this call's neighbours, or failed): not again yet.
                return False
            if not forced and not self._stale() and self._metadata is not None:
                return False  # another caller refreshed while this one waited
            self._attempted_at = now
            try:
                metadata = await self._discover()
                keys = await self._fetch_keys(metadata.jwks_uri)
            except (httpx.HTTPError, ValueError) as exc:
                log.warning("OIDC issuer %s not usable: %s", self.issuer, exc)
                return False
            self._metadata, self._keys, self._fetched_at = metadata, keys, now
            log.info("OIDC issuer %s: %d signing keys", self.issuer, len(keys))
            return True

    async def _discover(self) -> IssuerMetadata:
        url = self.issuer.rstrip("/") + "/.well-known/openid-configuration"
        document = await self.get_json(url)
        if document.get("issuer") != self.issuer:
            # OpenID Connect Discovery 1.0, 4.3: the issuer must be the one configured.
            raise ValueError(f"the discovery document names issuer {document.get('issuer')!r}")
        jwks_uri = document.get("jwks_uri")
        if not isinstance(jwks_uri, str) or not jwks_uri.startswith(("https://", "http://")):
            raise ValueError("the discovery document has no jwks_uri")
        methods = document.get("token_endpoint_auth_methods_supported")
        return IssuerMetadata(
            issuer=self.issuer,
            jwks_uri=jwks_uri,
            authorization_endpoint=_url_or_none(document.get("authorization_endpoint")),
            token_endpoint=_url_or_none(document.get("token_endpoint")),
            token_auth_methods=tuple(m for m in methods or () if isinstance(m, str))
            or ("client_secret_basic",),
        )

    async def _fetch_keys(self, url: str) -> dict[str, dict[str, Any]]:
        document = await self.get_json(url)
        keys = document.get("keys")
        if not isinstance(keys, list):
            raise ValueError("the key set has no keys")
        signing: dict[str, dict[str, Any]] = {}
        for number, jwk in enumerate(keys):
            if not isinstance(jwk, dict) or jwk.get("use", "sig") != "sig":
                continue  # encryption keys never verify a signature
            if jwk.get("kty") not in ("RSA", "EC", "OKP"):
                continue  # symmetric keys ("oct") have no place in a public key set
            if jwk.get("alg") is not None and jwk.get("alg") not in ASYMMETRIC_ALGORITHMS:
                continue
            kid = jwk.get("kid")
            signing[kid if isinstance(kid, str) else f"#{number}"] = jwk
        return signing

    async def get_json(self, url: str) -> dict[str, Any]:
        """A JSON object from the issuer, bounded in size; ValueError for anything else."""
        async with self._http.stream("GET", url, headers={"Accept": "application/json"}) as r:
            if r.status_code != 200:
                raise ValueError(f"{url} answered {r.status_code}")
            body = b""
            async for chunk in r.aiter_bytes():
                body += chunk
                if len(body) > MAX_DOCUMENT_BYTES:
                    raise ValueError(f"{url} answered more than {MAX_DOCUMENT_BYTES} bytes")
        document = json.loads(body)
        if not isinstance(document, dict):
            raise ValueError(f"{url} answered no JSON object")
        return document


def _url_or_none(value: object) -> str | None:
    return value if isinstance(value, str) and value.startswith(("https://", "http://")) else None


def _reason(exc: jwt.InvalidTokenError) -> str:
    """What a caller is told about a token PyJWT refused."""
    if isinstance(exc, jwt.ExpiredSignatureError):
        return "The token has expired."
    if isinstance(exc, jwt.InvalidAudienceError):
        return "The token is meant for another audience."
    if isinstance(exc, jwt.InvalidIssuerError):
        return "The token comes from another issuer."
    if isinstance(exc, jwt.ImmatureSignatureError):
        return "The token is not valid yet (nbf or iat lies in the future)."
    if isinstance(exc, jwt.MissingRequiredClaimError):
        return f"The token lacks the {exc.claim} claim."
    if isinstance(exc, jwt.InvalidSignatureError):
        return "The token's signature does not verify."
    return "The token is not valid."


def _refused(detail: str, *, reason: str, kid: object = None) -> TokenRefused:
    # The reason and key id are logged, never the token itself.
    log.info("bearer token refused: %s (kid %r)", reason, str(kid)[:80] if kid else None)
    return TokenRefused(detail)


def _unreachable() -> ServiceUnavailable:
    return ServiceUnavailable(
        "The sign-on issuer cannot be reached right now; try again shortly.", retry_after=5
    )
