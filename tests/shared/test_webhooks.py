"""Outgoing webhooks: signatures a Standard Webhooks receiver accepts, retries, SSRF refusals.

Deliveries go to a real aiohttp receiver on 127.0.0.1 that verifies every request with
the `standardwebhooks` library. A guard on `socket.connect` records every address this
process connects to and refuses anything but loopback, so a refusal is proven to happen
before any connect and no test sends a packet beyond this machine.
"""

import asyncio
import base64
import ipaddress
import socket
import ssl
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.abc import AbstractResolver, ResolveResult
from aiohttp.resolver import ThreadedResolver
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from shared.cli.broker import free_port
from shared.kit.webhooks import (
    DISABLE_AFTER,
    RETRY_SCHEDULE,
    DeliveryError,
    DeliveryPolicy,
    DeliveryResult,
    EndpointSecrets,
    ForbiddenAddress,
    GuardedResolver,
    Outcome,
    WebhookClient,
    WebhookSettings,
    build_payload,
    decide_after_attempt,
    generate_secret,
    guarded_socket_factory,
    message_id,
    next_attempt_at,
    parse_cidrs,
    refusal_reason,
    secret_key,
    signed_headers,
    validate_webhook_url,
)
from tests.certificates import self_signed

LOOPBACK = DeliveryPolicy(allowed_networks=parse_cidrs("127.0.0.0/8"))
NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


# --------------------------------------------------------------------------- fixtures


@pytest.fixture
def connects(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Any]]:
    """Every address connected to; a non-loopback connect fails the test instead of leaving."""
    seen: list[Any] = []
    original = socket.socket.connect

    def guarded(self: socket.socket, address: Any) -> None:
        seen.append(address)
        host = address[0] if isinstance(address, tuple) else str(address)
        if not ipaddress.ip_address(host.split("%")[0]).is_loopback:
            raise AssertionError(f"test tried to connect to {address!r}")
        original(self, address)

    monkeypatch.setattr(socket.socket, "connect", guarded)
    yield seen


@dataclass
class Receiver:
    """A webhook receiver that verifies with `standardwebhooks` and records what it got."""

    port: int
    secrets: list[str]
    received: list[dict[str, Any]] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)
    hits: dict[str, int] = field(default_factory=dict)
    release: asyncio.Event = field(default_factory=asyncio.Event)

    def url(self, path: str = "/hook", host: str = "127.0.0.1", scheme: str = "http") -> str:
        return f"{scheme}://{host}:{self.port}{path}"

    async def hook(self, request: web.Request) -> web.Response:
        self.hits[request.path] = self.hits.get(request.path, 0) + 1
        body = await request.read()
        headers = dict(request.headers)
        for secret in self.secrets:
            try:
                payload = Webhook(secret).verify(body, headers)
            except WebhookVerificationError as exc:
                self.rejected.append(f"{secret[-4:]}: {exc}")
                continue
            self.received.append({"payload": payload, "headers": headers, "secret": secret})
        return web.json_response({"ok": True})

    async def other(self, request: web.Request) -> web.StreamResponse:
        self.hits[request.path] = self.hits.get(request.path, 0) + 1
        await request.read()
        if request.path == "/redirect-out":
            raise web.HTTPFound("http://10.0.0.1/steal")
        if request.path == "/redirect-in":
            raise web.HTTPFound(self.url("/hook"))
        if request.path == "/gone":
            return web.Response(status=410)
        if request.path == "/busy":
            return web.Response(status=503, headers={"Retry-After": "120"})
        if request.path == "/big":
            return web.Response(body=b"x" * (1024 * 1024))
        if request.path == "/slow":
            await self.release.wait()
        return web.Response(status=204)


def _app(receiver: Receiver) -> web.Application:
    app = web.Application()
    app.router.add_post("/hook", receiver.hook)
    app.router.add_post("/{name}", receiver.other)
    return app


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    instance = Receiver(port=free_port(), secrets=[generate_secret()])
    runner = web.AppRunner(_app(instance))
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", instance.port).start()
    yield instance
    instance.release.set()
    await runner.cleanup()


class StaticResolver(AbstractResolver):
    """DNS for tests: fixed answers, so names never leave the machine."""

    def __init__(self, answers: dict[str, list[str]]) -> None:
        self.answers = answers

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        if host not in self.answers:
            raise OSError(f"no such name {host}")
        return [
            ResolveResult(
                hostname=host,
                host=address,
                port=port,
                family=socket.AF_INET6 if ":" in address else socket.AF_INET,
                proto=0,
                flags=socket.AI_NUMERICHOST,
            )
            for address in self.answers[host]
        ]

    async def close(self) -> None:
        return None


# --------------------------------------------------------------------------- signing


def test_a_generated_secret_is_whsec_and_32_random_bytes() -> None:
    first, second = generate_secret(), generate_secret()
    assert first.startswith("whsec_") and first != second
    assert len(base64.b64decode(first.removeprefix("whsec_"))) == 32
    assert secret_key(first) == base64.b64decode(first[6:])
    with pytest.raises(ValueError):
        secret_key("not-a-secret")


def test_signed_headers_verify_with_the_standardwebhooks_library() -> None:
    secret = generate_secret()
    body = build_payload("funding.call.published", {"id": "c1", "titel": "Förderung"}, NOW)
    headers = signed_headers([secret], "msg_1", body)
    assert headers["webhook-signature"].startswith("v1,")
    payload = Webhook(secret).verify(body, headers)
    assert payload == {
        "type": "funding.call.published",
        "timestamp": "2026-03-02T12:00:00Z",
        "data": {"id": "c1", "titel": "Förderung"},
    }
    with pytest.raises(WebhookVerificationError):
        Webhook(generate_secret()).verify(body, headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(secret).verify(body + b" ", headers)


def test_during_rotation_both_secrets_sign_and_each_verifies_alone() -> None:
    old = EndpointSecrets(current=generate_secret())
    rotated, shown = old.rotate(NOW, overlap=timedelta(hours=24))
    assert shown == rotated.current and rotated.previous == old.current
    body = build_payload("t", {}, NOW)

    during = signed_headers(rotated.signing(NOW + timedelta(hours=23)), "msg_2", body)
    assert len(during["webhook-signature"].split(" ")) == 2
    Webhook(old.current).verify(body, during)  # a receiver not yet updated
    Webhook(rotated.current).verify(body, during)  # a receiver already updated

    after = signed_headers(rotated.signing(NOW + timedelta(hours=24)), "msg_2", body)
    assert len(after["webhook-signature"].split(" ")) == 1
    Webhook(rotated.current).verify(body, after)
    with pytest.raises(WebhookVerificationError):
        Webhook(old.current).verify(body, after)


def test_message_id_from_a_dedup_key_is_the_same_on_every_replica() -> None:
    assert message_id("reminder/s1/c1/d1/3") == message_id("reminder/s1/c1/d1/3")
    assert message_id("reminder/s1/c1/d1/3") != message_id("reminder/s1/c1/d1/14")
    assert message_id() != message_id()


# --------------------------------------------------------------------------- retries


def test_retry_schedule_follows_the_spec_without_jitter() -> None:
    def mid() -> float:
        return 0.5  # jitter factor exactly 1

    def delay(attempt: int) -> float:
        due = next_attempt_at(attempt, NOW, rand=mid)
        assert due is not None, attempt
        return (due - NOW).total_seconds()

    expected = [5, 300, 1800, 7200, 18000, 36000, 50400, 72000, 86400]
    got = [delay(n) for n in range(1, 10)]
    assert got == expected
    assert RETRY_SCHEDULE[0] == timedelta(0)
    assert next_attempt_at(10, NOW) is None


def test_jitter_stays_within_ten_percent() -> None:
    low = next_attempt_at(3, NOW, rand=lambda: 0.0)
    high = next_attempt_at(3, NOW, rand=lambda: 0.999999)
    assert low == NOW + timedelta(minutes=27)
    assert high is not None and NOW + timedelta(minutes=32) < high <= NOW + timedelta(minutes=33)


def test_retry_after_seconds_and_http_date_push_the_attempt_later_never_earlier() -> None:
    def mid() -> float:
        return 0.5

    assert next_attempt_at(1, NOW, "120", rand=mid) == NOW + timedelta(seconds=120)
    assert next_attempt_at(2, NOW, "1", rand=mid) == NOW + timedelta(minutes=5)
    http_date = "Mon, 02 Mar 2026 13:00:00 GMT"
    assert next_attempt_at(1, NOW, http_date, rand=mid) == NOW + timedelta(hours=1)
    assert next_attempt_at(1, NOW, "999999999", rand=mid) == NOW + timedelta(hours=24)
    assert next_attempt_at(1, NOW, "garbage", rand=mid) == NOW + timedelta(seconds=5)


def test_after_an_attempt_the_service_retries_gives_up_or_disables() -> None:
    failed = DeliveryResult(500, DeliveryError.HTTP_STATUS, "HTTP 500")
    retry = decide_after_attempt(failed, attempt=1, now=NOW, failing_since=None)
    assert retry.outcome is Outcome.RETRY and retry.retry_at is not None

    given_up = decide_after_attempt(failed, attempt=10, now=NOW, failing_since=NOW)
    assert given_up.outcome is Outcome.FAILED

    gone = DeliveryResult(410, DeliveryError.HTTP_STATUS, "HTTP 410")
    assert decide_after_attempt(gone, attempt=1, now=NOW, failing_since=None).outcome is (
        Outcome.DISABLE_ENDPOINT
    )

    since = NOW - DISABLE_AFTER
    five_days = decide_after_attempt(failed, attempt=2, now=NOW, failing_since=since)
    assert five_days.outcome is Outcome.DISABLE_ENDPOINT and "5 days" in five_days.reason
    almost = NOW - DISABLE_AFTER + timedelta(minutes=1)
    assert decide_after_attempt(failed, attempt=2, now=NOW, failing_since=almost).outcome is (
        Outcome.RETRY
    )

    ok = DeliveryResult(204)
    assert decide_after_attempt(ok, attempt=3, now=NOW, failing_since=since).outcome is (
        Outcome.DELIVERED
    )


# --------------------------------------------------------------------------- addresses and URLs


@pytest.mark.parametrize(
    "address",
    [
        "10.0.0.1",
        "172.16.0.1",
        "192.168.1.1",
        "169.254.169.254",
        "127.0.0.1",
        "0.0.0.0",
        "100.64.0.1",
        "224.0.0.1",
        "240.0.0.1",
        "::1",
        "::",
        "fe80::1",
        "fc00::1",
        "fec0::1",
        "ff02::1",
        "::ffff:127.0.0.1",
        "::ffff:10.0.0.1",
        "64:ff9b::a9fe:a9fe",  # NAT64 form of 169.254.169.254
        "2002:a00:1::1",  # 6to4 form of 10.0.0.1
        "2001::1",  # Teredo
    ],
)
def test_internal_addresses_are_refused(address: str) -> None:
    assert refusal_reason(ipaddress.ip_address(address)) is not None


@pytest.mark.parametrize(
    "address", ["93.184.215.14", "2a00:1450:4001:82a::200e", "64:ff9b::808:808"]
)
def test_public_addresses_are_allowed(address: str) -> None:
    assert refusal_reason(ipaddress.ip_address(address)) is None


def test_allow_listed_networks_open_exactly_themselves() -> None:
    allowed = parse_cidrs("127.0.0.0/8, fd00:1::/64")
    assert refusal_reason(ipaddress.ip_address("127.0.0.1"), allowed) is None
    assert refusal_reason(ipaddress.ip_address("::ffff:127.0.0.1"), allowed) is None
    assert refusal_reason(ipaddress.ip_address("fd00:1::5"), allowed) is None
    assert refusal_reason(ipaddress.ip_address("10.0.0.1"), allowed) is not None
    assert refusal_reason(ipaddress.ip_address("fd00:2::5"), allowed) is not None
    # Loopback is one machine in both families (test_loopback_allowed_in_one_family...).
    assert refusal_reason(ipaddress.ip_address("::1"), allowed) is None
    assert refusal_reason(ipaddress.ip_address("::1"), parse_cidrs("10.0.0.0/8")) is not None


def test_allowed_cidrs_are_read_comma_separated_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("LOTSE_WEBHOOK_ALLOWED_CIDRS", "127.0.0.0/8, ::1/128")
    policy = WebhookSettings().policy()
    assert [str(n) for n in policy.allowed_networks] == ["127.0.0.0/8", "::1/128"]
    monkeypatch.delenv("LOTSE_WEBHOOK_ALLOWED_CIDRS")
    assert WebhookSettings().policy().allowed_networks == ()


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://hooks.example.org/x", "https only"),
        ("ftp://hooks.example.org/x", "https://"),
        ("https://user:pw@hooks.example.org/x", "no user name or password"),
        ("https://hooks.example.org/x#frag", "no fragment"),
        ("https://10.0.0.1/x", "private"),
        ("https://[::ffff:127.0.0.1]/x", "IPv4-mapped"),
        ("https://localhost/x", "localhost"),
        ("https://hooks.example.org/a b", "no spaces"),
        ("/relative", "https://"),
        # IPv4 spellings a resolver may read as an address: never delivered, so a 422.
        ("https://2852039166/x", "four decimal numbers"),
        ("https://0x7f.1/x", "four decimal numbers"),
        ("https://0177.0.0.1/x", "four decimal numbers"),
        ("https://127.1/x", "four decimal numbers"),
        ("https://1.2.3.04/x", "four decimal numbers"),
        # Host names IDNA cannot decode: yarl parses them, and fails only when asked.
        ("https://xn--/x", "not a URL"),
        ("https://xn--a.example/x", "not a URL"),
        ("https://a.xn--ab-/x", "not a URL"),
    ],
)
def test_subscription_url_errors_name_the_field(url: str, message: str) -> None:
    errors = validate_webhook_url(url, DeliveryPolicy(), field_name="endpoint_url")
    assert len(errors) == 1 and errors[0]["field"] == "endpoint_url"
    assert message in errors[0]["message"]


def test_a_good_subscription_url_has_no_errors() -> None:
    assert validate_webhook_url("https://hooks.example.org:8443/lotse?x=1", DeliveryPolicy()) == []
    assert validate_webhook_url("http://127.0.0.1:9000/hook", LOOPBACK) == []
    assert validate_webhook_url("http://192.168.1.1/hook", LOOPBACK) != []
    # Names with digits are names: only a numeric last label is an odd address.
    assert validate_webhook_url("https://1und1.de/hook", DeliveryPolicy()) == []
    assert validate_webhook_url("https://hooks.0x7f.org/x", DeliveryPolicy()) == []


# --------------------------------------------------------------------------- real deliveries


async def test_a_signed_delivery_is_verified_by_a_real_receiver(
    receiver: Receiver, connects: list[Any]
) -> None:
    secrets = EndpointSecrets(current=receiver.secrets[0])
    body = build_payload("funding.call.published", {"id": "c-1"}, datetime.now(UTC))
    async with WebhookClient(LOOPBACK) as client:
        result = await client.deliver(receiver.url(), secrets, "msg_a", body)
    assert result.ok and result.status == 200, result
    assert result.body == b'{"ok": true}'
    assert [r["payload"]["data"] for r in receiver.received] == [{"id": "c-1"}]
    assert receiver.received[0]["headers"]["webhook-id"] == "msg_a"
    assert connects and all(address[0] == "127.0.0.1" for address in connects)


async def test_in_rotation_a_receiver_with_either_secret_accepts(
    receiver: Receiver, connects: list[Any]
) -> None:
    old = EndpointSecrets(current=receiver.secrets[0])
    rotated, new_secret = old.rotate(datetime.now(UTC))
    receiver.secrets.append(new_secret)
    body = build_payload("t", {"n": 1}, datetime.now(UTC))
    async with WebhookClient(LOOPBACK) as client:
        result = await client.deliver(receiver.url(), rotated, message_id(), body)
    assert result.ok
    assert sorted(r["secret"] for r in receiver.received) == sorted(receiver.secrets)
    assert receiver.rejected == []


@pytest.mark.parametrize(
    "url",
    [
        "https://10.0.0.1/hook",
        "https://172.16.0.1/hook",
        "https://192.168.1.1/hook",
        "https://169.254.169.254/latest/meta-data/",
        "https://[::1]/hook",
        "https://[fe80::1]/hook",
        "https://[fc00::1]/hook",
        "https://[::ffff:127.0.0.1]/hook",
        "https://localhost/hook",
        "https://xn--/hook",  # stored before it was refused: fails, never raises
    ],
)
async def test_internal_targets_are_refused_before_any_connect(
    url: str, connects: list[Any]
) -> None:
    async with WebhookClient(DeliveryPolicy()) as client:
        result = await client.post(url, b"{}", {"content-type": "application/json"})
    assert not result.ok and result.error is DeliveryError.INVALID_URL
    assert not result.connected and connects == []


async def test_a_name_resolving_to_loopback_is_refused_at_connect_when_not_allow_listed(
    receiver: Receiver, connects: list[Any]
) -> None:
    resolver = StaticResolver({"hooks.example.org": ["127.0.0.1"]})
    async with WebhookClient(DeliveryPolicy(), resolver=resolver) as client:
        url = f"https://hooks.example.org:{receiver.port}/hook"
        assert validate_webhook_url(url, client.policy) == []  # only DNS tells
        result = await client.post(url, b"{}", {})
    assert result.error is DeliveryError.FORBIDDEN_ADDRESS, result
    assert "loopback" in result.detail
    assert connects == [] and receiver.hits == {}


async def test_the_real_localhost_name_is_refused_by_the_connect_time_resolver(
    connects: list[Any],
) -> None:
    # `localhost` through the system resolver, as the client's connector resolves it.
    resolver = GuardedResolver(ThreadedResolver(), DeliveryPolicy().refusal_check("https"))
    with pytest.raises(ForbiddenAddress, match="loopback"):
        await resolver.resolve("localhost", 443, socket.AF_UNSPEC)
    allowing = GuardedResolver(ThreadedResolver(), LOOPBACK.refusal_check("https"))
    answers = await allowing.resolve("localhost", 443, socket.AF_INET)
    assert {a["host"] for a in answers} == {"127.0.0.1"}
    assert connects == []


async def test_loopback_allowed_in_one_family_is_allowed_in_both() -> None:
    # localhost is 127.0.0.1 and ::1 on many systems: 127.0.0.0/8 alone must not make its
    # deliveries fail on ::1, nor ::1/128 alone on 127.0.0.1.
    resolver = StaticResolver({"localhost": ["::1", "127.0.0.1"]})
    for allowed in ("127.0.0.0/8", "::1/128"):
        check = DeliveryPolicy(allowed_networks=parse_cidrs(allowed)).refusal_check("http")
        answers = await GuardedResolver(resolver, check).resolve("localhost", 80)
        assert {a["host"] for a in answers} == {"::1", "127.0.0.1"}
    # Allowing a private network does not allow loopback.
    check = DeliveryPolicy(allowed_networks=parse_cidrs("10.0.0.0/8")).refusal_check("http")
    with pytest.raises(ForbiddenAddress, match="not to ::1"):
        await GuardedResolver(resolver, check).resolve("localhost", 80)


def test_the_socket_factory_refuses_a_forbidden_address_before_connect(
    connects: list[Any],
) -> None:
    # The second gate, behind the resolver: whatever reaches connect() is checked again.
    strict = guarded_socket_factory(DeliveryPolicy().refusal_check("https"))
    for family, sockaddr in [
        (socket.AF_INET, ("10.0.0.1", 443)),
        (socket.AF_INET6, ("::ffff:169.254.169.254", 443, 0, 0)),
        (socket.AF_INET, ("127.0.0.1", 443)),
    ]:
        with pytest.raises(ForbiddenAddress):
            strict((family, socket.SOCK_STREAM, 6, "", sockaddr))
    opened = guarded_socket_factory(LOOPBACK.refusal_check("http"))(
        (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", 80))
    )
    opened.close()
    assert connects == []


async def test_a_name_with_one_internal_address_among_others_is_refused_whole(
    connects: list[Any],
) -> None:
    resolver = StaticResolver({"mixed.example.org": ["93.184.215.14", "10.0.0.1"]})
    async with WebhookClient(DeliveryPolicy(), resolver=resolver) as client:
        result = await client.post("https://mixed.example.org/hook", b"{}", {})
    assert result.error is DeliveryError.FORBIDDEN_ADDRESS and "10.0.0.1" in result.detail
    assert connects == []


async def test_a_name_is_connected_to_the_address_that_was_checked(
    receiver: Receiver, connects: list[Any]
) -> None:
    resolver = StaticResolver({"hooks.lotse.test": ["127.0.0.1"]})
    async with WebhookClient(LOOPBACK, resolver=resolver) as client:
        result = await client.deliver(
            f"http://hooks.lotse.test:{receiver.port}/hook",
            EndpointSecrets(current=receiver.secrets[0]),
            "msg_b",
            b'{"type":"t","timestamp":"x","data":{}}',
        )
    assert result.ok, result
    assert receiver.received[0]["headers"]["Host"] == f"hooks.lotse.test:{receiver.port}"
    assert [a[0] for a in connects] == ["127.0.0.1"]


async def test_plain_http_goes_only_to_allow_listed_networks(connects: list[Any]) -> None:
    resolver = StaticResolver({"public.example.org": ["93.184.215.14"]})
    async with WebhookClient(LOOPBACK, resolver=resolver) as client:
        result = await client.post("http://public.example.org/hook", b"{}", {})
    assert result.error is DeliveryError.FORBIDDEN_ADDRESS
    assert "plain http" in result.detail and connects == []


async def test_a_redirect_is_not_followed_and_counts_as_failure(
    receiver: Receiver, connects: list[Any]
) -> None:
    async with WebhookClient(LOOPBACK) as client:
        out = await client.post(receiver.url("/redirect-out"), b"{}", {})
        inside = await client.post(receiver.url("/redirect-in"), b"{}", {})
    assert out.status == 302 and out.error is DeliveryError.REDIRECT and not out.ok
    assert "10.0.0.1" in out.detail
    assert inside.error is DeliveryError.REDIRECT
    assert receiver.hits.get("/hook") is None  # not even a redirect to itself is followed
    assert {a[0] for a in connects} == {"127.0.0.1"}
    decision = decide_after_attempt(out, attempt=1, now=NOW, failing_since=None)
    assert decision.outcome is Outcome.RETRY


async def test_gone_busy_big_and_slow_answers(receiver: Receiver, connects: list[Any]) -> None:
    policy = DeliveryPolicy(allowed_networks=LOOPBACK.allowed_networks, timeout_seconds=0.5)
    async with WebhookClient(policy) as client:
        gone = await client.post(receiver.url("/gone"), b"{}", {})
        busy = await client.post(receiver.url("/busy"), b"{}", {})
        big = await client.post(receiver.url("/big"), b"{}", {})
        slow = await client.post(receiver.url("/slow"), b"{}", {})
    assert gone.status == 410
    assert decide_after_attempt(gone, attempt=1, now=NOW, failing_since=None).outcome is (
        Outcome.DISABLE_ENDPOINT
    )
    assert busy.status == 503 and busy.retry_after == "120"
    assert decide_after_attempt(busy, attempt=1, now=NOW, failing_since=None).retry_at == (
        NOW + timedelta(seconds=120)
    )
    assert big.ok and len(big.body) == 64 * 1024
    assert slow.error is DeliveryError.TIMEOUT


# ----------------------------------------------------------------- TLS to a pinned address


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("tls")
    return self_signed(folder, common_name="hooks.lotse.test", alt_name="DNS:hooks.lotse.test")


async def test_tls_checks_the_certificate_of_the_name_while_connecting_to_the_checked_ip(
    certificate: tuple[Path, Path], connects: list[Any]
) -> None:
    cert, key = certificate
    server_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_ctx.load_cert_chain(cert, key)
    secret = generate_secret()
    instance = Receiver(port=free_port(), secrets=[secret])
    runner = web.AppRunner(_app(instance))
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", instance.port, ssl_context=server_ctx).start()
    client_ctx = ssl.create_default_context(cafile=str(cert))
    resolver = StaticResolver(
        {"hooks.lotse.test": ["127.0.0.1"], "other.lotse.test": ["127.0.0.1"]}
    )
    try:
        async with WebhookClient(LOOPBACK, resolver=resolver, ssl_context=client_ctx) as client:
            good = await client.deliver(
                instance.url(host="hooks.lotse.test", scheme="https"),
                EndpointSecrets(current=secret),
                "msg_tls",
                build_payload("t", {}, datetime.now(UTC)),
            )
            wrong_name = await client.post(
                instance.url(host="other.lotse.test", scheme="https"), b"{}", {}
            )
    finally:
        await runner.cleanup()
    assert good.ok, good
    assert len(instance.received) == 1
    assert wrong_name.error is DeliveryError.TLS and not wrong_name.ok
    assert {a[0] for a in connects} == {"127.0.0.1"}
