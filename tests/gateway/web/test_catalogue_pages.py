"""The catalogue and funding pages over HTTP: what anonymous readers and members see,
highlights that cannot carry markup, refused forms that change nothing."""

import re
import uuid
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from services.gateway.web.i18n import COOKIE as LANGUAGE_COOKIE
from services.gateway.web.snippets import highlighted
from tests.conftest import Platform, eventually
from tests.funding.test_calls import call_body
from tests.gateway.web.forms import post_form, sign_in, token_of

HOSTILE_NAME = "<script>alert(1)</script> Zaunkönig-Portal"
HOSTILE_SUMMARY = 'Bauanträge <mark onclick="steal()">Zaunkönig</mark> online stellen.'


@dataclass
class Region:
    """One municipality with its key, a solution it provides and uses, its directory."""

    ags: str
    key: str
    solution: str
    contact_email: str
    call: str


@pytest.fixture(scope="module")
async def region(platform: Platform) -> Region:
    ags = await platform.municipality(name="Zaunkönigstadt", population=20_000)
    key = await platform.key("municipality", ags)
    member = platform.client(key)
    created = await member.post(
        "/api/v1/solutions",
        json={
            "name": HOSTILE_NAME,
            "short_description": HOSTILE_SUMMARY,
            "long_description": "Ein Portal für Bauanträge <img src=x onerror=alert(2)>.",
            "topics": ["administration"],
            "license": "EUPL-1.2",
            "maturity": "stable",
            "contacts": [{"name": "Erika Mustermann"}],
        },
    )
    assert created.status_code == 201, created.text
    solution = created.json()["id"]
    adopted = await member.post("/api/v1/adoptions", json={"solution_id": solution})
    assert adopted.status_code == 201, adopted.text
    contact_email = f"lotsin-{ags}@zaunkoenigstadt.example"
    person = await member.post(
        "/api/v1/contacts", json={"name": "Lena Lotsin", "email": contact_email}
    )
    assert person.status_code == 201, person.text
    article = await member.post(
        "/api/v1/articles",
        json={
            "title": "Was wir beim Zaunkönig-Portal gelernt haben",
            "kind": "lessons_learned",
            # nh3 lets a Markdown image to another host through: pages show the text.
            "body": "**Früh** die Bauaufsicht fragen. <img src=x onerror=alert(3)> "
            "![Zähler](https://tracker.example/p.png)",
            "solution_ids": [solution],
        },
    )
    assert article.status_code == 201, article.text
    internal = await member.post(
        "/api/v1/articles",
        json={
            "title": "Nur für die Region: Vergabe des Zaunkönig-Portals",
            "kind": "procurement_template",
            "body": "Intern.",
            "solution_ids": [solution],
            "visibility": "region",
        },
    )
    assert internal.status_code == 201, internal.text
    coordinator = platform.client(await platform.key("coordinator"))
    call = await coordinator.post(
        "/api/v1/funding-calls", json=call_body(title="Zaunkönig-Förderung")
    )
    assert call.status_code == 201, call.text

    async def indexed() -> bool:
        found = await platform.client().get("/api/v1/search", params={"q": "Zaunkönig"})
        return bool(found.json()["total"] >= 1)

    await eventually(indexed)
    return Region(ags, key, solution, contact_email, call.json()["id"])


def browser(platform: Platform) -> httpx.AsyncClient:
    """A client that keeps cookies and follows no redirect, like one browser tab."""
    return platform.client()


class TestHighlights:
    def test_only_the_apis_bare_marks_become_markup(self) -> None:
        shown = highlighted(
            "&lt;script&gt; <mark>Bau</mark> <mark onclick=x>a</mark> </mark> &amp; <mark>b"
        )
        assert str(shown) == (
            # A mark with attributes is text; closes without an open mark are dropped.
            "&lt;script&gt; <mark>Bau</mark> &lt;mark onclick=x&gt;a  &amp; <mark>b</mark>"
        )

    async def test_a_hostile_name_and_summary_render_as_text(
        self, platform: Platform, region: Region
    ) -> None:
        page = await browser(platform).get("/catalogue", params={"q": "Zaunkönig"})
        assert page.status_code == 200
        assert "<script" not in page.text
        assert re.search(r"<[a-z]+[^>]*\son[a-z]+=", page.text) is None, "no handler in a tag"
        assert "&lt;script&gt;alert(1)&lt;/script&gt; Zaunkönig-Portal" in page.text
        assert "&lt;mark onclick=" in page.text
        assert "<mark>Zaunkönig</mark>" in page.text
        assert re.search(r"<mark[^>]", page.text) is None

    async def test_the_solution_page_shows_no_html_of_the_api(
        self, platform: Platform, region: Region
    ) -> None:
        page = await browser(platform).get(f"/catalogue/solutions/{region.solution}")
        assert page.status_code == 200
        assert "<script" not in page.text and "<img" not in page.text
        assert "&lt;img src=x onerror=alert(2)&gt;" in page.text
        assert "&lt;img src=x onerror=alert(3)&gt;" in page.text
        assert "![Zähler](https://tracker.example/p.png)" in page.text


class TestVisibility:
    async def test_anonymous_sees_the_entry_but_not_who_uses_it_or_the_directory(
        self, platform: Platform, region: Region
    ) -> None:
        page = await browser(platform).get(f"/catalogue/solutions/{region.solution}")
        assert page.status_code == 200
        assert "Erika Mustermann" in page.text  # the entry's own contact is public
        assert region.contact_email not in page.text and "Lena Lotsin" not in page.text
        assert "sehen angemeldete Mitglieder" in page.text
        assert "im Einsatz" not in page.text
        assert f'href="/api/v1/solutions/{region.solution}/publiccode.yml"' in page.text
        assert "Was wir beim Zaunkönig-Portal gelernt haben" in page.text
        assert "Nur für die Region" not in page.text

    async def test_a_member_sees_adoptions_and_contacts(
        self, platform: Platform, region: Region
    ) -> None:
        member = browser(platform)
        assert (await sign_in(member, region.key)).status_code == 303
        page = await member.get(f"/catalogue/solutions/{region.solution}")
        assert region.contact_email in page.text and "Lena Lotsin" in page.text
        assert "Zaunkönigstadt" in page.text and "im Einsatz" in page.text
        assert "Nur für die Region" in page.text

    async def test_an_unknown_solution_is_a_404_page(self, platform: Platform) -> None:
        for path in [
            f"/catalogue/solutions/{uuid.uuid4()}",
            "/catalogue/solutions/k%C3%B6nig",
            "/catalogue/solutions/%3Cscript%3E",
        ]:
            page = await browser(platform).get(path)
            assert page.status_code == 404, path
            assert "text/html" in page.headers["content-type"]


class TestFacets:
    async def test_facet_links_filter_and_clear(self, platform: Platform, region: Region) -> None:
        client = browser(platform)
        page = await client.get("/catalogue", params={"q": "Zaunkönig"})
        link = re.search(
            r'href="(/catalogue\?q=Zaunk[^"]*municipality=' + region.ags + ')"', page.text
        )
        assert link, "a facet link per providing municipality"
        filtered = await client.get(link.group(1).replace("&amp;", "&"))
        assert filtered.status_code == 200
        assert 'aria-current="true"' in filtered.text
        assert "1 Treffer" in filtered.text

    async def test_pages_of_results_follow_each_other(self, platform: Platform) -> None:
        coordinator = platform.client(await platform.key("coordinator"))
        word = f"Seitenwechsel{uuid.uuid4().hex[:6]}"
        for number in range(21):
            created = await coordinator.post(
                "/api/v1/solutions",
                json={
                    "name": f"{word} {number}",
                    "short_description": f"Lösung {number} zum {word}.",
                    "license": "MIT",
                },
            )
            assert created.status_code == 201, created.text

        async def indexed() -> bool:
            found = await platform.client().get("/api/v1/search", params={"q": word})
            return bool(found.json()["total"] == 21)

        await eventually(indexed)
        client = browser(platform)
        first = await client.get("/catalogue", params={"q": word})
        assert "21 Treffer" in first.text and first.text.count('class="hit"') == 20
        assert "Erste Seite" not in first.text
        more = re.search(r'href="([^"]*cursor=[^"]*)" rel="next"', first.text)
        assert more, "a link to the next page"
        second = await client.get(more.group(1).replace("&amp;", "&"))
        assert second.status_code == 200 and second.text.count('class="hit"') == 1
        assert 'rel="next"' not in second.text and "Erste Seite" in second.text

    async def test_bad_filters_are_a_400_page(self, platform: Platform, region: Region) -> None:
        client = browser(platform)
        for params in [
            {"topic": "nonsense"},
            {"maturity": "bogus", "q": "Zaunkönig"},
            {"q": "x" * 201},
            {"cursor": "bogus"},
            {"municipality": "0641200ä"},
        ]:
            page = await client.get("/catalogue", params=params)
            assert page.status_code == 400, params
            assert "text/html" in page.headers["content-type"]
            assert "Diese Suche konnte nicht ausgeführt werden" in page.text
        for eligible_for in ["12", "0641200ä", "99999999", "06534014x"]:
            bad = await client.get("/funding", params={"eligible_for": eligible_for})
            assert bad.status_code == 400, eligible_for
            assert 'aria-invalid="true"' in bad.text and 'id="eligible_for-error"' in bad.text
            # The error stands beside the field; the calls and the calendar stay.
            assert "Zaunkönig-Förderung" in bad.text.split('id="calendar-heading"')[0]
            assert "Zaunkönig-Förderung" in bad.text.split('id="calendar-heading"')[1]
            assert "antragsberechtigt." not in bad.text
        # Control characters never reach a page: the kit refuses such a query string first.
        for path in ["/catalogue?q=Bau%00antrag", "/funding?eligible_for=06%0A412000"]:
            assert (await client.get(path)).status_code == 400, path


class TestFunding:
    async def test_open_calls_say_whether_the_municipality_may_apply_and_why(
        self, platform: Platform, region: Region
    ) -> None:
        coordinator = platform.client(await platform.key("coordinator"))
        elsewhere = await coordinator.post(
            "/api/v1/funding-calls",
            json=call_body(
                title="Nur in Bayern",
                applicants={"laender": ["09"], "municipality_kinds": ["gemeinde", "stadt"]},
            ),
        )
        assert elsewhere.status_code == 201, elsewhere.text
        client = browser(platform)
        page = await client.get("/funding", params={"eligible_for": region.ags})
        assert page.status_code == 200
        ours = page.text[page.text.index("Zaunkönig-Förderung") :]
        assert "Zaunkönigstadt ist antragsberechtigt." in ours.split('class="call"')[0]
        assert '<li lang="de">' in ours.split('class="call"')[0], "with the API's reasons"
        theirs = page.text[page.text.index("Nur in Bayern") :]
        assert "Zaunkönigstadt ist nicht antragsberechtigt." in theirs.split('class="call"')[0]
        assert "<caption" in page.text and 'scope="col"' in page.text
        only = await client.get("/funding", params={"eligible_for": region.ags, "only": "eligible"})
        assert "Zaunkönig-Förderung" in only.text and "Nur in Bayern" not in only.text
        anonymous = await client.get("/funding")
        assert "antragsberechtigt." not in anonymous.text and "Nur in Bayern" in anonymous.text

    async def test_topics_are_named_in_the_pages_language(
        self, platform: Platform, region: Region
    ) -> None:
        client = browser(platform)
        client.cookies.set(LANGUAGE_COOKIE, "en")
        page = await client.get("/funding")
        assert "Administrative services (OZG)" in page.text
        assert "Verwaltungsleistungen (OZG)" not in page.text
        assert re.search(
            r'<time datetime="\d{4}-\d{2}-\d{2}">\d{1,2} [A-Z][a-z]+ \d{4}</time>', page.text
        )
        assert 'class="table-scroll"' in page.text, "the calendar scrolls on a phone"
        await sign_in(client, region.key)
        form = await client.get("/funding/subscribe")
        assert '<label for="topic_broadband">Broadband and mobile networks</label>' in form.text

    async def test_the_subscribe_form_needs_a_sign_in(self, platform: Platform) -> None:
        answer = await browser(platform).get("/funding/subscribe")
        assert answer.status_code == 303
        assert answer.headers["location"] == "/sign-in?next=/funding/subscribe"


async def _subscriptions(platform: Platform, key: str) -> list[dict[str, Any]]:
    listing = await platform.client(key).get("/api/v1/subscriptions")
    assert listing.status_code == 200, listing.text
    items: list[dict[str, Any]] = listing.json()["items"]
    return items


class TestSubscribing:
    async def test_a_foreign_post_is_refused_and_changes_nothing(
        self, platform: Platform, region: Region
    ) -> None:
        member = browser(platform)
        await sign_in(member, region.key)
        before = len(await _subscriptions(platform, region.key))
        form = await member.get("/funding/subscribe")
        fields = {
            "csrf_token": token_of(form),
            "name": "Alles",
            "channel": "email",
            "email": "bauamt@zaunkoenigstadt.example",
        }
        elsewhere = await post_form(
            member, "/funding/subscribe", fields, origin="https://evil.example"
        )
        assert elsewhere.status_code == 403
        tokenless = await post_form(member, "/funding/subscribe", fields | {"csrf_token": "x"})
        assert tokenless.status_code == 403
        assert len(await _subscriptions(platform, region.key)) == before

    async def test_a_reader_is_refused_before_the_form(self, platform: Platform) -> None:
        reader_key = await platform.key("reader")
        reader = browser(platform)
        await sign_in(reader, reader_key)
        page = await reader.get("/funding/subscribe")
        assert page.status_code == 403
        assert "keine Förderaufrufe abonnieren" in page.text and 'name="channel"' not in page.text
        token = token_of(await reader.get("/funding"))
        fields = {"csrf_token": token, "name": "Leser", "email": "leser@example.org"}
        sent = await post_form(reader, "/funding/subscribe", fields)
        assert sent.status_code == 403 and "keine Förderaufrufe abonnieren" in sent.text

    async def test_the_channel_not_chosen_leaves_its_field_out(
        self, platform: Platform, region: Region
    ) -> None:
        member = browser(platform)
        await sign_in(member, region.key)
        token = token_of(await member.get("/funding/subscribe"))
        # Switched from webhook to e-mail with the URL still filled in, and back.
        for channel, name in [("email", "Umgeschaltet auf E-Mail"), ("webhook", "Zurück")]:
            fields = {
                "csrf_token": token,
                "name": name,
                "channel": channel,
                "email": "bauamt@zaunkoenigstadt.example",
                "url": "http://127.0.0.1:9/hook",
            }
            page = await post_form(member, "/funding/subscribe", fields)
            assert page.status_code == 200, page.text[:2000]
        made = {s["name"]: s for s in await _subscriptions(platform, region.key)}
        assert made["Umgeschaltet auf E-Mail"]["channel"] == "email"
        assert made["Umgeschaltet auf E-Mail"]["url"] is None
        assert made["Zurück"]["channel"] == "webhook"
        assert made["Zurück"]["email"] is None

    async def test_bad_input_shows_the_apis_message_beside_the_field(
        self, platform: Platform, region: Region
    ) -> None:
        member = browser(platform)
        await sign_in(member, region.key)
        before = len(await _subscriptions(platform, region.key))
        token = token_of(await member.get("/funding/subscribe"))
        for fields, field, message in [
            ({"name": "Alles", "channel": "email"}, "email", "required for channel email"),
            ({"name": "", "channel": "email", "email": "a@b.example"}, "name", "at least 1"),
            (
                {
                    "name": "Hook",
                    "channel": "webhook",
                    "url": "https://x.example/h",
                    "mode": "daily",
                },
                "mode",
                "a daily digest is for e-mail only",
            ),
            ({"name": "Alles", "channel": "fax", "email": "a@b.example"}, "channel", "email"),
        ]:
            page = await post_form(member, "/funding/subscribe", {"csrf_token": token} | fields)
            assert page.status_code == 400, (fields, page.text[:300])
            error = re.search(rf'<p class="field-error" id="{field}-error">([^<]*)</p>', page.text)
            assert error and message in error.group(1), (field, page.text[:2000])
            assert f'aria-describedby="{field}-hint {field}-error"' in page.text or (
                field in ("mode", "channel")
            )
        unreadable = await member.post(
            "/funding/subscribe",
            content=b"csrf_token=" + token.encode() + b"&name=%00",
            headers={
                "Origin": str(member.base_url).rstrip("/"),
                "Content-Type": "application/x-www-form-urlencoded",
            },
        )
        assert unreadable.status_code == 400
        assert len(await _subscriptions(platform, region.key)) == before

    async def test_a_webhook_subscription_shows_its_secret_and_feeds_once(
        self, platform: Platform, region: Region
    ) -> None:
        member = browser(platform)
        await sign_in(member, region.key)
        token = token_of(await member.get("/funding/subscribe"))
        page = await post_form(
            member,
            "/funding/subscribe",
            {
                "csrf_token": token,
                "name": "Intranet",
                "channel": "webhook",
                "url": "http://127.0.0.1:9/hook",
                "topic_administration": "on",
                "keywords": "Modellkommune, Verwaltung",
                "eligible_for_own": "on",
            },
        )
        assert page.status_code == 200, page.text[:2000]
        assert re.search(r"whsec_[A-Za-z0-9+/=_-]+", page.text)
        assert "/calls.atom" in page.text and "/deadlines.ics" in page.text
        (created,) = [
            s for s in await _subscriptions(platform, region.key) if s["name"] == "Intranet"
        ]
        assert created["filter"]["topics"] == ["administration"]
        assert created["filter"]["keywords"] == ["Modellkommune", "Verwaltung"]
        assert created["filter"]["eligible_for_own"] is True
