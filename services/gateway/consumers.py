"""Event handlers of the gateway: the region's activity feed."""

from services.gateway import domain
from shared.contracts.topics import KNOWLEDGE, PROJECTS
from shared.kit.bus import Handler
from shared.kit.inbox import idempotent
from shared.kit.service import Consumer, Runtime


def feed_handler(runtime: Runtime) -> Handler:
    return idempotent(runtime.db, domain.record_in_feed)


CONSUMERS = [Consumer(group="gateway.feed", topics=[PROJECTS, KNOWLEDGE], handler=feed_handler)]
