"""The live stream: the activity feed as Server-Sent Events.

One watcher per gateway process polls the feed's newest position, so a thousand open
streams cost one cheap query per poll, not a thousand; the feed consumer wakes it at
once when it recorded something. A stream queries its caller's entries only when
something new arrived, and streams of the same caller at the same position share that
query and the rendered events (500 anonymous readers: one query, one rendering).
Streams end after a while on purpose: browsers reconnect by themselves with
`Last-Event-ID` and miss nothing, and no connection outlives a key's revocation for long.
"""

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlmodel import col

from services.gateway import repository
from services.gateway.models import FeedEntry
from services.gateway.ratelimit import UnderWay
from services.gateway.schemas import FeedEntryPublic
from shared.kit.auth import Principal
from shared.kit.db import Database


@dataclass(frozen=True)
class StreamFilter:
    types: frozenset[str] = frozenset()
    municipality: str | None = None
    topic: str | None = None

    def admits(self, entry: FeedEntry) -> bool:
        if self.types and entry.type not in self.types:
            return False
        if self.municipality and entry.municipality_ags != self.municipality:
            return False
        if self.topic:
            project = entry.data.get("project")
            topics = project.get("topics", []) if isinstance(project, dict) else []
            return self.topic in topics
        return True


class FeedWatch:
    """The newest position of the feed, and a way to wait until it moves."""

    def __init__(self, db: Database, *, poll_seconds: float) -> None:
        self.db = db
        self.poll_seconds = poll_seconds
        self.newest = 0
        self._moved = asyncio.Condition()
        self._nudged = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self.newest = await self._newest()
        self._task = asyncio.create_task(self._watch(), name="feed-watch")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def moved_past(self, position: int, within: float) -> bool:
        """Wait until the feed holds something after `position`; False after `within` s."""
        async with self._moved:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._moved.wait_for(lambda: self.newest > position), within)
        return self.newest > position

    async def _newest(self) -> int:
        async with self.db.session() as session:
            return int(await session.scalar(select(func.max(col(FeedEntry.seq)))) or 0)

    def nudge(self) -> None:
        """Look now, not at the next poll: something was just recorded in the feed."""
        self._nudged.set()

    async def _watch(self) -> None:
        while True:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self.poll_seconds):
                    await self._nudged.wait()
            self._nudged.clear()
            with contextlib.suppress(Exception):  # the database away: try again next poll
                newest = await self._newest()
                if newest != self.newest:
                    self.newest = newest
                    async with self._moved:
                        self._moved.notify_all()


class LiveStreams:
    """Open streams per caller, bounded; and how each one runs."""

    def __init__(
        self,
        db: Database,
        watch: FeedWatch,
        *,
        per_identity: int,
        heartbeat_seconds: float,
        max_seconds: float,
    ) -> None:
        self.db = db
        self.watch = watch
        self.heartbeat_seconds = heartbeat_seconds
        self.max_seconds = max_seconds
        self.open = UnderWay(
            per_identity,
            refusal=f"At most {per_identity} live streams at once; close one first.",
            retry_after=heartbeat_seconds,
        )
        # Shared by the streams while the feed's newest position stays where it was.
        self._reads: dict[tuple[Principal, int], asyncio.Future[Sequence[FeedEntry]]] = {}
        self._rendered: dict[int, bytes] = {}
        self._shared_at = -1

    async def _entries_after(self, principal: Principal, position: int) -> Sequence[FeedEntry]:
        """What `principal` may see after `position`, asked once for all its streams there."""
        if self._shared_at != self.watch.newest or len(self._reads) > 10_000:
            self._reads.clear()
            self._rendered.clear()
            self._shared_at = self.watch.newest
        read = self._reads.get((principal, position))
        if read is None:
            read = self._reads[(principal, position)] = asyncio.ensure_future(
                self._query(principal, position)
            )
        # A stream that ends while it waits does not cancel the others' read.
        return await asyncio.shield(read)

    async def _query(self, principal: Principal, position: int) -> Sequence[FeedEntry]:
        async with self.db.session() as session:
            return await repository.feed_after(session, principal, position)

    def _render(self, entry: FeedEntry) -> bytes:
        seq = entry.seq or 0
        rendered = self._rendered.get(seq)
        if rendered is None:
            rendered = self._rendered[seq] = _event(entry)
        return rendered

    async def events(
        self, principal: Principal, identity: str, wanted: StreamFilter, after: int | None
    ) -> AsyncIterator[bytes]:
        """The stream's bytes: entries `principal` may see after `after` (else from now),
        heartbeats between them, until `max_seconds` have passed."""
        with self.open.held(identity):
            position = self.watch.newest if after is None else after
            loop = asyncio.get_running_loop()
            ends = loop.time() + self.max_seconds
            yield f"retry: {int(self.heartbeat_seconds * 1000)}\n\n".encode()
            while (left := ends - loop.time()) > 0:
                if not await self.watch.moved_past(position, min(self.heartbeat_seconds, left)):
                    yield b": heartbeat\n\n"
                    continue
                newest = self.watch.newest  # before the query: nothing up to it is missed
                entries = await self._entries_after(principal, position)
                for entry in entries:
                    position = entry.seq or position
                    if wanted.admits(entry):
                        yield self._render(entry)
                if not entries:
                    # Newer entries exist, none of them for this caller.
                    position = max(position, newest)


def _event(entry: FeedEntry) -> bytes:
    public = FeedEntryPublic.of(entry)
    data = json.dumps(public.model_dump(mode="json"), ensure_ascii=False, separators=(",", ":"))
    return f"id: {public.id}\nevent: {public.type}\ndata: {data}\n\n".encode()
