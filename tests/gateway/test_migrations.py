"""The gateway's migrations on data: entries recorded before a fix are brought in line."""

import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import insert, select

from services.gateway import models
from services.gateway.models import FeedEntry
from shared.kit.db import Database, table_of
from tests.conftest import BACKENDS, database_url

MIGRATIONS = Path(models.__file__).parent / "migrations"


@pytest.mark.parametrize("backend", BACKENDS)
async def test_recorded_matches_narrow_to_their_ends_and_articles_lose_their_body(
    backend: str, tmp_path: Path
) -> None:
    narrowed, deleted, other = (str(uuid.uuid4()) for _ in range(3))
    article = {"id": str(uuid.uuid4()), "title": "T", "summary": "S", "body": "B", "body_html": "H"}
    seq = iter(range(1, 100))

    def entry(kind: str, subject: str, visibility: str, owner: str, **data: Any) -> dict[str, Any]:
        return {"seq": next(seq), "source": "/test", "event_id": str(uuid.uuid4()),
                "type": f"de.lotse.{kind}.v1", "subject": subject, "title": "t",
                "municipality_ags": owner, "visibility": visibility, "version": 1,
                "occurred_at": datetime.now(UTC), "data": data}  # fmt: skip

    def match(first: str, second: str) -> dict[str, Any]:
        ends = {
            "project": {"id": first, "kind": "project"},
            "match": {"id": second, "kind": "project"},
        }
        return entry("match.found", str(uuid.uuid4()), "public", "06000001", **ends)

    kept, gone = match(other, narrowed), match(deleted, other)
    rows = [
        entry("project.created", narrowed, "private", "06000002"),  # narrowed since
        entry("project.created", deleted, "public", "06000002"),
        entry("project.deleted", deleted, "public", "06000002"),
        kept,
        gone,
        entry("article.published", article["id"], "public", "06000002", article=article),
    ]
    table = table_of(FeedEntry)
    async with database_url(backend, tmp_path) as url:
        db = Database(url)
        try:
            await db.migrate(MIGRATIONS, "0002")
            async with db.engine.begin() as connection:
                await connection.execute(insert(table), rows)
            await db.migrate(MIGRATIONS)
            async with db.engine.connect() as connection:
                found = {r.seq: r for r in await connection.execute(select(table))}
        finally:
            await db.dispose()

    assert gone["seq"] not in found
    now = found[kept["seq"]]
    assert (now.visibility, now.municipality_ags) == ("private", "06000002")
    assert (now.project_end, now.match_end) == (other, narrowed)
    assert found[rows[-1]["seq"]].data["article"] == {
        "id": article["id"],
        "title": "T",
        "summary": "S",
    }


@pytest.mark.parametrize("backend", BACKENDS)
async def test_keys_issued_before_embed_origins_can_be_framed_nowhere(
    backend: str, tmp_path: Path
) -> None:
    key = {"id": str(uuid.uuid4()), "prefix": "lotse_0000", "secret_hash": "0" * 64,
           "name": "alt", "role": "reader", "created_by": "test",
           "created_at": datetime.now(UTC)}  # fmt: skip
    async with database_url(backend, tmp_path) as url:
        db = Database(url)
        try:
            await db.migrate(MIGRATIONS, "0005")
            async with db.engine.begin() as connection:
                # Only the columns of 0005: the new ones are left to the migration.
                await connection.execute(insert(table_of(models.ApiKey)).values(**key))
            await db.migrate(MIGRATIONS)
            async with db.session() as session:
                row = await session.get(models.ApiKey, key["id"])
        finally:
            await db.dispose()
    assert row is not None and row.embed_origins == [] and row.version == 1
