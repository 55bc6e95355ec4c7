"""Single sign-on with an OpenID Connect issuer: bearer tokens and the browser's login.

The issuer is tests.oidc_issuer.TestIssuer, a real HTTP server on loopback that signs
RS256 tokens with keys it publishes as a JWKS. The gateway fetches discovery and keys
from it over the socket, as it would from Keycloak or Entra ID.
"""

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from services.gateway.identity import TokenResolver
from services.gateway.oidc import OidcIssuer, TokenRefused
from services.gateway.oidc_claims import oidc_subject
from services.gateway.settings import Settings
from services.gateway.web.session import COOKIE as SESSION_COOKIE
from shared.cli.broker import EmbeddedBroker, free_port
from shared.kit.auth import Principal, Role, sign_internal_token
from shared.kit.http import ServiceUnavailable
from tests.conftest import BACKENDS, SECRET, Platform, running_platform
from tests.gateway.conftest import lone_gateway
from tests.gateway.fuzzing import fuzz
from tests.oidc_issuer import SigningKey, TestIssuer

ROLE_MAP = (
    "lotse-admins=admin,lotse-koordination=coordinator,lotse-kommunen=municipality,"
    "lotse-lesen=reader"
)
PROBLEM_JSON = "application/problem+json"


def oidc_settings(issuer: TestIssuer, **changes: Any) -> dict[str, Any]:
    return {
        "oidc_issuer": issuer.issuer,
        "oidc_client_id": issuer.client_id,
        "oidc_role_map": ROLE_MAP,
        # Every unknown key id may fetch the keys again: rotation is seen at once.
        "oidc_refresh_seconds": 0,
    } | changes


@pytest.fixture(scope="module")
async def issuer() -> AsyncIterator[TestIssuer]:
    async with TestIssuer().running() as running:
        yield running


@pytest.fixture(scope="module", params=BACKENDS)
async def platform(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, issuer: TestIssuer
) -> AsyncIterator[Platform]:
    tmp = tmp_path_factory.mktemp("oidc")
    async with running_platform(request.param, tmp, **oidc_settings(issuer)) as running:
        issuer.redirect_uris.add(running.gateway_url + "/auth/oidc/callback")
        yield running


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def assert_problem(response: httpx.Response, status: int, slug: str | None = None) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM_JSON
    if slug is not None:
        assert response.json()["type"].endswith("/" + slug), response.json()


# -- bearer tokens on the API ------------------------------------------------------------


class TestGoodTokens:
    async def test_a_municipality_user_publishes_for_its_own_ags(
        self, platform: Platform, issuer: TestIssuer
    ) -> None:
        ags = await platform.municipality()
        token = issuer.token(sub="anna@kommune", groups=["lotse-kommunen", "staff"], ags=ags)
        created = await platform.client(token).post(
            "/api/v1/projects",
            json={"title": "Digitale Bauakte", "topics": ["administration"]},
        )
        assert created.status_code == 201, created.text
        assert created.json()["municipality_ags"] == ags
        # ... and only for its own: the service sees the AGS the token mapped to.
        other = await platform.municipality()
        foreign = await platform.client(token).post(
            "/api/v1/projects",
            json={"title": "Fremd", "topics": ["administration"], "municipality_ags": other},
        )
        assert_problem(foreign, 403)

    async def test_a_long_or_non_ascii_subject_is_stored_hashed(
        self, platform: Platform, issuer: TestIssuer
    ) -> None:
        ags = await platform.municipality()
        for sub in ("ü" * 250, "x" * 255, "mit leerzeichen"):
            token = issuer.token(sub=sub, groups=["lotse-kommunen"], ags=ags)
            created = await platform.client(token).post(
                "/api/v1/projects", json={"title": "Lang", "topics": ["energy"]}
            )
            assert created.status_code == 201, created.text
        subject = oidc_subject(issuer.issuer, "ü" * 250)
        assert len(subject) <= 200 and subject.isascii()
        assert oidc_subject(issuer.issuer, "x") != oidc_subject("https://other.example", "x")

    async def test_a_nested_claim_and_a_single_valued_list_map_too(
        self, tmp_path: Path, broker: EmbeddedBroker, issuer: TestIssuer
    ) -> None:
        async with lone_gateway(
            tmp_path,
            LOTSE_KAFKA_BOOTSTRAP=broker.bootstrap,
            **oidc_settings(issuer, oidc_role_claim="realm_access.roles"),
        ) as (gateway, client):
            token = issuer.token(
                groups=None, realm_access={"roles": ["lotse-kommunen"]}, ags=["06534014"]
            )
            assert (await client.get("/api/v1/topics", headers=bearer(token))).status_code == 200
            principal = await gateway.state.runtime.part(TokenResolver).resolve(token)
            assert principal.role is Role.MUNICIPALITY
            assert principal.ags == "06534014"
            assert principal.subject.startswith("oidc:")
            assert principal.subject.endswith(":user-1")

    async def test_a_reader_reads_but_cannot_write(
        self, platform: Platform, issuer: TestIssuer
    ) -> None:
        reader = platform.client(issuer.token(groups=["lotse-lesen"]))
        assert (await reader.get("/api/v1/projects")).status_code == 200
        refused = await reader.post("/api/v1/projects", json={"title": "x", "topics": ["energy"]})
        assert_problem(refused, 403)

    async def test_the_strongest_mapped_role_counts(
        self, platform: Platform, issuer: TestIssuer
    ) -> None:
        token = issuer.token(groups=["lotse-lesen", "lotse-koordination"])
        # Listing keys one manages: a coordinator may, and sees an answer.
        listed = await platform.client(token).get("/api/v1/api-keys")
        assert listed.status_code == 200, listed.text
        ags = await platform.municipality()
        created = await platform.client(token).post(
            "/api/v1/projects",
            json={"title": "Kreisweit", "topics": ["energy"], "municipality_ags": ags},
        )
        assert created.status_code == 201, created.text


HOSTILE: dict[str, Any] = {
    "bad-signature": lambda i: i.token(key=SigningKey(i.current.kid)),
    "expired": lambda i: i.token(iat=_now() - 900, exp=_now() - 600),
    "wrong-audience": lambda i: i.token(aud="another-app"),
    "no-audience": lambda i: i.token(aud=None),
    "wrong-issuer": lambda i: i.token(iss="https://evil.example/realms/lotse"),
    "no-issuer": lambda i: i.token(iss=None),
    "no-expiry": lambda i: i.token(exp=None),
    "not-yet-valid": lambda i: i.token(nbf=_now() + 3600),
    "issued-in-the-future": lambda i: i.token(iat=_now() + 3600, exp=_now() + 7200),
    "unknown-kid": lambda i: i.token(kid="no-such-key"),
    "alg-none": lambda i: i.unsigned_token(),
    "hs256-with-the-public-key": lambda i: i.hmac_with_public_key(),
    "internal-token": lambda i: sign_internal_token(Principal(Role.ADMIN, "key:x"), SECRET),
    "forwarded-internal-token": lambda i: sign_internal_token(
        Principal(Role.ADMIN, "key:x"), SECRET, forwarded=True
    ),
    "internal-token-other-secret": lambda i: sign_internal_token(
        Principal(Role.ADMIN, "key:x"), "another-secret-of-at-least-32-characters"
    ),
    "truncated": lambda i: i.token().rsplit(".", 1)[0] + ".",
    # Keys the token brings along itself are never fetched nor trusted.
    "jku-to-own-keys": lambda i: i.token(
        key=SigningKey(i.current.kid), headers={"jku": "http://127.0.0.1:9/keys"}
    ),
    "embedded-jwk": lambda i: i.token(
        key=(evil := SigningKey(i.current.kid)), headers={"jwk": evil.jwk()}
    ),
}


def _now() -> int:
    return int(time.time())


class TestHostileTokens:
    @pytest.mark.parametrize("kind", list(HOSTILE))
    async def test_is_refused_with_401_and_not_logged(
        self,
        platform: Platform,
        issuer: TestIssuer,
        kind: str,
        caplog: pytest.LogCaptureFixture,
    ) -> None:
        token = HOSTILE[kind](issuer)
        with caplog.at_level(logging.INFO, logger="lotse.gateway"):
            for path in ("/api/v1/projects", "/api/v1/api-keys"):
                refused = await platform.client(token).get(path)
                assert_problem(refused, 401)
                assert refused.headers["www-authenticate"].startswith("Bearer")
            written = await platform.client(token).post(
                "/api/v1/projects", json={"title": "x", "topics": ["energy"]}
            )
            assert_problem(written, 401)
        # Neither the token nor its claims are written to the log.
        assert token.split(".")[1] not in caplog.text
        assert "bearer token refused" in caplog.text or kind.startswith("internal")

    @pytest.mark.parametrize(
        ("claims", "slug"),
        [
            ({"groups": ["staff", "lotse-unknown"]}, "no-role"),
            ({"groups": None}, "no-role"),
            ({"groups": {"lotse-admins": True}}, "no-role"),
            ({"groups": ["lotse-kommunen"]}, "no-role"),  # municipality without AGS
            ({"groups": ["lotse-kommunen"], "ags": "6534014"}, "no-role"),
            ({"groups": ["lotse-kommunen"], "ags": "99534014"}, "no-role"),  # no such Land
            ({"groups": ["lotse-kommunen"], "ags": ["06534014", "06534015"]}, "no-role"),
        ],
    )
    async def test_a_good_token_without_a_lotse_role_is_a_403(
        self, platform: Platform, issuer: TestIssuer, claims: dict[str, Any], slug: str
    ) -> None:
        refused = await platform.client(issuer.token(**claims)).get("/api/v1/projects")
        assert_problem(refused, 403, slug)

    async def test_a_rotated_key_is_picked_up_and_a_dropped_one_refused(
        self, platform: Platform, issuer: TestIssuer
    ) -> None:
        old = issuer.current
        before = issuer.token()
        assert (await platform.client(before).get("/api/v1/projects")).status_code == 200
        issuer.rotate(keep_old=False)
        fresh = issuer.token()
        assert (await platform.client(fresh).get("/api/v1/projects")).status_code == 200
        # A token of the old key the gateway has not seen yet: its key is gone.
        stale = issuer.token(key=old, sub="someone-else")
        assert_problem(await platform.client(stale).get("/api/v1/projects"), 401, "invalid-token")

    async def test_an_api_key_still_works_beside_tokens(self, platform: Platform) -> None:
        key = await platform.key("reader")
        assert (await platform.client(key).get("/api/v1/projects")).status_code == 200


class TestBudget:
    async def test_each_token_identity_has_its_own_rate_limit(
        self, tmp_path: Path, broker: EmbeddedBroker, issuer: TestIssuer
    ) -> None:
        async with lone_gateway(
            tmp_path,
            LOTSE_KAFKA_BOOTSTRAP=broker.bootstrap,
            rate_limit_per_minute=1,
            rate_limit_burst=2,
            **oidc_settings(issuer),
        ) as (_, client):
            anna, ben = issuer.token(sub="anna"), issuer.token(sub="ben")
            statuses = [
                (await client.get("/api/v1/topics", headers=bearer(anna))).status_code
                for _ in range(3)
            ]
            assert statuses == [200, 200, 429]
            # Another token of the same user is the same identity ...
            again = issuer.token(sub="anna", iat=_now() - 1)
            assert (await client.get("/api/v1/topics", headers=bearer(again))).status_code == 429
            # ... another user is not.
            assert (await client.get("/api/v1/topics", headers=bearer(ben))).status_code == 200


class TestWithoutSingleSignOn:
    async def test_tokens_are_refused_and_the_sign_on_routes_are_404(
        self, tmp_path: Path, broker: EmbeddedBroker, issuer: TestIssuer
    ) -> None:
        async with lone_gateway(tmp_path, LOTSE_KAFKA_BOOTSTRAP=broker.bootstrap) as (_, client):
            for token in (issuer.token(), HOSTILE["internal-token"](issuer)):
                refused = await client.get("/api/v1/topics", headers=bearer(token))
                assert_problem(refused, 401, "invalid-token")
                assert "API keys only" in refused.json()["detail"]
            assert_problem(await client.get("/auth/oidc/login"), 404)
            assert_problem(await client.get("/auth/oidc/callback?code=x&state=y"), 404)


class TestSettings:
    def test_the_role_map_reads_pairs_and_json(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv("LOTSE_GATEWAY_OIDC_ISSUER", "https://sso.example/realms/lotse")
        monkeypatch.setenv("LOTSE_GATEWAY_OIDC_CLIENT_ID", "lotse")
        monkeypatch.setenv("LOTSE_GATEWAY_OIDC_ROLE_MAP", " a = admin , b=reader")
        assert Settings().oidc_role_map == {"a": Role.ADMIN, "b": Role.READER}
        monkeypatch.setenv("LOTSE_GATEWAY_OIDC_ROLE_MAP", '{"Lotse.Reader": "reader"}')
        assert Settings().oidc_role_map == {"Lotse.Reader": Role.READER}
        assert Settings().oidc_token_audience == "lotse"
        assert Settings(oidc_scopes="email").oidc_scope == "openid email"

    @pytest.mark.parametrize(
        "settings",
        [
            {"oidc_issuer": "https://sso.example"},  # no client id
            {"oidc_issuer": "sso.example", "oidc_client_id": "c"},
            {
                "oidc_issuer": "http://sso.example",
                "oidc_client_id": "c",
                "LOTSE_ENV": "prod",
                "LOTSE_INTERNAL_TOKEN_SECRET": SECRET,
            },
            {"oidc_role_map": "a=anonymous"},
            {"oidc_role_map": "a=emperor"},
            {"oidc_role_map": "just-a-name"},
            {"oidc_default_role": "anonymous"},
        ],
    )
    def test_a_wrong_configuration_does_not_start(self, settings: dict[str, Any]) -> None:
        with pytest.raises(ValueError, match=r"OIDC|role|Input should be"):
            Settings(**settings)


# -- the issuer's keys, fetched with care ------------------------------------------------


class TestKeyFetching:
    async def test_a_flood_of_unknown_key_ids_fetches_the_keys_at_most_once(
        self, issuer: TestIssuer
    ) -> None:
        verifier = _verifier(issuer, refresh_seconds=3600)
        try:
            await verifier.verify(issuer.token(), audience=issuer.client_id)
            fetched = issuer.hits["jwks"]
            for number in range(30):
                with pytest.raises(TokenRefused):
                    await verifier.verify(issuer.token(kid=f"made-up-{number}"), audience="lotse")
            assert issuer.hits["jwks"] == fetched
        finally:
            await verifier.close()

    async def test_an_issuer_whose_discovery_names_another_issuer_is_not_used(
        self, issuer: TestIssuer
    ) -> None:
        verifier = _verifier(issuer, refresh_seconds=3600)
        issuer.discovery_changes = {"issuer": "https://evil.example/realms/lotse"}
        try:
            with pytest.raises(ServiceUnavailable):
                await verifier.verify(issuer.token(), audience=issuer.client_id)
        finally:
            issuer.discovery_changes = {}
            await verifier.close()

    async def test_an_unreachable_issuer_is_a_503_and_is_not_hammered(self) -> None:
        nobody = f"http://127.0.0.1:{free_port()}/realms/x"
        verifier = OidcIssuer(
            nobody, cache_seconds=3600, refresh_seconds=3600, leeway_seconds=0, timeout_seconds=2
        )
        lonely = TestIssuer()
        lonely.issuer = nobody
        try:
            with pytest.raises(ServiceUnavailable) as first:
                await verifier.verify(lonely.token(), audience="lotse")
            assert first.value.retry_after
            # The next calls do not even try: the failure is remembered for a while.
            attempted = verifier._attempted_at
            with pytest.raises(ServiceUnavailable):
                await verifier.verify(lonely.token(), audience="lotse")
            assert verifier._attempted_at == attempted
        finally:
            await verifier.close()

    async def test_a_symmetric_key_in_the_key_set_is_never_used(self, issuer: TestIssuer) -> None:
        verifier = _verifier(issuer, refresh_seconds=0)
        try:
            await verifier.verify(issuer.token(), audience="lotse")  # keys fetched
            assert all(k.get("kty") != "oct" for k in verifier._keys.values())
            with pytest.raises(TokenRefused):
                await verifier.verify(issuer.hmac_with_public_key(), audience="lotse")
        finally:
            await verifier.close()


def _verifier(issuer: TestIssuer, *, refresh_seconds: float) -> OidcIssuer:
    return OidcIssuer(
        issuer.issuer,
        cache_seconds=3600,
        refresh_seconds=refresh_seconds,
        leeway_seconds=60,
        timeout_seconds=5,
    )


# -- the browser's sign-on: authorization code with PKCE ----------------------------------


class Browser:
    """A browser as far as the sign-on goes: a cookie jar, no automatic redirects."""

    def __init__(self, gateway: Platform | httpx.AsyncClient) -> None:
        if isinstance(gateway, Platform):
            gateway = gateway.client(follow_redirects=False)
        self.client = gateway

    async def login(self, next_path: str = "/dashboard") -> tuple[str, dict[str, str]]:
        """Start a login; the issuer's authorization URL and its query."""
        started = await self.client.get("/auth/oidc/login", params={"next": next_path})
        assert started.status_code == 303, started.text
        location = started.headers["location"]
        return location, {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}

    async def approve(self, authorization_url: str) -> dict[str, str]:
        """The issuer approves the user: the callback's query (code and state)."""
        async with httpx.AsyncClient(follow_redirects=False) as to_issuer:
            approved = await to_issuer.get(authorization_url)
        assert approved.status_code == 302, approved.text
        query = parse_qs(urlsplit(approved.headers["location"]).query)
        return {k: v[0] for k, v in query.items()}

    async def callback(self, query: dict[str, str]) -> httpx.Response:
        return await self.client.get("/auth/oidc/callback", params=query)


@pytest.fixture
def user(issuer: TestIssuer) -> Iterator[dict[str, Any]]:
    """The user the issuer signs in; a test may change it, and it is put back."""
    before = dict(issuer.user)
    issuer.user = {"sub": "carla", "groups": ["lotse-koordination"]}
    yield issuer.user
    issuer.user = before
    issuer.id_token_changes = {}


class TestSignOn:
    async def test_login_sends_the_browser_to_the_issuer_with_pkce(
        self, platform: Platform, issuer: TestIssuer
    ) -> None:
        browser = Browser(platform)
        started = await browser.client.get("/auth/oidc/login", params={"next": "/projects"})
        assert started.status_code == 303
        location = urlsplit(started.headers["location"])
        assert f"{location.scheme}://{location.netloc}{location.path}".startswith(issuer.issuer)
        query = parse_qs(location.query)
        assert query["code_challenge_method"] == ["S256"]
        assert query["response_type"] == ["code"]
        assert "openid" in query["scope"][0].split()
        assert query["redirect_uri"] == [platform.gateway_url + "/auth/oidc/callback"]
        assert len(query["state"][0]) >= 32 and len(query["nonce"][0]) >= 32
        cookie = started.headers["set-cookie"].lower()
        assert "httponly" in cookie and "samesite=lax" in cookie and "path=/auth/oidc" in cookie
        # The verifier is in the cookie, sealed: not readable, not in the URL.
        assert "code_verifier" not in started.headers["location"]

    async def test_a_user_signs_in_end_to_end(
        self, platform: Platform, issuer: TestIssuer, user: dict[str, Any]
    ) -> None:
        browser = Browser(platform)
        assert (await browser.client.get("/dashboard")).status_code == 303  # not signed in
        url, _ = await browser.login("/dashboard?tab=projects")
        finished = await browser.callback(await browser.approve(url))
        assert finished.status_code == 303, finished.text
        assert finished.headers["location"] == "/dashboard?tab=projects"
        cookies = finished.headers.get_list("set-cookie")
        assert any(c.startswith('lotse_oidc_login=""') for c in cookies)  # the login is spent
        session = next(c for c in cookies if c.startswith(SESSION_COOKIE + "="))
        assert "httponly" in session.lower()
        # The browser is signed in as the coordinator the issuer vouched for.
        page = await browser.client.get("/dashboard")
        assert page.status_code == 200
        assert "Koordinierungsstelle" in page.text

    async def test_the_sign_in_page_offers_the_organisations_account(
        self, platform: Platform
    ) -> None:
        page = await platform.client().get("/sign-in", params={"next": "/funding"})
        assert page.status_code == 200
        assert 'href="/auth/oidc/login?next=/funding"' in page.text

    async def test_a_municipality_user_is_signed_in_with_its_ags(
        self, platform: Platform, issuer: TestIssuer, user: dict[str, Any]
    ) -> None:
        ags = await platform.municipality(name="Gladenbach")
        user.update(groups=["lotse-kommunen"], ags=ags)
        browser = Browser(platform)
        url, _ = await browser.login()
        assert (await browser.callback(await browser.approve(url))).status_code == 303
        page = await browser.client.get("/dashboard")
        assert page.status_code == 200
        assert "Gladenbach" in page.text

    async def test_a_replayed_callback_is_refused(
        self, platform: Platform, issuer: TestIssuer, user: dict[str, Any]
    ) -> None:
        browser = Browser(platform)
        url, _ = await browser.login()
        query = await browser.approve(url)
        cookie = browser.client.cookies["lotse_oidc_login"]
        assert (await browser.callback(query)).status_code == 303
        # The same request again, cookie included, as an attacker who recorded it would.
        replayed = await platform.client(follow_redirects=False).get(
            "/auth/oidc/callback", params=query, cookies={"lotse_oidc_login": cookie}
        )
        assert_problem(replayed, 400, "sign-on-expired")

    async def test_a_used_code_is_refused_by_the_issuer(
        self, platform: Platform, issuer: TestIssuer, user: dict[str, Any]
    ) -> None:
        browser = Browser(platform)
        url, _ = await browser.login()
        first = await browser.approve(url)
        assert (await browser.callback(first)).status_code == 303
        # A new login of the same browser, finished with the old code.
        _, second = await browser.login()
        replayed = await browser.callback({"code": first["code"], "state": second["state"]})
        assert_problem(replayed, 401, "sign-on-refused")
        assert issuer.refusals[-1].startswith("invalid_grant: unknown or used code")

    async def test_a_state_that_is_not_the_browsers_is_refused(
        self, platform: Platform, issuer: TestIssuer, user: dict[str, Any]
    ) -> None:
        browser = Browser(platform)
        url, _ = await browser.login()
        query = await browser.approve(url)
        exchanges = issuer.hits["token"]
        forged = await browser.callback({**query, "state": query["state"][:-2] + "xx"})
        assert_problem(forged, 400, "sign-on-expired")
        missing = await browser.callback({"code": query["code"]})
        assert_problem(missing, 400, "sign-on-expired")
        assert issuer.hits["token"] == exchanges  # the code was never sent

    async def test_a_callback_without_the_login_cookie_is_refused(
        self, platform: Platform, issuer: TestIssuer, user: dict[str, Any]
    ) -> None:
        browser = Browser(platform)
        url, _ = await browser.login()
        query = await browser.approve(url)
        stranger = platform.client(follow_redirects=False)
        assert_problem(await stranger.get("/auth/oidc/callback", params=query), 400)
        tampered = await stranger.get(
            "/auth/oidc/callback",
            params=query,
            cookies={"lotse_oidc_login": browser.client.cookies["lotse_oidc_login"][:-4] + "AAAA"},
        )
        assert_problem(tampered, 400, "sign-on-expired")

    async def test_a_code_injected_into_another_login_fails_on_its_verifier(
        self, platform: Platform, issuer: TestIssuer, user: dict[str, Any]
    ) -> None:
        # The attacker's code (bound to the attacker's challenge) in the victim's login:
        # the gateway sends the victim's verifier, and the issuer refuses it.
        attacker, victim = Browser(platform), Browser(platform)
        attacker_url, _ = await attacker.login()
        stolen = await attacker.approve(attacker_url)
        _, victim_login = await victim.login()
        injected = await victim.callback({"code": stolen["code"], "state": victim_login["state"]})
        assert_problem(injected, 401, "sign-on-refused")
        assert issuer.refusals[-1] == "invalid_grant: code_verifier"

    async def test_an_id_token_for_another_login_is_refused_by_its_nonce(
        self, platform: Platform, issuer: TestIssuer, user: dict[str, Any]
    ) -> None:
        issuer.id_token_changes = {"nonce": "a-nonce-of-another-login"}
        browser = Browser(platform)
        url, _ = await browser.login()
        refused = await browser.callback(await browser.approve(url))
        assert_problem(refused, 401, "sign-on-refused")
        assert "nonce" in refused.json()["detail"]

    @pytest.mark.parametrize(
        "changes",
        [{"aud": "another-app"}, {"exp": 1}, {"iss": "https://evil.example"}],
        ids=["audience", "expired", "issuer"],
    )
    async def test_an_id_token_that_does_not_verify_is_refused(
        self,
        platform: Platform,
        issuer: TestIssuer,
        user: dict[str, Any],
        changes: dict[str, Any],
    ) -> None:
        issuer.id_token_changes = changes
        browser = Browser(platform)
        url, _ = await browser.login()
        assert_problem(await browser.callback(await browser.approve(url)), 401, "sign-on-refused")

    async def test_a_user_without_a_lotse_role_is_refused(
        self, platform: Platform, issuer: TestIssuer, user: dict[str, Any]
    ) -> None:
        user["groups"] = ["lotse-kommunen"]  # a municipality user without AGS
        browser = Browser(platform)
        url, _ = await browser.login()
        assert_problem(await browser.callback(await browser.approve(url)), 403, "no-role")

    async def test_the_issuers_refusal_is_passed_on(
        self, platform: Platform, issuer: TestIssuer, user: dict[str, Any]
    ) -> None:
        browser = Browser(platform)
        _, login = await browser.login()
        refused = await browser.callback({"error": "access_denied", "state": login["state"]})
        assert_problem(refused, 401, "sign-on-refused")
        assert "access_denied" in refused.json()["detail"]

    @pytest.mark.parametrize(
        "target",
        [
            "https://evil.example/",
            "//evil.example/",
            "/\\evil.example",
            "\\\\evil.example",
            "javascript:alert(1)",
            "evil.example",
            "/ok\r\nLocation: https://evil.example",
            "/\t/evil.example",
            "http:/evil.example",
        ],
    )
    async def test_a_login_never_returns_to_another_site(
        self, platform: Platform, target: str
    ) -> None:
        answer = await platform.client(follow_redirects=False).get(
            "/auth/oidc/login", params={"next": target}
        )
        # Control characters are refused by the kit before the route sees them.
        control = any(ord(c) < 0x20 for c in target)
        assert_problem(answer, 400, None if control else "not-a-local-path")
        assert "set-cookie" not in answer.headers

    async def test_concurrent_logins_of_many_browsers_all_finish(
        self, platform: Platform, issuer: TestIssuer, user: dict[str, Any]
    ) -> None:
        async def one() -> int:
            browser = Browser(platform)
            url, _ = await browser.login()
            return (await browser.callback(await browser.approve(url))).status_code

        assert await asyncio.gather(*(one() for _ in range(8))) == [303] * 8


class TestConfidentialClient:
    SECRET = "s3cr%t:&x"  # what form-encoding must keep intact

    @pytest.mark.parametrize("method", ["client_secret_basic", "client_secret_post"])
    async def test_signs_in_with_its_secret_as_the_issuer_takes_it(
        self, tmp_path: Path, broker: EmbeddedBroker, method: str
    ) -> None:
        async with self.signing_on(tmp_path, broker, method, self.SECRET) as (issuer, browser):
            url, _ = await browser.login("/funding")
            finished = await browser.callback(await browser.approve(url))
            assert finished.status_code == 303, finished.text
            assert finished.headers["location"] == "/funding"
            assert issuer.refusals == []

    async def test_a_wrong_secret_is_refused_by_the_issuer(
        self, tmp_path: Path, broker: EmbeddedBroker
    ) -> None:
        async with self.signing_on(tmp_path, broker, "client_secret_basic", "wrong") as (
            issuer,
            browser,
        ):
            url, _ = await browser.login()
            refused = await browser.callback(await browser.approve(url))
            assert_problem(refused, 401, "sign-on-refused")
            assert issuer.refusals == ["invalid_client"]

    @contextlib.asynccontextmanager
    async def signing_on(
        self, tmp_path: Path, broker: EmbeddedBroker, method: str, secret: str
    ) -> AsyncIterator[tuple[TestIssuer, Browser]]:
        confidential = TestIssuer(client_id="lotse:kreis", client_secret=self.SECRET)
        confidential.discovery_changes = {"token_endpoint_auth_methods_supported": [method]}
        confidential.user = {"sub": "dora", "groups": ["lotse-lesen"]}
        async with (
            confidential.running(),
            lone_gateway(
                tmp_path,
                LOTSE_KAFKA_BOOTSTRAP=broker.bootstrap,
                **oidc_settings(confidential, oidc_client_secret=secret),
            ) as (_, client),
        ):
            gateway_url = str(client.base_url).rstrip("/")
            confidential.redirect_uris.add(gateway_url + "/auth/oidc/callback")
            async with httpx.AsyncClient(base_url=gateway_url, timeout=10) as browser_client:
                yield confidential, Browser(browser_client)


# -- the document ------------------------------------------------------------------------


async def test_the_sign_on_routes_are_documented_outside_the_api(platform: Platform) -> None:
    document = (await platform.client().get("/api/v1/openapi.json")).json()
    login = document["paths"]["/auth/oidc/login"]["get"]
    callback = document["paths"]["/auth/oidc/callback"]["get"]
    assert {"303", "400", "404", "429", "503"} <= login["responses"].keys()
    assert {"303", "400", "401", "403", "404", "503"} <= callback["responses"].keys()
    assert "Location" in login["responses"]["303"]["headers"]
    assert [p["name"] for p in login["parameters"]] == ["next"]
    scheme = document["components"]["securitySchemes"]["oidc"]
    assert scheme["openIdConnectUrl"].endswith("/realms/lotse/.well-known/openid-configuration")
    assert {"oidc": []} in document["security"]
    json.dumps(document)  # the whole document stays serialisable


async def test_the_sign_on_routes_do_what_their_document_says(platform: Platform) -> None:
    document = (await platform.client().get("/api/v1/openapi.json")).json()
    document["paths"] = {p: i for p, i in document["paths"].items() if p.startswith("/auth/")}
    assert len(document["paths"]) == 2
    # The servers run in this event loop; schemathesis' blocking client runs beside it.
    failures = await asyncio.to_thread(fuzz, document, platform.gateway_url, {}, {})
    assert not failures, failures
