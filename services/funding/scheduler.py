"""The service's clock: calls move on by date, deadline reminders, the daily digest.

Every replica runs it. A moved call is locked and skipped by the others (SKIP LOCKED on
PostgreSQL, one writer on SQLite) and its move is conditional, so it happens once; a
reminder and a digest are deliveries with a unique key (subscription, call, deadline
revision, lead time; subscription and day), so whichever replica gets there first
queues them and the others queue nothing. Lead times and the digest hour count in
Europe/Berlin wall-clock time, right across the changes to and from summer time.
"""

import asyncio
import contextlib
import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from services.funding import domain, mailtext, repository
from services.funding.alerts import Alerts
from services.funding.delivery import queue_mail, queue_webhook
from services.funding.mapping import core_call, snapshot
from services.funding.models import Delivery, FundingCall
from services.funding.reminders import BERLIN, due_reminders
from shared.kit.db import Database
from shared.kit.sqltypes import utcnow

log = logging.getLogger("lotse.funding.scheduler")

LONGEST_LEAD = timedelta(days=366)


async def move_calls(db: Database, *, source: str, alerts: Alerts, now: datetime) -> int:
    """One pass: calls whose dates moved them on get their new status; how many moved."""
    async with db.session() as session:
        moved = await domain.move_calls_by_date(session, source=source, alerts=alerts, now=now)
        await session.commit()
    return moved


async def queue_reminders(db: Database, *, alerts: Alerts, now: datetime) -> int:
    """Queue the deadline reminders due at `now` of every subscription a current call
    fits; each once, whichever replica comes first."""
    queued = 0
    async with db.session() as session:
        for call in await repository.calls_with_deadline_between(session, now, now + LONGEST_LEAD):
            core = core_call(call)
            for subscription in await alerts.matcher.match(session, call):
                for reminder in due_reminders(subscription.id, core, now, subscription.lead_days):
                    key = reminder.key
                    if subscription.channel == "webhook":
                        data = {
                            "call": snapshot(call).model_dump(mode="json"),
                            "lead_days": reminder.lead_days,
                            "deadline_at": reminder.deadline.at.isoformat(),
                            "subscription_id": subscription.id,
                        }
                        queued += await queue_webhook(
                            session, subscription, key=key, kind="reminder",
                            event_type="funding_call.deadline_reminder", data=data, now=now,
                        )  # fmt: skip
                    else:
                        mail = mailtext.reminder_mail(
                            call=core,
                            deadline=reminder.deadline,
                            lead_days=reminder.lead_days,
                            unsubscribe_url=alerts.links.unsubscribe(subscription.id),
                        )
                        queued += await queue_mail(
                            session, subscription, key=key, kind="reminder", mail=mail, now=now
                        )
        await session.commit()
    return queued


def digest_cutoff(now: datetime, hour: int) -> datetime:
    """The latest digest time (`hour` o'clock in Berlin) at or before `now`, in UTC."""
    local = now.astimezone(BERLIN)
    today = datetime.combine(local.date(), time(hour), tzinfo=BERLIN)
    if today > local:
        today = datetime.combine(local.date() - timedelta(days=1), time(hour), tzinfo=BERLIN)
    return today.astimezone(now.tzinfo)


async def send_digests(db: Database, *, alerts: Alerts, now: datetime, hour: int) -> int:
    """Put the matches held before the last digest time into one mail per subscription."""
    cutoff = digest_cutoff(now, hour)
    day = cutoff.astimezone(BERLIN).date()
    async with db.session() as session:
        held = [d for d in await repository.held_digest_items(session) if d.created_at < cutoff]
        by_subscription: dict[str, list[Delivery]] = defaultdict(list)
        for item in held:
            by_subscription[item.subscription_id].append(item)
        sent = 0
        for subscription in await repository.subscriptions_by_id(session, set(by_subscription)):
            items = by_subscription[subscription.id]
            found = {c.id: c for c in await _calls(session, {i.payload["call_id"] for i in items})}
            entries = [(core_call(found[i.payload["call_id"]]), None) for i in items
                       if i.payload["call_id"] in found]  # fmt: skip
            mail = mailtext.digest_mail(
                day=day, items=entries, unsubscribe_url=alerts.links.unsubscribe(subscription.id)
            )
            sent += await queue_mail(
                session, subscription, key=f"digest/{subscription.id}/{day.isoformat()}",
                kind="digest", mail=mail, now=now,
            )  # fmt: skip
            for item in items:
                item.status = "batched"
        await session.commit()
    return sent


async def purge_old_deliveries(db: Database, *, now: datetime, keep: timedelta) -> int:
    """Forget what was delivered or cancelled longer ago than `keep`."""
    async with db.session() as session:
        purged = await repository.purge_deliveries(session, now - keep)
        await session.commit()
    return purged


async def _calls(session: AsyncSession, ids: set[str]) -> list[FundingCall]:
    return [c for c in [await repository.get_call(session, i) for i in sorted(ids)] if c]


@dataclass
class Scheduler:
    db: Database
    source: str
    alerts: Alerts
    every_seconds: float
    digest_hour: int
    keep_deliveries: timedelta
    _task: asyncio.Task[None] | None = field(default=None, init=False)

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="funding-scheduler")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def tick(self, now: datetime) -> None:
        await move_calls(self.db, source=self.source, alerts=self.alerts, now=now)
        await queue_reminders(self.db, alerts=self.alerts, now=now)
        await send_digests(self.db, alerts=self.alerts, now=now, hour=self.digest_hour)
        await purge_old_deliveries(self.db, now=now, keep=self.keep_deliveries)

    async def _run(self) -> None:
        while True:
            try:
                await self.tick(utcnow())
            except Exception:
                log.warning("scheduler pass failed; trying again", exc_info=True)
            await asyncio.sleep(self.every_seconds)
