"""The dashboard in a real browser: what is published appears by itself, at once; the
page passes the accessibility scan in both languages and on a phone."""

import httpx
from playwright.async_api import Page, expect

from tests.gateway.web.browser import assert_accessible
from tests.gateway.web.conftest import BrowserPlatform


async def test_a_published_project_appears_on_the_open_dashboard_within_a_second(
    signed_in_page: Page, browser_platform: BrowserPlatform
) -> None:
    platform = browser_platform.platform
    ags = await platform.municipality(name="Livestadt")
    owner = platform.client(await platform.key("municipality", ags))
    page = signed_in_page
    await page.goto("/dashboard")
    activity = page.get_by_role("region", name="Was zuletzt geschah").get_by_role("listitem")
    title = "Bürgerbus auf Abruf"
    await expect(activity.filter(has_text=title)).to_have_count(0)
    answer = await owner.post(
        "/api/v1/projects",
        json={"title": title, "topics": ["mobility"], "visibility": "region"},
    )
    assert answer.status_code == 201, answer.text
    # The promise to the person watching: a second, no reload.
    await expect(activity.filter(has_text=title)).to_be_visible(timeout=1000)
    await expect(activity.first).to_contain_text(title)


async def test_the_dashboard_passes_the_accessibility_scan(signed_in_page: Page) -> None:
    page = signed_in_page
    for language, heading in [("de", "Kennzahlen"), ("en", "Figures")]:
        await page.goto(f"/language/{language}?next=/dashboard")
        await expect(page.get_by_role("heading", name=heading)).to_be_visible()
        for summary in await page.locator("summary").all():
            await summary.click()  # the tables too
        await assert_accessible(page, f"dashboard ({language})")
    await page.set_viewport_size({"width": 360, "height": 740})
    await page.goto("/dashboard")
    await assert_accessible(page, "dashboard (phone)")
    width = await page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 360, "the dashboard scrolls sideways on a phone"


async def test_the_live_list_uses_the_pages_own_stream(
    signed_in_page: Page, browser_platform: BrowserPlatform
) -> None:
    # The browser's cookie is its only credential: the list listens on /dashboard/stream.
    async with signed_in_page.expect_request("**/dashboard/stream?after=*") as opened:
        await signed_in_page.goto("/dashboard")
    request = await opened.value
    assert request.url.startswith(browser_platform.url)
    async with httpx.AsyncClient(base_url=browser_platform.url) as anonymous:
        assert (await anonymous.get("/dashboard/stream")).status_code == 401
