"""The live stream: what happens, as it happens, within visibility; resumable; bounded."""

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from tests.conftest import BACKENDS, Platform, eventually, running_platform
from tests.gateway.conftest import publish

STREAM = "/api/v1/events/stream"


@pytest.fixture(scope="module", params=BACKENDS)
async def live(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Platform]:
    async with running_platform(
        request.param,
        tmp_path_factory.mktemp("live"),
        stream_per_identity=2,
        stream_heartbeat_seconds=0.3,
        stream_max_seconds=20,
        stream_poll_seconds=0.05,
    ) as platform:
        yield platform


@dataclass
class Stream:
    """An open stream, read in the background: its events and comments as they come."""

    events: list[dict[str, Any]] = field(default_factory=list)
    comments: list[str] = field(default_factory=list)
    ended: bool = False
    changed: asyncio.Condition = field(default_factory=asyncio.Condition)

    async def until(self, done: Callable[[], bool], within: float = 20) -> None:
        async with asyncio.timeout(within), self.changed:
            await self.changed.wait_for(done)

    async def wait_for(self, count: int) -> list[dict[str, Any]]:
        await self.until(lambda: len(self.events) >= count)
        return self.events

    async def seen(self, line: str | None) -> None:
        async with self.changed:
            if line is None:
                self.ended = True
            elif line.startswith(":"):
                self.comments.append(line)
            self.changed.notify_all()


@contextlib.asynccontextmanager
async def stream(
    client: httpx.AsyncClient, *, headers: dict[str, str] | None = None, **params: Any
) -> AsyncIterator[Stream]:
    seen = Stream()
    opened = asyncio.Event()

    async def read() -> None:
        async with client.stream("GET", STREAM, params=params, headers=headers) as response:
            assert response.status_code == 200, await response.aread()
            assert response.headers["content-type"].startswith("text/event-stream")
            fields: dict[str, str] = {}
            async for line in response.aiter_lines():
                opened.set()
                if line == "" and "data" in fields:
                    seen.events.append(
                        {"id": int(fields["id"]), "event": fields["event"]}
                        | {"data": json.loads(fields["data"])}
                    )
                if line == "":
                    fields = {}
                elif not line.startswith(":"):
                    name, _, value = line.partition(":")
                    fields[name] = value.strip()
                await seen.seen(line)
        await seen.seen(None)

    task = asyncio.create_task(read())
    try:
        async with asyncio.timeout(10):
            await asyncio.wait(
                [task, asyncio.create_task(opened.wait())], return_when="FIRST_COMPLETED"
            )
        if task.done():
            task.result()  # its failure, shown
        yield seen
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def test_what_happens_arrives_live_within_visibility(live: Platform) -> None:
    ags = await live.municipality()
    owner = live.client(await live.key("municipality", ags))
    async with (
        stream(live.client()) as anonymous,
        stream(owner, municipality=ags) as own,
    ):
        private = await publish(owner, "Internes Projekt", "private")
        public = await publish(owner, "Offenes Projekt", "public")
        events = await own.wait_for(2)
        # Two projects' events sit on different partitions: the feed may record either first.
        assert sorted(e["data"]["subject"] for e in events) == sorted([private, public])
        assert {e["event"] for e in events} == {"de.lotse.project.created.v1"}
        assert events[0]["id"] < events[1]["id"]
        seen = await anonymous.wait_for(1)
        assert [e["data"]["subject"] for e in seen if e["data"]["municipality_ags"] == ags] == [
            public
        ]
        assert private not in {e["data"]["subject"] for e in anonymous.events}


async def test_a_stream_resumes_after_the_last_event_it_saw(live: Platform) -> None:
    ags = await live.municipality()
    owner = live.client(await live.key("municipality", ags))
    async with stream(owner, municipality=ags) as first:
        one = await publish(owner, "Eins", "public")
        (seen,) = await first.wait_for(1)
    two = await publish(owner, "Zwei", "public")  # while nobody listens
    async with stream(owner, headers={"Last-Event-ID": str(seen["id"])}, municipality=ags) as again:
        events = await again.wait_for(1)
        assert [e["data"]["subject"] for e in events] == [two]
        assert one not in {e["data"]["subject"] for e in again.events}


async def test_filters_by_type_and_topic(live: Platform) -> None:
    ags = await live.municipality()
    owner = live.client(await live.key("municipality", ags))
    async with (
        stream(owner, type="de.lotse.project.updated.v1", municipality=ags) as updated,
        stream(owner, topic="energy", municipality=ags) as energy,
    ):
        project = await publish(owner, "Mobil", "public")
        current = await owner.get(f"/api/v1/projects/{project}")
        changed = await owner.patch(
            f"/api/v1/projects/{project}",
            json={"topics": ["energy"]},
            headers={"If-Match": current.headers["etag"]},
        )
        assert changed.status_code == 200, changed.text
        (update,) = await updated.wait_for(1)
        assert update["event"] == "de.lotse.project.updated.v1"
        (energetic,) = await energy.wait_for(1)
        assert energetic["id"] == update["id"]  # created under mobility: not shown
        await asyncio.sleep(0.5)
        assert len(updated.events) == len(energy.events) == 1


async def test_heartbeats_keep_a_quiet_stream_open(live: Platform) -> None:
    async with stream(live.client(), municipality="06999999") as quiet:
        await quiet.until(lambda: len(quiet.comments) >= 2)
        assert quiet.comments[0] == ": heartbeat"
        assert not quiet.ended


async def test_streams_per_key_are_bounded(live: Platform) -> None:
    key = await live.key("reader")
    client = live.client(key)
    async with stream(client), stream(client):
        refused = await client.get(STREAM)
        assert refused.status_code == 429
        assert refused.headers["content-type"] == "application/problem+json"
        assert "retry-after" in refused.headers
        # Another key has its own.
        async with stream(live.client(await live.key("reader"))):
            pass

    # Closed streams free their places (once the server has seen them go).
    async def reopened() -> bool:
        with contextlib.suppress(AssertionError):
            async with stream(client):
                return True
        return False

    await eventually(reopened, within=10)


async def test_a_stream_ends_by_itself_to_be_resumed(tmp_path: Any) -> None:
    async with (
        running_platform(
            "sqlite", tmp_path, stream_max_seconds=0.5, stream_heartbeat_seconds=0.1
        ) as platform,
        stream(platform.client()) as short,
    ):
        await short.until(lambda: short.ended)


async def test_streams_learn_of_a_recorded_event_without_waiting_for_a_poll(
    tmp_path: Any,
) -> None:
    # The watcher would look only every 10 minutes: what arrives, the feed consumer's
    # nudge brought. Two readers of one caller share a read; each still gets every event,
    # and neither gets what only the owner may see.
    async with running_platform(
        "sqlite",
        tmp_path,
        stream_poll_seconds=600,
        stream_per_identity=3,
        # The platform fixture ends streams after 1 s; on busy cores two writes take longer.
        stream_max_seconds=30,
    ) as platform:
        ags = await platform.municipality()
        owner = platform.client(await platform.key("municipality", ags))
        async with (
            stream(platform.client(), municipality=ags) as first,
            stream(platform.client(), municipality=ags) as second,
            stream(owner, municipality=ags) as own,
        ):
            private = await publish(owner, "Internes Projekt", "private")
            public = await publish(owner, "Offenes Projekt", "public")
            # Either may be recorded first (two projects, two partitions).
            own_subjects = [e["data"]["subject"] for e in await own.wait_for(2)]
            assert sorted(own_subjects) == sorted([private, public])
            for anonymous in (first, second):
                assert [e["data"]["subject"] for e in await anonymous.wait_for(1)] == [public]
            assert [e["data"]["subject"] for e in first.events + second.events] == [
                public,
                public,
            ]


async def test_bad_stream_requests_are_problems(live: Platform) -> None:
    client = live.client()
    for params, headers in [
        ({}, {"Last-Event-ID": "gestern"}),
        ({}, {"Last-Event-ID": "-1"}),
        ({"type": "rm -rf"}, {}),
        ({"municipality": "99999999"}, {}),
        ({"topic": "weltraum"}, {}),
    ]:
        response = await client.get(STREAM, params=params, headers=headers)
        assert response.status_code == 422, (params, headers)
        assert response.headers["content-type"] == "application/problem+json"
