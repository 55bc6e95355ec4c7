"""The broker crashes mid-traffic and comes back empty: every acknowledged version lands once."""

import asyncio
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlmodel import col

from services.gateway.models import FeedEntry
from tests.conftest import BACKENDS, Platform, eventually, running_platform

pytestmark = pytest.mark.long  # minutes: started first (tests/conftest.py)

WRITERS = 4
UPDATES_PER_PROJECT = 3


async def write_continuously(
    platform: Platform, key: str, number: int, acked: list[tuple[str, int]], stop: asyncio.Event
) -> None:
    """Create projects and update each a few times until told to stop; note every 2xx."""
    client = platform.client(key)
    while not stop.is_set():
        created = await client.post(
            "/api/v1/projects",
            json={"title": f"Projekt {number}", "topics": ["energy"], "visibility": "public"},
        )
        assert created.status_code == 201, created.text
        project_id, version = created.json()["id"], 1
        acked.append((project_id, version))
        for _ in range(UPDATES_PER_PROJECT):
            if stop.is_set():
                break
            updated = await client.patch(
                f"/api/v1/projects/{project_id}",
                json={"title": f"Projekt {number}, Fassung {version + 1}"},
                headers={"If-Match": f'"{version}"'},
            )
            assert updated.status_code == 200, updated.text
            version = updated.json()["version"]
            acked.append((project_id, version))


async def feed_versions(platform: Platform, ags: str) -> dict[tuple[str, int], int]:
    """How often each (project, version) of `ags` is in the gateway's feed."""
    async with platform.gateway.state.runtime.db.session() as session:
        rows = await session.execute(
            select(col(FeedEntry.subject), col(FeedEntry.version), func.count())
            .where(col(FeedEntry.municipality_ags) == ags)
            .group_by(col(FeedEntry.subject), col(FeedEntry.version))
        )
        return {(subject, version): count for subject, version, count in rows.all()}


@pytest.mark.parametrize("backend", BACKENDS)
async def test_a_broker_killed_and_restarted_empty_loses_no_acknowledged_event(
    backend: str, tmp_path: Path
) -> None:
    async with running_platform(backend, tmp_path) as platform:
        ags = await platform.municipality()
        key = await platform.key("municipality", ags)
        acked: list[tuple[str, int]] = []
        stop = asyncio.Event()
        writers = [
            asyncio.create_task(write_continuously(platform, key, n, acked, stop))
            for n in range(WRITERS)
        ]

        async def written(count: int) -> bool:
            if any(w.done() for w in writers):  # a writer failed: show why
                await asyncio.gather(*writers)
            return len(acked) >= count

        try:
            await eventually(lambda: written(80), within=60)
            platform.broker.kill()  # SIGKILL: what it acknowledged last dies with it
            await eventually(lambda: written(160), within=60)
            platform.broker.start()  # same port, empty
            await eventually(lambda: written(320), within=60)
        finally:
            stop.set()
            await asyncio.gather(*writers)

        client = platform.client(key)
        late = await client.post(
            "/api/v1/projects",
            json={"title": "Nach dem Absturz", "topics": ["energy"], "visibility": "public"},
        )
        assert late.status_code == 201, late.text
        acked.append((late.json()["id"], 1))

        async def late_in_feed() -> bool:
            return (late.json()["id"], 1) in await feed_versions(platform, ags)

        # A write after the crash arrives too (that it does not wait behind the refill is
        # shown with a large history in tests/shared/test_outbox.py).
        await eventually(late_in_feed)

        async def all_in_feed() -> bool:
            return set(await feed_versions(platform, ags)) >= set(acked)

        await eventually(all_in_feed, within=60)
        feed = await feed_versions(platform, ags)
        assert set(feed) == set(acked)
        assert {count for count in feed.values()} == {1}, "every version exactly once"
