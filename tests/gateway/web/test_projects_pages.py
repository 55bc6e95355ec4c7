"""The projects pages over HTTP: they show what the API shows the signed-in person, the
forms publish and change through the API with its own refusals, and bad posts change
nothing."""

import html
import re
import uuid

import httpx

from services.gateway.web.i18n import COOKIE as LANGUAGE_COOKIE
from services.gateway.web.pages_projects import EXPORTS
from tests.conftest import Platform, eventually
from tests.gateway.conftest import publish
from tests.gateway.web.forms import post_form, sign_in, token_of


async def _web(platform: Platform, key: str) -> httpx.AsyncClient:
    """A browser signed in with `key`."""
    browser = platform.client()
    assert (await sign_in(browser, key)).status_code == 303
    return browser


async def _municipality(platform: Platform, name: str) -> tuple[str, str]:
    ags = await platform.municipality(name=name)
    return ags, await platform.key("municipality", ags)


def _form(**fields: str) -> dict[str, str]:
    return {
        "title": "Digitale Bauakte",
        "topic_administration": "1",
        "visibility": "region",
    } | fields


async def _project(platform: Platform, key: str, project_id: str) -> dict[str, object]:
    answer = await platform.client(key).get(f"/api/v1/projects/{project_id}")
    assert answer.status_code == 200, answer.text
    body: dict[str, object] = answer.json()
    return body


async def _titled(platform: Platform, title: str) -> int:
    answer = await platform.admin.get("/api/v1/projects", params={"q": title})
    return int(answer.json()["total"])


class TestVisibility:
    async def test_another_municipalitys_private_project_is_404_on_the_page_too(
        self, platform: Platform
    ) -> None:
        _, owner_key = await _municipality(platform, "Eigenheim")
        _, other_key = await _municipality(platform, "Nachbarort")
        project = await publish(platform.client(owner_key), "Geheimes Vorhaben", "private")
        owner = await _web(platform, owner_key)
        other = await _web(platform, other_key)
        assert "Geheimes Vorhaben" in (await owner.get(f"/projects/{project}")).text
        for path in (f"/projects/{project}", f"/projects/{project}/edit"):
            refused = await other.get(path)
            assert refused.status_code == 404, path
            assert "Geheimes Vorhaben" not in refused.text
        assert (await platform.client().get(f"/projects/{project}")).status_code == 404
        assert "Geheimes Vorhaben" not in (await other.get("/projects")).text
        assert (await other.get("/projects/not-a-uuid")).status_code == 404


class TestReaders:
    async def test_a_reader_gets_no_edit_form_and_a_post_is_refused(
        self, platform: Platform
    ) -> None:
        _, owner_key = await _municipality(platform, "Leseort")
        project = await publish(platform.client(owner_key), "Für alle lesbar", "region")
        reader = await _web(platform, await platform.key("reader"))
        detail = await reader.get(f"/projects/{project}")
        assert detail.status_code == 200
        assert f"/projects/{project}/edit" not in detail.text
        assert "/projects/new" not in (await reader.get("/projects")).text
        assert (await reader.get("/projects/new")).status_code == 403
        assert (await reader.get(f"/projects/{project}/edit")).status_code == 403
        token = token_of(detail)
        created = await post_form(
            reader, "/projects/new", _form(csrf_token=token, title="Vom Leser")
        )
        assert created.status_code == 403
        assert await _titled(platform, "Vom Leser") == 0
        changed = await post_form(
            reader,
            f"/projects/{project}/edit",
            _form(csrf_token=token, title="Vom Leser geändert", version="1"),
        )
        assert changed.status_code == 403
        assert (await _project(platform, owner_key, project))["title"] == "Für alle lesbar"


class TestRefusedPosts:
    async def test_a_post_without_the_token_or_from_another_site_changes_nothing(
        self, platform: Platform
    ) -> None:
        _, key = await _municipality(platform, "Tokenstadt")
        browser = await _web(platform, key)
        token = token_of(await browser.get("/projects/new"))
        no_token = await post_form(browser, "/projects/new", _form(title="Ohne Token"))
        assert no_token.status_code == 403
        foreign = await post_form(
            browser,
            "/projects/new",
            _form(csrf_token=token, title="Ohne Token"),
            origin="https://evil.example",
        )
        assert foreign.status_code == 403
        assert await _titled(platform, "Ohne Token") == 0

    async def test_oversized_or_control_characters_are_a_400_page_and_change_nothing(
        self, platform: Platform
    ) -> None:
        _, key = await _municipality(platform, "Steuerzeichenstadt")
        project = await publish(platform.client(key), "Unverändert", "region")
        browser = await _web(platform, key)
        token = token_of(await browser.get(f"/projects/{project}/edit"))
        for path in ("/projects/new", f"/projects/{project}/edit"):
            huge = _form(csrf_token=token, version="1", description="x" * 300_000)
            oversized = await post_form(browser, path, huge)
            assert oversized.status_code == 400, path
            assert "text/html" in oversized.headers["content-type"]
            control = _form(csrf_token=token, version="1", title="Bau\x07akte")
            assert (await post_form(browser, path, control)).status_code == 400, path
        assert (await _project(platform, key, project))["title"] == "Unverändert"
        assert await _titled(platform, "Bauakte") == 0

    async def test_a_version_that_is_no_number_is_a_stale_form_not_a_500(
        self, platform: Platform
    ) -> None:
        _, key = await _municipality(platform, "Versionsdorf")
        project = await publish(platform.client(key), "Unverändert", "region")
        browser = await _web(platform, key)
        token = token_of(await browser.get(f"/projects/{project}/edit"))
        # str.isdigit() takes "²" and "٣" for digits; int() takes neither "²" nor 5000 digits.
        for version in ("²", "٢", "9" * 5000, "-1", ""):
            posted = _form(csrf_token=token, version=version, title="Überschrieben")
            answer = await post_form(browser, f"/projects/{project}/edit", posted)
            assert answer.status_code == 409, (version[:10], answer.status_code)
            assert "inzwischen geändert" in answer.text
        assert (await _project(platform, key, project))["title"] == "Unverändert"


class TestForms:
    async def test_a_municipality_publishes_and_changes_its_project(
        self, platform: Platform
    ) -> None:
        ags, key = await _municipality(platform, "Formhausen")
        browser = await _web(platform, key)
        form = await browser.get("/projects/new")
        assert form.status_code == 200
        fields = _form(
            csrf_token=token_of(form),
            idempotency_key=re.search(r'name="idempotency_key" value="([^"]+)"', form.text)[1],  # type: ignore[index]
            title="Bürgerportal Formhausen",
            topic_citizen_services="1",
            target_groups="Bürgerinnen\r\nUnternehmen\r\n",  # a browser sends CR LF
            indicators="Online-Anträge | Prozent | 80 | 35,5",
            budget_eur="25.000,50",
            funding_sources="Land Hessen | 10000",
            links="Website | https://formhausen.example/portal",
            tags="OZG, Portal",
            contact_name="Alex Lotse",
            contact_email="alex@formhausen.example",
            start_date="2027-05-01",
            status="planned",
        )
        created = await post_form(browser, "/projects/new", fields)
        assert created.status_code == 303, created.text
        location = created.headers["location"]
        project_id = location.split("/")[2].split("?")[0]
        # The same form sent twice (a double click) is the same publication.
        again = await post_form(browser, "/projects/new", fields)
        assert again.headers["location"] == location
        project = await _project(platform, key, project_id)
        assert project["municipality_ags"] == ags
        assert project["topics"] == ["administration", "citizen_services"]
        assert project["target_groups"] == ["Bürgerinnen", "Unternehmen"]
        assert project["indicators"] == [
            {"name": "Online-Anträge", "unit": "Prozent", "target": 80.0, "current": 35.5}
        ]
        assert project["budget_eur"] == 25000.5
        assert project["links"] == [
            {"title": "Website", "url": "https://formhausen.example/portal"}
        ]
        assert project["contact"] == {
            "name": "Alex Lotse",
            "role": None,
            "email": "alex@formhausen.example",
            "phone": None,
        }
        page = await browser.get(location)
        assert "Bürgerportal Formhausen" in page.text and "veröffentlicht" in page.text
        # Numbers and days as the page's language writes them.
        assert "25.000,50 €" in page.text and "10.000,00 €" in page.text
        assert "<td>80</td><td>35,5</td>" in page.text
        assert '<time datetime="2027-05-01">1. Mai 2027</time>' in page.text
        browser.cookies.set(LANGUAGE_COOKIE, "en")
        english = (await browser.get(location)).text
        assert "25,000.50 €" in english and "<td>80</td><td>35.5</td>" in english
        assert ">1 May 2027</time>" in english
        browser.cookies.set(LANGUAGE_COOKIE, "de")

        edit = await browser.get(f"/projects/{project_id}/edit")
        assert 'value="Bürgerportal Formhausen"' in edit.text
        assert "Online-Anträge | Prozent | 80 | 35.5" in edit.text
        changed = _form(
            csrf_token=token_of(edit),
            version="1",
            title="Bürgerportal Formhausen 2.0",
            status="in_progress",
        )
        saved = await post_form(browser, f"/projects/{project_id}/edit", changed)
        assert saved.status_code == 303, saved.text
        now = await _project(platform, key, project_id)
        assert now["title"] == "Bürgerportal Formhausen 2.0" and now["version"] == 2
        assert now["indicators"] == [] and now["contact"] is None  # emptied in the form

        # The same form again is stale: it was for version 1.
        stale = await post_form(
            browser, f"/projects/{project_id}/edit", changed | {"title": "Veraltet"}
        )
        assert stale.status_code == 409
        assert "inzwischen geändert" in stale.text
        assert 'name="version" value="2"' in stale.text  # saving again overwrites knowingly
        assert (await _project(platform, key, project_id))["title"] == (
            "Bürgerportal Formhausen 2.0"
        )

        async def history() -> bool:
            text = (await browser.get(f"/projects/{project_id}")).text
            return "angelegt" in text and re.search(r"geändert:[^<]*Titel", text) is not None

        await eventually(history)
        text = (await browser.get(f"/projects/{project_id}")).text
        # The status change reads from → to, once, with the other changed fields after it.
        assert re.search(r"\(geplant → in Umsetzung\) \u2013 geändert: [^<]*Titel", text), text
        assert not re.search(r"geändert:[^<]*Status", text)

    async def test_the_apis_errors_stand_next_to_their_fields(self, platform: Platform) -> None:
        _, key = await _municipality(platform, "Fehlerdorf")
        browser = await _web(platform, key)
        form = await browser.get("/projects/new")
        refused = await post_form(
            browser,
            "/projects/new",
            {
                "csrf_token": token_of(form),
                "title": "",
                "contact_name": "Kim",
                "contact_email": "keine-adresse",
                "indicators": "Quote | Prozent | viel",
            },
        )
        assert refused.status_code == 422
        text = html.unescape(refused.text)
        # The API's own texts, each beside its field and named by it.
        api = await platform.client(key).post(
            "/api/v1/projects",
            json={
                "title": "",
                "topics": [],
                "contact": {"name": "Kim", "email": "keine-adresse"},
                "indicators": [{"name": "Quote", "unit": "Prozent", "target": "viel"}],
            },
        )
        messages = {e["field"]: e["message"] for e in api.json()["errors"]}
        assert set(messages) >= {"title", "topics", "contact.email", "indicators.0.target"}
        for field, message in messages.items():
            assert message in text, field
        for name in ("title", "contact_email", "indicators"):
            assert re.search(
                rf'id="f-{name}"[^>]*aria-describedby="[^"]*f-{name}-error"[^>]*aria-invalid="true"',
                refused.text,
            ), name
            assert f'id="f-{name}-error"' in refused.text
        assert "1 (target): " in text  # the indicator's line
        assert await _titled(platform, "Quote") == 0


class TestCoordinators:
    async def test_a_coordinator_names_the_municipality_and_may_edit_any(
        self, platform: Platform
    ) -> None:
        ags, key = await _municipality(platform, "Koordiniert")
        theirs = await publish(platform.client(key), "Von der Kommune", "private")
        coordinator = await _web(platform, await platform.key("coordinator"))
        form = await coordinator.get("/projects/new")
        assert f'<option value="{ags}">Koordiniert ({ags})</option>' in form.text
        fields = _form(csrf_token=token_of(form), title="Vom Kreis")
        unnamed = await post_form(coordinator, "/projects/new", fields)
        assert unnamed.status_code == 422
        assert 'id="f-municipality_ags-error"' in unnamed.text
        named = await post_form(coordinator, "/projects/new", fields | {"municipality_ags": ags})
        assert named.status_code == 303, named.text
        created = named.headers["location"].split("/")[2].split("?")[0]
        assert (await _project(platform, key, created))["municipality_ags"] == ags
        edit = await coordinator.get(f"/projects/{theirs}/edit")
        assert edit.status_code == 200 and 'name="municipality_ags"' not in edit.text
        saved = await post_form(
            coordinator,
            f"/projects/{theirs}/edit",
            _form(csrf_token=token_of(edit), version="1", title="Vom Kreis ergänzt"),
        )
        assert saved.status_code == 303, saved.text
        assert (await _project(platform, key, theirs))["title"] == "Vom Kreis ergänzt"


class TestListAndMatrix:
    async def test_the_list_filters_and_the_matrix_counts_what_you_may_see(
        self, platform: Platform
    ) -> None:
        ags, key = await _municipality(platform, "Matrixstadt")
        owner = platform.client(key)
        for title, visibility in (("Ladesäulen", "region"), ("Busapp", "region")):
            await publish(owner, title, visibility)
        await publish(owner, "Interne Mobilität", "private")
        _, other_key = await _municipality(platform, "Zuschauerdorf")
        other = await _web(platform, other_key)
        matrix = await other.get("/projects/matrix")
        assert matrix.status_code == 200
        cell = f'href="/projects?municipality={ags}&amp;topic=mobility"'
        assert re.search(re.escape(cell) + r"[^>]*>2</a>", matrix.text), "what others may see"
        assert '<th scope="row">Matrixstadt</th>' in matrix.text
        # A column per topic: the matrix gets the screen's width, other pages the text's.
        assert '<main id="main" tabindex="-1" class="main--wide">' in matrix.text
        assert 'class="main--wide"' not in (await other.get("/projects")).text
        own = await (await _web(platform, key)).get("/projects/matrix")
        assert re.search(re.escape(cell) + r"[^>]*>3</a>", own.text)

        listed = await other.get("/projects", params={"municipality": ags, "topic": "mobility"})
        assert "Ladesäulen" in listed.text and "Busapp" in listed.text
        assert "Interne Mobilität" not in listed.text
        searched = await other.get("/projects", params={"q": "Busapp", "municipality": ags})
        assert "Busapp" in searched.text and "Ladesäulen" not in searched.text
        bad = await other.get("/projects", params={"topic": "no-such-topic"})
        assert bad.status_code == 400 and "topic" in bad.text

    async def test_an_export_is_fetched_as_the_signed_in_person(self, platform: Platform) -> None:
        ags, key = await _municipality(platform, "Exportheim")
        await publish(platform.client(key), "Exportiertes Geheimnis", "private")
        browser = await _web(platform, key)
        page = await browser.get("/projects", params={"municipality": ags})
        assert f'href="/projects/export.csv?municipality={ags}"' in page.text
        assert f'href="/projects/export.xlsx?municipality={ags}"' in page.text
        exported = await browser.get("/projects/export.csv", params={"municipality": ags})
        assert exported.status_code == 200
        assert exported.headers["content-type"].startswith("text/csv")
        assert "Exportiertes Geheimnis" in exported.text  # private: fetched as its owner
        assert exported.headers["content-disposition"].startswith("attachment")
        workbook = await browser.get("/projects/export.xlsx", params={"municipality": ags})
        assert workbook.status_code == 200 and workbook.content.startswith(b"PK")
        assert workbook.headers["content-type"] == EXPORTS["xlsx"]
        stranger = await _web(platform, (await _municipality(platform, "Fremdheim"))[1])
        hidden = await stranger.get("/projects/export.csv", params={"municipality": ags})
        assert hidden.status_code == 200 and "Exportiertes Geheimnis" not in hidden.text
        refused = await browser.get("/projects/export.csv", params={"status": "no-such-status"})
        assert refused.status_code == 422 and "text/html" in refused.headers["content-type"]
        signed_out = platform.client()
        public = await signed_out.get("/projects", params={"municipality": ags})
        assert f'href="/api/v1/projects?municipality={ags}&amp;format=csv"' in public.text
        redirected = await signed_out.get("/projects/export.csv", params={"municipality": ags})
        assert redirected.status_code == 303
        assert redirected.headers["location"] == f"/api/v1/projects?municipality={ags}&format=csv"
        assert (await browser.get("/projects/export.pdf")).status_code == 404
        assert (await browser.get(f"/projects/{uuid.uuid4()}")).status_code == 404
