"""Every POST of a page needs this browser's form token and this site's origin; a
refused one is a 403 page and changes nothing."""

from pathlib import Path

from services.gateway.web.csrf import FORM_COOKIE
from services.gateway.web.session import COOKIE
from tests.conftest import ADMIN_KEY
from tests.gateway.web.conftest import WebGateway, web_gateway
from tests.gateway.web.forms import post_form, sign_in, token_of


class TestSignInForm:
    async def test_without_a_token_nobody_is_signed_in(self, gateway: WebGateway) -> None:
        browser = gateway.browser()
        await browser.get("/sign-in")
        answer = await post_form(browser, "/sign-in", {"key": ADMIN_KEY})
        assert answer.status_code == 403
        assert answer.headers["content-type"].startswith("text/html")
        assert "nichts geändert" in answer.text
        assert COOKIE not in browser.cookies

    async def test_a_wrong_token_is_refused(self, gateway: WebGateway) -> None:
        browser = gateway.browser()
        await browser.get("/sign-in")
        fields = {"csrf_token": "0" * 64, "key": ADMIN_KEY}
        assert (await post_form(browser, "/sign-in", fields)).status_code == 403
        assert COOKIE not in browser.cookies

    async def test_a_token_without_its_cookie_is_refused(self, gateway: WebGateway) -> None:
        # What a forging site has at best: a token it saw, not the victim's cookie.
        token = token_of(await gateway.browser().get("/sign-in"))
        victim = gateway.browser()
        answer = await post_form(victim, "/sign-in", {"csrf_token": token, "key": ADMIN_KEY})
        assert answer.status_code == 403

    async def test_another_origin_is_refused_even_with_the_token(self, gateway: WebGateway) -> None:
        browser = gateway.browser()
        fields = {"csrf_token": token_of(await browser.get("/sign-in")), "key": ADMIN_KEY}
        for origin in ["https://evil.example", "null", gateway.url.replace("http:", "https:")]:
            answer = await post_form(browser, "/sign-in", fields, origin=origin)
            assert answer.status_code == 403, origin
        assert COOKIE not in browser.cookies

    async def test_without_origin_the_referer_must_be_this_site(self, gateway: WebGateway) -> None:
        browser = gateway.browser()
        fields = {"csrf_token": token_of(await browser.get("/sign-in")), "key": ADMIN_KEY}
        for referer, expected in [
            ("https://evil.example/page", 403),
            (None, 403),
            (gateway.url + "/sign-in", 303),
        ]:
            headers = {"Referer": referer} if referer else {}
            answer = await browser.post("/sign-in", data=fields, headers=headers)
            assert answer.status_code == expected, referer


class TestSignedInForms:
    async def test_sign_out_with_a_bad_token_keeps_the_session(self, gateway: WebGateway) -> None:
        browser = gateway.browser()
        await sign_in(browser, ADMIN_KEY)
        answer = await post_form(browser, "/sign-out", {"csrf_token": "f" * 64})
        assert answer.status_code == 403
        assert (await browser.get("/dashboard")).status_code == 200

    async def test_one_sessions_token_does_not_serve_another(self, gateway: WebGateway) -> None:
        first, second = gateway.browser(), gateway.browser()
        await sign_in(first, ADMIN_KEY)
        await sign_in(second, ADMIN_KEY)
        token = token_of(await first.get("/dashboard"))
        assert (await post_form(second, "/sign-out", {"csrf_token": token})).status_code == 403
        assert (await second.get("/dashboard")).status_code == 200


async def test_behind_a_tls_front_that_does_not_say_so_the_https_origin_is_this_site(
    tmp_path: Path,
) -> None:
    # LOTSE_GATEWAY_SECURE_COOKIES is for a front that does not tell the gateway it
    # speaks https: the browser's Origin then says https while the request came over http.
    async with web_gateway("sqlite", tmp_path, secure_cookies=True) as gateway:
        form = await gateway.browser().get("/sign-in")
        browser = gateway.browser(cookies={FORM_COOKIE: form.cookies[FORM_COOKIE]})
        fields = {"csrf_token": token_of(form), "key": ADMIN_KEY}
        https = gateway.url.replace("http:", "https:")
        for origin in ["https://evil.example", https.replace("127.0.0.1", "localhost")]:
            assert (await post_form(browser, "/sign-in", fields, origin=origin)).status_code == 403
        answer = await post_form(browser, "/sign-in", fields, origin=https)
        assert answer.status_code == 303
        assert any(c.startswith(COOKIE + "=") for c in answer.headers.get_list("set-cookie"))
