"""The rules of alert subscriptions: who owns one, what it may filter, explicit opt-in of
e-mail addresses, one-click unsubscribe, webhook secrets and their rotation, feed tokens.

Confirmation and unsubscribe links carry an HMAC of the subscription id (LOTSE_FUNDING_
LINK_SECRET), so they work without a key and cannot be guessed; feed tokens are random
and stored hashed, so a rotation makes the old feed address stop working.
"""

import base64
import hashlib
import hmac
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from sqlalchemy.ext.asyncio import AsyncSession

from services.funding import mailtext, repository
from services.funding.delivery import queue_mail
from services.funding.models import Delivery, Subscription
from services.funding.schemas import (
    FeedLinks,
    SubscriptionCreate,
    SubscriptionFilter,
    SubscriptionPublic,
    SubscriptionUpdate,
)
from shared.kit.auth import Principal
from shared.kit.delivery import mark_queued
from shared.kit.http import (
    Conflict,
    InvalidInput,
    LotseError,
    NotFound,
    TooManyRequests,
    check_if_match,
    refuse_cleared,
)
from shared.kit.webhooks import (
    DeliveryPolicy,
    EndpointSecrets,
    generate_secret,
    secret_hint,
    validate_webhook_url,
)

FILTER_FIELDS = tuple(SubscriptionFilter.model_fields)


class InvalidLink(LotseError):
    status, slug, title = 404, "invalid-link", "This link is not valid (any more)"


@dataclass(frozen=True)
class Links:
    """Addresses a subscriber receives: confirmation, unsubscribe, feeds, management."""

    public_url: str
    secret: str

    def token(self, purpose: str, subscription_id: str) -> str:
        digest = hmac.digest(
            self.secret.encode(), f"{purpose}:{subscription_id}".encode(), "sha256"
        )
        return base64.urlsafe_b64encode(digest[:24]).decode().rstrip("=")

    def valid(self, purpose: str, subscription_id: str, token: str) -> bool:
        return hmac.compare_digest(self.token(purpose, subscription_id), token)

    def _link(self, action: str, subscription_id: str) -> str:
        query = urlencode({"id": subscription_id, "token": self.token(action, subscription_id)})
        return f"{self.public_url}/api/v1/subscriptions/{action}?{query}"

    def confirm(self, subscription_id: str) -> str:
        return self._link("confirm", subscription_id)

    def unsubscribe(self, subscription_id: str) -> str:
        return self._link("unsubscribe", subscription_id)

    def manage(self, subscription_id: str) -> str:
        return f"{self.public_url}/api/v1/subscriptions/{subscription_id}"

    def feeds(self, token: str) -> FeedLinks:
        base = f"{self.public_url}/api/v1/funding-feeds/{token}"
        return FeedLinks(atom=f"{base}/calls.atom", ical=f"{base}/deadlines.ics")


def feed_token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_feed_token() -> str:
    return "feed_" + secrets.token_urlsafe(24)


def status_of(subscription: Subscription) -> str:
    if subscription.unsubscribed_at is not None:
        return "unsubscribed"
    if subscription.disabled_at is not None:
        return "disabled"
    if subscription.channel == "email" and subscription.email_confirmed_at is None:
        return "pending_confirmation"
    return "active"


def is_active(subscription: Subscription) -> bool:
    """Alerts go to it: not deleted, not unsubscribed or disabled, its address confirmed."""
    return subscription.deleted_at is None and status_of(subscription) == "active"


def public(subscription: Subscription) -> SubscriptionPublic:
    return SubscriptionPublic(
        id=subscription.id,
        name=subscription.name,
        filter=SubscriptionFilter(**{f: getattr(subscription, f) for f in FILTER_FIELDS}),
        channel=subscription.channel,
        mode=subscription.mode,
        lead_days=subscription.lead_days,
        email=subscription.email,
        email_confirmed=subscription.email_confirmed_at is not None,
        url=subscription.url,
        secret_hint=secret_hint(subscription.secret) if subscription.secret else None,
        previous_secret_valid_until=subscription.previous_secret_until,
        status=status_of(subscription),
        disabled_reason=subscription.disabled_reason,
        version=subscription.version,
        created_at=subscription.created_at,
        updated_at=subscription.updated_at,
    )


def endpoint_secrets(subscription: Subscription) -> EndpointSecrets:
    assert subscription.secret is not None
    return EndpointSecrets(
        current=subscription.secret,
        previous=subscription.previous_secret,
        previous_until=subscription.previous_secret_until,
    )


def _check_channel(
    channel: str, mode: str, email: str | None, url: str | None, policy: DeliveryPolicy
) -> None:
    errors: list[dict[str, str]] = []
    if channel == "email" and email is None:
        errors.append({"field": "email", "message": "required for channel email"})
    if channel == "webhook":
        if url is None:
            errors.append({"field": "url", "message": "required for channel webhook"})
        else:
            errors += validate_webhook_url(url, policy)
        if mode == "daily":
            errors.append({"field": "mode", "message": "a daily digest is for e-mail only"})
    if channel == "email" and url is not None:
        errors.append({"field": "url", "message": "only for channel webhook"})
    if errors:
        raise InvalidInput("The subscription cannot be delivered like this.", errors=errors)


def _filter_values(principal: Principal, wanted: SubscriptionFilter) -> dict[str, Any]:
    if wanted.eligible_for_own and principal.ags is None:
        raise InvalidInput(
            "Only a municipality's key can ask for calls its municipality may apply for.",
            errors=[{"field": "filter.eligible_for_own", "message": "needs a municipality key"}],
        )
    low, high = wanted.amount_min, wanted.amount_max
    if low is not None and high is not None and low > high:
        raise InvalidInput(
            "amount_min lies above amount_max.",
            errors=[{"field": "filter.amount_min", "message": "greater than amount_max"}],
        )
    values = wanted.model_dump(mode="json")
    for field in ("topics", "laender", "funding_types", "keywords"):
        values[field] = list(dict.fromkeys(values[field]))
    return values


async def _ask_for_confirmation(
    session: AsyncSession, subscription: Subscription, links: Links, now: datetime
) -> None:
    assert subscription.email is not None
    text = mailtext.confirmation_mail(
        confirm_url=links.confirm(subscription.id),
        unsubscribe_url=links.unsubscribe(subscription.id),
        description=subscription.name,
    )
    await queue_mail(
        session,
        subscription,
        key=f"confirmation/{subscription.id}",
        kind="confirmation",
        mail=text,
        now=now,
    )


MAX_PER_KEY = 200
MAX_UNCONFIRMED = 3
"""Confirmation requests one address gets in a day while it confirms none."""


async def create_subscription(
    session: AsyncSession,
    *,
    principal: Principal,
    data: SubscriptionCreate,
    links: Links,
    policy: DeliveryPolicy,
    now: datetime,
) -> tuple[Subscription, str | None, str]:
    """A new subscription of the caller's; returns it, its webhook secret and feed token
    (both shown once). An e-mail address gets a confirmation link and nothing else."""
    _check_channel(data.channel, data.mode, data.email, data.url, policy)
    if await repository.count_subscriptions_of(session, principal.subject) >= MAX_PER_KEY:
        raise Conflict(f"A key may hold at most {MAX_PER_KEY} subscriptions; delete one first.")
    if data.email is not None:
        # Opt-in must not become a way to flood someone else's inbox with requests.
        day_ago = now - timedelta(days=1)
        if await repository.count_unconfirmed_for(session, data.email, day_ago) >= MAX_UNCONFIRMED:
            raise TooManyRequests(
                f"This address has {MAX_UNCONFIRMED} confirmation requests waiting; it gets "
                "no more until one is confirmed or a day has passed.",
                retry_after=3600,
            )
    secret = generate_secret() if data.channel == "webhook" else None
    feed_token = new_feed_token()
    subscription = Subscription(
        id=str(uuid.uuid4()),
        owner_subject=principal.subject,
        owner_ags=principal.ags,
        name=data.name,
        **_filter_values(principal, data.filter),
        channel=data.channel,
        mode=data.mode,
        lead_days=sorted(set(data.lead_days), reverse=True),
        email=data.email,
        url=data.url,
        secret=secret,
        feed_token_hash=feed_token_hash(feed_token),
        version=1,
        created_at=now,
        updated_at=now,
    )
    session.add(subscription)
    await session.flush()
    if subscription.email is not None:
        await _ask_for_confirmation(session, subscription, links, now)
    return subscription, secret, feed_token


async def own_subscription(
    session: AsyncSession, principal: Principal, subscription_id: str
) -> Subscription:
    subscription = await repository.get_subscription(
        session, principal, subscription_id, for_update=True
    )
    if subscription is None:
        raise NotFound(f"There is no subscription {subscription_id} of yours.")
    return subscription


def _changed(subscription: Subscription, now: datetime) -> None:
    subscription.version += 1
    subscription.updated_at = now


async def update_subscription(
    session: AsyncSession,
    *,
    principal: Principal,
    subscription_id: str,
    changes: SubscriptionUpdate,
    if_match: str | None,
    policy: DeliveryPolicy,
    now: datetime,
) -> Subscription:
    subscription = await own_subscription(session, principal, subscription_id)
    check_if_match(if_match, subscription.version)
    requested = changes.model_dump(exclude_unset=True)
    refuse_cleared(requested, frozenset(requested))
    mode = changes.mode or subscription.mode
    url = changes.url if "url" in requested else subscription.url
    _check_channel(subscription.channel, mode, subscription.email, url, policy)
    values: dict[str, Any] = {}
    if changes.filter is not None:
        values |= _filter_values(principal, changes.filter)
    if changes.name is not None:
        values["name"] = changes.name
    if changes.lead_days is not None:
        values["lead_days"] = sorted(set(changes.lead_days), reverse=True)
    values["mode"], values["url"] = mode, url
    changed = [k for k, v in values.items() if getattr(subscription, k) != v]
    for key in changed:
        setattr(subscription, key, values[key])
    if changed:
        _changed(subscription, now)
    return subscription


async def delete_subscription(
    session: AsyncSession, *, principal: Principal, subscription_id: str, now: datetime
) -> None:
    """Gone for its owner; the row stays as a tombstone so every replica's index drops it."""
    subscription = await own_subscription(session, principal, subscription_id)
    subscription.deleted_at = now
    _changed(subscription, now)
    await repository.cancel_open_deliveries(session, subscription.id)


async def rotate_secret(
    session: AsyncSession, *, principal: Principal, subscription_id: str, now: datetime
) -> tuple[str, datetime]:
    """A new webhook secret; the old one keeps signing beside it for the overlap."""
    subscription = await own_subscription(session, principal, subscription_id)
    if subscription.channel != "webhook":
        raise Conflict("Only webhook subscriptions have a signing secret.")
    rotated, fresh = endpoint_secrets(subscription).rotate(now)
    subscription.secret = rotated.current
    subscription.previous_secret = rotated.previous
    subscription.previous_secret_until = rotated.previous_until
    _changed(subscription, now)
    assert rotated.previous_until is not None
    return fresh, rotated.previous_until


async def rotate_feed_token(
    session: AsyncSession, *, principal: Principal, subscription_id: str, now: datetime
) -> str:
    """A new feed token; the old feed addresses stop working at once."""
    subscription = await own_subscription(session, principal, subscription_id)
    token = new_feed_token()
    subscription.feed_token_hash = feed_token_hash(token)
    _changed(subscription, now)
    return token


async def enable_endpoint(
    session: AsyncSession, *, principal: Principal, subscription_id: str, now: datetime
) -> Subscription:
    """Take a disabled webhook endpoint back into service; its failures are forgotten."""
    subscription = await own_subscription(session, principal, subscription_id)
    if subscription.disabled_at is not None:
        subscription.disabled_at = None
        subscription.disabled_reason = None
        subscription.failing_since = None
        _changed(subscription, now)
    return subscription


async def _linked(
    session: AsyncSession, links: Links, action: str, subscription_id: str, token: str
) -> Subscription:
    subscription = await repository.get_subscription_by_id(
        session, subscription_id, for_update=True
    )
    if subscription is None or not links.valid(action, subscription_id, token):
        raise InvalidLink("The link is not valid, or its subscription was deleted.")
    return subscription


async def confirm_email(
    session: AsyncSession, *, links: Links, subscription_id: str, token: str, now: datetime
) -> Subscription:
    """The address owner followed the link: alerts may go to it from now on."""
    subscription = await _linked(session, links, "confirm", subscription_id, token)
    if subscription.email_confirmed_at is None and subscription.unsubscribed_at is None:
        subscription.email_confirmed_at = now
        _changed(subscription, now)
    return subscription


async def unsubscribe(
    session: AsyncSession, *, links: Links, subscription_id: str, token: str, now: datetime
) -> Subscription:
    """One click: nothing more is sent, and what was waiting is cancelled."""
    subscription = await _linked(session, links, "unsubscribe", subscription_id, token)
    if subscription.unsubscribed_at is None:
        subscription.unsubscribed_at = now
        _changed(subscription, now)
        await repository.cancel_open_deliveries(session, subscription.id)
    return subscription


async def redeliver(
    session: AsyncSession,
    *,
    principal: Principal,
    subscription_id: str,
    delivery_id: str,
    now: datetime,
) -> Delivery:
    """Send a failed delivery again now, with a fresh retry schedule."""
    subscription = await own_subscription(session, principal, subscription_id)
    delivery = await repository.get_delivery(session, delivery_id)
    if delivery is None or delivery.subscription_id != subscription.id:
        raise NotFound(f"There is no delivery {delivery_id} of this subscription.")
    if delivery.status != "failed":
        raise Conflict(f"Only failed deliveries are sent again; this one is {delivery.status}.")
    if not is_active(subscription):
        raise Conflict(f"The subscription is {status_of(subscription)}; enable it first.")
    delivery.status, delivery.attempts = "pending", 0
    delivery.next_attempt_at, delivery.claimed_until = now, None
    mark_queued(session)
    return delivery
