"""The projects pages in a real browser: publish in the form and see it, the API's error
beside its field, the matrix and a project with its Kooperationsradar; every page
scanned by axe (German, and the form in English)."""

from playwright.async_api import Page, expect

from tests.conftest import eventually
from tests.gateway.web.browser import RequestLog, assert_accessible
from tests.gateway.web.conftest import BrowserPlatform, sign_in_with


async def _municipality_key(browser_platform: BrowserPlatform, name: str) -> tuple[str, str]:
    platform = browser_platform.platform
    ags = await platform.municipality(name=name)
    return ags, await platform.key("municipality", ags)


async def test_a_municipality_publishes_a_project_in_the_form_and_sees_it(
    page: Page, browser_platform: BrowserPlatform, request_log: RequestLog
) -> None:
    _, key = await _municipality_key(browser_platform, "Formbrück")
    await sign_in_with(page, key)
    await page.goto("/projects")
    await page.get_by_role("link", name="Projekt anlegen").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Neues Projekt")
    await assert_accessible(page, "new project form")
    await page.get_by_label("Titel").fill("Online-Terminvergabe Bürgerbüro")
    await page.get_by_label("Kurzbeschreibung").fill("Termine im Bürgerbüro online buchen.")
    await page.get_by_role("checkbox", name="Bürgerservice").check()
    await page.get_by_label("Status").select_option(label="geplant")
    await page.get_by_label("Zielgruppen").fill("Bürgerinnen und Bürger\nBeschäftigte")
    await page.get_by_label("Indikatoren").fill("Online gebuchte Termine | Prozent | 60 | 0")
    await page.get_by_role("button", name="Projekt veröffentlichen").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text(
        "Online-Terminvergabe Bürgerbüro"
    )
    await expect(page.get_by_role("status")).to_have_text("Das Projekt ist veröffentlicht.")
    await expect(page.get_by_role("cell", name="Prozent")).to_be_visible()

    async def history_shown() -> bool:
        await page.reload()
        return await page.locator(".history").get_by_text("angelegt").count() == 1

    await eventually(history_shown)
    await assert_accessible(page, "project detail")
    await page.goto("/projects?topic=citizen_services")
    await expect(page.get_by_role("link", name="Online-Terminvergabe Bürgerbüro")).to_be_visible()
    await assert_accessible(page, "filtered list")
    assert not request_log.foreign(browser_platform.url)


async def test_bad_input_shows_the_apis_own_text_beside_the_field(
    page: Page, browser_platform: BrowserPlatform
) -> None:
    _, key = await _municipality_key(browser_platform, "Irrtumsheim")
    await sign_in_with(page, key)
    await page.goto("/projects/new")
    await page.get_by_label("Titel").fill("Messbar")
    await page.get_by_role("checkbox", name="Energie").check()
    await page.get_by_label("Indikatoren").fill("Einsparung | kWh | sehr viel")
    await page.get_by_role("button", name="Projekt veröffentlichen").click()
    indicators = page.get_by_label("Indikatoren")
    await expect(indicators).to_have_attribute("aria-invalid", "true")
    error = page.locator("#f-indicators-error")
    await expect(error).to_contain_text("1 (target): Input should be a valid number")
    assert "f-indicators-error" in (await indicators.get_attribute("aria-describedby") or "")
    await expect(page.get_by_role("alert")).to_contain_text("nicht gespeichert")
    await expect(page.get_by_label("Titel")).to_have_value("Messbar")  # the input stays
    await assert_accessible(page, "form with an error")
    await page.get_by_role("link", name="English").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("New project")
    await assert_accessible(page, "new project form, English")


async def test_the_matrix_leads_to_the_projects_and_the_radar_to_the_neighbours(
    page: Page, browser_platform: BrowserPlatform
) -> None:
    platform = browser_platform.platform
    ags, key = await _municipality_key(browser_platform, "Radarstadt")
    neighbour_ags, neighbour_key = await _municipality_key(browser_platform, "Radardorf")
    project = {
        "title": "Digitale Bauakte für Bauanträge",
        "summary": "Bauanträge digital einreichen und bearbeiten",
        "topics": ["administration"],
        "visibility": "region",
    }
    own = await platform.client(key).post("/api/v1/projects", json=project)
    assert own.status_code == 201, own.text
    theirs = await platform.client(neighbour_key).post(
        "/api/v1/projects", json=project | {"title": "Bauakte digital"}
    )
    assert theirs.status_code == 201, theirs.text
    contact = await platform.client(neighbour_key).post(
        "/api/v1/contacts", json={"name": "Robin Lotse", "role": "Digitallotsin"}
    )
    assert contact.status_code == 201, contact.text
    await sign_in_with(page, key)

    await page.goto("/projects/matrix")
    table = page.get_by_role("table", name="Anzahl der Projekte je Kommune")
    await expect(table.get_by_role("rowheader", name="Radardorf")).to_be_visible()
    await expect(
        table.get_by_role("columnheader", name="Verwaltungsleistungen (OZG)")
    ).to_be_visible()
    await assert_accessible(page, "matrix")
    await table.get_by_role("link", name="Radardorf, Verwaltungsleistungen (OZG): 1").click()
    await page.wait_for_url(f"**/projects?municipality={neighbour_ags}&topic=administration")
    await expect(page.get_by_role("link", name="Bauakte digital")).to_be_visible()

    await page.goto(f"/projects/{own.json()['id']}")
    radar = page.get_by_role("region", name="Kooperationsradar")

    async def neighbour_suggested() -> bool:
        await page.reload()
        return await radar.get_by_role("link", name="Bauakte digital").count() == 1

    await eventually(neighbour_suggested)
    await expect(radar).to_contain_text("Warum:")
    await expect(radar).to_contain_text("Robin Lotse (Digitallotsin)")
    await assert_accessible(page, "project with its radar")
    assert ags != neighbour_ags


async def test_the_projects_pages_pass_the_scan_in_both_languages_and_on_a_phone(
    page: Page, browser_platform: BrowserPlatform
) -> None:
    _, key = await _municipality_key(browser_platform, "Scanhausen")
    created = await browser_platform.platform.client(key).post(
        "/api/v1/projects",
        json={
            "title": "Barrierearme Website",
            "topics": ["citizen_services", "participation"],
            "visibility": "public",
            "indicators": [{"name": "Zufriedenheit", "unit": "Prozent", "target": 90}],
            "links": [{"title": "Leitfaden", "url": "https://scanhausen.example/leitfaden"}],
        },
    )
    assert created.status_code == 201, created.text
    paths = ["/projects", "/projects/matrix", f"/projects/{created.json()['id']}"]
    for path in paths:  # signed out first
        await page.goto(path)
        await assert_accessible(page, f"{path} (signed out)")
    await sign_in_with(page, key)
    paths += ["/projects/new", f"/projects/{created.json()['id']}/edit"]
    for language in ["de", "en"]:
        await page.goto(f"/language/{language}?next=/")
        for path in paths:
            await page.goto(path)
            await assert_accessible(page, f"{path} ({language})")
    await page.set_viewport_size({"width": 360, "height": 740})
    for path in paths:
        await page.goto(path)
        await assert_accessible(page, f"{path} (phone)")
        width = await page.evaluate("() => document.documentElement.scrollWidth")
        assert width <= 360, f"{path} scrolls sideways on a phone"
