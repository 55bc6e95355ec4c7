"""Event handlers of the gateway: the region's activity feed (projects, funding calls) and
the webhook deliveries of what reaches it."""

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from services.gateway import domain, hooks
from services.gateway.stream import FeedWatch
from shared.contracts.topics import FUNDING, KNOWLEDGE, PROJECTS
from shared.kit.bus import Handler
from shared.kit.events import CloudEvent
from shared.kit.inbox import idempotent
from shared.kit.service import Consumer, Runtime


async def record_and_announce(session: AsyncSession, event: CloudEvent) -> None:
    """The event's feed entry and its webhook deliveries, in one transaction."""
    await domain.record_in_feed(session, event)
    await hooks.queue_for_feed_event(session, event)


def feed_handler(runtime: Runtime) -> Handler:
    record = idempotent(runtime.db, record_and_announce)
    watch = runtime.part(FeedWatch)

    async def record_and_tell(events: Sequence[CloudEvent]) -> None:
        await record(events)
        watch.nudge()  # live streams learn of it now, not at the watcher's next poll

    return record_and_tell


CONSUMERS = [
    Consumer(group="gateway.feed", topics=[PROJECTS, KNOWLEDGE, FUNDING], handler=feed_handler)
]
