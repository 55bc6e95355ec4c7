"""Articles (Markdown to sanitised HTML, a request for lessons learned when a project is
completed) and the contact directory (members only, GDPR export and erasure)."""

from typing import Any

from sqlalchemy import select
from sqlmodel import col

from services.knowledge.articles import render
from services.knowledge.index import SearchReadModel
from shared.kit.idempotency import IdempotencyRecord
from tests.conftest import Platform, eventually
from tests.knowledge.test_search_api import found_ids, indexed, project

ARTICLE: dict[str, Any] = {
    "title": "Was wir beim digitalen Bauantrag gelernt haben",
    "kind": "lessons_learned",
    "summary": "Drei Dinge, die wir anders machen würden.",
    "body": "## Erstens\n\nDie **Bauaufsicht** früh einbinden.\n\n"
    '<script>alert("x")</script> [Klick](javascript:alert(1)) '
    "[Leitfaden](https://example.org/leitfaden)",
    "topics": ["administration"],
}


class TestMarkdown:
    def test_markdown_becomes_html_without_scripts_or_script_links(self) -> None:
        html = render(ARTICLE["body"])
        assert "<h2>Erstens</h2>" in html and "<strong>Bauaufsicht</strong>" in html
        assert "<script" not in html and 'href="javascript' not in html
        assert '<a href="https://example.org/leitfaden"' in html

    def test_raw_html_and_event_handlers_never_pass(self) -> None:
        html = render('<img src=x onerror="alert(1)"> <a href="x" onclick="y">a</a>')
        assert "<img" not in html and "<a " not in html
        assert html.startswith("<p>&lt;img")


class TestArticles:
    async def test_a_municipality_publishes_and_the_html_is_safe(self, platform: Platform) -> None:
        ags = await platform.municipality()
        client = platform.client(await platform.key("municipality", ags))
        created = await client.post("/api/v1/articles", json=ARTICLE)
        assert created.status_code == 201, created.text
        body = created.json()
        assert body["municipality_ags"] == ags and body["body"] == ARTICLE["body"]
        assert "<strong>Bauaufsicht</strong>" in body["body_html"]
        assert "<script" not in body["body_html"]
        read = await platform.client().get(created.headers["location"])
        assert read.status_code == 200
        found = await found_ids(platform.client(), "Bauaufsicht", kind="article")
        assert body["id"] in found

    async def test_region_articles_are_for_members(self, platform: Platform) -> None:
        ags = await platform.municipality()
        client = platform.client(await platform.key("municipality", ags))
        created = await client.post("/api/v1/articles", json=ARTICLE | {"visibility": "region"})
        url = created.headers["location"]
        assert (await platform.client().get(url)).status_code == 404
        reader = platform.client(await platform.key("reader"))
        assert (await reader.get(url)).status_code == 200

    async def test_only_the_writer_changes_and_links_must_exist(self, platform: Platform) -> None:
        ags, other = await platform.municipality(), await platform.municipality()
        client = platform.client(await platform.key("municipality", ags))
        created = (await client.post("/api/v1/articles", json=ARTICLE)).json()
        url = f"/api/v1/articles/{created['id']}"
        stranger = platform.client(await platform.key("municipality", other))
        refused = await stranger.patch(url, json={"title": "X"}, headers={"If-Match": '"1"'})
        assert refused.status_code == 403
        changed = await client.patch(
            url, json={"body": "Neu: *kursiv*"}, headers={"If-Match": '"1"'}
        )
        assert changed.status_code == 200 and "<em>kursiv</em>" in changed.json()["body_html"]
        # A delete from a stale read is refused and deletes nothing; without If-Match it goes.
        stale = await client.delete(url, headers={"If-Match": '"1"'})
        assert stale.status_code == 412 and (await client.get(url)).status_code == 200
        assert (await client.delete(url, headers={"If-Match": '"2"'})).status_code == 204
        bad_link = await client.post(
            "/api/v1/articles",
            json=ARTICLE | {"solution_ids": ["00000000-0000-4000-8000-000000000000"]},
        )
        assert bad_link.status_code == 422
        assert bad_link.json()["errors"][0]["field"] == "solution_ids"

    async def test_an_article_names_only_projects_its_writer_may_see(
        self, platform: Platform
    ) -> None:
        owner = platform.client(await platform.key("municipality", await platform.municipality()))
        private = await project(owner, "Geheimes Vorhaben", visibility="private")
        public = await project(owner, "Offenes Vorhaben")
        await indexed(platform, private, public)
        writer = platform.client(await platform.key("municipality", await platform.municipality()))
        refused = await writer.post("/api/v1/articles", json=ARTICLE | {"project_ids": [private]})
        assert refused.status_code == 422
        assert refused.json()["errors"] == [
            {"field": "project_ids", "message": f"unknown project {private}"}
        ]
        created = await writer.post("/api/v1/articles", json=ARTICLE | {"project_ids": [public]})
        assert created.status_code == 201, created.text
        url = f"/api/v1/articles/{created.json()['id']}"
        sneaked = await writer.patch(
            url, json={"project_ids": [public, private]}, headers={"If-Match": '"1"'}
        )
        assert sneaked.status_code == 422
        # The owner may name its own private project.
        mine = await owner.post("/api/v1/articles", json=ARTICLE | {"project_ids": [private]})
        assert mine.status_code == 201, mine.text

    async def test_a_completed_project_asks_for_a_lessons_learned_article(
        self, platform: Platform
    ) -> None:
        ags = await platform.municipality()
        client = platform.client(await platform.key("municipality", ags))
        project_id = await project(client, "Schul-WLAN ausgerollt", status="in_progress")
        done = await client.patch(
            f"/api/v1/projects/{project_id}",
            json={"status": "completed"},
            headers={"If-Match": '"1"'},
        )
        assert done.status_code == 200

        async def requested() -> list[dict[str, Any]]:
            feed = (await client.get("/api/v1/feed", params={"limit": 200})).json()["items"]
            return [
                e
                for e in feed
                if e["type"] == "de.lotse.article.requested.v1" and e["subject"] == project_id
            ]

        (event,) = await eventually(requested)
        assert event["data"]["municipality_ags"] == ags
        assert "Schul-WLAN ausgerollt" in event["data"]["message"]
        assert "Erfahrungsbericht" in event["data"]["message"]


PERSON: dict[str, Any] = {
    "name": "Erika Lotsin",
    "role": "Digitallotsin",
    "department": "Hauptamt",
    "topics": ["administration", "education"],
    "email": "erika.lotsin@teststadt.example",
    "phone": "+49 6421 000000",
}


class TestContacts:
    async def test_the_directory_is_for_members_only(self, platform: Platform) -> None:
        ags = await platform.municipality()
        client = platform.client(await platform.key("municipality", ags))
        created = await client.post("/api/v1/contacts", json=PERSON)
        assert created.status_code == 201, created.text
        assert created.json()["municipality_ags"] == ags
        anonymous = platform.client()
        assert (await anonymous.get("/api/v1/contacts")).status_code == 401
        assert (await anonymous.get(created.headers["location"])).status_code == 401
        assert created.json()["id"] not in await found_ids(anonymous, "Lotsin")
        reader = platform.client(await platform.key("reader"))
        listed = (await reader.get("/api/v1/contacts", params={"municipality": ags})).json()
        assert [c["name"] for c in listed["items"]] == ["Erika Lotsin"]
        assert created.json()["id"] in await found_ids(reader, "Lotsin")

    async def test_a_person_is_exported_and_erased_without_a_copy_left(
        self, platform: Platform
    ) -> None:
        ags = await platform.municipality()
        client = platform.client(await platform.key("municipality", ags))
        created = await client.post(
            "/api/v1/contacts",
            json=PERSON | {"name": "Max Vergessen"},
            headers={"Idempotency-Key": "max-vergessen"},
        )
        contact_id = created.json()["id"]
        url = f"/api/v1/contacts/{contact_id}"
        stranger = platform.client(
            await platform.key("municipality", await platform.municipality())
        )
        assert (await stranger.get(url + "/export")).status_code == 403
        export = await client.get(url + "/export")
        assert export.status_code == 200
        assert export.json()["contact"]["email"] == PERSON["email"]
        assert export.json()["purpose"] and export.json()["deletion"]
        assert contact_id in await found_ids(client, "Vergessen")
        stale = await client.delete(url, headers={"If-Match": '"0"'})
        assert stale.status_code == 412 and (await client.get(url)).status_code == 200
        assert (await client.delete(url)).status_code == 204
        assert (await client.get(url)).status_code == 404
        assert contact_id not in await found_ids(client, "Vergessen")
        runtime = platform.knowledge.state.runtime
        assert runtime.part(SearchReadModel).index.get(contact_id) is None
        async with runtime.db.session() as session:
            kept = (
                await session.scalars(
                    select(col(IdempotencyRecord.body)).where(
                        col(IdempotencyRecord.body).contains(contact_id)
                    )
                )
            ).all()
        assert kept == []

    async def test_a_municipality_keeps_only_its_own_people(self, platform: Platform) -> None:
        ags, other = await platform.municipality(), await platform.municipality()
        client = platform.client(await platform.key("municipality", ags))
        refused = await client.post("/api/v1/contacts", json=PERSON | {"municipality_ags": other})
        assert refused.status_code == 403
        bad_mail = await client.post("/api/v1/contacts", json=PERSON | {"email": "kein-mail"})
        assert bad_mail.status_code == 422 and "email" in bad_mail.text
