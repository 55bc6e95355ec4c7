"""A bare platform database (outbox, inbox, idempotency tables) on SQLite and PostgreSQL."""

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import JSON, Column, Date, Float, Integer, MetaData, String, Table

from shared.kit.db import Database
from shared.kit.sqltypes import UTCDateTime
from tests.conftest import BACKENDS, database_url

# The kit is tested on its own schema, not on a service's migrations.
MIGRATIONS = Path(__file__).parent / "kit_schema"

# What a test consumer does to the world: one row per applied event.
effects_metadata = MetaData()
effects = Table(
    "test_effects",
    effects_metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("event_id", String(64), nullable=False),
    Column("subject", String(64), nullable=False),
)

# A record with every column type the services store (kit_schema/versions/0001_kit.py).
records = Table(
    "test_records",
    effects_metadata,
    Column("id", String(36), primary_key=True),
    Column("title", String(200), nullable=False),
    Column("tags", JSON, nullable=False),
    Column("details", JSON),
    Column("amount", Float),
    Column("starts_on", Date),
    Column("version", Integer, nullable=False),
    Column("changed_at", UTCDateTime(), nullable=False),
)


@pytest.fixture(params=BACKENDS)
async def db(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Database]:
    async with database_url(request.param, tmp_path) as url:
        database = Database(url)
        await database.migrate(MIGRATIONS)
        try:
            yield database
        finally:
            await database.dispose()
