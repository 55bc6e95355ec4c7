"""A bare platform database (outbox, inbox, idempotency tables) on SQLite and PostgreSQL."""

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table

from shared.kit.db import Database
from tests.conftest import BACKENDS, database_url

MIGRATIONS = Path(__file__).parents[2] / "services" / "projects" / "migrations"

# What a test consumer does to the world: one row per applied event.
effects_metadata = MetaData()
effects = Table(
    "test_effects",
    effects_metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("event_id", String(64), nullable=False),
    Column("subject", String(64), nullable=False),
)


@pytest.fixture(params=BACKENDS)
async def db(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Database]:
    async with database_url(request.param, tmp_path) as url:
        database = Database(url)
        await database.migrate(MIGRATIONS)
        async with database.engine.begin() as conn:
            await conn.run_sync(effects_metadata.create_all)
        try:
            yield database
        finally:
            await database.dispose()
