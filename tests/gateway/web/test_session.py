"""Signing in with an API key: a server-side session in a cookie only this site reads."""

from datetime import timedelta
from pathlib import Path

from sqlalchemy import update
from sqlmodel import col
from starlette.requests import Request

from services.gateway.models import WebSession
from services.gateway.web.csrf import FORM_COOKIE
from services.gateway.web.session import COOKIE, id_hash, start_session
from shared.kit.auth import Principal, Role
from shared.kit.sqltypes import utcnow
from tests.conftest import ADMIN_KEY
from tests.gateway.web.conftest import WebGateway, web_gateway
from tests.gateway.web.forms import post_form, sign_in, token_of


async def _signed_in(gateway: WebGateway, key: str = ADMIN_KEY) -> str:
    """A new browser signed in with `key`; its session cookie."""
    browser = gateway.browser()
    answer = await sign_in(browser, key)
    assert answer.status_code == 303, answer.text
    assert answer.headers["location"] == "/dashboard"
    return str(browser.cookies[COOKIE])


async def _dashboard(gateway: WebGateway, cookie: str) -> int:
    browser = gateway.browser(cookies={COOKIE: cookie})
    return (await browser.get("/dashboard")).status_code


class TestSignIn:
    async def test_a_key_signs_in_with_an_httponly_lax_cookie(self, gateway: WebGateway) -> None:
        browser = gateway.browser()
        answer = await sign_in(browser, ADMIN_KEY)
        assert answer.status_code == 303
        cookie = next(
            c for c in answer.headers.get_list("set-cookie") if c.startswith(COOKIE + "=")
        )
        flags = {part.strip().lower() for part in cookie.split(";")[1:]}
        assert {"httponly", "path=/", "samesite=lax"} <= flags
        assert "secure" not in flags  # plain http on loopback
        dashboard = await browser.get("/dashboard")
        assert dashboard.status_code == 200
        assert "Betrieb" in dashboard.text  # the admin's role, in German by default

    async def test_the_session_id_is_stored_only_as_a_hash(self, gateway: WebGateway) -> None:
        cookie = await _signed_in(gateway)
        async with gateway.app.state.runtime.db.session() as db:
            row = await db.get(WebSession, id_hash(cookie))
            assert row is not None and row.role == "admin"
            assert await db.get(WebSession, cookie) is None

    async def test_over_https_the_cookie_is_secure(self, gateway: WebGateway) -> None:
        # uvicorn trusts X-Forwarded-Proto from loopback, as from a TLS front.
        https = {"X-Forwarded-Proto": "https"}
        form = await gateway.browser(headers=https).get("/sign-in")
        assert "secure" in form.headers["set-cookie"].lower()  # the form's cookie too
        # httpx keeps Secure cookies from plain http, as it should: hand it over.
        browser = gateway.browser(headers=https, cookies={FORM_COOKIE: form.cookies[FORM_COOKIE]})
        origin = gateway.url.replace("http://", "https://")
        answer = await post_form(
            browser, "/sign-in", {"csrf_token": token_of(form), "key": ADMIN_KEY}, origin=origin
        )
        assert answer.status_code == 303, answer.text
        cookie = next(
            c for c in answer.headers.get_list("set-cookie") if c.startswith(COOKIE + "=")
        )
        assert "secure" in cookie.lower()

    async def test_a_wrong_key_is_refused_without_a_session(self, gateway: WebGateway) -> None:
        browser = gateway.browser()
        answer = await sign_in(browser, "lotse_" + "x" * 40)
        assert answer.status_code == 401
        assert "unbekannt oder widerrufen" in answer.text
        assert COOKIE not in browser.cookies

    async def test_an_empty_key_is_asked_for_again(self, gateway: WebGateway) -> None:
        answer = await sign_in(gateway.browser(), "   ")
        assert answer.status_code == 401
        assert 'aria-invalid="true"' in answer.text

    async def test_signing_in_again_never_keeps_the_old_id(self, gateway: WebGateway) -> None:
        browser = gateway.browser()
        await sign_in(browser, ADMIN_KEY)
        first = str(browser.cookies[COOKIE])
        await sign_in(browser, ADMIN_KEY)
        assert browser.cookies[COOKIE] != first
        assert await _dashboard(gateway, first) == 303  # the old session is gone

    async def test_only_a_path_of_this_site_is_a_destination(self, gateway: WebGateway) -> None:
        for target, expected in [
            ("/projects", "/projects"),
            ("//evil.example/x", "/dashboard"),
            ("https://evil.example/", "/dashboard"),
            ("/\\evil.example", "/dashboard"),
            ("/" + "a" * 600, "/dashboard"),
        ]:
            browser = gateway.browser()
            form = await browser.get("/sign-in")
            fields = {"csrf_token": token_of(form), "key": ADMIN_KEY, "next": target}
            answer = await post_form(browser, "/sign-in", fields)
            assert answer.headers["location"] == expected, target

    async def test_a_very_long_destination_still_gets_the_sign_in_page(
        self, gateway: WebGateway
    ) -> None:
        page = await gateway.browser().get("/sign-in", params={"next": "/" + "a" * 5000})
        assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
        assert "a" * 600 not in page.text  # the form goes to the dashboard instead

    async def test_pages_that_need_a_session_send_to_sign_in(self, gateway: WebGateway) -> None:
        answer = await gateway.browser().get("/dashboard")
        assert answer.status_code == 303
        assert answer.headers["location"] == "/sign-in?next=/dashboard"


class TestSessionEnds:
    async def test_sign_out_deletes_the_session(self, gateway: WebGateway) -> None:
        browser = gateway.browser()
        await sign_in(browser, ADMIN_KEY)
        cookie = str(browser.cookies[COOKIE])
        page = await browser.get("/dashboard")
        answer = await post_form(browser, "/sign-out", {"csrf_token": token_of(page)})
        assert answer.status_code == 303
        assert answer.headers["location"] == "/sign-in?signed_out=true"
        # Even a browser that kept the cookie is signed out.
        assert await _dashboard(gateway, cookie) == 303
        async with gateway.app.state.runtime.db.session() as db:
            assert await db.get(WebSession, id_hash(cookie)) is None

    async def test_a_revoked_key_ends_its_sessions_at_once(self, gateway: WebGateway) -> None:
        key, key_id = await gateway.key("reader")
        cookie = await _signed_in(gateway, key)
        assert await _dashboard(gateway, cookie) == 200
        admin = gateway.browser(headers={"Authorization": f"Bearer {ADMIN_KEY}"})
        assert (await admin.delete(f"/api/v1/api-keys/{key_id}")).status_code == 204
        assert await _dashboard(gateway, cookie) == 303

    async def test_an_expired_session_is_refused(self, gateway: WebGateway) -> None:
        cookie = await _signed_in(gateway)
        await _set(gateway, cookie, expires_at=utcnow() - timedelta(seconds=1))
        assert await _dashboard(gateway, cookie) == 303

    async def test_an_idle_session_is_refused(self, gateway: WebGateway) -> None:
        cookie = await _signed_in(gateway)
        await _set(gateway, cookie, last_seen_at=utcnow() - timedelta(minutes=61))
        assert await _dashboard(gateway, cookie) == 303

    async def test_dead_sessions_are_swept_at_the_next_sign_in(self, gateway: WebGateway) -> None:
        expired, idle, live = [await _signed_in(gateway) for _ in range(3)]
        await _set(gateway, expired, expires_at=utcnow() - timedelta(seconds=1))
        await _set(gateway, idle, last_seen_at=utcnow() - timedelta(minutes=61))
        await _signed_in(gateway)
        async with gateway.app.state.runtime.db.session() as db:
            assert await db.get(WebSession, id_hash(expired)) is None
            assert await db.get(WebSession, id_hash(idle)) is None
            assert await db.get(WebSession, id_hash(live)) is not None

    async def test_a_used_session_stays_alive(self, gateway: WebGateway) -> None:
        cookie = await _signed_in(gateway)
        await _set(gateway, cookie, last_seen_at=utcnow() - timedelta(minutes=59))
        assert await _dashboard(gateway, cookie) == 200
        async with gateway.app.state.runtime.db.session() as db:
            row = await db.get(WebSession, id_hash(cookie))
        assert row is not None and utcnow() - row.last_seen_at < timedelta(minutes=1)

    async def test_a_made_up_cookie_signs_nobody_in(self, gateway: WebGateway) -> None:
        browser = gateway.browser()
        for value in [b"x" * 43, b"", "ä".encode() * 10, b"\xff\xfe", b"a" * 5000]:
            answer = await browser.get(
                "/dashboard", headers={b"Cookie": COOKIE.encode() + b"=" + value}
            )
            assert answer.status_code in (303, 431), value


async def _set(gateway: WebGateway, cookie: str, **values: object) -> None:
    async with gateway.app.state.runtime.db.session() as db:
        await db.execute(
            update(WebSession).where(col(WebSession.id_hash) == id_hash(cookie)).values(**values)
        )
        await db.commit()


async def test_sign_in_attempts_are_charged_like_api_calls(tmp_path: Path) -> None:
    async with web_gateway(
        "sqlite", tmp_path, anonymous_rate_limit_per_minute=1, anonymous_rate_limit_burst=3
    ) as gateway:
        browser = gateway.browser()
        form = await browser.get("/sign-in")
        fields = {"csrf_token": token_of(form), "key": "lotse_" + "y" * 40}
        answers = [await post_form(browser, "/sign-in", fields) for _ in range(4)]
        assert [a.status_code for a in answers] == [401, 401, 401, 429]
        assert int(answers[3].headers["retry-after"]) >= 1
        # The right key is refused too while the address has no budget left.
        fields["key"] = ADMIN_KEY
        assert (await post_form(browser, "/sign-in", fields)).status_code == 429
        assert COOKIE not in browser.cookies


async def test_the_secure_cookies_setting_marks_them_secure_over_http(tmp_path: Path) -> None:
    async with web_gateway("sqlite", tmp_path, secure_cookies=True) as gateway:
        form = await gateway.browser().get("/sign-in")
        assert "secure" in form.headers["set-cookie"].lower()
        browser = gateway.browser(cookies={FORM_COOKIE: form.cookies[FORM_COOKIE]})
        fields = {"csrf_token": token_of(form), "key": ADMIN_KEY}
        answer = await post_form(browser, "/sign-in", fields)
        cookie = next(
            c for c in answer.headers.get_list("set-cookie") if c.startswith(COOKIE + "=")
        )
        assert "secure" in cookie.lower()


class TestStartSession:
    """`start_session` is what single sign-on calls with the principal it has proven."""

    async def test_a_principal_without_a_key_gets_a_session(self, gateway: WebGateway) -> None:
        request = Request(
            {
                "type": "http",
                "app": gateway.app,
                "method": "GET",
                "scheme": "http",
                "path": "/sso/callback",
                "query_string": b"",
                "headers": [],
                "state": {},
            }
        )
        principal = Principal(role=Role.COORDINATOR, subject="oidc:kreis:4711")
        answer = await start_session(request, principal, next_path="/funding")
        assert answer.status_code == 303 and answer.headers["location"] == "/funding"
        cookie = answer.headers["set-cookie"].split(";")[0].split("=", 1)[1]
        browser = gateway.browser(cookies={COOKIE: cookie})
        page = await browser.get("/dashboard")
        assert page.status_code == 200 and "Koordinierungsstelle" in page.text
        # Revoking keys does not touch a session that no key started.
        _, key_id = await gateway.key("reader")
        admin = gateway.browser(headers={"Authorization": f"Bearer {ADMIN_KEY}"})
        assert (await admin.delete(f"/api/v1/api-keys/{key_id}")).status_code == 204
        assert (await browser.get("/dashboard")).status_code == 200
