"""The web app in a real browser: sign-in, language, keyboard, CSRF, no foreign host,
and an accessibility scan of every page (axe-core, serious and critical fail)."""

import re

from playwright.async_api import Page, expect

from tests.conftest import ADMIN_KEY
from tests.gateway.web.browser import RequestLog, assert_accessible
from tests.gateway.web.conftest import BrowserPlatform

PAGES = [
    "/",
    "/sign-in",
    "/dashboard",
    "/projects",
    "/catalogue",
    "/funding",
    "/accessibility",
    "/imprint",
    "/privacy",
]


async def test_sign_in_with_the_bootstrap_key_and_sign_out(signed_in_page: Page) -> None:
    page = signed_in_page
    await expect(page.get_by_role("heading", level=1)).to_have_text("Dashboard")
    await expect(page.locator(".facts")).to_contain_text("Betrieb")
    for panel in ["Kennzahlen", "Bild der Region", "Was zuletzt geschah", "Fristen"]:
        await expect(page.get_by_role("heading", name=panel)).to_be_visible()
    await page.get_by_role("button", name="Abmelden").click()
    await page.wait_for_url("**/sign-in?signed_out=true")
    await expect(page.get_by_role("status")).to_have_text("Sie sind abgemeldet.")
    await page.goto("/dashboard")
    assert page.url.endswith("/sign-in?next=/dashboard")


async def test_a_wrong_key_shows_the_error_at_the_field(page: Page) -> None:
    await page.goto("/sign-in")
    await page.get_by_label("API-Schlüssel").fill("lotse_" + "z" * 40)
    await page.get_by_role("button", name="Anmelden").click()
    await expect(page.get_by_role("alert")).to_contain_text("unbekannt oder widerrufen")
    await expect(page.get_by_label("API-Schlüssel")).to_have_attribute("aria-invalid", "true")
    await assert_accessible(page, "sign-in with an error")


async def test_switch_language(page: Page) -> None:
    await page.goto("/imprint")
    assert await page.get_attribute("html", "lang") == "de"
    await page.get_by_role("link", name="English").click()
    await page.wait_for_url("**/imprint")
    assert await page.get_attribute("html", "lang") == "en"
    await expect(page.get_by_role("heading", level=1)).to_have_text("Imprint")
    await page.goto("/sign-in")  # the choice is kept
    await expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    await page.get_by_role("link", name="Deutsch").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Anmelden")


async def test_sign_in_and_navigation_with_the_keyboard_alone(
    page: Page, browser_platform: BrowserPlatform
) -> None:
    await page.goto("/")
    await page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Zum Inhalt springen")
    await expect(skip).to_be_focused()
    await expect(skip).to_be_in_viewport()  # shown when focused
    assert await _focus_is_visible(page)
    # Tab on to "Anmelden" in the header and follow it with Enter.
    sign_in_link = page.locator(".site-tools").get_by_role("link", name="Anmelden")
    for _ in range(10):
        await page.keyboard.press("Tab")
        if await sign_in_link.evaluate("el => el === document.activeElement"):
            break
    await expect(sign_in_link).to_be_focused()
    assert await _focus_is_visible(page)
    await page.keyboard.press("Enter")
    await page.wait_for_url("**/sign-in")
    field = page.get_by_label("API-Schlüssel")
    for _ in range(15):
        await page.keyboard.press("Tab")
        if await field.evaluate("el => el === document.activeElement"):
            break
    await expect(field).to_be_focused()
    await page.keyboard.type(ADMIN_KEY)
    await page.keyboard.press("Enter")
    await page.wait_for_url("**/dashboard")
    # The main navigation is reached by Tab, and each link by Enter.
    projects = page.get_by_role("navigation", name="Hauptnavigation").get_by_role(
        "link", name="Projekte"
    )
    for _ in range(15):
        await page.keyboard.press("Tab")
        if await projects.evaluate("el => el === document.activeElement"):
            break
    await expect(projects).to_be_focused()
    await page.keyboard.press("Enter")
    await page.wait_for_url("**/projects")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Projekte")


async def _focus_is_visible(page: Page) -> bool:
    """The focused element draws an outline (WCAG 2.4.7)."""
    style: str = await page.evaluate(
        "() => { const s = getComputedStyle(document.activeElement);"
        " return s.outlineStyle + ' ' + s.outlineWidth; }"
    )
    return not style.startswith("none") and not style.endswith(" 0px")


async def test_a_bad_csrf_token_is_refused(signed_in_page: Page) -> None:
    page = signed_in_page
    # A forged form: the token of somebody else's session (or none at all).
    await page.locator("input[name=csrf_token]").evaluate("el => el.value = 'f'.repeat(64)")
    await page.get_by_role("button", name="Abmelden").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Anfrage abgelehnt")
    await assert_accessible(page, "the refusal page")
    await page.goto("/dashboard")  # nothing changed: still signed in
    await expect(page.get_by_role("heading", level=1)).to_have_text("Dashboard")


async def test_no_page_requests_another_host(
    signed_in_page: Page, request_log: RequestLog, browser_platform: BrowserPlatform
) -> None:
    for path in PAGES:
        await signed_in_page.goto(path, wait_until="networkidle")
    assert len(request_log.urls) > len(PAGES)  # pages and their stylesheet at least
    assert any(url.endswith("/static/lotse.css") for url in request_log.urls)
    assert request_log.foreign(browser_platform.url) == []


async def test_every_page_passes_the_accessibility_scan(signed_in_page: Page) -> None:
    page = signed_in_page
    for language in ["de", "en"]:
        await page.goto(f"/language/{language}?next=/")
        for path in PAGES:
            await page.goto(path)
            await assert_accessible(page, f"{path} ({language})")
    # And on a phone: the layout reflows, nothing is cut off.
    await page.set_viewport_size({"width": 360, "height": 740})
    for path in PAGES:
        await page.goto(path)
        await assert_accessible(page, f"{path} (phone)")
        width = await page.evaluate("() => document.documentElement.scrollWidth")
        assert width <= 360, f"{path} scrolls sideways on a phone"


async def test_signed_out_pages_pass_the_accessibility_scan(page: Page) -> None:
    for path in ["/", "/sign-in", "/accessibility"]:
        await page.goto(path)
        assert re.search(r"Anmelden", await page.content())
        await assert_accessible(page, f"{path} (signed out)")
