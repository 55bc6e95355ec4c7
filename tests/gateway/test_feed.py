"""The activity feed: a project's or an article's whole history takes the visibility of its
newest version, and a match is never more visible than either end."""

import uuid
from datetime import UTC, datetime
from typing import Any

import httpx

from services.gateway import domain
from shared.contracts.knowledge import MatchEnd, MatchFound
from shared.contracts.projects import (
    ProjectCreated,
    ProjectDeleted,
    ProjectSnapshot,
    ProjectUpdated,
)
from shared.kit.events import CloudEvent, EventPayload
from shared.kit.inbox import idempotent
from tests.conftest import Platform, eventually
from tests.knowledge.test_articles import ARTICLE


def snapshot(project_id: uuid.UUID, ags: str, version: int, visibility: str) -> ProjectSnapshot:
    now = datetime.now(UTC)
    return ProjectSnapshot(
        id=project_id, municipality_ags=ags, title=f"v{version}", summary="", description="",
        topics=["energy"], status="idea", target_groups=[], value_proposition=None,
        indicators=[], budget_eur=None, funding_sources=[], start_date=None, end_date=None,
        partner_municipalities=[], contact=None, links=[], based_on_solution=None,
        visibility=visibility, tags=[], version=version, created_at=now, updated_at=now,
    )  # fmt: skip


async def test_a_late_older_event_does_not_reveal_a_hidden_project(platform: Platform) -> None:
    ags = "06999001"
    project_id = uuid.uuid4()
    apply = idempotent(platform.gateway.state.runtime.db, domain.record_in_feed)

    def event(payload: EventPayload) -> CloudEvent:
        return CloudEvent.of(payload, source="/lotse/projects", subject=str(project_id))

    await apply([event(ProjectCreated(project=snapshot(project_id, ags, 1, "public")))])
    await apply([event(ProjectUpdated(project=snapshot(project_id, ags, 3, "private"),
                                      changed=["visibility"]))])  # fmt: skip
    # version 2 (still public) arrives after version 3, e.g. from a replay
    await apply([event(ProjectUpdated(project=snapshot(project_id, ags, 2, "public"),
                                      changed=["title"]))])  # fmt: skip

    anonymous = await platform.client().get("/api/v1/feed", params={"limit": 200})
    assert str(project_id) not in {e["subject"] for e in anonymous.json()["items"]}
    coordinator = platform.client(await platform.key("coordinator"))
    entries = (await coordinator.get("/api/v1/feed", params={"limit": 200})).json()["items"]
    assert sorted(e["title"] for e in entries if e["subject"] == str(project_id)) == [
        "v1",
        "v2",
        "v3",
    ]


async def test_the_feed_says_its_total_and_answers_304_while_unchanged(
    platform: Platform,
) -> None:
    ags = await platform.municipality()
    client = platform.client(await platform.key("municipality", ags))
    for title in ("Eins", "Zwei", "Drei"):
        project = {"title": title, "topics": ["energy"], "visibility": "private"}
        assert (await client.post("/api/v1/projects", json=project)).status_code == 201

    async def all_three_arrived() -> bool:
        items = (await client.get("/api/v1/feed", params={"limit": 200})).json()["items"]
        return len([e for e in items if e["municipality_ags"] == ags]) == 3

    await eventually(all_three_arrived)
    # Private entries: only the owner (and coordinators) count them.
    visible = await client.get("/api/v1/feed", params={"limit": 1})
    anonymous = await platform.client().get("/api/v1/feed", params={"limit": 1})
    assert visible.json()["total"] == anonymous.json()["total"] + 3
    assert visible.json()["next_cursor"] is not None
    unchanged = await client.get(
        "/api/v1/feed", params={"limit": 1}, headers={"If-None-Match": visible.headers["etag"]}
    )
    assert (unchanged.status_code, unchanged.content) == (304, b"")


async def entries_of(client: httpx.AsyncClient, subject: str) -> list[dict[str, Any]]:
    feed = (await client.get("/api/v1/feed", params={"limit": 200})).json()["items"]
    return [e for e in feed if e["subject"] == subject]


async def test_a_match_arriving_after_an_end_narrowed_or_went_is_as_narrow(
    platform: Platform,
) -> None:
    # Projects and matches come on two topics, in no fixed order: the feed may know an
    # end's newer state before the match the knowledge service found in an older one.
    ags = await platform.municipality()
    apply = idempotent(platform.gateway.state.runtime.db, domain.record_in_feed)
    narrowed, deleted, other = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()

    def event(payload: EventPayload, subject: uuid.UUID) -> CloudEvent:
        return CloudEvent.of(payload, source="/test", subject=str(subject))

    def end(project_id: uuid.UUID) -> MatchEnd:
        return MatchEnd(id=project_id, kind="project", title="Friedhof", municipality_ags=ags)

    def match(first: uuid.UUID, second: uuid.UUID) -> CloudEvent:
        payload = MatchFound(project=end(first), match=end(second), score=0.5, reason="beide",
                             shared_terms=[], shared_topics=[], visibility="public")  # fmt: skip
        return event(payload, uuid.uuid4())

    await apply([event(ProjectCreated(project=snapshot(narrowed, ags, 1, "public")), narrowed)])
    await apply([event(ProjectUpdated(project=snapshot(narrowed, ags, 2, "private"),
                                      changed=["visibility"]), narrowed)])  # fmt: skip
    await apply([event(ProjectCreated(project=snapshot(deleted, ags, 1, "public")), deleted)])
    await apply([event(ProjectDeleted(project=snapshot(deleted, ags, 1, "public")), deleted)])
    late_private, late_deleted = match(other, narrowed), match(deleted, other)
    await apply([late_private, late_deleted])

    assert await entries_of(platform.client(), late_private.subject) == []
    owner = platform.client(await platform.key("municipality", ags))
    assert len(await entries_of(owner, late_private.subject)) == 1
    coordinator = platform.client(await platform.key("coordinator"))
    assert await entries_of(coordinator, late_deleted.subject) == []


async def test_an_article_narrowed_or_deleted_leaves_the_feed_and_no_body_travels(
    platform: Platform,
) -> None:
    ags = await platform.municipality()
    writer = platform.client(await platform.key("municipality", ags))
    coordinator = platform.client(await platform.key("coordinator"))
    reader, anonymous = platform.client(await platform.key("reader")), platform.client()
    created = await writer.post("/api/v1/articles", json=ARTICLE)
    assert created.status_code == 201, created.text
    article_id, url = created.json()["id"], created.headers["location"]

    (entry,) = await eventually(lambda: entries_of(anonymous, article_id))
    assert entry["data"]["article"]["summary"] == ARTICLE["summary"]
    assert not {"body", "body_html"} & entry["data"]["article"].keys()
    assert "Bauaufsicht" not in str(entry)

    narrowed = await writer.patch(url, json={"visibility": "region"}, headers={"If-Match": '"1"'})
    assert narrowed.status_code == 200, narrowed.text

    async def both_entries() -> list[dict[str, Any]]:
        entries = await entries_of(coordinator, article_id)
        return entries if len(entries) == 2 else []

    updated, _ = await eventually(both_entries)
    assert updated["type"] == "de.lotse.article.updated.v1"
    assert await entries_of(anonymous, article_id) == []
    assert len(await entries_of(reader, article_id)) == 2

    assert (await writer.delete(url)).status_code == 204

    async def gone() -> bool:
        return await entries_of(coordinator, article_id) == []

    await eventually(gone)


async def test_the_feed_of_one_subject_is_its_history_as_far_as_you_may_see(
    platform: Platform,
) -> None:
    ags, other = await platform.municipality(), await platform.municipality()
    project_id, unrelated = uuid.uuid4(), uuid.uuid4()
    apply = idempotent(platform.gateway.state.runtime.db, domain.record_in_feed)

    def event(payload: EventPayload, subject: uuid.UUID) -> CloudEvent:
        return CloudEvent.of(payload, source="/lotse/projects", subject=str(subject))

    await apply(
        [event(ProjectCreated(project=snapshot(project_id, ags, 1, "private")), project_id)]
    )
    await apply([event(ProjectUpdated(project=snapshot(project_id, ags, 2, "private"),
                                      changed=["title"]), project_id)])  # fmt: skip
    await apply([event(ProjectCreated(project=snapshot(unrelated, ags, 1, "private")), unrelated)])

    own = platform.client(await platform.key("municipality", ags))
    history = await own.get("/api/v1/feed", params={"subject": str(project_id)})
    assert history.status_code == 200, history.text
    assert [(e["title"], e["subject"]) for e in history.json()["items"]] == [
        ("v2", str(project_id)),
        ("v1", str(project_id)),
    ]
    assert history.json()["total"] == 2
    stranger = platform.client(await platform.key("municipality", other))
    hidden = await stranger.get("/api/v1/feed", params={"subject": str(project_id)})
    assert hidden.status_code == 200
    assert hidden.json()["items"] == []
    for bad in ("", "a b", "x" * 201, "\u00e4"):
        refused = await own.get("/api/v1/feed", params={"subject": bad})
        assert refused.status_code == 422, bad
        assert refused.headers["content-type"].startswith("application/problem+json")
