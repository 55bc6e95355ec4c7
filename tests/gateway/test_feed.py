"""The activity feed: a project's whole history takes the visibility of its newest version."""

import uuid
from datetime import UTC, datetime

from services.gateway import domain
from shared.contracts.projects import ProjectCreated, ProjectSnapshot, ProjectUpdated
from shared.kit.events import CloudEvent
from shared.kit.inbox import idempotent
from tests.conftest import Platform


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

    def event(payload) -> CloudEvent:  # type: ignore[no-untyped-def]
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
