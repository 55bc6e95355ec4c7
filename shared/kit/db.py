"""Engines, sessions and migrations: SQLite (WAL) by default, PostgreSQL by URL."""

import sqlite3
import uuid
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any, cast

import aiosqlite
from alembic import command
from alembic.config import Config
from sqlalchemy import Executable, Table, event, inspect, text
from sqlalchemy.engine import CursorResult, Dialect, Result, make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ClauseElement
from sqlmodel import SQLModel


def stored(value: Any) -> Any:
    """A request model's value as a JSON column keeps it: models as dicts, UUIDs as text."""
    if isinstance(value, list):
        return [stored(v) for v in value]
    if hasattr(value, "model_dump"):
        return value.model_dump(mode="json")
    if isinstance(value, uuid.UUID):
        return str(value)
    return value


def table_of(model: type[SQLModel]) -> Table:
    """The Core table of a table model, for statements without ORM bookkeeping."""
    # SQLModel declares no `__table__`; the mapper knows it, typed as a FromClause.
    return cast(Table, inspect(model).local_table)


def normalise_url(url: str) -> str:
    """Accept plain `postgresql://` and `sqlite:///` URLs and pick the async drivers."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres", "postgresql+psycopg2"):
        parsed = parsed.set(drivername="postgresql+asyncpg")
    elif parsed.drivername == "sqlite":
        parsed = parsed.set(drivername="sqlite+aiosqlite")
    return parsed.render_as_string(hide_password=False)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


class _InlineSQLiteConnection(aiosqlite.Connection):
    """aiosqlite that runs each statement on the event loop's own thread.

    A SQLite statement on a local file takes microseconds; handing it to aiosqlite's
    worker thread and back costs about half a millisecond, which made a write
    transaction ten times slower than its SQL. The worker thread still opens and
    closes the connection.
    """

    async def _execute(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        if not self._running or not self._connection:
            raise ValueError("Connection closed")
        return fn(*args, **kwargs)

    def execute_now(self, sql: str, parameters: list[Any]) -> sqlite3.Cursor:
        """One statement, synchronously, for Prepared's fast path."""
        if not self._running or not self._connection:
            raise ValueError("Connection closed")
        return self._connection.execute(sql, parameters)

    def execute_many_now(self, sql: str, parameters: list[list[Any]]) -> None:
        if not self._running or not self._connection:
            raise ValueError("Connection closed")
        self._connection.executemany(sql, parameters)


async def _connect_sqlite(path: str) -> aiosqlite.Connection:
    connection = _InlineSQLiteConnection(
        partial(sqlite3.connect, path, check_same_thread=False), iter_chunk_size=64
    )
    return await connection


class Database:
    """One service's database: its engine, its session factory, its migrations."""

    def __init__(self, url: str) -> None:
        self.url = normalise_url(url)
        self.is_sqlite = self.url.startswith("sqlite")
        kwargs: dict[str, Any] = {}
        if self.is_sqlite:
            path = make_url(self.url).database
            if path and path != ":memory:":
                Path(path).parent.mkdir(parents=True, exist_ok=True)
            # SQLite has one writer: one connection turns concurrent writers into
            # a queue instead of "database is locked" errors.
            kwargs.update(
                pool_size=1,
                max_overflow=0,
                pool_timeout=60,
                async_creator=partial(_connect_sqlite, path or ":memory:"),
            )
        else:
            kwargs.update(pool_size=10, max_overflow=10, pool_pre_ping=True)
        self.engine: AsyncEngine = create_async_engine(self.url, **kwargs)
        if self.is_sqlite:
            event.listen(self.engine.sync_engine, "connect", _sqlite_pragmas)
        self.sessionmaker = async_sessionmaker(self.engine, expire_on_commit=False)

    def session(self) -> AsyncSession:
        return self.sessionmaker()

    async def ping(self) -> None:
        async with self.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))

    async def migrate(self, migrations_dir: Path, revision: str = "head") -> None:
        """Bring the schema to the newest Alembic revision of `migrations_dir` (or to
        `revision`, for a test of a migration on data)."""
        config = Config()
        config.set_main_option("script_location", str(migrations_dir))
        config.set_main_option("path_separator", "os")

        def upgrade(connection: Any) -> None:
            config.attributes["connection"] = connection
            command.upgrade(config, revision)

        async with self.engine.begin() as conn:
            await conn.run_sync(upgrade)

    async def dispose(self) -> None:
        await self.engine.dispose()


async def session_scope(db: Database) -> AsyncIterator[AsyncSession]:
    """A unit of work: commits once when the block ends, rolls back on error."""
    async with db.session() as session:
        try:
            yield session
            await session.commit()
        except BaseException:
            await session.rollback()
            raise


@dataclass(frozen=True)
class _Plan:
    """A statement compiled for SQLite: its SQL, and how to bind each `?`."""

    sql: str
    names: tuple[str, ...]
    processors: tuple[Callable[[Any], Any] | None, ...]
    returns_rows: bool


class Prepared:
    """A Core statement for a hot path, compiled once per set of parameter names.

    On SQLite it runs straight on the driver's connection, in the session's transaction:
    SQLAlchemy's execution costs about 80 µs a statement, the statement itself under 10.
    Elsewhere (PostgreSQL) SQLAlchemy Core runs it on the session's connection. Either
    way the session does not autoflush first: flush pending ORM objects yourself when
    the statement must see them. Rows come back as plain tuples, so statements whose
    result columns need converting (dates, JSON) take SQLAlchemy's path.
    """

    def __init__(self, statement: Executable) -> None:
        self.statement = statement
        self._plans: dict[tuple[str, frozenset[str]], _Plan | None] = {}

    async def run(self, session: AsyncSession, params: Mapping[str, Any]) -> list[tuple[Any, ...]]:
        """Execute with `params`; the rows of a SELECT, nothing for a write."""
        connection = await session.connection()
        driver = _driver_connection(connection)
        if isinstance(driver, _InlineSQLiteConnection):
            plan = self._plan(connection.dialect, params)
            if plan is not None:
                values = [
                    params[name] if process is None else process(params[name])
                    for name, process in zip(plan.names, plan.processors, strict=True)
                ]
                try:
                    cursor = driver.execute_now(plan.sql, values)
                except sqlite3.Error as exc:  # the same errors as SQLAlchemy raises them
                    raise DBAPIError.instance(plan.sql, values, exc, sqlite3.Error) from exc
                return cursor.fetchall() if plan.returns_rows else []
        result = await connection.execute(self.statement, dict(params))
        return [tuple(row) for row in result] if result.returns_rows else []

    async def run_many(self, session: AsyncSession, rows: Sequence[Mapping[str, Any]]) -> None:
        """Execute a write once per row (all rows with the same names), e.g. a batch insert."""
        if not rows:
            return
        connection = await session.connection()
        driver = _driver_connection(connection)
        if isinstance(driver, _InlineSQLiteConnection):
            plan = self._plan(connection.dialect, rows[0])
            if plan is not None and not plan.returns_rows:
                values = [
                    [
                        row[name] if process is None else process(row[name])
                        for name, process in zip(plan.names, plan.processors, strict=True)
                    ]
                    for row in rows
                ]
                try:
                    driver.execute_many_now(plan.sql, values)
                except sqlite3.Error as exc:
                    raise DBAPIError.instance(plan.sql, values, exc, sqlite3.Error) from exc
                return
        await connection.execute(self.statement, [dict(row) for row in rows])

    def _plan(self, dialect: Dialect, params: Mapping[str, Any]) -> _Plan | None:
        key = (dialect.name, frozenset(params))
        if key not in self._plans:
            self._plans[key] = _compile_plan(self.statement, dialect, list(params))
        return self._plans[key]


def _driver_connection(connection: AsyncConnection) -> Any:
    """The DBAPI driver's own connection under the session's (started) connection."""
    sync = connection.sync_connection
    if sync is None:  # session.connection() always hands out a started one
        raise RuntimeError("connection not started")
    return sync.connection.driver_connection


def _compile_plan(statement: Executable, dialect: Dialect, keys: list[str]) -> _Plan | None:
    """The SQLite plan of `statement`, or None where only SQLAlchemy can run it."""
    if not isinstance(statement, ClauseElement):  # every statement is; Executable is a mixin
        return None
    compiled = statement.compile(dialect=dialect, column_keys=keys)
    if not isinstance(compiled, SQLCompiler):  # DDL compiles otherwise
        return None
    names = tuple(compiled.positiontup or ())
    if (
        dialect.paramstyle != "qmark"
        or compiled.insert_prefetch  # Python-side defaults SQLAlchemy would compute
        or compiled.update_prefetch
        or compiled.literal_execute_params
        or compiled.post_compile_params  # expanding IN
        or not set(names) <= set(keys)
    ):
        return None
    selected = getattr(statement, "selected_columns", ())
    if any(c.type.dialect_impl(dialect).result_processor(dialect, None) for c in selected):
        return None
    processors = tuple(
        compiled.binds[name].type.dialect_impl(dialect).bind_processor(dialect) for name in names
    )
    return _Plan(compiled.string, names, processors, bool(selected))


def rows_touched(result: Result[Any]) -> int:
    """How many rows an UPDATE or DELETE changed (Session.execute types it as Result)."""
    return result.rowcount if isinstance(result, CursorResult) else 0
