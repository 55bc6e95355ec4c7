"""Who is calling: API keys and OIDC bearer tokens to Principals.

Resolving a key must not cost a database write per request, so the last-used time
is kept in memory and written every few seconds; revocation clears the cache at once.
A bearer token that is a JWT is an OIDC token of the configured issuer, or refused;
anything else is an API key.
"""

import asyncio
import contextlib
import logging
import re
import time
from collections import OrderedDict
from datetime import datetime

from fastapi import Request

from services.gateway import repository
from services.gateway.keys import key_hash
from services.gateway.oidc import OidcIssuer, TokenRefused, looks_like_jwt
from services.gateway.oidc_claims import ClaimMapping
from services.gateway.ratelimit import CallBudget
from shared.kit.auth import ANONYMOUS, Principal, Role
from shared.kit.db import Database
from shared.kit.http import Unauthorized
from shared.kit.service import part_of
from shared.kit.sqltypes import utcnow

log = logging.getLogger("lotse.gateway.identity")

MAX_CACHED_KEYS = 10_000
KEY_SHAPE = re.compile(r"[\x21-\x7e]{24,200}")
"""What a key can look like (printable ASCII, as long as the shortest admin key may be);
anything else is refused without a query."""


class KeyResolver:
    def __init__(self, db: Database, *, cache_seconds: float, flush_seconds: float) -> None:
        self.db = db
        self.cache_seconds = cache_seconds
        self.flush_seconds = flush_seconds
        # digest -> (valid until, principal, key id), least recently used first
        self._cache: OrderedDict[str, tuple[float, Principal | None, str | None]] = OrderedDict()
        self._last_used: dict[str, datetime] = {}
        self._generation = 0
        self._task: asyncio.Task[None] | None = None

    def known(self, secret: str) -> bool:
        """Is `secret` a valid key this process has looked up lately (no query needed)?"""
        cached = self._cache.get(key_hash(secret))
        return cached is not None and cached[1] is not None and cached[0] >= time.monotonic()

    async def resolve(self, secret: str) -> Principal:
        """The principal of a key; Unauthorized for an unknown or revoked one."""
        if not KEY_SHAPE.fullmatch(secret):
            raise Unauthorized("This API key is unknown or revoked.")  # no query for it
        digest = key_hash(secret)
        now = time.monotonic()
        cached = self._cache.get(digest)
        if cached is not None:
            self._cache.move_to_end(digest)
        if cached is None or cached[0] < now:
            generation = self._generation
            async with self.db.session() as session:
                key = await repository.key_by_hash(session, digest)
            if key is None or key.revoked_at is not None:
                cached = (now + self.cache_seconds, None, None)
            else:
                found = Principal(role=Role(key.role), subject=f"key:{key.id}", ags=key.ags)
                cached = (now + self.cache_seconds, found, key.id)
            if generation == self._generation:  # no revocation happened meanwhile
                self._cache[digest] = cached
                if len(self._cache) > MAX_CACHED_KEYS:
                    self._cache.popitem(last=False)  # bounded: guesses must not grow memory
        _, principal, key_id = cached
        if principal is None or key_id is None:
            raise Unauthorized("This API key is unknown or revoked.")
        self._last_used[key_id] = utcnow()
        return principal

    def forget(self) -> None:
        """Drop cached keys, e.g. after a revocation, so it takes effect at once."""
        self._generation += 1
        self._cache.clear()

    def start(self) -> None:
        self._task = asyncio.create_task(self._flush_forever(), name="key-last-used")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        await self.flush()

    async def flush(self) -> None:
        if not self._last_used:
            return
        pending, self._last_used = self._last_used, {}
        async with self.db.session() as session:
            await repository.touch_keys(session, dict(pending))
            await session.commit()

    async def _flush_forever(self) -> None:
        while True:
            await asyncio.sleep(self.flush_seconds)
            try:
                await self.flush()
            except Exception:
                log.warning("could not record last use of API keys", exc_info=True)


class TokenResolver:
    """OIDC bearer tokens to Principals; verified ones are remembered until they expire,
    so a client sending the same token again costs no signature check."""

    def __init__(
        self, issuer: OidcIssuer | None, mapping: ClaimMapping | None, *, audience: str
    ) -> None:
        self.issuer = issuer
        self.mapping = mapping
        self.audience = audience
        # digest -> (expires, unix time; principal), least recently used first
        self._cache: OrderedDict[str, tuple[float, Principal]] = OrderedDict()

    def known(self, token: str) -> bool:
        cached = self._cache.get(key_hash(token))
        return cached is not None and cached[0] > time.time()

    async def resolve(self, token: str) -> Principal:
        """The principal of a token the issuer signed for Lotse: 401 for a token that is
        not, 403 for one whose claims map to no role."""
        digest = key_hash(token)
        cached = self._cache.get(digest)
        if cached is not None and cached[0] > time.time():
            self._cache.move_to_end(digest)
            return cached[1]
        if self.issuer is None or self.mapping is None:
            raise TokenRefused(
                "This gateway takes API keys only: single sign-on is not configured."
            )
        claims = await self.issuer.verify(token, audience=self.audience)
        principal = self.mapping.principal(claims)
        self._cache[digest] = (float(claims["exp"]), principal)
        if len(self._cache) > MAX_CACHED_KEYS:
            self._cache.popitem(last=False)
        return principal

    async def close(self) -> None:
        if self.issuer is not None:
            await self.issuer.close()


async def caller(request: Request) -> Principal:
    """FastAPI dependency: the Principal behind `Authorization: Bearer <key>`, or anonymous."""
    known: Principal | None = getattr(request.state, "principal", None)
    if known is not None:
        return known  # AuthenticatedRoute resolved it already
    budget = part_of(request, CallBudget)
    address = request.client.host if request.client else "unknown"
    header = request.headers.get("authorization")
    if header is None:
        await budget.charge_address(address)
        principal = ANONYMOUS
    else:
        scheme, _, secret = header.partition(" ")
        if scheme.lower() != "bearer" or not secret.strip():
            await budget.charge_address(address)
            raise Unauthorized("Send your API key as `Authorization: Bearer <key>`.")
        secret = secret.strip()
        resolver: KeyResolver | TokenResolver = (
            part_of(request, TokenResolver)
            if looks_like_jwt(secret)
            else part_of(request, KeyResolver)
        )
        if not resolver.known(secret):
            # A key or token that costs a query or a signature check is paid for by the
            # address first: guessing is as slow as calling without one.
            await budget.charge_address(address)
        principal = await resolver.resolve(secret)
        await budget.charge_key(principal.subject)
    request.state.principal = principal
    return principal
