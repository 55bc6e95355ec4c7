"""Event handlers of the gateway: the region's activity feed (projects, funding calls) and
the webhook deliveries of what reaches it."""

from sqlalchemy.ext.asyncio import AsyncSession

from services.gateway import domain, hooks
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
    return idempotent(runtime.db, record_and_announce)


CONSUMERS = [
    Consumer(group="gateway.feed", topics=[PROJECTS, KNOWLEDGE, FUNDING], handler=feed_handler)
]
