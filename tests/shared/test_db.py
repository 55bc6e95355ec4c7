"""Prepared statements of the write path: the same rows, errors and transactions as SQLAlchemy."""

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import bindparam, insert, select
from sqlalchemy.exc import IntegrityError

from shared.kit.db import Database, Prepared, table_of
from shared.kit.inbox import InboxRecord
from tests.shared.conftest import records

PROJECTS = records
INSERT = Prepared(insert(PROJECTS))
TITLE_OF = Prepared(select(PROJECTS.c.title).where(PROJECTS.c.id == bindparam("id")))


def project_row(project_id: str) -> dict[str, object]:
    """A record with every column type the services store, non-ASCII and None included."""
    moment = datetime(2026, 11, 29, 15, 30, 12, 345678, tzinfo=UTC)
    return {
        "id": project_id, "title": "Bauantrag ä", "tags": ["mobility", "internal_it"],
        "details": {"indicators": [{"name": "n", "target": 3}], "contact": None},
        "amount": 1250.5, "starts_on": date(2027, 1, 1), "version": 1, "changed_at": moment,
    }  # fmt: skip


async def stored(db: Database, project_id: str) -> dict[str, object] | None:
    async with db.session() as session:
        row = (await session.execute(select(PROJECTS).where(PROJECTS.c.id == project_id))).first()
    return None if row is None else dict(row._mapping) | {"id": "-"}


async def test_prepared_insert_stores_what_a_sqlalchemy_insert_stores(db: Database) -> None:
    async with db.session() as session:
        await INSERT.run(session, project_row("p-prepared"))
        await session.execute(insert(PROJECTS), project_row("p-sqlalchemy"))
        assert await TITLE_OF.run(session, {"id": "p-prepared"}) == [("Bauantrag ä",)]
        await session.commit()
    prepared, plain = await stored(db, "p-prepared"), await stored(db, "p-sqlalchemy")
    assert prepared is not None
    assert prepared == plain
    assert prepared["changed_at"] == project_row("x")["changed_at"]


async def test_prepared_statements_share_the_sessions_transaction(db: Database) -> None:
    async with db.session() as session:
        await INSERT.run(session, project_row("p-rolled-back"))
        await session.rollback()
    assert await stored(db, "p-rolled-back") is None


async def test_a_prepared_statement_raises_sqlalchemys_errors(db: Database) -> None:
    # The API turns sqlalchemy.exc.IntegrityError into 409; a driver's own error would be a 500.
    async with db.session() as session:
        await INSERT.run(session, project_row("p-twice"))
        with pytest.raises(IntegrityError):
            await INSERT.run(session, project_row("p-twice"))


async def test_a_prepared_batch_stores_every_row_like_sqlalchemy(db: Database) -> None:
    inbox = table_of(InboxRecord)
    moment = datetime(2026, 11, 29, 15, 30, tzinfo=UTC)
    rows = [
        {"source": "/lotse/t", "event_id": f"e{n}", "type": "t.v1", "processed_at": moment}
        for n in range(3)
    ]
    async with db.session() as session:
        await Prepared(insert(inbox)).run_many(session, rows)
        await session.commit()
    async with db.session() as session:
        stored = [dict(r._mapping) for r in await session.execute(select(inbox))]
    assert sorted(stored, key=lambda r: r["event_id"]) == rows
