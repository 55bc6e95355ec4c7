"""How often one identity may call: a token bucket per API key, or per address without one.

In process by default; with `LOTSE_REDIS_URL` the buckets live in Redis, so every
replica of the gateway counts against the same budget. A Redis that does not answer
lets calls through (and says so in the log): a rate limit must not take the API down.
"""

import contextlib
import ipaddress
import logging
import math
import time
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Protocol

from fastapi import Request
from redis.asyncio import Redis
from redis.exceptions import RedisError

from shared.kit.auth import Principal
from shared.kit.http import TooManyRequests

log = logging.getLogger("lotse.gateway.ratelimit")

MAX_IDENTITIES = 100_000
"""Buckets kept in process; the least recently used go first (they are full again)."""


@dataclass(frozen=True)
class Limit:
    per_minute: int
    """Calls a minute on average; 0 is no limit."""
    burst: int
    """Calls at once after a quiet while."""

    @property
    def rate(self) -> float:
        return self.per_minute / 60.0


class RateLimiter(Protocol):
    async def wait_seconds(self, identity: str, limit: Limit) -> float:
        """Take one call from `identity`'s budget: 0 if it may go ahead, else how long
        until it may."""
        ...

    async def close(self) -> None: ...


class MemoryRateLimiter:
    def __init__(self) -> None:
        # identity -> (tokens, when counted), least recently used first
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()

    async def wait_seconds(self, identity: str, limit: Limit) -> float:
        if limit.per_minute <= 0:
            return 0.0
        now = time.monotonic()
        tokens, counted = self._buckets.pop(identity, (float(limit.burst), now))
        tokens = min(float(limit.burst), tokens + (now - counted) * limit.rate)
        wait = 0.0 if tokens >= 1 else (1 - tokens) / limit.rate
        self._buckets[identity] = (tokens - 1 if wait == 0 else tokens, now)
        if len(self._buckets) > MAX_IDENTITIES:
            self._buckets.popitem(last=False)
        return wait

    async def close(self) -> None:
        return None


# One round trip, atomic, on the Redis server's clock so replicas agree.
_TAKE = """
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local clock = redis.call('TIME')
local now = tonumber(clock[1]) + tonumber(clock[2]) / 1000000
local bucket = redis.call('HMGET', KEYS[1], 'tokens', 'counted')
local tokens = tonumber(bucket[1]) or burst
local counted = tonumber(bucket[2]) or now
tokens = math.min(burst, tokens + (now - counted) * rate)
local wait = 0
if tokens >= 1 then tokens = tokens - 1 else wait = (1 - tokens) / rate end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'counted', tostring(now))
redis.call('EXPIRE', KEYS[1], math.ceil(burst / rate) + 1)
return tostring(wait)
"""


class RedisRateLimiter:
    def __init__(self, url: str) -> None:
        self.redis = Redis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5)
        self._take = self.redis.register_script(_TAKE)
        self._next_warning = 0.0

    async def wait_seconds(self, identity: str, limit: Limit) -> float:
        if limit.per_minute <= 0:
            return 0.0
        try:
            answer = await self._take(
                keys=[f"lotse:ratelimit:{identity}"], args=[limit.rate, limit.burst]
            )
        except (RedisError, OSError) as exc:
            now = time.monotonic()
            if now >= self._next_warning:
                self._next_warning = now + 10
                log.warning("rate limit not applied, Redis does not answer: %r", exc)
            return 0.0
        return float(answer)

    async def close(self) -> None:
        await self.redis.aclose()


def rate_limiter(redis_url: str | None) -> RateLimiter:
    return RedisRateLimiter(redis_url) if redis_url else MemoryRateLimiter()


class CallBudget:
    """The gateway's limits, charged to whoever calls: a key, or an address without one."""

    def __init__(self, limiter: RateLimiter, *, per_key: Limit, per_address: Limit) -> None:
        self.limiter = limiter
        self.per_key = per_key
        self.per_address = per_address

    async def charge_key(self, subject: str) -> None:
        await self._charge(subject, self.per_key)

    async def charge_address(self, address: str) -> None:
        """Anonymous calls and refused keys: guessing keys costs the guesser's budget."""
        await self._charge(f"address:{budget_address(address)}", self.per_address)

    async def _charge(self, identity: str, limit: Limit) -> None:
        wait = await self.limiter.wait_seconds(identity, limit)
        if wait > 0:
            raise TooManyRequests(
                f"At most {limit.per_minute} calls a minute; try again in {math.ceil(wait)} s.",
                retry_after=wait,
            )


def budget_address(address: str) -> str:
    """Whose budget an address spends: an IPv6 client has a whole /64 to call from."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network(f"{ip}/64", strict=False))
    return str(ip)


def identity_of(request: Request, principal: Principal) -> str:
    """Who a caller counts as for bounds: the key, or without one the address."""
    if principal.signed_in:
        return principal.subject
    return f"address:{budget_address(request.client.host if request.client else 'unknown')}"


class UnderWay:
    """What each caller has under way at once (open streams, forwarded calls), bounded:
    one caller cannot hold what all share. A bound of 0 is none."""

    def __init__(self, bound: int, *, refusal: str, retry_after: float) -> None:
        self.bound = bound
        self.refusal = refusal
        self.retry_after = retry_after
        self._counts: dict[str, int] = {}

    def admit(self, identity: str) -> None:
        """Refuse `identity` at its bound (429), before anything is started for it."""
        if self.bound and self._counts.get(identity, 0) >= self.bound:
            raise TooManyRequests(self.refusal, retry_after=self.retry_after)

    def take(self, identity: str) -> None:
        """Count one more under way for `identity` (429 at its bound); `give_back` ends it."""
        self.admit(identity)  # again: another may have started meanwhile
        self._counts[identity] = self._counts.get(identity, 0) + 1

    def give_back(self, identity: str) -> None:
        self._counts[identity] -= 1
        if not self._counts[identity]:
            del self._counts[identity]

    def under_way(self, identity: str) -> int:
        return self._counts.get(identity, 0)

    @contextlib.contextmanager
    def held(self, identity: str) -> Iterator[None]:
        self.take(identity)
        try:
            yield
        finally:
            self.give_back(identity)
