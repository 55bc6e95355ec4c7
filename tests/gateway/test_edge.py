"""What reaches the gateway from the open internet: odd paths, odd headers, odd order.

Every request here goes over a real socket byte for byte (tests.conftest.raw_http):
httpx would normalise the very spellings an attacker uses.
"""

import base64
import contextlib
import json
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from starlette.types import Receive, Scope, Send

from shared.cli.broker import EmbeddedBroker, free_port
from shared.kit.auth import AUDIENCE, ISSUER, Principal, Role, sign_internal_token
from tests.conftest import (
    SECRET,
    Platform,
    RawResponse,
    raw_http,
    running_platform,
    serve,
)
from tests.gateway.conftest import lone_gateway

OPERATIONAL_TEXT = ("lotse_http_requests_total", "swagger", '"openapi"', '"checks"')


@pytest.fixture(scope="module")
async def edge(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Platform]:
    """The platform once, on SQLite: nothing here depends on the database."""
    async with running_platform("sqlite", tmp_path_factory.mktemp("edge")) as running:
        yield running


def assert_problem(response: RawResponse, status: int) -> None:
    assert response.status, response.body
    assert response.status == status, (response.status, response.body)
    assert response.header("content-type") == "application/problem+json"
    assert json.loads(response.body)["status"] == status


def assert_names_no_internal_address(response: RawResponse, platform: Platform) -> None:
    internal = platform.projects_url.removeprefix("http://")
    port = internal.rsplit(":", 1)[1]
    for name, value in response.headers:
        assert port not in value, (name, value)
    assert internal.encode() not in response.body


# -- 1. paths: only what the gateway rebuilt reaches a service -------------------------

ESCAPES = [
    "/api/v1/projects/.%09./.%09./.%09./{target}",
    "/api/v1/projects/.%0d./.%0d./.%0d./{target}",
    "/api/v1/projects/.%0a./.%0a./.%0a./{target}",
    "/api/v1/projects/%2e%2e/%2e%2e/%2e%2e/{target}",
    "/api/v1/projects/%2E./.%2e/%2e./{target}",
    "/api/v1/projects/../../../{target}",
    "/api/v1/projects/./../../../{target}",
    "/api/v1/projects/..%2f..%2f..%2f{target}",
    "/api/v1/projects/..%5c..%5c..%5c{target}",
    "/api/v1/projects/..\\..\\..\\{target}",
    "/api/v1/projects//..//..//..//{target}",
    "/api/v1/projects/%00/../../../{target}",
    "/api/v1/projects/.%20./.%20./.%20./{target}",
]


@pytest.mark.parametrize("target", ["metrics", "openapi.json", "docs", "readyz"])
@pytest.mark.parametrize("spelling", ESCAPES)
async def test_no_spelling_of_a_path_reaches_a_service_outside_its_api(
    edge: Platform, spelling: str, target: str
) -> None:
    path = spelling.format(target=target)
    response = await raw_http(edge.gateway_url, f"GET {path} HTTP/1.1\r\nHost: x".encode())
    # 400 is the HTTP parser's own refusal of bytes it does not take in a request line.
    assert response.status in (400, 404), (path, response.status, response.body[:200])
    for text in OPERATIONAL_TEXT:
        assert text not in response.body.decode("latin-1").lower(), path


async def test_a_forwarded_token_does_not_open_a_services_operational_routes(
    edge: Platform,
) -> None:
    anonymous = sign_internal_token(Principal(Role.ANONYMOUS, "anonymous"), SECRET, forwarded=True)
    for target in ("/metrics", "/openapi.json", "/docs", "/readyz", "/healthz"):
        forwarded = await raw_http(
            edge.projects_url,
            f"GET {target} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {anonymous}".encode(),
        )
        assert_problem(forwarded, 404)
        # Orchestrators and Prometheus call the service port directly, without a token.
        direct = await raw_http(edge.projects_url, f"GET {target} HTTP/1.1\r\nHost: x".encode())
        assert direct.status == 200, target


@dataclass(frozen=True)
class Forwarded:
    """What the stand-in service received of one request."""

    raw_path: bytes
    query: bytes
    headers: dict[bytes, bytes]


@contextlib.asynccontextmanager
async def echo_upstream() -> AsyncIterator[tuple[str, list[Forwarded]]]:
    """A stand-in service that records what the gateway sent and answers with a Location
    naming its own internal address, as a redirecting framework would."""
    seen: list[Forwarded] = []
    port = free_port()

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            while (await receive())["type"] != "lifespan.shutdown":
                await send({"type": "lifespan.startup.complete"})
            await send({"type": "lifespan.shutdown.complete"})
            return
        seen.append(Forwarded(scope["raw_path"], scope["query_string"], dict(scope["headers"])))
        await send(
            {
                "type": "http.response.start",
                "status": 307,
                "headers": [
                    (b"location", f"http://127.0.0.1:{port}/api/v1/projects/moved".encode()),
                    (b"content-type", b"application/json"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": b"{}"})

    async with serve(app, port):
        yield f"http://127.0.0.1:{port}", seen


@pytest.fixture(scope="module")
async def relayed(
    broker: EmbeddedBroker, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[tuple[str, str, list[Forwarded]]]:
    """A gateway in front of the stand-in service: (gateway URL, upstream URL, seen)."""
    async with (
        echo_upstream() as (upstream, seen),
        lone_gateway(
            tmp_path_factory.mktemp("relayed"),
            service_urls={"projects": upstream},
            LOTSE_KAFKA_BOOTSTRAP=broker.bootstrap,
        ) as (_, client),
    ):
        yield str(client.base_url).rstrip("/"), upstream, seen


@pytest.mark.parametrize(
    ("path", "query", "rebuilt"),
    [
        ("/api/v1/projects/ein%20Projekt/%C3%A4", "q=a%20b&x=%C3%A4+b", None),
        ("/api/v1/projects/A~b_c-d.e", "", None),
        ("/api/v1/projects", "limit=1", None),
        ("/api/v1/projects/...", "", None),
        # Spelled otherwise by the caller, asked for in the gateway's own spelling.
        ("/api/v1/projects/%41bc%7e", "", "/api/v1/projects/Abc~"),
        ("/api/v1/projects/%c3%a4%3a", "", "/api/v1/projects/%C3%A4%3A"),
    ],
)
async def test_the_upstream_path_is_rebuilt_from_checked_segments(
    relayed: tuple[str, str, list[Forwarded]], path: str, query: str, rebuilt: str | None
) -> None:
    gateway, upstream, seen = relayed
    target = path + ("?" + query if query else "")
    response = await raw_http(gateway, f"GET {target} HTTP/1.1\r\nHost: x".encode())
    assert response.status == 307
    assert seen[-1].raw_path == (rebuilt or path).encode()
    assert seen[-1].query == query.encode()
    # 3. the internal address in the upstream's Location never leaves the gateway
    assert response.header("location") == "/api/v1/projects/moved"
    assert upstream.rsplit(":", 1)[1] not in str(response.headers)


async def test_the_more_specific_prefix_wins(
    broker: EmbeddedBroker, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """/api/v1/projects/{id}/suggestions belongs to knowledge, the rest below projects."""
    async with (
        echo_upstream() as (projects, to_projects),
        echo_upstream() as (knowledge, to_knowledge),
        lone_gateway(
            tmp_path_factory.mktemp("prefixes"),
            service_urls={"projects": projects, "knowledge": knowledge},
            LOTSE_KAFKA_BOOTSTRAP=broker.bootstrap,
        ) as (_, client),
    ):
        gateway = str(client.base_url).rstrip("/")
        for path, seen in (
            ("/api/v1/projects/p-1/suggestions", to_knowledge),
            ("/api/v1/projects/p-1", to_projects),
            ("/api/v1/projects/p-1/other", to_projects),
            ("/api/v1/municipalities/06534014/solutions", to_knowledge),
            ("/api/v1/solutions/s-1/publiccode.yml", to_knowledge),
        ):
            response = await raw_http(gateway, f"GET {path} HTTP/1.1\r\nHost: x".encode())
            assert response.status == 307, path
            assert seen[-1].raw_path == path.encode()
        # A template's parameter is one checked segment, never a way out of the prefix.
        for path in (
            "/api/v1/projects/%2e%2e/suggestions",
            "/api/v1/projects/a%2fb/suggestions",
            "/api/v1/municipalities/%00/solutions",
        ):
            response = await raw_http(gateway, f"GET {path} HTTP/1.1\r\nHost: x".encode())
            assert_problem(response, 404)


# -- 2. odd input is a 4xx problem, never a 500 ----------------------------------------


@pytest.mark.parametrize("code", ["%00", "%01", "%08", "%09", "%0a", "%0d", "%1b", "%1f", "%7f"])
async def test_control_characters_in_a_proxied_path_are_refused(edge: Platform, code: str) -> None:
    path = f"/api/v1/projects/a{code}b"
    response = await raw_http(edge.gateway_url, f"GET {path} HTTP/1.1\r\nHost: x".encode())
    assert_problem(response, 404)


@pytest.mark.parametrize("query", ["q=%FF%FE", "q=%C3", "q=a%00b", "q=%01", "q=a%0Ab", "x=%7F"])
async def test_a_query_string_that_is_not_utf_8_text_is_a_400(edge: Platform, query: str) -> None:
    for path in ("/api/v1/projects", "/api/v1/search", "/api/v1/feed"):
        response = await raw_http(
            edge.gateway_url, f"GET {path}?{query} HTTP/1.1\r\nHost: x".encode()
        )
        assert_problem(response, 400)
        assert "query string" in json.loads(response.body)["detail"]


@pytest.mark.parametrize(
    "header", ["Idempotency-Key", "If-Match", "If-None-Match", "Accept", "Content-Type"]
)
@pytest.mark.parametrize("path", ["/api/v1/projects", "/api/v1/municipalities"])
async def test_non_ascii_in_a_header_the_gateway_reads_is_a_400(
    edge: Platform, header: str, path: str
) -> None:
    head = f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n".encode()
    head += f"Authorization: Bearer {await edge.key('coordinator')}\r\n".encode()
    head += header.encode() + b": \xe4\xff\x80"
    if header != "Content-Type":
        head += b"\r\nContent-Type: application/json"
    response = await raw_http(edge.gateway_url, head, b"{}")
    assert_problem(response, 400)
    assert header.lower() in json.loads(response.body)["detail"].lower()


@pytest.mark.parametrize(
    "value",
    [b"\xe4\xff", b"a b", b"x" * 65, b"", b"tab\there"],
    ids=["non-ascii", "space", "too-long", "empty", "tab"],
)
async def test_an_odd_request_id_is_replaced_not_echoed(edge: Platform, value: bytes) -> None:
    response = await raw_http(
        edge.gateway_url, b"GET /api/v1/projects HTTP/1.1\r\nHost: x\r\nX-Request-ID: " + value
    )
    assert response.status == 200
    request_id = response.header("x-request-id")
    assert request_id is not None
    assert len(request_id) == 32
    assert request_id.isalnum()


async def test_a_good_request_id_is_kept(edge: Platform) -> None:
    response = await raw_http(
        edge.gateway_url,
        b"GET /api/v1/projects HTTP/1.1\r\nHost: x\r\nX-Request-ID: client-42.retry:1",
    )
    assert response.status == 200
    assert response.header("x-request-id") == "client-42.retry:1"


@pytest.mark.parametrize(
    "traceparent",
    [
        b"\xe4\xff-not-a-trace",
        b"00-" + b"0" * 32 + b"-" + b"1" * 16 + b"-01",
        b"00-" + b"a" * 32 + b"-" + b"0" * 16 + b"-01",
        b"ff-" + b"a" * 32 + b"-" + b"b" * 16 + b"-01",
        b"00-" + b"A" * 32 + b"-" + b"b" * 16 + b"-01",
        b"00-" + b"a" * 32 + b"-" + b"b" * 16 + b"-01-extra",
        b"00-" + b"a" * 32 + b"-" + b"b" * 16,
    ],
    ids=["garbage", "zero-trace", "zero-parent", "version-ff", "upper-case", "extra", "short"],
)
async def test_a_malformed_traceparent_is_replaced_not_forwarded(
    relayed: tuple[str, str, list[Forwarded]], traceparent: bytes
) -> None:
    gateway, _, seen = relayed
    good = b"00-" + b"a" * 32 + b"-" + b"b" * 16 + b"-01"
    await raw_http(gateway, b"GET /api/v1/projects HTTP/1.1\r\nHost: x\r\ntraceparent: " + good)
    assert seen[-1].headers[b"traceparent"] == good
    response = await raw_http(
        gateway, b"GET /api/v1/projects HTTP/1.1\r\nHost: x\r\ntraceparent: " + traceparent
    )
    assert response.status == 307
    forwarded = seen[-1].headers[b"traceparent"]
    assert forwarded != traceparent
    version, trace_id, parent_id, flags = forwarded.decode().split("-")
    assert (version, len(trace_id), len(parent_id), len(flags)) == ("00", 32, 16, 2)
    assert int(trace_id, 16) and int(parent_id, 16)


# -- 3. nothing the gateway answers names an internal host or port ---------------------


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/projects/",
        "/api/v1/projects/?limit=1",
        "/api/v1/municipalities/",
        "/api/v1/topics/",
        "/api/v1/projects//",
    ],
)
async def test_a_trailing_slash_is_a_404_not_a_redirect(edge: Platform, path: str) -> None:
    response = await raw_http(edge.gateway_url, f"GET {path} HTTP/1.1\r\nHost: x".encode())
    assert_problem(response, 404)
    assert response.header("location") is None
    assert_names_no_internal_address(response, edge)


async def test_a_service_does_not_redirect_a_trailing_slash_either(edge: Platform) -> None:
    token = sign_internal_token(Principal(Role.ANONYMOUS, "anonymous"), SECRET)
    response = await raw_http(
        edge.projects_url,
        f"GET /api/v1/projects/ HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}".encode(),
    )
    assert_problem(response, 404)
    assert response.header("location") is None


async def test_a_created_project_location_is_the_public_path(edge: Platform) -> None:
    ags = await edge.municipality()
    key = await edge.key("municipality", ags)
    body = json.dumps({"title": "Pfad", "topics": ["energy"]}).encode()
    response = await raw_http(
        edge.gateway_url,
        b"POST /api/v1/projects HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        + f"Authorization: Bearer {key}\r\nContent-Length: {len(body)}".encode(),
        body,
    )
    assert response.status == 201, response.body
    assert response.header("location") == f"/api/v1/projects/{json.loads(response.body)['id']}"
    assert_names_no_internal_address(response, edge)


# -- 4. who you are is settled before what you sent is looked at -----------------------

WRITES = [
    ("POST", "/api/v1/municipalities", b'{"nonsense": 1}'),
    ("POST", "/api/v1/municipalities", b"{"),
    ("PATCH", "/api/v1/municipalities/06534014", b'{"population": "many"}'),
    ("PATCH", "/api/v1/municipalities/not-an-ags", b"{"),
    ("POST", "/api/v1/api-keys", b'{"role": "emperor"}'),
    ("POST", "/api/v1/api-keys", b"{"),
    ("DELETE", "/api/v1/api-keys/not-a-uuid", b""),
    ("POST", "/api/v1/projects", b'{"nonsense": 1}'),
    ("POST", "/api/v1/projects", b"{"),
    ("POST", "/api/v1/projects/import", b"no,csv\n"),
    ("PATCH", "/api/v1/projects/not-a-uuid", b'{"status": "sideways"}'),
    ("PATCH", "/api/v1/projects/00000000-0000-0000-0000-000000000000", b"{"),
    ("DELETE", "/api/v1/projects/not-a-uuid", b""),
]


@pytest.mark.parametrize(("who", "status"), [("anonymous", 401), ("unknown", 401), ("reader", 403)])
@pytest.mark.parametrize(("method", "path", "body"), WRITES)
async def test_writes_authenticate_before_they_validate(
    edge: Platform, who: str, status: int, method: str, path: str, body: bytes
) -> None:
    head = f"{method} {path} HTTP/1.1\r\nHost: x\r\nContent-Length: {len(body)}\r\n"
    head += "Content-Type: application/json"
    if who == "unknown":
        head += "\r\nAuthorization: Bearer lotse_00000000_nobody_has_this_key_at_all"
    elif who == "reader":
        head += f"\r\nAuthorization: Bearer {await edge.key('reader')}"
    response = await raw_http(edge.gateway_url, head.encode(), body)
    assert_problem(response, status)
    assert "errors" not in json.loads(response.body)


@pytest.mark.parametrize(("role", "status"), [(Role.ANONYMOUS, 401), (Role.READER, 403)])
@pytest.mark.parametrize(("method", "path", "body"), [w for w in WRITES if "projects" in w[1]])
async def test_a_service_authenticates_before_it_validates_too(
    edge: Platform, role: Role, status: int, method: str, path: str, body: bytes
) -> None:
    token = sign_internal_token(Principal(role, "key:somebody"), SECRET)
    head = f"{method} {path} HTTP/1.1\r\nHost: x\r\nContent-Length: {len(body)}\r\n"
    head += f"Content-Type: application/json\r\nAuthorization: Bearer {token}"
    response = await raw_http(edge.projects_url, head.encode(), body)
    assert_problem(response, status)


def _admin_claims() -> dict[str, object]:
    now = int(time.time())
    return {"iss": ISSUER, "aud": AUDIENCE, "sub": "key:x", "role": "admin", "iat": now,
            "exp": now + 30}  # fmt: skip


def _unsigned(claims: dict[str, object]) -> str:
    parts = [{"alg": "none", "typ": "JWT"}, claims]
    encoded = [base64.urlsafe_b64encode(json.dumps(p).encode()).rstrip(b"=") for p in parts]
    return b".".join(encoded).decode() + "."


FORGED_INTERNAL_TOKENS = {
    "other-secret": lambda: sign_internal_token(
        Principal(Role.ADMIN, "key:x"), "a-guessed-secret-of-at-least-32-chars"
    ),
    "other-secret-forwarded": lambda: sign_internal_token(
        Principal(Role.ADMIN, "key:x"), "a-guessed-secret-of-at-least-32-chars", forwarded=True
    ),
    "alg-none": lambda: _unsigned(_admin_claims()),
    "hs512": lambda: jwt.encode(_admin_claims(), SECRET, algorithm="HS512"),
    "rs256": lambda: jwt.encode(
        _admin_claims(), rsa.generate_private_key(public_exponent=65537, key_size=2048), "RS256"
    ),
    "signature-cut-off": lambda: (
        sign_internal_token(Principal(Role.ADMIN, "key:x"), SECRET).rsplit(".", 1)[0] + "."
    ),
}


@pytest.mark.filterwarnings("ignore:The HMAC key")  # a forger's short key, on purpose
@pytest.mark.parametrize("kind", list(FORGED_INTERNAL_TOKENS))
async def test_a_service_refuses_internal_tokens_the_gateway_did_not_sign(
    edge: Platform, kind: str
) -> None:
    token = FORGED_INTERNAL_TOKENS[kind]()
    for method, path, body in (
        ("GET", "/api/v1/projects", b""),
        ("POST", "/api/v1/projects", b'{"title": "x", "topics": ["energy"]}'),
    ):
        head = f"{method} {path} HTTP/1.1\r\nHost: x\r\nContent-Length: {len(body)}\r\n"
        head += f"Content-Type: application/json\r\nAuthorization: Bearer {token}"
        assert_problem(await raw_http(edge.projects_url, head.encode(), body), 401)


@pytest.mark.parametrize("forwarded", [False, True])
async def test_the_gateway_refuses_its_own_internal_tokens_from_callers(
    edge: Platform, forwarded: bool
) -> None:
    # Signed with the very secret the services trust: still not a credential at the edge.
    token = sign_internal_token(Principal(Role.ADMIN, "key:x"), SECRET, forwarded=forwarded)
    for path in ("/api/v1/projects", "/api/v1/api-keys"):
        head = f"GET {path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}"
        assert_problem(await raw_http(edge.gateway_url, head.encode()), 401)


# -- 5. request heads are bounded ------------------------------------------------------


@pytest.mark.parametrize(
    "head",
    [
        b"GET /api/v1/projects HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + b"a" * 2**20,
        b"GET /api/v1/projects HTTP/1.1\r\nHost: x\r\n"
        + b"\r\n".join(b"X-%d: y" % i for i in range(10_000)),
        b"GET /api/v1/projects HTTP/1.1\r\nHost: x\r\n"
        + b"\r\n".join(b"X-%d: y" % i for i in range(101)),
    ],
    ids=["1-MB-authorization", "10000-headers", "101-headers"],
)
async def test_an_oversized_request_head_is_a_431(edge: Platform, head: bytes) -> None:
    assert_problem(await raw_http(edge.gateway_url, head), 431)
    healthy = await raw_http(edge.gateway_url, b"GET /api/v1/topics HTTP/1.1\r\nHost: x")
    assert healthy.status == 200
