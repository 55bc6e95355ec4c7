"""The catalogue and funding pages in a real browser: search and open a solution,
subscribe to funding alerts (the confirmation mail arrives at the SMTP sink), a form
error at its field, and an accessibility scan of every page, in German and English."""

import uuid
from dataclasses import dataclass
from email.message import EmailMessage

import pytest
from playwright.async_api import Page, expect

from tests.conftest import eventually
from tests.funding.test_calls import call_body
from tests.funding.test_subscriptions import mails_to, text_of
from tests.gateway.web.browser import RequestLog, assert_accessible
from tests.gateway.web.conftest import BrowserPlatform, sign_in_with


@dataclass
class Seeded:
    ags: str
    key: str
    solution: str


@pytest.fixture(scope="module")
async def seeded(browser_platform: BrowserPlatform) -> Seeded:
    """A municipality that provides and uses a solution, and an open funding call."""
    platform = browser_platform.platform
    ags = await platform.municipality(name="Eulenstadt", population=30_000)
    key = await platform.key("municipality", ags)
    member = platform.client(key)
    created = await member.post(
        "/api/v1/solutions",
        json={
            "name": "Eulen-Bürgerportal",
            "short_description": "Das Bürgerportal für Anträge rund um die Uhr.",
            "topics": ["citizen_services"],
            "license": "EUPL-1.2",
            "maturity": "stable",
        },
    )
    assert created.status_code == 201, created.text
    solution = str(created.json()["id"])
    adopted = await member.post("/api/v1/adoptions", json={"solution_id": solution})
    assert adopted.status_code == 201, adopted.text
    coordinator = platform.client(await platform.key("coordinator"))
    call = await coordinator.post("/api/v1/funding-calls", json=call_body(title="Eulen-Förderung"))
    assert call.status_code == 201, call.text

    async def indexed() -> bool:
        found = await platform.client().get("/api/v1/search", params={"q": "Eulen"})
        return bool(found.json()["total"] >= 1)

    await eventually(indexed)
    return Seeded(ags, key, solution)


async def test_search_the_catalogue_and_open_a_solution(
    page: Page, seeded: Seeded, browser_platform: BrowserPlatform, request_log: RequestLog
) -> None:
    await page.goto("/catalogue")
    await assert_accessible(page, "catalogue")
    # Umlauts either way: the search finds Bürgerportal.
    await page.get_by_label("Suchbegriff").fill("Buergerportal")
    await page.get_by_role("button", name="Suchen").click()
    result = page.get_by_role("link", name="Eulen-Bürgerportal")
    await expect(result).to_be_visible()
    await expect(page.locator("mark").first).to_be_visible()
    await assert_accessible(page, "catalogue results")
    await page.get_by_role("link", name="Eulenstadt").click()  # a facet, no JavaScript
    await expect(page.get_by_role("link", name="Kommune: Eulenstadt entfernen")).to_be_visible()
    await page.get_by_role("link", name="Eulen-Bürgerportal").click()
    await page.wait_for_url(f"**/catalogue/solutions/{seeded.solution}")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Eulen-Bürgerportal")
    await expect(page.get_by_text("sehen angemeldete Mitglieder").first).to_be_visible()
    await expect(page.get_by_role("link", name="Als publiccode.yml herunterladen")).to_be_visible()
    await assert_accessible(page, "solution, signed out")
    await sign_in_with(page, seeded.key)
    await page.goto(f"/catalogue/solutions/{seeded.solution}")
    await expect(page.get_by_role("rowheader", name="Eulenstadt")).to_be_visible()
    await assert_accessible(page, "solution, signed in")
    assert request_log.foreign(browser_platform.url) == []


async def test_subscribe_to_funding_alerts_by_email(
    page: Page, seeded: Seeded, browser_platform: BrowserPlatform
) -> None:
    await sign_in_with(page, seeded.key)
    await page.goto("/funding")
    await expect(page.get_by_text("Eulenstadt ist antragsberechtigt.").first).to_be_visible()
    await expect(page.get_by_role("table").first).to_be_visible()
    await assert_accessible(page, "funding")
    await page.get_by_role("link", name="Förderaufrufe abonnieren").click()
    await page.wait_for_url("**/funding/subscribe")
    await assert_accessible(page, "subscribe")
    await page.get_by_label("Name des Abonnements").fill("Breitband fürs Bauamt")
    await page.get_by_label("E-Mail-Adresse").fill("kein-mail")
    await page.get_by_role("button", name="Abonnieren").click()
    email_field = page.get_by_label("E-Mail-Adresse")
    await expect(email_field).to_have_attribute("aria-invalid", "true")
    await expect(page.locator("#email-error")).to_contain_text("should match pattern")
    await expect(page.get_by_role("alert")).to_be_visible()
    await assert_accessible(page, "subscribe with an error")
    address = f"bauamt-{uuid.uuid4().hex[:8]}@eulenstadt.example"
    await email_field.fill(address)
    await page.get_by_label("Breitband und Mobilfunk").check()
    await page.get_by_role("button", name="Abonnieren").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Abonnement angelegt")
    await expect(page.get_by_role("status")).to_contain_text(address)
    await expect(page.get_by_role("link", name="Atom-Feed der Förderaufrufe")).to_be_visible()
    await assert_accessible(page, "subscribed")

    async def confirmation() -> list[EmailMessage]:
        return mails_to(browser_platform.platform.mail_folder, address)

    (mail,) = await eventually(confirmation)
    assert "/api/v1/subscriptions/confirm?" in text_of(mail)


async def test_the_pages_in_english_and_on_a_phone(page: Page, seeded: Seeded) -> None:
    await page.goto("/language/en?next=/funding")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Funding")
    await page.get_by_label("Eligible for municipality (AGS)").fill(seeded.ags)
    await page.get_by_role("button", name="Check eligibility").click()
    await expect(page.get_by_text("Eulenstadt may apply.").first).to_be_visible()
    await expect(page.get_by_role("table").first).to_be_visible()
    await assert_accessible(page, "funding (en)")
    await page.set_viewport_size({"width": 375, "height": 740})
    await page.goto("/funding")
    await expect(page.get_by_role("table").first).to_be_visible()
    # The calendar scrolls within its box; the page itself keeps the phone's width.
    assert await page.evaluate("document.documentElement.scrollWidth") <= 375
    await assert_accessible(page, "funding (en, phone)")
    await page.goto("/catalogue?q=Eulen")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Solution catalogue")
    await assert_accessible(page, "catalogue (en, phone)")
    await page.goto(f"/catalogue/solutions/{seeded.solution}")
    await assert_accessible(page, "solution (en, phone)")
    await page.goto("/funding/subscribe")  # signed out: to the sign-in, and back after
    await expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
