"""The region's activity as Atom: what a feed reader or an intranet page subscribes to."""

import feedparser

from tests.conftest import Platform, eventually
from tests.gateway.conftest import publish


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
