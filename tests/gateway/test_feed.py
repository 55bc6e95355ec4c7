"""The activity feed: a project's whole history takes the visibility of its newest version."""

import uuid
from datetime import UTC, datetime

from services.gateway import domain
from shared.contracts.projects import ProjectCreated, ProjectSnapshot, ProjectUpdated
from shared.kit.events import CloudEvent, EventPayload
from shared.kit.inbox import idempotent
from tests.conftest import Platform, eventually


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
