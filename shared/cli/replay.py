"""`lotse replay`: publish a topic's records again, e.g. dead letters back to their topic."""

import asyncio

from shared.contracts import REGISTRY
from shared.kit.bus import EventBus


def replay_topic(*, bootstrap: str, topic: str, to: str | None) -> int:
    """Replay every record of `topic`; return how many were published."""

    async def run() -> int:
        bus = EventBus(bootstrap, client_id="lotse-replay", events=REGISTRY)
        try:
            return await bus.replay(topic, to)
        finally:
            await bus.stop()

    return asyncio.run(run())
