"""Widgets in a real browser: an intranet page on another origin embeds them with the
one-line snippet; chromium frames them where the key allows that origin and refuses
the frame where it does not; every widget passes the accessibility scan."""

from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest
from playwright.async_api import Page, expect
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Route

from shared.cli.broker import free_port
from tests.conftest import eventually, serve
from tests.funding.test_calls import CALLS, call_body
from tests.gateway.conftest import publish
from tests.gateway.web.browser import assert_accessible
from tests.gateway.web.conftest import BrowserPlatform
from tests.knowledge.test_solutions import SOLUTION

HOST_PAGE = """<!doctype html>
<html lang="de"><head><meta charset="utf-8"><title>Intranet</title></head>
<body><main><h1>Intranet der Gemeinde</h1>
<script src="{lotse}/widgets/embed.js" data-lotse-widget="{widget}" data-lotse-key="{key}"
        async></script>
</main></body></html>"""


@dataclass
class Intranet:
    """An intranet page on an origin of its own: localhost, while Lotse is 127.0.0.1."""

    origin: str

    def page(self, widget: str, key: str) -> str:
        return f"{self.origin}/?widget={widget}&key={key}"


@dataclass
class Region:
    ags: str
    allowed: str
    """A key of the municipality whose origins name the intranet."""
    elsewhere: str
    """A key of the same municipality for another intranet only."""
    public_project: str
    private_project: str


@pytest.fixture(scope="module")
async def intranet(browser_platform: BrowserPlatform) -> AsyncIterator[Intranet]:
    lotse = browser_platform.url

    async def host(request: Request) -> HTMLResponse:
        widget, key = request.query_params["widget"], request.query_params["key"]
        return HTMLResponse(HOST_PAGE.format(lotse=lotse, widget=widget, key=key))

    port = free_port()
    async with serve(Starlette(routes=[Route("/", host)]), port):
        yield Intranet(origin=f"http://localhost:{port}")


@pytest.fixture(scope="module")
async def region(browser_platform: BrowserPlatform, intranet: Intranet) -> Region:
    platform = browser_platform.platform
    ags = await platform.municipality(name="Widgetstadt")
    owner = platform.client(await platform.key("municipality", ags))
    public = await publish(owner, "Digitales Bürgerbüro", "public")
    private = await publish(owner, "Interne Haushaltsplanung", "private")

    async def key(origins: list[str]) -> str:
        body = {"name": "Intranet", "role": "municipality", "ags": ags, "embed_origins": origins}
        answer = await platform.admin.post("/api/v1/api-keys", json=body)
        assert answer.status_code == 201, answer.text
        return str(answer.json()["id"])

    coordinator = platform.client(await platform.key("coordinator"))
    solution = await coordinator.post(
        "/api/v1/solutions", json=SOLUTION | {"name": "Bürgerportal Widget"}
    )
    call = await coordinator.post(CALLS, json=call_body(title="Digitale Dörfer"))
    assert solution.status_code == 201 and call.status_code == 201

    async def indexed() -> bool:
        found = await platform.client().get("/api/v1/search", params={"q": "Bürgerportal"})
        return found.status_code == 200 and found.json()["total"] > 0

    await eventually(indexed)
    return Region(
        ags=ags,
        allowed=await key([intranet.origin]),
        elsewhere=await key(["https://intranet.example.de"]),
        public_project=public,
        private_project=private,
    )


async def test_the_snippet_frames_the_projects_on_an_allowed_intranet(
    page: Page, intranet: Intranet, region: Region
) -> None:
    await page.goto(intranet.page("projects", region.allowed))
    frame = page.frame_locator("iframe[title='Lotse: Unsere Projekte']")
    await expect(frame.get_by_role("heading", level=1)).to_have_text("Projekte: Widgetstadt")
    await expect(frame.get_by_role("link", name="Digitales Bürgerbüro")).to_be_visible()
    await expect(frame.get_by_text("Interne Haushaltsplanung")).to_have_count(0)
    link = frame.get_by_role("link", name="Digitales Bürgerbüro")
    assert await link.get_attribute("target") == "_blank"
    assert await link.get_attribute("rel") == "noopener"
    assert await link.get_attribute("href") == f"/projects/{region.public_project}"
    # The widget reported its height and the snippet took it (it starts at 400px).
    iframe = page.locator("iframe.lotse-widget")
    await page.wait_for_function(
        "() => document.querySelector('iframe.lotse-widget').style.height !== '400px'"
    )
    reported = await iframe.evaluate("frame => frame.style.height")
    # A message from anyone but the frame is ignored: the host page posts one itself,
    # then a second one that arrives after the snippet's listener saw the first.
    after = await page.evaluate(
        """() => new Promise(resolve => {
            window.addEventListener("message", event => {
                if (event.data === "done") {
                    resolve(document.querySelector("iframe.lotse-widget").style.height);
                }
            });
            window.postMessage({type: "lotse-widget-height", height: 1234}, "*");
            window.postMessage("done", "*");
        })"""
    )
    assert after == reported


async def test_chromium_refuses_the_frame_for_an_intranet_the_key_does_not_name(
    page: Page, intranet: Intranet, region: Region
) -> None:
    async with page.expect_console_message(
        lambda message: "frame-ancestors" in message.text, timeout=15_000
    ) as refusal:
        await page.goto(intranet.page("projects", region.elsewhere))
    # Chromium names the policy that refused the frame: the key's one origin.
    assert "https://intranet.example.de" in (await refusal.value).text
    frame = page.frame_locator("iframe.lotse-widget")
    await expect(page.locator("iframe.lotse-widget")).to_have_count(1)
    await expect(frame.get_by_role("heading", name="Projekte: Widgetstadt")).to_have_count(0)
    await expect(frame.get_by_role("link", name="Digitales Bürgerbüro")).to_have_count(0)


async def test_the_funding_and_search_widgets_in_the_frame(
    page: Page, intranet: Intranet, region: Region
) -> None:
    await page.goto(intranet.page("funding-calls", region.allowed))
    calls = page.frame_locator("iframe[title='Lotse: Offene Förderaufrufe']")
    await expect(calls.get_by_role("heading", level=1)).to_have_text("Offene Förderaufrufe")
    await expect(calls.get_by_role("heading", name="Digitale Dörfer")).to_be_visible()
    more = calls.get_by_role("link", name="Alle Förderaufrufe in Lotse")
    assert await more.get_attribute("href") == f"/funding?eligible_for={region.ags}&only=eligible"
    await page.goto(intranet.page("search", region.allowed))
    search = page.frame_locator("iframe[title='Lotse: Lösungskatalog durchsuchen']")
    await search.get_by_label("Suchbegriff").fill("Buergerportal")
    await search.get_by_role("button", name="Suchen").click()
    await expect(search.get_by_role("link", name="Bürgerportal Widget")).to_be_visible()
    await expect(search.locator("mark").first).to_be_visible()
    hit = search.get_by_role("link", name="Bürgerportal Widget")
    assert (await hit.get_attribute("href") or "").startswith("/catalogue/solutions/")
    assert await hit.get_attribute("target") == "_blank"


async def test_widgets_show_what_anyone_may_see_of_the_keys_municipality(
    browser_platform: BrowserPlatform, region: Region
) -> None:
    platform = browser_platform.platform
    anyone = platform.client()
    mine = (await anyone.get(f"/widgets/{region.allowed}/projects")).text
    assert "Digitales Bürgerbüro" in mine and "Interne Haushaltsplanung" not in mine
    # A key of no municipality shows the region's public projects.
    body = {"name": "Kreis-Intranet", "role": "reader", "embed_origins": []}
    reader = (await platform.admin.post("/api/v1/api-keys", json=body)).json()["id"]
    region_wide = await anyone.get(f"/widgets/{reader}/projects")
    assert "Projekte der Region" in region_wide.text
    assert "Digitales Bürgerbüro" in region_wide.text
    assert "Interne Haushaltsplanung" not in region_wide.text
    # The funding widget of a municipality's key: the calls it may apply for (Hessen, Stadt).
    calls = (await anyone.get(f"/widgets/{region.allowed}/funding-calls")).text
    assert "antragsberechtigt" in calls and "Digitale Dörfer" in calls
    elsewhere = call_body(title="Nur Bayern", applicants={"laender": ["09"]})
    coordinator = platform.client(await platform.key("coordinator"))
    assert (await coordinator.post(CALLS, json=elsewhere)).status_code == 201
    assert "Nur Bayern" not in (await anyone.get(f"/widgets/{region.allowed}/funding-calls")).text
    assert "Nur Bayern" in (await anyone.get(f"/widgets/{reader}/funding-calls")).text


@pytest.mark.parametrize("lang", ["de", "en"])
async def test_every_widget_passes_the_accessibility_scan(
    page: Page, region: Region, lang: str
) -> None:
    paths = [
        f"/widgets/{region.allowed}/projects",
        f"/widgets/{region.allowed}/funding-calls",
        f"/widgets/{region.allowed}/search",
        f"/widgets/{region.allowed}/search?q=Bürgerportal",
        f"/widgets/{region.allowed}/search?q={'x' * 201}",
        "/widgets/00000000-0000-4000-8000-000000000000/projects",
    ]
    for width, height in [(1280, 900), (360, 640)]:
        await page.set_viewport_size({"width": width, "height": height})
        for path in paths:
            separator = "&" if "?" in path else "?"
            await page.goto(f"{path}{separator}lang={lang}")
            assert await page.get_attribute("html", "lang") == lang
            await assert_accessible(page, f"{path} ({lang}, {width} px)")
