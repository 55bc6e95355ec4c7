"""Nothing lost: the broker dies, municipalities keep publishing, every event lands once."""

from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlmodel import col

from services.gateway.models import FeedEntry
from tests.conftest import BACKENDS, eventually, running_platform

pytestmark = pytest.mark.long  # minutes: started first (tests/conftest.py)


@pytest.mark.parametrize("backend", BACKENDS)
async def test_projects_written_while_the_broker_is_down_reach_the_feed_exactly_once(
    backend: str, tmp_path: Path
) -> None:
    async with running_platform(backend, tmp_path) as platform:
        ags = await platform.municipality()
        client = platform.client(await platform.key("municipality", ags))
        platform.broker.stop()
        ids = []
        for number in range(100):
            response = await client.post(
                "/api/v1/projects",
                json={
                    "title": f"Projekt {number}",
                    "topics": ["administration"],
                    "visibility": "public",
                },
            )
            assert response.status_code == 201, response.text
            ids.append(response.json()["id"])
        platform.broker.start()  # same port, empty: the embedded broker keeps nothing

        gateway_db = platform.gateway.state.runtime.db

        async def created_entries() -> dict[str, int]:
            async with gateway_db.session() as session:
                rows = await session.execute(
                    select(col(FeedEntry.subject), func.count())
                    .where(col(FeedEntry.type) == "de.lotse.project.created.v1")
                    .where(col(FeedEntry.municipality_ags) == ags)
                    .group_by(col(FeedEntry.subject))
                )
                return dict(rows.all())

        await eventually(lambda: _has(created_entries(), len(ids)), within=60)
        counts = await created_entries()
        assert sorted(counts) == sorted(ids)
        assert set(counts.values()) == {1}
        feed = await platform.client().get("/api/v1/feed", params={"limit": 200})
        assert {e["subject"] for e in feed.json()["items"]} >= set(ids)


async def _has(entries, expected: int) -> bool:  # type: ignore[no-untyped-def]
    return len(await entries) >= expected
