"""The webhook deliverer: sends the queued deliveries of the gateway's webhooks.

Built on the kit's durable delivery (shared.kit.delivery) and Standard Webhooks client
(shared.kit.webhooks): leases, so a gateway killed mid-attempt loses nothing and another
(or itself, restarted) sends the row again under the same `webhook-id`; retries on the
kit's schedule with jitter and Retry-After; 410 Gone or five days of failure disable the
webhook. Right before each attempt the entry is read through the feed's visibility rule
as the webhook's owner: what the owner may no longer see is cancelled, not sent.
"""

import asyncio
import contextlib
import json
import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from services.gateway import hooks, repository
from services.gateway.models import Webhook, WebhookDelivery
from shared.kit.db import Database, table_of
from shared.kit.delivery import DeliveryLoop, claim, due_ids, record_webhook_attempt
from shared.kit.sqltypes import utcnow
from shared.kit.webhooks import DeliveryResult, Outcome, WebhookClient

log = logging.getLogger("lotse.gateway.webhooks")

CONTENT_TYPE = "application/cloudevents+json"
"""CloudEvents' structured mode over HTTP: the body is the whole event."""

Clock = Callable[[], datetime]


def body_of(document: dict[str, object]) -> bytes:
    return json.dumps(document, ensure_ascii=False, separators=(",", ":"), default=str).encode()


class WebhookDeliverer:
    """Sends due webhook deliveries; one per gateway process, any number of processes."""

    def __init__(
        self,
        db: Database,
        *,
        client: WebhookClient,
        lease: timedelta = timedelta(seconds=60),
        retention: timedelta = timedelta(days=30),
        poll_seconds: float = 1.0,
        batch: int = 100,
        clock: Clock = utcnow,
    ) -> None:
        self.db = db
        self.client = client
        self.lease = lease
        self.retention = retention
        self.clock = clock
        self._purging: asyncio.Task[None] | None = None
        self.loop = DeliveryLoop(
            db,
            claim=self._claim,
            attempt=self._attempt,
            batch=batch,
            poll_seconds=poll_seconds,
            name="gateway-webhooks",
        )

    def start(self) -> None:
        self.loop.start()
        self._purging = asyncio.create_task(self._purge_forever(), name="gateway-webhook-purge")

    async def stop(self) -> None:
        if self._purging is not None:
            self._purging.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._purging
        await self.loop.stop()

    async def purge(self) -> None:
        """Forget delivered and cancelled deliveries older than the retention."""
        async with self.db.session() as session:
            await repository.purge_webhook_deliveries(session, self.clock() - self.retention)
            await session.commit()

    async def _purge_forever(self, every_seconds: float = 3600) -> None:
        while True:
            try:
                await self.purge()
            except Exception:
                log.warning("purging webhook deliveries failed; trying again", exc_info=True)
            await asyncio.sleep(every_seconds)

    async def run_once(self) -> int:
        """Claim what is due now and send it all; the number of deliveries attempted."""
        return await self.loop.run_once()

    async def _claim(self, limit: int) -> list[str]:
        now = self.clock()
        table = table_of(WebhookDelivery)
        async with self.db.session() as session:
            ids = await due_ids(session, table, now, limit)
            await claim(session, table, ids, now + self.lease)
            await session.commit()
        return ids

    async def _attempt(self, delivery_id: str) -> None:
        async with self.db.session() as session:
            delivery = await repository.get_webhook_delivery(session, delivery_id)
            if delivery is None or delivery.status != "pending":
                return
            webhook = await repository.get_webhook(session, delivery.webhook_id)
            if webhook is None:
                return  # deleted together with its deliveries
            why_not = None if webhook.active else f"webhook {hooks.status_of(webhook)}"
            document = delivery.payload
            if why_not is None and delivery.feed_seq is not None:
                entry = await repository.readable_entry(
                    session, hooks.owner_of(webhook), delivery.feed_seq
                )
                if entry is None:
                    why_not = "no longer visible to the webhook's owner, or no longer in the feed"
                else:
                    document = hooks.feed_event(entry)
            if why_not is not None or document is None:
                delivery.status, delivery.claimed_until = "cancelled", None
                delivery.last_error = why_not or "nothing to send"
                await session.commit()
                return
            url, secrets = webhook.url, hooks.endpoint_secrets(webhook)
            msg_id = hooks.delivery_message_id(delivery)
        result = await self.client.deliver(
            url, secrets, msg_id, body_of(document), content_type=CONTENT_TYPE
        )
        await self._record(delivery_id, webhook.id, result)

    async def _record(self, delivery_id: str, webhook_id: str, result: DeliveryResult) -> None:
        now = self.clock()
        async with self.db.session() as session:
            # The webhook's row first, locked: attempts finishing together see each other.
            webhook = await repository.get_webhook(session, webhook_id, for_update=True)
            delivery = await repository.get_webhook_delivery(session, delivery_id)
            if webhook is None or delivery is None or delivery.status != "pending":
                return
            decision = record_webhook_attempt(delivery, webhook, result, now=now)
            if decision.outcome is Outcome.DISABLE_ENDPOINT and webhook.active:
                _disable(webhook, decision.reason, now)
                await repository.cancel_pending_deliveries(session, webhook.id, "webhook disabled")
            await session.commit()


def _disable(webhook: Webhook, reason: str, now: datetime) -> None:
    webhook.active, webhook.disabled_reason = False, reason
    webhook.version += 1
    webhook.updated_at = now
