"""Engines, sessions and migrations: SQLite (WAL) by default, PostgreSQL by URL."""

import sqlite3
from collections.abc import AsyncIterator, Callable
from functools import partial
from pathlib import Path
from typing import Any

import aiosqlite
from alembic import command
from alembic.config import Config
from sqlalchemy import Executable, event, text
from sqlalchemy.engine import CursorResult, make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)


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

    async def migrate(self, migrations_dir: Path) -> None:
        """Bring the schema to the newest Alembic revision of `migrations_dir`."""
        config = Config()
        config.set_main_option("script_location", str(migrations_dir))
        config.set_main_option("path_separator", "os")

        def upgrade(connection: Any) -> None:
            config.attributes["connection"] = connection
            command.upgrade(config, "head")

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


async def core_execute(
    session: AsyncSession, statement: Executable, params: Any = None
) -> CursorResult[Any]:
    """Run a Core statement in the session's transaction, past the ORM's execute machinery.

    For hot paths: build `statement` once at import time (its cache key is then computed
    once too) and pass plain values; on SQLite this halves a statement's cost.
    """
    connection = await session.connection()
    return await connection.execute(statement, params)
