"""The region's activity as Atom: what a feed reader or an intranet page subscribes to."""

import uuid
from urllib.parse import urlsplit

import feedparser

from services.gateway import domain
from shared.contracts.knowledge import MatchEnd, MatchFound
from shared.kit.events import CloudEvent
from shared.kit.inbox import idempotent
from tests.conftest import Platform, eventually
from tests.funding.test_calls import CALLS, call_body
from tests.gateway.conftest import publish
from tests.knowledge.test_articles import ARTICLE
from tests.knowledge.test_solutions import SOLUTION


async def test_the_activity_feed_reads_in_a_feed_reader_within_visibility(
    platform: Platform,
) -> None:
    ags = await platform.municipality(name="Musterstadt")
    owner = platform.client(await platform.key("municipality", ags))
    public = await publish(owner, "Digitale Bauakte", "public")
    private = await publish(owner, "Interne Umstellung", "private")

    async def owner_reads_both() -> feedparser.FeedParserDict | None:
        answer = await owner.get("/api/v1/feed.atom", params={"municipality": ags})
        parsed = feedparser.parse(answer.content)
        return parsed if len(parsed.entries) == 2 else None

    mine = await eventually(owner_reads_both)
    assert not mine.bozo, mine.bozo_exception
    assert mine.feed.title == "Lotse: Was in der Region geschah"
    newest, older = mine.entries
    assert newest.title == "Neues Projekt: Interne Umstellung"
    assert older.author == "Musterstadt"
    assert older.link.endswith(f"/api/v1/projects/{public}")
    assert "Stand: Idee" in older.summary

    anonymous = platform.client()
    answer = await anonymous.get("/api/v1/feed.atom", params={"municipality": ags})
    assert answer.headers["content-type"].startswith("application/atom+xml")
    titles = [e.title for e in feedparser.parse(answer.content).entries]
    assert titles == ["Neues Projekt: Digitale Bauakte"]
    assert private not in answer.text

    unchanged = await anonymous.get(
        "/api/v1/feed.atom",
        params={"municipality": ags},
        headers={"If-None-Match": answer.headers["etag"]},
    )
    assert unchanged.status_code == 304
    assert unchanged.content == b""


async def test_a_bad_atom_request_is_a_problem(platform: Platform) -> None:
    for params in ({"municipality": "1234"}, {"limit": "0"}, {"limit": "x"}):
        answer = await platform.client().get("/api/v1/feed.atom", params=params)
        assert answer.status_code == 422
        assert answer.headers["content-type"] == "application/problem+json"


async def test_each_entry_links_what_it_is_about_and_has_an_author(platform: Platform) -> None:
    ags = await platform.municipality(name="Linkstadt")
    writer = platform.client(await platform.key("municipality", ags))
    coordinator = platform.client(await platform.key("coordinator"))
    project_id = await publish(writer, "Radar-Ende", "public")
    article = await writer.post("/api/v1/articles", json=ARTICLE | {"title": "Linkbericht"})
    solution = await coordinator.post("/api/v1/solutions", json=SOLUTION | {"name": "Linklösung"})
    call = await coordinator.post(CALLS, json=call_body(title="Linkaufruf"))
    assert {article.status_code, solution.status_code, call.status_code} == {201}
    # A match of the Kooperationsradar, as the knowledge service announces one.
    ends = [
        MatchEnd(
            id=uuid.UUID(project_id), kind="project", title="Radar-Ende", municipality_ags=ags
        ),
        MatchEnd(id=uuid.uuid4(), kind="solution", title="Linkpaar", municipality_ags=None),
    ]
    found = MatchFound(project=ends[0], match=ends[1], score=0.5, reason="beide", shared_terms=[],
                       shared_topics=[], visibility="public")  # fmt: skip
    apply = idempotent(platform.gateway.state.runtime.db, domain.record_in_feed)
    await apply([CloudEvent.of(found, source="/test", subject=str(uuid.uuid4()))])
    expected = {
        "Neuer Artikel: Linkbericht": (f"/api/v1/articles/{article.json()['id']}", "Linkstadt"),
        "Neue Lösung: Linklösung": (f"/api/v1/solutions/{solution.json()['id']}", "Lotse"),
        "Neuer Förderaufruf: Linkaufruf": (
            f"/api/v1/funding-calls/{call.json()['id']}",
            call_body()["funder"],
        ),
        "Kooperationsradar: Radar-Ende ~ Linkpaar": (f"/api/v1/projects/{project_id}", "Linkstadt"),
    }

    async def all_there() -> dict[str, tuple[str, str]]:
        answer = await platform.client().get("/api/v1/feed.atom", params={"limit": 200})
        entries = feedparser.parse(answer.content).entries
        seen = {e.title: (urlsplit(e.link).path, e.get("author", "")) for e in entries}
        return seen if expected.keys() <= seen.keys() else {}

    seen = await eventually(all_there)
    assert {title: seen[title] for title in expected} == expected
    for path, _ in expected.values():
        assert (await platform.client().get(path)).status_code == 200, path
