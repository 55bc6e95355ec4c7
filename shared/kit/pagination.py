"""Keyset pagination: pages of a query in a stable order, with an opaque cursor.

A page never skips or repeats a row when others are written meanwhile, because the
cursor holds the sort values of the last row, not an offset. Every list of every
service pages through `keyset_page`.
"""

import base64
import binascii
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, Field
from sqlalchemy import ColumnElement, Select, and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, QueryableAttribute

from shared.kit.http import LotseError

T = TypeVar("T")
Row = TypeVar("Row")


class Page(BaseModel, Generic[T]):
    """One page of a list; pass `next_cursor` as `cursor` to get the next one."""

    items: Sequence[T]
    next_cursor: str | None = Field(default=None, description="opaque; absent on the last page")
    total: int = Field(ge=0, description="all items matching the filters, on every page")


class BadCursor(LotseError):
    """A 400 for a cursor this API did not hand out (tampered, truncated, invented)."""

    def __init__(self) -> None:
        super().__init__("The cursor is not one this API handed out.")


def encode_cursor(values: Sequence[Any]) -> str:
    raw = json.dumps(list(values), separators=(",", ":"), default=str).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, *, size: int) -> list[Any]:
    """Decode a cursor made by encode_cursor; a tampered one is a 400, not a 500."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, binascii.Error, UnicodeDecodeError) as exc:
        raise BadCursor() from exc
    if not isinstance(values, list) or len(values) != size:
        raise BadCursor()
    return values


@dataclass(frozen=True)
class SortKey:
    """One column of a page's order; the last key of an order must be unique."""

    column: Mapped[Any]  # a model attribute; sqlmodel.col(Model.field) on a SQLModel
    kind: type[datetime] | type[str] | type[int]
    descending: bool = False

    @property
    def name(self) -> str:
        """The attribute's name on a row."""
        if not isinstance(self.column, QueryableAttribute):
            raise TypeError(f"not a model attribute: {self.column!r}")
        return self.column.key

    def value_of(self, row: object) -> Any:
        value = getattr(row, self.name)
        return value.isoformat() if isinstance(value, datetime) else value

    def parse(self, raw: object) -> datetime | str | int:
        """A cursor value back in the column's type; anything else is a BadCursor."""
        value: datetime | str | int | None = None
        if self.kind is datetime:
            value = _aware_datetime(raw)
        elif self.kind is str:
            value = raw if isinstance(raw, str) and len(raw) <= 200 else None
        elif type(raw) is int and 0 <= raw < 2**63:
            value = raw
        if value is None:
            raise BadCursor()
        return value

    def after(self, value: Any) -> ColumnElement[bool]:
        condition: ColumnElement[bool] = (
            self.column < value if self.descending else self.column > value
        )
        return condition


def _aware_datetime(raw: object) -> datetime | None:
    if not isinstance(raw, str):
        return None
    try:
        parsed = datetime.fromisoformat(raw)
        return parsed.astimezone(UTC) if parsed.tzinfo is not None else None
    except (ValueError, OverflowError):
        return None


def _after(order: Sequence[SortKey], values: Sequence[Any]) -> ColumnElement[bool]:
    """Rows that come after `values` in `order`: (a > x) or (a = x and b > y) or ..."""
    branches = [
        and_(*(order[i].column == values[i] for i in range(depth)), order[depth].after(value))
        for depth, value in enumerate(values)
    ]
    return or_(*branches)


async def keyset_page(
    session: AsyncSession,
    query: Select[Row],
    *,
    order: Sequence[SortKey],
    cursor: str | None,
    limit: int,
) -> tuple[Sequence[Row], str | None, int]:
    """One page of `query` in `order`; returns its rows, the next cursor and the total."""
    total = await session.scalar(select(func.count()).select_from(query.subquery())) or 0
    if cursor:
        raw = decode_cursor(cursor, size=len(order))
        query = query.where(
            _after(order, [key.parse(v) for key, v in zip(order, raw, strict=True)])
        )
    sort = [key.column.desc() if key.descending else key.column.asc() for key in order]
    rows = (await session.scalars(query.order_by(*sort).limit(limit + 1))).all()
    if len(rows) <= limit:
        return rows, None, total
    rows = rows[:limit]
    return rows, encode_cursor([key.value_of(rows[-1]) for key in order]), total
