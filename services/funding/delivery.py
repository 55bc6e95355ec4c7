"""Durable delivery: every alert is a row in the service's database until it was
delivered or visibly failed, whatever restarts in between.

Queueing happens in the transaction that decided the alert (a call published, a
reminder due), with a unique key, so an alert is queued once across replicas. The
worker claims due rows with a lease (SKIP LOCKED on PostgreSQL), sends them, and records
each outcome in its own transaction right after the answer, so a worker killed
mid-run loses nothing (its lease runs out and the row is sent again, under the same
`webhook-id`, which receivers deduplicate by) and repeats no delivery it recorded.

Webhooks follow the kit's Standard Webhooks schedule (shared.kit.webhooks): retries
with jitter, Retry-After honoured, 410 disables the endpoint, five days of failure
disable it and tell its owner by e-mail. E-mail retries on the same schedule while the
SMTP server says a retry can help.
"""

import logging
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.funding import mailtext, repository
from services.funding.models import Delivery, Subscription
from shared.kit.db import Database
from shared.kit.delivery import DeliveryLoop, record_webhook_attempt
from shared.kit.mail import Mailer, MailError
from shared.kit.sqltypes import utcnow
from shared.kit.webhooks import (
    DeliveryResult,
    EndpointSecrets,
    Outcome,
    WebhookClient,
    build_payload,
    message_id,
    next_attempt_at,
)

log = logging.getLogger("lotse.funding.delivery")

Clock = Callable[[], datetime]


def _row(
    subscription: Subscription,
    *,
    key: str,
    channel: str,
    kind: str,
    event_type: str,
    payload: dict[str, Any],
    now: datetime,
    held: bool,
) -> dict[str, Any]:
    return {
        "id": str(uuid.uuid4()),
        "key": key,
        "subscription_id": subscription.id,
        "channel": channel,
        "kind": kind,
        "event_type": event_type,
        "payload": payload,
        "status": "held" if held else "pending",
        "attempts": 0,
        "next_attempt_at": now,
        "created_at": now,
    }


async def _queue(session: AsyncSession, row: dict[str, Any]) -> bool:
    return await repository.queue_delivery(session, row)


async def queue_many(session: AsyncSession, rows: list[dict[str, Any]]) -> None:
    """Queue many deliveries in one statement (a call that fits thousands of
    subscriptions); those whose key was queued before are skipped."""
    await repository.queue_deliveries(session, rows)


def mail_row(
    subscription: Subscription,
    *,
    key: str,
    kind: str,
    mail: mailtext.MailText,
    now: datetime,
    to: str | None = None,
) -> dict[str, Any]:
    """An e-mail to the subscription's address (or `to`), as a delivery row."""
    address = to or subscription.email
    assert address is not None
    payload = {
        "to": address,
        "subject": mail.subject,
        "text": mail.text,
        "html": mail.html,
        "unsubscribe_url": mail.unsubscribe_url,
    }
    return _row(subscription, key=key, channel="email", kind=kind, event_type=kind,
                payload=payload, now=now, held=False)  # fmt: skip


def digest_row(
    subscription: Subscription, *, key: str, call_id: str, changed: list[str], now: datetime
) -> dict[str, Any]:
    """A match kept for the subscription's daily digest."""
    return _row(subscription, key=key, channel="email", kind="digest_item",
                event_type="funding_call.matched",
                payload={"call_id": call_id, "changed": changed}, now=now, held=True)  # fmt: skip


def webhook_row(
    subscription: Subscription,
    *,
    key: str,
    kind: str,
    event_type: str,
    data: dict[str, Any],
    now: datetime,
) -> dict[str, Any]:
    """A webhook `{type, timestamp, data}`; its body is fixed now, so every retry sends the
    same bytes under the same `webhook-id`."""
    payload = {"timestamp": now.isoformat(), "data": data}
    return _row(subscription, key=key, channel="webhook", kind=kind, event_type=event_type,
                payload=payload, now=now, held=False)  # fmt: skip


async def queue_mail(
    session: AsyncSession,
    subscription: Subscription,
    *,
    key: str,
    kind: str,
    mail: mailtext.MailText,
    now: datetime,
    to: str | None = None,
) -> bool:
    """Queue one e-mail; once per key."""
    return await _queue(session, mail_row(subscription, key=key, kind=kind, mail=mail, now=now,
                                          to=to))  # fmt: skip


async def queue_webhook(
    session: AsyncSession,
    subscription: Subscription,
    *,
    key: str,
    kind: str,
    event_type: str,
    data: dict[str, Any],
    now: datetime,
) -> bool:
    """Queue one webhook; once per key."""
    row = webhook_row(subscription, key=key, kind=kind, event_type=event_type, data=data, now=now)
    return await _queue(session, row)


class DeliveryWorker:
    """Sends due deliveries; one per process, any number of processes."""

    def __init__(
        self,
        db: Database,
        *,
        client: WebhookClient,
        mailer: Mailer,
        links_manage: Callable[[str], str],
        links_unsubscribe: Callable[[str], str],
        lease: timedelta = timedelta(seconds=60),
        batch: int = 100,
        poll_seconds: float = 1.0,
        clock: Clock = utcnow,
    ) -> None:
        self.db = db
        self.client = client
        self.mailer = mailer
        self.manage_url = links_manage
        self.unsubscribe_url = links_unsubscribe
        self.lease = lease
        self.batch = batch
        self.poll_seconds = poll_seconds
        self.clock = clock
        self.loop = DeliveryLoop(
            db, claim=self._claim, attempt=self._attempt, batch=batch,
            poll_seconds=poll_seconds, name="funding-delivery",
        )  # fmt: skip

    def wake(self) -> None:
        self.loop.wake()

    def start(self) -> None:
        """Run in the background, woken by every commit that queued a delivery."""
        self.loop.start()

    async def stop(self) -> None:
        await self.loop.stop()

    async def _claim(self, limit: int) -> list[str]:
        now = self.clock()
        async with self.db.session() as session:
            ids = await repository.due_delivery_ids(session, now, limit)
            await repository.claim_deliveries(session, ids, now + self.lease)
            await session.commit()
        return ids

    async def run_once(self) -> int:
        """Claim what is due now and send it all; the number of deliveries attempted."""
        return await self.loop.run_once()

    async def _attempt(self, delivery_id: str) -> None:
        async with self.db.session() as session:
            delivery = await repository.get_delivery(session, delivery_id)
            subscription = (
                await repository.subscriptions_by_id(session, {delivery.subscription_id})
                if delivery
                else []
            )
        if delivery is None or delivery.status != "pending" or not subscription:
            return
        if delivery.channel == "webhook":
            await self._send_webhook(delivery, subscription[0])
        else:
            await self._send_mail(delivery, subscription[0])

    async def _send_webhook(self, delivery: Delivery, subscription: Subscription) -> None:
        if not _receives_webhooks(subscription) or subscription.url is None:
            await self._finish(delivery.id, status="cancelled", error="endpoint not active")
            return
        body = build_payload(
            delivery.event_type,
            delivery.payload["data"],
            datetime.fromisoformat(delivery.payload["timestamp"]),
        )
        assert subscription.secret is not None
        secrets = EndpointSecrets(
            subscription.secret, subscription.previous_secret, subscription.previous_secret_until
        )
        # Signed with the wall-clock time receivers check timestamps against.
        result = await self.client.deliver(
            subscription.url, secrets, message_id(delivery.key), body
        )
        await self._record_webhook(delivery.id, subscription.id, result)

    async def _record_webhook(
        self, delivery_id: str, subscription_id: str, result: DeliveryResult
    ) -> None:
        now = self.clock()
        async with self.db.session() as session:
            # The endpoint's row first, locked: attempts finishing together see each other.
            found = await repository.subscriptions_by_id(
                session, {subscription_id}, for_update=True
            )
            delivery = await repository.get_delivery(session, delivery_id)
            if delivery is None or not found or delivery.status != "pending":
                return
            subscription = found[0]
            decision = record_webhook_attempt(delivery, subscription, result, now=now)
            if decision.outcome is Outcome.DISABLE_ENDPOINT and subscription.disabled_at is None:
                await self._disable(session, subscription, decision.reason, now)
            await session.commit()

    async def _disable(
        self, session: AsyncSession, subscription: Subscription, reason: str, now: datetime
    ) -> None:
        """The endpoint stops receiving; its owner hears of it at a confirmed address."""
        since = subscription.failing_since or now
        subscription.disabled_at, subscription.disabled_reason = now, reason
        subscription.version += 1
        subscription.updated_at = now
        await repository.cancel_open_deliveries(session, subscription.id, channel="webhook")
        if subscription.email and subscription.email_confirmed_at is not None:
            assert subscription.url is not None
            mail = mailtext.webhook_disabled_mail(
                endpoint_url=subscription.url,
                reason=reason,
                since=since,
                manage_url=self.manage_url(subscription.id),
                unsubscribe_url=self.unsubscribe_url(subscription.id),
            )
            await queue_mail(
                session, subscription, key=f"disabled/{subscription.id}/{now.isoformat()}",
                kind="endpoint_disabled", mail=mail, now=now,
            )  # fmt: skip

    async def _send_mail(self, delivery: Delivery, subscription: Subscription) -> None:
        allowed = delivery.kind in ("confirmation", "endpoint_disabled") or (
            subscription.deleted_at is None
            and subscription.unsubscribed_at is None
            and subscription.email_confirmed_at is not None
        )
        if not allowed:
            await self._finish(delivery.id, status="cancelled", error="address not confirmed")
            return
        payload = delivery.payload
        try:
            mail = mailtext.MailText(
                payload["subject"], payload["text"], payload["html"], payload["unsubscribe_url"]
            )
            message = mail.message(sender=self.mailer.settings.mail_sender, to=payload["to"])
        except Exception as exc:  # a mail that cannot be built never will: failed, visibly
            await self._mail_failed(
                delivery.id, f"could not build the mail: {exc!r}", permanent=True
            )
            return
        try:
            await self.mailer.send(message)
        except MailError as exc:
            await self._mail_failed(delivery.id, str(exc), permanent=exc.permanent)
            return
        await self._finish(delivery.id, status="delivered")

    async def _mail_failed(self, delivery_id: str, error: str, *, permanent: bool) -> None:
        now = self.clock()
        async with self.db.session() as session:
            delivery = await repository.get_delivery(session, delivery_id)
            if delivery is None or delivery.status != "pending":
                return
            delivery.attempts += 1
            delivery.last_error = error
            delivery.claimed_until = None
            retry_at = None if permanent else next_attempt_at(delivery.attempts, now)
            if retry_at is None:
                delivery.status = "failed"
            else:
                delivery.next_attempt_at = retry_at
            await session.commit()

    async def _finish(self, delivery_id: str, *, status: str, error: str | None = None) -> None:
        now = self.clock()
        async with self.db.session() as session:
            delivery = await repository.get_delivery(session, delivery_id)
            if delivery is None or delivery.status != "pending":
                return
            delivery.status, delivery.last_error, delivery.claimed_until = status, error, None
            if status == "delivered":
                delivery.attempts += 1
                delivery.delivered_at = now
            await session.commit()


def _receives_webhooks(subscription: Subscription) -> bool:
    return (
        subscription.deleted_at is None
        and subscription.unsubscribed_at is None
        and subscription.disabled_at is None
    )
