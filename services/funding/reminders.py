"""Deadline reminders and the status a call has by date.

Lead times count in calendar days of Europe/Berlin: a reminder 3 days before a deadline
on 30 March at 10:00 is due on 27 March at 10:00 local time, although summer time began
in between (3 days less one hour of elapsed time). Every reminder has a stable key, so
that several replicas computing the same reminder store and send it once.
"""

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from services.funding.calls import CallStatus, Deadline, FundingCall

BERLIN = ZoneInfo("Europe/Berlin")
DEFAULT_LEAD_DAYS: tuple[int, ...] = (14, 3)
_NAMESPACE = uuid.UUID("5d0c4a8e-7f1b-4a53-9a2e-3c1f6b0e9d21")


def local_minus_days(moment: datetime, days: int, zone: ZoneInfo = BERLIN) -> datetime:
    """The same wall-clock time `days` calendar days earlier in `zone`, as UTC.

    A wall time that does not exist that day (02:30 when clocks spring forward) moves
    forward by the gap; one that exists twice (autumn) means the first, summer-time one.
    """
    if moment.tzinfo is None:
        raise ValueError("an aware datetime is needed")
    local = moment.astimezone(zone)
    wall = local.replace(tzinfo=None) - timedelta(days=days)
    # fold=0 reads a gap time with the offset before the change (so it lands after the
    # gap) and an ambiguous time as its first occurrence (PEP 495).
    return wall.replace(tzinfo=zone, fold=0).astimezone(UTC)


def reminder_key(
    subscription_id: str, call_id: str, lead_days: int, deadline_id: str = "", revision: int = 0
) -> str:
    """The dedup key of one reminder: subscription, call, deadline (and its revision), lead.

    A moved deadline has a new revision, so its reminders are due again for the new date.
    """
    return f"reminder/{subscription_id}/{call_id}/{deadline_id}/r{revision}/{lead_days}d"


@dataclass(frozen=True, slots=True)
class Reminder:
    subscription_id: str
    call_id: str
    deadline: Deadline
    lead_days: int
    due_at: datetime
    """In UTC."""

    @property
    def key(self) -> str:
        return reminder_key(
            self.subscription_id,
            self.call_id,
            self.lead_days,
            self.deadline.id,
            self.deadline.sequence,
        )

    @property
    def id(self) -> uuid.UUID:
        """A UUID from the key: usable as primary key, message id and webhook-id alike."""
        return uuid.uuid5(_NAMESPACE, self.key)

    @property
    def due_local(self) -> datetime:
        return self.due_at.astimezone(BERLIN)


def reminders_for(
    subscription_id: str, call: FundingCall, lead_days: Iterable[int] = DEFAULT_LEAD_DAYS
) -> list[Reminder]:
    """Every reminder of this subscription for this call, ordered by due time.

    None for a withdrawn, archived or closed call.
    """
    if call.status in (CallStatus.WITHDRAWN, CallStatus.ARCHIVED, CallStatus.CLOSED):
        return []
    reminders = [
        Reminder(subscription_id, call.id, deadline, lead, local_minus_days(deadline.at, lead))
        for deadline in call.deadlines
        for lead in sorted(set(lead_days), reverse=True)
    ]
    return sorted(reminders, key=lambda r: r.due_at)


def due_reminders(
    subscription_id: str,
    call: FundingCall,
    now: datetime,
    lead_days: Sequence[int] = DEFAULT_LEAD_DAYS,
) -> list[Reminder]:
    """Reminders due at `now`: their time has come and the deadline is still ahead.

    Of several due for the same deadline (a subscription made late), only the one with
    the shortest lead is sent; the key of each still marks it as done.
    """
    due = [r for r in reminders_for(subscription_id, call, lead_days) if r.due_at <= now]
    due = [r for r in due if now < r.deadline.at]
    latest: dict[str, Reminder] = {}
    for reminder in due:
        current = latest.get(reminder.deadline.id)
        if current is None or reminder.lead_days < current.lead_days:
            latest[reminder.deadline.id] = reminder
    return sorted(latest.values(), key=lambda r: r.due_at)


def status_on(call: FundingCall, now: datetime) -> CallStatus:
    """The status a call has at `now` by its dates: forecasted until it opens, open until
    its last deadline, closed after it. A withdrawn or archived call stays so; a forecast
    without an opening date stays a forecast until someone opens it."""
    if call.status in (CallStatus.WITHDRAWN, CallStatus.ARCHIVED):
        return call.status
    closes_at = call.closes_at
    if closes_at is not None and now >= closes_at:
        return CallStatus.CLOSED
    if call.opens_at is not None:
        return CallStatus.FORECASTED if now < call.opens_at else CallStatus.OPEN
    if call.status is CallStatus.FORECASTED:
        return CallStatus.FORECASTED
    return CallStatus.OPEN


def transition(call: FundingCall, now: datetime) -> CallStatus | None:
    """The new status if the date moved the call on, else None."""
    status = status_on(call, now)
    return None if status is call.status else status
