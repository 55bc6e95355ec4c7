"""Keyset pagination: every row exactly once across pages, even while rows are written."""

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import insert, select
from sqlmodel import Field, SQLModel, col

from shared.kit.db import Database, table_of
from shared.kit.http import LotseError
from shared.kit.pagination import SortKey, decode_cursor, encode_cursor, keyset_page
from tests.conftest import BACKENDS, database_url


class Item(SQLModel, table=True):
    __tablename__ = "test_pagination_items"

    id: str = Field(primary_key=True)
    changed_at: datetime
    seq: int


ORDER = [
    SortKey(col(Item.changed_at), datetime, descending=True),
    SortKey(col(Item.id), str, descending=True),
]
START = datetime(2026, 1, 1, tzinfo=UTC)


@pytest.fixture(params=BACKENDS)
async def db(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Database]:
    async with database_url(request.param, tmp_path) as url:
        database = Database(url)
        async with database.engine.begin() as conn:
            await conn.run_sync(Item.metadata.create_all, tables=[table_of(Item)])
        try:
            yield database
        finally:
            await database.dispose()


async def add_items(db: Database, count: int, *, same_time: bool, after: int = 0) -> list[str]:
    """`count` rows at START (all at once) or one second apart from START + after + 1 s."""
    ids = [uuid.uuid4().hex for _ in range(count)]
    async with db.session() as session:
        for n, item_id in enumerate(ids):
            at = START if same_time else START + timedelta(seconds=after + n + 1)
            await session.execute(insert(Item).values(id=item_id, changed_at=at, seq=n))
        await session.commit()
    return ids


async def all_pages(db: Database, limit: int) -> list[list[str]]:
    pages, cursor = [], None
    while True:
        async with db.session() as session:
            rows, cursor, _ = await keyset_page(
                session, select(Item), order=ORDER, cursor=cursor, limit=limit
            )
        pages.append([row.id for row in rows])
        if cursor is None:
            return pages


async def test_pages_hold_every_row_once_in_order_with_ties_on_the_first_key(
    db: Database,
) -> None:
    tied = await add_items(db, 7, same_time=True)
    spread = await add_items(db, 6, same_time=False)
    pages = await all_pages(db, limit=4)
    assert [len(p) for p in pages] == [4, 4, 4, 1]
    flat = [item for page in pages for item in page]
    # Newest first; among equal times, the larger id first.
    assert flat == list(reversed(spread)) + sorted(tied, reverse=True)


async def test_rows_written_between_pages_neither_repeat_nor_shift_the_rest(
    db: Database,
) -> None:
    await add_items(db, 6, same_time=False)
    async with db.session() as session:
        first, cursor, total = await keyset_page(
            session, select(Item), order=ORDER, cursor=None, limit=3
        )
    assert total == 6
    await add_items(db, 5, same_time=False, after=100)  # newer rows arrive meanwhile
    async with db.session() as session:
        second, cursor, _ = await keyset_page(
            session, select(Item), order=ORDER, cursor=cursor, limit=3
        )
    assert not {r.id for r in first} & {r.id for r in second}
    assert cursor is None


@pytest.mark.parametrize(
    "cursor",
    [
        "not base64 at all!",
        encode_cursor(["2026-01-01T00:00:00"]),  # one value for two keys
        encode_cursor(["2026-01-01T00:00:00", "abc"]),  # a naive time
        encode_cursor([12, "abc"]),  # a number where a time belongs
        encode_cursor(["2026-01-01T00:00:00+00:00", 5]),  # a number where an id belongs
        encode_cursor(["9999-12-31T23:59:59-23:59", "x" * 500]),
    ],
)
async def test_a_cursor_this_api_did_not_hand_out_is_a_400(db: Database, cursor: str) -> None:
    async with db.session() as session:
        with pytest.raises(LotseError) as refused:
            await keyset_page(session, select(Item), order=ORDER, cursor=cursor, limit=3)
    assert refused.value.status == 400


def test_cursor_round_trips_and_tampering_is_a_400() -> None:
    assert decode_cursor(encode_cursor(["2026-11-22T00:00:00+00:00", "id"]), size=2) == [
        "2026-11-22T00:00:00+00:00",
        "id",
    ]
    for bad in ("%%%", encode_cursor(["only-one"]), "bm90IGpzb24"):
        with pytest.raises(LotseError) as raised:
            decode_cursor(bad, size=2)
        assert raised.value.status == 400
