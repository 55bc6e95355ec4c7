"""Outgoing webhooks after the Standard Webhooks specification.

Signing (`webhook-id`, `webhook-timestamp`, `webhook-signature: v1,<base64 HMAC-SHA256>`)
with `whsec_` secrets and their rotation, the retry schedule and what a service does after
an attempt, URL rules for subscriptions, and a delivery client that refuses internal
networks at connect time: every address a name resolves to is checked, the socket is
opened to exactly that checked address, and TLS still verifies the certificate of the
name (SNI), so a DNS answer that changes between check and connect cannot slip through.
"""

import base64
import binascii
import functools
import hmac
import ipaddress
import json
import random
import re
import secrets
import socket
import ssl
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from enum import StrEnum
from typing import Annotated, Any

import aiohttp
from aiohttp.abc import AbstractResolver, ResolveResult
from aiohttp.resolver import ThreadedResolver
from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict
from yarl import URL

from shared.kit.networks import IPNetwork, parse_cidrs

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

SECRET_PREFIX = "whsec_"
SECRET_BYTES = 32
ROTATION_OVERLAP = timedelta(hours=24)
"""How long the previous secret keeps signing after a rotation."""

# ---------------------------------------------------------------------------------------
# Secrets and signatures


def generate_secret() -> str:
    """A new endpoint secret, `whsec_` and 32 random bytes in base64; shown to its owner once."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode("ascii")


@functools.lru_cache(maxsize=4096)
def secret_key(secret: str) -> bytes:
    """The HMAC key of a `whsec_` secret; ValueError if it is not one."""
    if not secret.startswith(SECRET_PREFIX):
        raise ValueError("a webhook secret starts with whsec_")
    try:
        key = base64.b64decode(secret[len(SECRET_PREFIX) :], validate=True)
    except binascii.Error as exc:
        raise ValueError("a webhook secret is whsec_ and base64") from exc
    if not 24 <= len(key) <= 64:
        raise ValueError("a webhook secret holds 24 to 64 bytes")
    return key


def secret_hint(secret: str) -> str:
    """What a listing may show of a secret after it was shown once: prefix and last 4 chars."""
    return f"{SECRET_PREFIX}…{secret[-4:]}"


def sign(secret: str, msg_id: str, timestamp: int, body: bytes) -> str:
    """One `v1,<base64>` signature of `{id}.{timestamp}.{body}`."""
    content = f"{msg_id}.{timestamp}.".encode() + body
    digest = hmac.digest(secret_key(secret), content, "sha256")
    return "v1," + base64.b64encode(digest).decode("ascii")


@dataclass(frozen=True, slots=True)
class EndpointSecrets:
    """An endpoint's signing secrets: the current one and, during a rotation, the previous."""

    current: str
    previous: str | None = None
    previous_until: datetime | None = None

    def signing(self, now: datetime) -> tuple[str, ...]:
        """Secrets that sign at `now`: the new first, the old one until its overlap ends."""
        if self.previous and self.previous_until and now < self.previous_until:
            return (self.current, self.previous)
        return (self.current,)

    def rotate(
        self, now: datetime, overlap: timedelta = ROTATION_OVERLAP, new_secret: str | None = None
    ) -> tuple["EndpointSecrets", str]:
        """The secrets after a rotation, and the new secret to show once."""
        fresh = new_secret or generate_secret()
        secret_key(fresh)
        rotated = EndpointSecrets(
            current=fresh, previous=self.current, previous_until=now + overlap
        )
        return rotated, fresh


def message_id(key: str | None = None) -> str:
    """A `webhook-id`: random, or derived from a dedup key so every replica sends the same."""
    if key is None:
        return "msg_" + uuid.uuid4().hex
    return "msg_" + uuid.uuid5(uuid.NAMESPACE_URL, "lotse:" + key).hex


def build_payload(event_type: str, data: Mapping[str, Any], timestamp: datetime) -> bytes:
    """The body Standard Webhooks describes: `{type, timestamp, data}`, compact JSON."""
    stamp = timestamp.astimezone(UTC).isoformat().replace("+00:00", "Z")
    document = {"type": event_type, "timestamp": stamp, "data": data}
    return json.dumps(document, ensure_ascii=False, separators=(",", ":"), default=str).encode()


def signed_headers(
    signing_secrets: Sequence[str],
    msg_id: str,
    body: bytes,
    timestamp: int | None = None,
    content_type: str = "application/json",
) -> dict[str, str]:
    """Headers of one attempt; every secret in `signing_secrets` adds a signature."""
    if not signing_secrets:
        raise ValueError("at least one secret signs")
    stamp = int(time.time()) if timestamp is None else timestamp
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(stamp),
        "webhook-signature": " ".join(sign(s, msg_id, stamp, body) for s in signing_secrets),
        "content-type": content_type,
    }


# ---------------------------------------------------------------------------------------
# Retries and what follows an attempt

RETRY_SCHEDULE: tuple[timedelta, ...] = (
    timedelta(0),
    timedelta(seconds=5),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=5),
    timedelta(hours=10),
    timedelta(hours=14),
    timedelta(hours=20),
    timedelta(hours=24),
)
"""Delay before attempt n+1 (index n): immediately, then 5 s ... 24 h, after the spec."""
JITTER = 0.1
"""Each delay moves by up to ±10 %, so endpoints that failed together do not retry together."""
MAX_RETRY_AFTER = timedelta(hours=24)
DISABLE_AFTER = timedelta(days=5)
"""An endpoint that failed without one success for this long is disabled."""


def parse_retry_after(value: str | None, now: datetime) -> timedelta | None:
    """`Retry-After` as delay-seconds or HTTP date; None if absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return timedelta(seconds=int(value))
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(when - now, timedelta(0))


def next_attempt_at(
    attempt: int,
    now: datetime,
    retry_after_header: str | None = None,
    *,
    rand: Callable[[], float] = random.random,
) -> datetime | None:
    """When attempt `attempt + 1` is due after attempt `attempt` (1-based) failed at `now`.

    None when the schedule is used up. `Retry-After` can only push the attempt later
    (never earlier than the schedule), and not further than 24 h.
    """
    if attempt < 1:
        raise ValueError("attempt counts from 1")
    if attempt >= len(RETRY_SCHEDULE):
        return None
    delay = RETRY_SCHEDULE[attempt]
    delay = delay * (1 + JITTER * (2 * rand() - 1))
    asked = parse_retry_after(retry_after_header, now)
    if asked is not None:
        delay = max(delay, min(asked, MAX_RETRY_AFTER))
    return now + delay


class Outcome(StrEnum):
    DELIVERED = "delivered"
    RETRY = "retry"
    FAILED = "failed"
    """The message is given up; the endpoint stays enabled."""
    DISABLE_ENDPOINT = "disable_endpoint"


@dataclass(frozen=True, slots=True)
class Decision:
    """What the service does after an attempt: record it, schedule, give up or disable."""

    outcome: Outcome
    retry_at: datetime | None = None
    reason: str = ""


# ---------------------------------------------------------------------------------------
# Addresses and URLs

_BLOCKED_V4: tuple[tuple[ipaddress.IPv4Network, str], ...] = tuple(
    (ipaddress.IPv4Network(net), name)
    for net, name in (
        ("0.0.0.0/8", "unspecified"),
        ("10.0.0.0/8", "private"),
        ("100.64.0.0/10", "shared address space"),
        ("127.0.0.0/8", "loopback"),
        ("169.254.0.0/16", "link-local"),
        ("172.16.0.0/12", "private"),
        ("192.0.0.0/24", "reserved"),
        ("192.0.2.0/24", "documentation"),
        ("192.88.99.0/24", "reserved"),
        ("192.168.0.0/16", "private"),
        ("198.18.0.0/15", "reserved"),
        ("198.51.100.0/24", "documentation"),
        ("203.0.113.0/24", "documentation"),
        ("224.0.0.0/4", "multicast"),
        ("240.0.0.0/4", "reserved"),
    )
)
_BLOCKED_V6: tuple[tuple[ipaddress.IPv6Network, str], ...] = tuple(
    (ipaddress.IPv6Network(net), name)
    for net, name in (
        ("::/128", "unspecified"),
        ("::1/128", "loopback"),
        ("::/96", "IPv4-compatible"),
        ("64:ff9b:1::/48", "local NAT64"),
        ("100::/64", "discard"),
        ("2001::/23", "reserved"),
        ("2001:db8::/32", "documentation"),
        ("3fff::/20", "documentation"),
        ("5f00::/16", "reserved"),
        ("fc00::/7", "private"),
        ("fe80::/10", "link-local"),
        ("fec0::/10", "site-local"),
        ("ff00::/8", "multicast"),
    )
)
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
_SIIT = ipaddress.IPv6Network("::ffff:0:0:0/96")


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> tuple[str, ipaddress.IPv4Address] | None:
    if ip.ipv4_mapped is not None:
        return "IPv4-mapped", ip.ipv4_mapped
    if ip in _NAT64:
        return "NAT64", ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    if ip in _SIIT:
        return "IPv4-translated", ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    if ip.sixtofour is not None:
        return "6to4", ip.sixtofour
    return None


def parse_address(text: str) -> IPAddress | None:
    """An IP address from a host or sockaddr string (brackets and zone ids removed)."""
    try:
        return ipaddress.ip_address(text.strip("[]").split("%", 1)[0])
    except ValueError:
        return None


def allow_listed(ip: IPAddress, allowed: Sequence[IPNetwork]) -> bool:
    """Whether `ip` lies in an allow-listed network. Loopback is this machine in either
    family: allowing 127.0.0.1 allows ::1 and back, so `localhost` works whichever of the
    two the resolver gives."""
    if any(ip.version == net.version and ip in net for net in allowed):
        return True
    return ip.is_loopback and any(
        _LOOPBACK in net if isinstance(net, ipaddress.IPv4Network) else _LOOPBACK6 in net
        for net in allowed
    )


def refusal_reason(ip: IPAddress, allowed: Sequence[IPNetwork] = ()) -> str | None:
    """Why a webhook may not go to `ip`, or None if it may.

    Refused: private, loopback, link-local, multicast, reserved, unspecified, documentation
    and shared ranges, and IPv6 forms embedding such an IPv4 address (mapped, NAT64, 6to4),
    unless the address (or the IPv4 address it embeds) lies in an allow-listed network.
    """
    if allow_listed(ip, allowed):
        return None
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = _embedded_ipv4(ip)
        if embedded is not None:
            form, inner = embedded
            reason = refusal_reason(inner, allowed)
            return None if reason is None else f"{form} form of {inner}: {reason}"
        for net6, name in _BLOCKED_V6:
            if ip in net6:
                return f"{name} address {ip}"
    else:
        for net4, name in _BLOCKED_V4:
            if ip in net4:
                return f"{name} address {ip}"
    if ip.is_multicast or ip.is_link_local or ip.is_loopback or not ip.is_global:
        return f"address {ip} is not globally routable"
    return None


class WebhookSettings(BaseSettings):
    """Delivery settings; `LOTSE_WEBHOOK_ALLOWED_CIDRS` opens internal networks on purpose."""

    model_config = SettingsConfigDict(extra="ignore", populate_by_name=True)

    webhook_allowed_cidrs: Annotated[tuple[IPNetwork, ...], NoDecode] = Field(
        default=(),
        validation_alias="LOTSE_WEBHOOK_ALLOWED_CIDRS",
        description="comma-separated networks webhooks may reach although internal; plain "
        "http is allowed only to these",
    )

    @field_validator("webhook_allowed_cidrs", mode="before")
    @classmethod
    def _split_allowed_cidrs(cls, value: object) -> object:
        # Named apart: a service's own `_split` validator would silently replace it.
        if isinstance(value, str | list | tuple):
            return parse_cidrs(value)
        return value

    def policy(self) -> "DeliveryPolicy":
        return DeliveryPolicy(allowed_networks=self.webhook_allowed_cidrs)


@dataclass(frozen=True, slots=True)
class DeliveryPolicy:
    """Where and how a webhook may be delivered."""

    allowed_networks: tuple[IPNetwork, ...] = ()
    timeout_seconds: float = 10.0
    max_response_bytes: int = 64 * 1024
    max_url_length: int = 2048

    def refusal(self, ip: IPAddress, scheme: str) -> str | None:
        """Why this connection may not be opened; plain http only to allow-listed networks."""
        if scheme == "http":
            if allow_listed(ip, self.allowed_networks):
                return None
            return f"plain http only to allow-listed networks, not to {ip}"
        return refusal_reason(ip, self.allowed_networks)

    def refusal_check(self, scheme: str) -> Callable[[IPAddress], str | None]:
        """`refusal` for one scheme, as the connect-time guards call it."""
        return lambda ip: self.refusal(ip, scheme)


_LOOPBACK = ipaddress.IPv4Address("127.0.0.1")
_LOOPBACK6 = ipaddress.IPv6Address("::1")
_BAD_URL_CHARS = re.compile(r"[\s\x00-\x1f\x7f]")
# A host whose last label is a number is no name (top-level domains are not numeric):
# decimal, octal, hex or shortened IPv4 spellings.
_ODD_IPV4 = re.compile(r"(?:[^.]+\.)*(?:\d+|0x[0-9a-f]*)", re.IGNORECASE)


def _is_localhost(host: str) -> bool:
    name = host.rstrip(".").lower()
    return name == "localhost" or name.endswith(".localhost")


def validate_webhook_url(
    url: str, policy: DeliveryPolicy, field_name: str = "url"
) -> list[dict[str, str]]:
    """Field-named errors of a subscription's endpoint URL; empty if it is acceptable.

    https only (plain http only when networks are allow-listed, and then only to them), no
    credentials, no fragment, a host name or a public IP address. What a name resolves to
    is checked at every connect, not here.
    """

    def error(message: str) -> list[dict[str, str]]:
        return [{"field": field_name, "message": message}]

    if len(url) > policy.max_url_length:
        return error(f"at most {policy.max_url_length} characters")
    if _BAD_URL_CHARS.search(url):
        return error("no spaces or control characters")
    try:
        parsed = URL(url)
        # yarl decodes the host (IDNA) only when asked: "xn--" fails here, not at parse.
        host, authority = parsed.host, parsed.authority
    except ValueError:
        return error("not a URL")
    scheme = (parsed.scheme or "").lower()
    if scheme not in ("https", "http") or not host:
        return error("an absolute https:// URL")
    if parsed.user is not None or parsed.password is not None or "@" in (authority or ""):
        return error("no user name or password in the URL; the signature authenticates")
    if parsed.fragment:
        return error("no fragment (#...)")
    if scheme == "http" and not policy.allowed_networks:
        return error("https only")
    ip = parse_address(host)
    if ip is None and _ODD_IPV4.fullmatch(host.rstrip(".")):
        # 2852039166, 0x7f.1, 0177.0.0.1: a resolver may read them as an address.
        return error("an IPv4 address as four decimal numbers (like 192.0.2.1), or a name")
    if ip is not None:
        reason = policy.refusal(ip, scheme)
        if reason:
            return error(f"not allowed: {reason}")
    elif _is_localhost(host) and policy.refusal(_LOOPBACK, scheme):
        return error("not allowed: localhost")
    return []


# ---------------------------------------------------------------------------------------
# Delivery


class ForbiddenAddress(OSError):
    """A connection the policy refuses; raised before any packet is sent."""


class GuardedResolver(AbstractResolver):
    """Resolves with `base`, then refuses the name if any address it gave is forbidden.

    aiohttp connects to exactly the addresses returned here (keeping the name for SNI and
    certificate checks), so what was checked is what is connected to.
    """

    def __init__(self, base: AbstractResolver, check: Callable[[IPAddress], str | None]) -> None:
        self._base = base
        self._check = check

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        results = await self._base.resolve(host, port, family)
        for result in results:
            ip = parse_address(result["host"])
            reason = "unreadable address" if ip is None else self._check(ip)
            if reason:
                raise ForbiddenAddress(f"{host} resolves to a refused address: {reason}")
        return results

    async def close(self) -> None:
        await self._base.close()


def guarded_socket_factory(
    check: Callable[[IPAddress], str | None],
) -> Callable[[tuple[Any, ...]], socket.socket]:
    """aiohttp's socket factory that refuses forbidden addresses.

    The last gate before connect(): it also covers IP literals, which skip the resolver.
    """

    def factory(addr_info: tuple[Any, ...]) -> socket.socket:
        family, type_, proto, _, sockaddr = addr_info
        ip = parse_address(str(sockaddr[0]))
        reason = "unreadable address" if ip is None else check(ip)
        if reason:
            raise ForbiddenAddress(f"connection refused by policy: {reason}")
        return socket.socket(family=family, type=type_, proto=proto)

    return factory


class DeliveryError(StrEnum):
    INVALID_URL = "invalid_url"
    FORBIDDEN_ADDRESS = "forbidden_address"
    REDIRECT = "redirect"
    HTTP_STATUS = "http_status"
    TIMEOUT = "timeout"
    CONNECTION = "connection"
    TLS = "tls"


@dataclass(frozen=True, slots=True)
class DeliveryResult:
    """One attempt as the service records it."""

    status: int | None
    error: DeliveryError | None = None
    detail: str = ""
    retry_after: str | None = None
    body: bytes = b""
    elapsed: float = 0.0
    connected: bool = field(default=True)

    @property
    def ok(self) -> bool:
        return self.error is None and self.status is not None and 200 <= self.status < 300


def decide_after_attempt(
    result: DeliveryResult,
    *,
    attempt: int,
    now: datetime,
    failing_since: datetime | None,
    rand: Callable[[], float] = random.random,
) -> Decision:
    """What follows attempt `attempt` of a message.

    `failing_since`: when the endpoint's current run of failures began (None: it had no
    failure since its last success). 410 Gone disables at once; five days of failure
    disable; otherwise retry by the schedule, and give the message up when it is used up.
    """
    if result.ok:
        return Decision(Outcome.DELIVERED)
    if result.status == 410:
        return Decision(Outcome.DISABLE_ENDPOINT, reason="the endpoint answered 410 Gone")
    since = failing_since or now
    if now - since >= DISABLE_AFTER:
        return Decision(
            Outcome.DISABLE_ENDPOINT,
            reason=f"no successful delivery since {since.isoformat()} (5 days)",
        )
    retry_at = next_attempt_at(attempt, now, result.retry_after, rand=rand)
    why = result.detail or (f"HTTP {result.status}" if result.status else str(result.error))
    if retry_at is None:
        return Decision(Outcome.FAILED, reason=f"{attempt} attempts failed; last: {why}")
    return Decision(Outcome.RETRY, retry_at=retry_at, reason=why)


class WebhookClient:
    """Posts webhooks under a `DeliveryPolicy`; one per process, reused for all endpoints.

    No redirects are followed, no proxies or cookies are used, the whole attempt has the
    policy's timeout, and at most `max_response_bytes` of the answer are read.
    """

    def __init__(
        self,
        policy: DeliveryPolicy | None = None,
        *,
        resolver: AbstractResolver | None = None,
        ssl_context: ssl.SSLContext | None = None,
        limit: int = 100,
        user_agent: str = "Lotse-Webhooks/1",
    ) -> None:
        self.policy = policy or DeliveryPolicy()
        self._resolver = resolver
        self._ssl = ssl_context or ssl.create_default_context()
        self._limit = limit
        self._user_agent = user_agent
        self._sessions: dict[str, aiohttp.ClientSession] = {}
        self._checked_urls: dict[str, str] = {}
        """URL -> its error message ("" when valid); the URL rules are pure, so it may cache."""

    def _session(self, scheme: str) -> aiohttp.ClientSession:
        # One session per scheme: plain http has the stricter address rule.
        session = self._sessions.get(scheme)
        if session is None or session.closed:
            check = self.policy.refusal_check(scheme)
            base = self._resolver or ThreadedResolver()
            connector = aiohttp.TCPConnector(
                resolver=GuardedResolver(base, check),
                socket_factory=guarded_socket_factory(check),
                ssl=self._ssl,
                limit=self._limit,
                ttl_dns_cache=60,
                force_close=False,
            )
            session = aiohttp.ClientSession(
                connector=connector,
                timeout=aiohttp.ClientTimeout(total=self.policy.timeout_seconds),
                cookie_jar=aiohttp.DummyCookieJar(),
                trust_env=False,
                auto_decompress=False,
                headers={"user-agent": self._user_agent, "accept-encoding": "identity"},
            )
            self._sessions[scheme] = session
        return session

    async def close(self) -> None:
        for session in self._sessions.values():
            await session.close()
        self._sessions.clear()

    async def __aenter__(self) -> "WebhookClient":
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def post(self, url: str, body: bytes, headers: Mapping[str, str]) -> DeliveryResult:
        """POST `body` once; never raises for network or HTTP failures."""
        started = time.perf_counter()

        def failed(error: DeliveryError, detail: str, connected: bool = True) -> DeliveryResult:
            elapsed = time.perf_counter() - started
            return DeliveryResult(None, error, detail, elapsed=elapsed, connected=connected)

        problem = self._checked_urls.get(url)
        if problem is None:
            errors = validate_webhook_url(url, self.policy)
            problem = errors[0]["message"] if errors else ""
            if len(self._checked_urls) >= 10_000:
                self._checked_urls.clear()
            self._checked_urls[url] = problem
        if problem:
            return failed(DeliveryError.INVALID_URL, problem, connected=False)
        scheme = URL(url).scheme.lower()
        try:
            async with self._session(scheme).post(
                url, data=body, headers=dict(headers), allow_redirects=False
            ) as response:
                content = await self._read_capped(response)
                status = response.status
                retry_after = response.headers.get("retry-after")
                location = response.headers.get("location", "")
        except aiohttp.ClientConnectorError as exc:
            if isinstance(exc.os_error, ForbiddenAddress):
                return failed(DeliveryError.FORBIDDEN_ADDRESS, str(exc.os_error), False)
            if isinstance(exc, aiohttp.ClientSSLError):
                return failed(DeliveryError.TLS, str(exc))
            return failed(DeliveryError.CONNECTION, str(exc), connected=False)
        except TimeoutError:
            return failed(
                DeliveryError.TIMEOUT, f"no answer within {self.policy.timeout_seconds} s"
            )
        except (aiohttp.ClientError, OSError) as exc:
            return failed(DeliveryError.CONNECTION, f"{type(exc).__name__}: {exc}")
        error: DeliveryError | None = None
        detail = ""
        if 300 <= status < 400:
            error = DeliveryError.REDIRECT
            detail = f"HTTP {status} redirect to {location[:200]!r} not followed"
        elif not 200 <= status < 300:
            error, detail = DeliveryError.HTTP_STATUS, f"HTTP {status}"
        elapsed = time.perf_counter() - started
        return DeliveryResult(status, error, detail, retry_after, content, elapsed)

    async def _read_capped(self, response: aiohttp.ClientResponse) -> bytes:
        cap = self.policy.max_response_bytes
        chunks: list[bytes] = []
        size = 0
        while size < cap:
            chunk = await response.content.read(cap - size)
            if not chunk:
                return b"".join(chunks)
            chunks.append(chunk)
            size += len(chunk)
        if not response.content.at_eof():
            response.close()  # the rest stays unread; the connection is not reused
        return b"".join(chunks)

    async def deliver(
        self,
        url: str,
        endpoint_secrets: EndpointSecrets,
        msg_id: str,
        body: bytes,
        now: datetime | None = None,
        content_type: str = "application/json",
    ) -> DeliveryResult:
        """Sign `body` with the secrets active now and POST it once."""
        moment = now or datetime.now(UTC)
        headers = signed_headers(
            endpoint_secrets.signing(moment), msg_id, body, int(moment.timestamp()), content_type
        )
        return await self.post(url, body, headers)


__all__ = [
    "DISABLE_AFTER",
    "RETRY_SCHEDULE",
    "ROTATION_OVERLAP",
    "Decision",
    "DeliveryError",
    "DeliveryPolicy",
    "DeliveryResult",
    "EndpointSecrets",
    "ForbiddenAddress",
    "GuardedResolver",
    "Outcome",
    "WebhookClient",
    "WebhookSettings",
    "build_payload",
    "decide_after_attempt",
    "generate_secret",
    "guarded_socket_factory",
    "message_id",
    "next_attempt_at",
    "parse_cidrs",
    "parse_retry_after",
    "refusal_reason",
    "secret_hint",
    "sign",
    "signed_headers",
    "validate_webhook_url",
]
