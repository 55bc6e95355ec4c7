"""Which subscribers a call concerns, and the alert each of them gets.

The SubscriptionIndex (matching.py) answers without scanning every subscription. Each
process keeps one, brought up to date from the database before every match: the
subscriptions changed since the last look (with a margin for clocks and transactions
that commit late) are put in again or taken out, so a subscription made on another
replica is matched there too.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from services.funding import mailtext, repository
from services.funding.calls import FundingType, Municipality
from services.funding.delivery import digest_row, mail_row, queue_many, webhook_row
from services.funding.eligibility import check_eligibility
from services.funding.mapping import applicant_rules, core_call, core_municipality, snapshot
from services.funding.matching import Subscription as IndexedSubscription
from services.funding.matching import SubscriptionFilter, SubscriptionIndex
from services.funding.models import FundingCall, KnownMunicipality, Subscription
from services.funding.subscriptions import Links, is_active

REFRESH_MARGIN = timedelta(minutes=5)


def index_entry(
    subscription: Subscription,
    municipalities: dict[str, KnownMunicipality],
    *,
    active_only: bool = True,
) -> IndexedSubscription | None:
    """The subscription as the index keeps it; None when it receives nothing."""
    if active_only and not is_active(subscription):
        return None
    eligible_for: Municipality | None = None
    if subscription.eligible_for_own and subscription.owner_ags:
        owner = municipalities.get(subscription.owner_ags)
        if owner is None:
            return None  # not known here yet: no call can be judged for it
        eligible_for = core_municipality(owner)
    wanted = SubscriptionFilter(
        topics=frozenset(subscription.topics),
        laender=frozenset(subscription.laender),
        funding_types=frozenset(FundingType(t) for t in subscription.funding_types),
        amount_min=None if subscription.amount_min is None else int(subscription.amount_min),
        amount_max=None if subscription.amount_max is None else int(subscription.amount_max),
        eligible_for=eligible_for,
        keywords=tuple(subscription.keywords),
    )
    return IndexedSubscription(subscription.id, wanted)


@dataclass
class SubscriptionMatcher:
    """This process's index of the subscriptions, refreshed from the database."""

    index: SubscriptionIndex = field(default_factory=SubscriptionIndex)
    seen_until: datetime | None = None

    async def refresh(self, session: AsyncSession) -> None:
        since = None if self.seen_until is None else self.seen_until - REFRESH_MARGIN
        changed = await repository.subscriptions_changed_since(session, since)
        if not changed:
            return
        municipalities = await repository.all_known_municipalities(session)
        for subscription in changed:
            entry = index_entry(subscription, municipalities)
            if entry is None:
                self.index.remove(subscription.id)
            else:
                self.index.add(entry)
        newest = max(s.updated_at for s in changed)
        self.seen_until = max(newest, self.seen_until or newest)

    async def match(self, session: AsyncSession, call: FundingCall) -> list[Subscription]:
        await self.refresh(session)
        ids = {s.id for s in self.index.match(core_call(call))}
        return [s for s in await repository.subscriptions_by_id(session, ids) if is_active(s)]


@dataclass
class Alerts:
    """What a change of a call needs to alert subscribers: the index and the links."""

    matcher: SubscriptionMatcher
    links: Links

    async def call_changed(
        self, session: AsyncSession, call: FundingCall, *, changed: list[str], now: datetime
    ) -> int:
        """Queue the alert of a published (`changed` empty) or materially changed call for
        every subscription it fits: a webhook, an e-mail now, or an entry of the daily
        digest. Once per subscription and call version; returns how many it fits."""
        event_type = "funding_call.updated" if changed else "funding_call.published"
        matched = await self.matcher.match(session, call)
        owners = await repository.known_municipalities(
            session, {s.owner_ags for s in matched if s.owner_ags}
        )
        rows = []
        for subscription in matched:
            key = f"alert/{subscription.id}/{call.id}/v{call.version}"
            owner = owners.get(subscription.owner_ags or "")
            verdict = (
                check_eligibility(applicant_rules(call), core_municipality(owner))
                if owner
                else None
            )
            if subscription.channel == "webhook":
                data = {
                    "call": snapshot(call).model_dump(mode="json"),
                    "changed": changed,
                    "eligibility": None
                    if verdict is None or owner is None
                    else {"ags": owner.ags, "eligible": verdict.eligible,
                          "reasons": list(verdict.reasons)},
                    "subscription_id": subscription.id,
                }  # fmt: skip
                rows.append(webhook_row(subscription, key=key, kind="alert",
                                        event_type=event_type, data=data, now=now))  # fmt: skip
            elif subscription.mode == "daily":
                rows.append(digest_row(subscription, key=key, call_id=call.id, changed=changed,
                                       now=now))  # fmt: skip
            else:
                mail = mailtext.alert_mail(
                    call=core_call(call),
                    unsubscribe_url=self.links.unsubscribe(subscription.id),
                    eligibility=verdict,
                    changed=changed,
                )
                rows.append(mail_row(subscription, key=key, kind="alert", mail=mail, now=now))
        await queue_many(session, rows)
        return len(rows)
