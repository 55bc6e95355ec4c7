"""The pages: a strict policy, the reader's language, the operator's legal texts."""

import re
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from services.gateway.settings import Settings
from services.gateway.web.i18n import COOKIE as LANGUAGE_COOKIE
from tests.conftest import ADMIN_KEY
from tests.gateway.web.conftest import WebGateway, web_gateway
from tests.gateway.web.forms import sign_in

PUBLIC_PAGES = [
    "/",
    "/sign-in",
    "/projects",
    "/catalogue",
    "/funding",
    "/accessibility",
    "/imprint",
    "/privacy",
]


class TestHeaders:
    async def test_every_page_has_a_strict_policy(self, gateway: WebGateway) -> None:
        browser = gateway.browser()
        await sign_in(browser, ADMIN_KEY)
        for path in [*PUBLIC_PAGES, "/dashboard"]:
            page = await browser.get(path)
            assert page.status_code == 200, path
            policy = page.headers["content-security-policy"]
            for directive in [
                "script-src 'self'",
                "frame-ancestors 'none'",
                "form-action 'self'",
                "base-uri 'none'",
            ]:
                assert directive in policy, (path, directive)
            assert "unsafe-inline" not in policy and "unsafe-eval" not in policy, path
            assert page.headers["cache-control"] == "no-store", path
            # Same-origin: our forms' POSTs carry an Origin to check; others learn nothing.
            assert page.headers["referrer-policy"] == "same-origin", path
            assert "<script>" not in page.text and " style=" not in page.text, path

    async def test_every_page_has_the_layout(self, gateway: WebGateway) -> None:
        for path in PUBLIC_PAGES:
            page = (await gateway.browser().get(path)).text
            assert '<html lang="de">' in page, path
            assert '<a class="skip-link" href="#main">' in page, path
            assert '<main id="main"' in page, path
            for link in ["/accessibility", "/imprint", "/privacy", "/dashboard", "/funding"]:
                assert f'href="{link}"' in page, (path, link)


class TestIcon:
    async def test_the_pages_link_an_icon_and_favicon_ico_finds_it(
        self, gateway: WebGateway
    ) -> None:
        client = gateway.browser()
        page = await client.get("/")
        assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in page.text
        asked = await client.get("/favicon.ico")
        assert asked.status_code == 301 and asked.headers["location"] == "/static/favicon.svg"
        icon = await client.get("/static/favicon.svg")
        assert icon.status_code == 200
        assert icon.headers["content-type"].startswith("image/svg+xml")
        assert icon.text.startswith("<svg") and "<script" not in icon.text


class TestLanguage:
    async def test_german_is_the_default(self, gateway: WebGateway) -> None:
        page = await gateway.browser().get("/sign-in")
        assert '<html lang="de">' in page.text and "API-Schlüssel" in page.text

    async def test_the_browser_language_is_followed(self, gateway: WebGateway) -> None:
        for header, lang in [
            ("en-GB,en;q=0.9", "en"),
            ("fr-FR, en;q=0.5", "en"),
            ("fr, de;q=0.8, en;q=0.9", "en"),
            ("en;q=0.2, de;q=0.9", "de"),
            ("fr", "de"),
            ("en;q=nonsense", "de"),
        ]:
            page = await gateway.browser(headers={"Accept-Language": header}).get("/")
            assert f'<html lang="{lang}">' in page.text, header

    async def test_the_switch_sets_a_cookie_and_returns(self, gateway: WebGateway) -> None:
        browser = gateway.browser()
        answer = await browser.get("/language/en", params={"next": "/imprint"})
        assert answer.status_code == 303 and answer.headers["location"] == "/imprint"
        assert browser.cookies[LANGUAGE_COOKIE] == "en"
        page = await browser.get("/imprint", headers={"Accept-Language": "de"})
        assert '<html lang="en">' in page.text and "Imprint" in page.text
        # And back; the link on the page names the way.
        assert 'href="/language/de?next=/imprint"' in page.text

    async def test_an_unknown_language_or_target_changes_nothing(self, gateway: WebGateway) -> None:
        browser = gateway.browser()
        answer = await browser.get("/language/xx", params={"next": "//evil.example"})
        assert answer.headers["location"] == "/"
        assert LANGUAGE_COOKIE not in browser.cookies


class TestLegalTexts:
    async def test_without_a_file_the_operator_is_told_what_to_fill_in(
        self, gateway: WebGateway
    ) -> None:
        page = await gateway.browser().get("/imprint")
        assert "noch nicht hinterlegt" in page.text
        assert "LOTSE_GATEWAY_IMPRINT_FILE" in page.text
        statement = await gateway.browser().get("/accessibility")
        assert "BITV 2.0" in statement.text

    @pytest.mark.parametrize("setting", ["imprint_file", "privacy_file", "accessibility_file"])
    def test_a_missing_file_or_a_folder_stops_the_start(self, tmp_path: Path, setting: str) -> None:
        # Found at the start, not as a 500 on every view of the page.
        for wrong in (tmp_path / "missing.md", tmp_path):
            with pytest.raises(ValidationError, match=setting):
                values: dict[str, Any] = {setting: wrong}
                Settings(**values)

    @pytest.mark.parametrize("suffix", [".md", ".html"])
    async def test_the_operators_text_is_shown_without_anything_active(
        self, tmp_path: Path, suffix: str
    ) -> None:
        text = (
            "## Verantwortlich\n\nLandkreis Musterland, [Kontakt](mailto:cdo@example.de)\n"
            if suffix == ".md"
            else "<h2>Verantwortlich</h2><p>Landkreis Musterland, "
            '<a href="mailto:cdo@example.de">Kontakt</a></p>'
        ) + (
            '<script>alert(1)</script><p style="color:red" onclick="x()">rot</p>'
            '<a href="javascript:alert(1)">klick</a><img src="https://tracker.example/p.gif">'
        )
        (tmp_path / f"imprint{suffix}").write_text(text)
        async with web_gateway(
            "sqlite", tmp_path, imprint_file=tmp_path / f"imprint{suffix}"
        ) as gateway:
            page = (await gateway.browser().get("/imprint")).text
        assert "Verantwortlich" in page and 'href="mailto:cdo@example.de"' in page
        tags = re.findall(r"<[a-z][^>]*>", page)  # markup, not text that shows markup
        for active in ["<script", "onclick=", "style=", 'href="javascript:', "<img"]:
            assert not any(active in tag for tag in tags), active
