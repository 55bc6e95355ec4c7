"""Event handlers of the gateway: the region's activity feed (projects, funding calls)."""

from services.gateway import domain
from shared.contracts.topics import FUNDING, KNOWLEDGE, PROJECTS
from shared.kit.bus import Handler
from shared.kit.inbox import idempotent
from shared.kit.service import Consumer, Runtime


def feed_handler(runtime: Runtime) -> Handler:
    return idempotent(runtime.db, domain.record_in_feed)


CONSUMERS = [
    Consumer(group="gateway.feed", topics=[PROJECTS, KNOWLEDGE, FUNDING], handler=feed_handler)
]
