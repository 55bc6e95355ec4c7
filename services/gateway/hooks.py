"""The rules of outgoing webhooks: who owns one, what it may ask for, which feed entries
it gets, its signing secret, and what is sent.

A webhook belongs to the municipality of the key that made it, or to the region when a
coordinator or admin made it. It receives what its owner may see of the feed, decided
by the feed's own rule (repository.readable_feed): when the entry is queued and again
right before each attempt, so an entry narrowed in between is not sent.
"""

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.gateway import repository
from services.gateway.domain import FEED_TYPES
from services.gateway.models import FeedEntry, Webhook, WebhookDelivery
from services.gateway.schemas import (
    WebhookCreate,
    WebhookDeliveryPublic,
    WebhookPublic,
    WebhookUpdate,
)
from services.gateway.stream import StreamFilter
from shared.contracts import REGISTRY
from shared.kit.auth import Principal, Role
from shared.kit.db import table_of
from shared.kit.delivery import mark_queued, queue_once
from shared.kit.events import CloudEvent
from shared.kit.http import (
    Conflict,
    Forbidden,
    InvalidInput,
    NotFound,
    check_if_match,
    check_optional_if_match,
    refuse_cleared,
)
from shared.kit.sqltypes import utcnow
from shared.kit.webhooks import (
    DeliveryPolicy,
    EndpointSecrets,
    generate_secret,
    message_id,
    secret_hint,
    validate_webhook_url,
)

PING_TYPE = "de.lotse.webhook.ping.v1"
"""The type of a test ping; no event of the platform has it."""
MAX_PER_OWNER = 50
"""Webhooks one municipality (or the region's coordinators together) may hold."""


def owner_of(webhook: Webhook) -> Principal:
    """Whose eyes decide what the webhook receives: its municipality's, or the region's."""
    return Principal(
        role=Role(webhook.owner_role), subject=webhook.created_by, ags=webhook.owner_ags
    )


def status_of(webhook: Webhook) -> str:
    if webhook.active:
        return "active"
    return "disabled" if webhook.disabled_reason else "paused"


def public(webhook: Webhook) -> WebhookPublic:
    return WebhookPublic(
        id=uuid.UUID(webhook.id),
        url=webhook.url,
        event_types=webhook.event_types,
        municipality=webhook.municipality,
        topic=webhook.topic,
        description=webhook.description,
        owner_ags=webhook.owner_ags,
        status=status_of(webhook),
        disabled_reason=webhook.disabled_reason,
        secret_hint=secret_hint(webhook.secret),
        previous_secret_valid_until=webhook.previous_secret_until,
        version=webhook.version,
        created_at=webhook.created_at,
        updated_at=webhook.updated_at,
    )


def delivery_message_id(delivery: WebhookDelivery) -> str:
    """The `webhook-id` of a delivery: the same on every attempt, redelivery and replica."""
    return message_id(f"gateway/{delivery.webhook_id}/{delivery.event_key}")


def delivery_public(delivery: WebhookDelivery) -> WebhookDeliveryPublic:
    return WebhookDeliveryPublic(
        id=uuid.UUID(delivery.id),
        webhook_message_id=delivery_message_id(delivery),
        event_type=delivery.event_type,
        feed_entry=delivery.feed_seq,
        status=delivery.status,
        attempts=delivery.attempts,
        last_status=delivery.last_status,
        last_error=delivery.last_error,
        next_attempt_at=delivery.next_attempt_at if delivery.status == "pending" else None,
        created_at=delivery.created_at,
        delivered_at=delivery.delivered_at,
    )


def endpoint_secrets(webhook: Webhook) -> EndpointSecrets:
    return EndpointSecrets(webhook.secret, webhook.previous_secret, webhook.previous_secret_until)


def _type_keys(types: list[str]) -> str:
    return "|" + "|".join(types) + "|"


def _check(url: str | None, event_types: list[str] | None, policy: DeliveryPolicy) -> None:
    errors = validate_webhook_url(url, policy) if url is not None else []
    for index, event_type in enumerate(event_types or ()):
        if REGISTRY.model(event_type) is None:
            why = "is no published event type (see the AsyncAPI document)"
        elif event_type not in FEED_TYPES:
            why = "is published, but does not reach the feed"
        else:
            continue
        errors.append({"field": f"event_types.{index}", "message": f"{event_type} {why}"})
    if errors:
        raise InvalidInput("The webhook cannot be delivered like this.", errors=errors)


def _require_owner(principal: Principal) -> None:
    # Readers and anonymous callers are stopped by the route (WritersOnlyRoute).
    if not principal.region_wide and not (principal.role is Role.MUNICIPALITY and principal.ags):
        raise Forbidden("Webhooks belong to municipalities and coordinators.")


async def create_webhook(
    session: AsyncSession,
    *,
    principal: Principal,
    data: WebhookCreate,
    policy: DeliveryPolicy,
    now: datetime,
) -> tuple[Webhook, str]:
    """A new webhook of the caller's municipality (or of the region); returns it and its
    signing secret, shown once."""
    _require_owner(principal)
    _check(data.url, data.event_types, policy)
    owner_ags = None if principal.region_wide else principal.ags
    if await repository.count_webhooks_of(session, owner_ags) >= MAX_PER_OWNER:
        raise Conflict(f"At most {MAX_PER_OWNER} webhooks each; delete one first.")
    secret = generate_secret()
    types = list(dict.fromkeys(data.event_types))
    webhook = Webhook(
        id=str(uuid.uuid4()),
        owner_role=Role.MUNICIPALITY.value if owner_ags else principal.role.value,
        owner_ags=owner_ags,
        created_by=principal.subject,
        url=data.url,
        description=data.description,
        event_types=types,
        type_keys=_type_keys(types),
        municipality=data.municipality,
        topic=data.topic,
        secret=secret,
        active=True,
        version=1,
        created_at=now,
        updated_at=now,
    )
    session.add(webhook)
    await session.flush()
    return webhook, secret


async def own_webhook(session: AsyncSession, principal: Principal, webhook_id: str) -> Webhook:
    """A webhook the caller manages, locked; 404 for any other (its existence is not told)."""
    webhook = await repository.get_manageable_webhook(
        session, principal, webhook_id, for_update=True
    )
    if webhook is None:
        raise NotFound(f"There is no webhook {webhook_id} you manage.")
    return webhook


def _changed(webhook: Webhook, now: datetime) -> None:
    webhook.version += 1
    webhook.updated_at = now


async def update_webhook(
    session: AsyncSession,
    *,
    principal: Principal,
    webhook_id: str,
    changes: WebhookUpdate,
    if_match: str | None,
    policy: DeliveryPolicy,
    now: datetime,
) -> Webhook:
    webhook = await own_webhook(session, principal, webhook_id)
    check_if_match(if_match, webhook.version)
    requested = changes.model_dump(exclude_unset=True)
    refuse_cleared(requested, frozenset({"url", "event_types", "description", "active"}))
    _check(changes.url, changes.event_types, policy)
    values: dict[str, Any] = dict(requested)
    if changes.event_types is not None:
        values["event_types"] = list(dict.fromkeys(changes.event_types))
        values["type_keys"] = _type_keys(values["event_types"])
    if changes.active is not None:
        values.pop("active")
        if changes.active != webhook.active:
            values["active"] = changes.active
            if changes.active:  # back into service: its failures are forgotten
                values["failing_since"] = values["disabled_reason"] = None
    changed = [k for k, v in values.items() if getattr(webhook, k) != v]
    for key in changed:
        setattr(webhook, key, values[key])
    if changed:
        _changed(webhook, now)
        if not webhook.active:
            await repository.cancel_pending_deliveries(session, webhook.id, "webhook paused")
    return webhook


async def delete_webhook(
    session: AsyncSession, *, principal: Principal, webhook_id: str, if_match: str | None
) -> None:
    webhook = await own_webhook(session, principal, webhook_id)
    check_optional_if_match(if_match, webhook.version)
    await repository.remove_webhook(session, webhook.id)


async def rotate_secret(
    session: AsyncSession, *, principal: Principal, webhook_id: str, now: datetime
) -> tuple[str, datetime]:
    """A new signing secret; the old one keeps signing beside it for the kit's overlap."""
    webhook = await own_webhook(session, principal, webhook_id)
    rotated, fresh = endpoint_secrets(webhook).rotate(now)
    assert rotated.previous_until is not None
    webhook.secret = rotated.current
    webhook.previous_secret = rotated.previous
    webhook.previous_secret_until = rotated.previous_until
    _changed(webhook, now)
    return fresh, rotated.previous_until


def _delivery_row(
    webhook: Webhook,
    *,
    event_key: str,
    event_type: str,
    now: datetime,
    feed_seq: int | None = None,
    payload: dict[str, Any] | None = None,
) -> dict[str, Any]:
    return {
        "id": str(uuid.uuid4()),
        "webhook_id": webhook.id,
        "event_key": event_key,
        "feed_seq": feed_seq,
        "event_type": event_type,
        "payload": payload,
        "status": "pending",
        "attempts": 0,
        "next_attempt_at": now,
        "created_at": now,
    }


async def ping(
    session: AsyncSession, *, principal: Principal, webhook_id: str, now: datetime
) -> WebhookDelivery:
    """Queue a test message to the webhook, whatever types it asked for."""
    webhook = await own_webhook(session, principal, webhook_id)
    if not webhook.active:
        raise Conflict(f"The webhook is {status_of(webhook)}; set it active first.")
    ping_id = str(uuid.uuid4())
    payload = ping_event(webhook, ping_id, now)
    row = _delivery_row(
        webhook, event_key=f"ping {ping_id}", event_type=PING_TYPE, now=now, payload=payload
    )
    await queue_once(session, table_of(WebhookDelivery), [row], ["webhook_id", "event_key"])
    delivery = await repository.get_webhook_delivery(session, row["id"])
    assert delivery is not None
    return delivery


async def redeliver(
    session: AsyncSession,
    *,
    principal: Principal,
    webhook_id: str,
    delivery_id: str,
    now: datetime,
) -> WebhookDelivery:
    """Send a failed or cancelled delivery again now, under the same `webhook-id`, with a
    fresh retry schedule (what its owner may not see any more is still not sent)."""
    webhook = await own_webhook(session, principal, webhook_id)
    delivery = await repository.get_webhook_delivery(session, delivery_id)
    if delivery is None or delivery.webhook_id != webhook.id:
        raise NotFound(f"There is no delivery {delivery_id} of this webhook.")
    if delivery.status not in ("failed", "cancelled"):
        raise Conflict(
            f"Only failed or cancelled deliveries are sent again; this one is {delivery.status}."
        )
    if not webhook.active:
        raise Conflict(f"The webhook is {status_of(webhook)}; set it active first.")
    delivery.status, delivery.attempts, delivery.last_error = "pending", 0, None
    delivery.next_attempt_at, delivery.claimed_until = now, None
    mark_queued(session)
    return delivery


async def queue_for_feed_event(session: AsyncSession, event: CloudEvent) -> None:
    """Queue the feed entry an event just added for every webhook that asked for it and
    whose owner may see it; in the transaction that added the entry, so none is lost."""
    wanting = await repository.active_webhooks_for(session, event.type)
    if not wanting:
        return  # no webhook wants it: one query on the small webhooks table, no more
    entry = await repository.feed_entry_of_event(session, event.source, event.id)
    if entry is None or entry.seq is None:
        return  # the event added nothing to the feed
    candidates = [webhook for webhook in wanting if _filter_of(webhook).admits(entry)]
    # One visibility query per kind of owner (a municipality, or the region), not per webhook.
    sees: dict[tuple[str, str | None], bool] = {}
    rows = []
    now = utcnow()
    for webhook in candidates:
        owner = owner_of(webhook)
        seen_by = (owner.role.value, owner.ags)
        if seen_by not in sees:
            sees[seen_by] = await repository.readable_entry(session, owner, entry.seq) is not None
        if sees[seen_by]:
            rows.append(
                _delivery_row(
                    webhook,
                    event_key=f"{entry.source} {entry.event_id}",
                    event_type=entry.type,
                    feed_seq=entry.seq,
                    now=now,
                )
            )
    await queue_once(session, table_of(WebhookDelivery), rows, ["webhook_id", "event_key"])


def _filter_of(webhook: Webhook) -> StreamFilter:
    return StreamFilter(
        types=frozenset(webhook.event_types), municipality=webhook.municipality, topic=webhook.topic
    )


# -- what is sent -----------------------------------------------------------------------


def _stamp(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def feed_event(entry: FeedEntry) -> dict[str, Any]:
    """A feed entry as a CloudEvent in JSON (structured mode): the event's id, source,
    type, subject and time, and its data as the feed shows it."""
    return {
        "specversion": "1.0",
        "id": entry.event_id,
        "source": entry.source,
        "type": entry.type,
        "subject": entry.subject,
        "time": _stamp(entry.occurred_at),
        "datacontenttype": "application/json",
        "lotsefeedid": entry.seq,
        "lotsetitle": entry.title,
        "lotsemunicipality": entry.municipality_ags or None,
        "data": entry.data,
    }


def ping_event(webhook: Webhook, ping_id: str, now: datetime) -> dict[str, Any]:
    return {
        "specversion": "1.0",
        "id": ping_id,
        "source": "/lotse/gateway",
        "type": PING_TYPE,
        "subject": webhook.id,
        "time": _stamp(now),
        "datacontenttype": "application/json",
        "data": {"webhook": webhook.id, "description": webhook.description},
    }
