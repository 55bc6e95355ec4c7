"""Deadline reminders in Berlin time across the clock changes, their keys, status by date."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from services.funding.calls import CallStatus, Deadline
from services.funding.reminders import (
    BERLIN,
    due_reminders,
    local_minus_days,
    reminder_key,
    reminders_for,
    status_on,
    transition,
)
from tests.funding.factories import make_call


def berlin(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=BERLIN)


@pytest.mark.parametrize(
    ("deadline", "lead", "due_local", "due_utc"),
    [
        # summer time begins 2026-03-29: same wall time, 3 days less one hour elapsed
        (berlin(2026, 3, 30, 10), 3, "2026-03-27 10:00+01:00", "2026-03-27 09:00"),
        (berlin(2026, 4, 10, 9), 14, "2026-03-27 09:00+01:00", "2026-03-27 08:00"),
        # winter time begins 2026-10-25
        (berlin(2026, 10, 27, 10), 3, "2026-10-24 10:00+02:00", "2026-10-24 08:00"),
        (berlin(2026, 11, 2, 12), 14, "2026-10-19 12:00+02:00", "2026-10-19 10:00"),
        # a wall time that does not exist on the day (02:30 on 29 March) moves past the gap
        (berlin(2026, 4, 1, 2, 30), 3, "2026-03-29 03:30+02:00", "2026-03-29 01:30"),
        # one that exists twice (02:30 on 25 October) is its first, summer-time occurrence
        (berlin(2026, 10, 28, 2, 30), 3, "2026-10-25 02:30+02:00", "2026-10-25 00:30"),
        # no change in between
        (berlin(2026, 6, 15, 23, 59), 3, "2026-06-12 23:59+02:00", "2026-06-12 21:59"),
    ],
)
def test_lead_times_count_calendar_days_in_berlin(
    deadline: datetime, lead: int, due_local: str, due_utc: str
) -> None:
    due = local_minus_days(deadline, lead)
    assert due.tzinfo is UTC
    assert due.astimezone(BERLIN).isoformat(" ", "minutes") == due_local
    assert due.strftime("%Y-%m-%d %H:%M") == due_utc


def test_a_naive_deadline_is_refused() -> None:
    with pytest.raises(ValueError):
        local_minus_days(datetime(2026, 3, 30, 10), 3)


def test_reminders_default_to_14_and_3_days_per_deadline() -> None:
    call = make_call()  # deadline 2026-03-30 10:00 Berlin
    reminders = reminders_for("sub-1", call)
    assert [(r.lead_days, r.due_local.isoformat(" ", "minutes")) for r in reminders] == [
        (14, "2026-03-16 10:00+01:00"),
        (3, "2026-03-27 10:00+01:00"),
    ]
    assert reminders_for("sub-1", replace(call, status=CallStatus.WITHDRAWN)) == []


def test_the_key_is_the_same_on_every_replica_and_differs_per_lead() -> None:
    first = reminders_for("sub-1", make_call())
    again = reminders_for("sub-1", make_call())
    assert [r.key for r in first] == [r.key for r in again]
    assert [r.id for r in first] == [r.id for r in again]
    assert first[0].key == "reminder/sub-1/call-1/frist/r0/14d"
    assert len({r.key for r in first}) == 2
    assert reminder_key("sub-1", "call-1", 3) != reminder_key("sub-2", "call-1", 3)


def test_a_moved_deadline_gets_new_keys() -> None:
    call = make_call()
    moved = replace(call, deadlines=(replace(call.deadlines[0], sequence=1),))
    assert {r.key for r in reminders_for("s", call)}.isdisjoint(
        {r.key for r in reminders_for("s", moved)}
    )


def test_due_reminders_are_those_whose_time_came_and_only_the_nearest_lead() -> None:
    call = make_call()
    assert due_reminders("s", call, berlin(2026, 3, 16, 9, 59)) == []
    [fourteen] = due_reminders("s", call, berlin(2026, 3, 16, 10, 0))
    assert fourteen.lead_days == 14
    [three] = due_reminders("s", call, berlin(2026, 3, 28, 8))  # both due: only the 3-day one
    assert three.lead_days == 3
    assert due_reminders("s", call, berlin(2026, 3, 30, 10)) == []  # deadline passed


def test_status_follows_the_dates() -> None:
    opens = berlin(2026, 2, 1, 0)
    call = make_call(status=CallStatus.FORECASTED, opens_at=opens)
    assert status_on(call, opens - timedelta(seconds=1)) is CallStatus.FORECASTED
    assert transition(call, opens - timedelta(seconds=1)) is None
    assert transition(call, opens) is CallStatus.OPEN
    opened = replace(call, status=CallStatus.OPEN)
    closes = call.deadlines[0].at
    assert transition(opened, closes - timedelta(seconds=1)) is None
    assert transition(opened, closes) is CallStatus.CLOSED


def test_the_last_of_several_deadlines_closes_and_withdrawn_stays() -> None:
    first = Deadline("eins", berlin(2026, 3, 1, 12))
    last = Deadline("zwei", berlin(2026, 9, 1, 12))
    call = make_call(deadlines=(last, first))
    assert status_on(call, berlin(2026, 4, 1, 0)) is CallStatus.OPEN
    assert status_on(call, berlin(2026, 9, 1, 12)) is CallStatus.CLOSED
    withdrawn = replace(call, status=CallStatus.WITHDRAWN)
    assert transition(withdrawn, berlin(2026, 12, 1, 0)) is None
    closed = replace(
        call, status=CallStatus.CLOSED, deadlines=(Deadline("neu", berlin(2027, 1, 1)),)
    )
    assert transition(closed, berlin(2026, 12, 1, 0)) is CallStatus.OPEN  # deadline extended
    forecast = make_call(status=CallStatus.FORECASTED, opens_at=None, deadlines=())
    assert transition(forecast, berlin(2030, 1, 1)) is None
    continuous = make_call(deadlines=())
    assert status_on(continuous, berlin(2030, 1, 1)) is CallStatus.OPEN
