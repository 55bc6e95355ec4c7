"""The Atom and iCalendar feeds, read back with the parsers calendar and feed readers use."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import feedparser
from icalendar import Calendar, Event, Timezone, vDDDTypes

from services.funding.calls import CallStatus, Deadline, FundingType, revise
from services.funding.feeds import atom_feed, deadline_calendar, deadline_uid
from services.funding.matching import SubscriptionFilter
from services.funding.reminders import BERLIN
from tests.funding.factories import make_call

CALL = make_call(summary="Zuschüsse <für> Ortsteile & Höfe")
OTHER = make_call(
    id="call-2",
    title="Schuldigitalisierung",
    topics=frozenset({"education"}),
    funding_types=frozenset({FundingType.LOAN}),
    updated_at=CALL.updated_at + timedelta(days=1),
    deadlines=(Deadline("stichtag", datetime(2026, 11, 2, 12, tzinfo=BERLIN), "Stichtag"),),
)


def events(body: bytes) -> dict[str, Event]:
    calendar = Calendar.from_ical(body)
    return {str(e["UID"]): e for e in calendar.events}


def test_atom_feed_parses_with_stable_ids_and_escaped_text() -> None:
    body = atom_feed(
        [CALL, OTHER],
        feed_id="urn:lotse:feed:alle",
        title="Förderaufrufe",
        self_url="https://lotse.example.org/api/v1/funding-calls/feed.atom",
    )
    feed = feedparser.parse(body)
    assert not feed.bozo, feed.bozo_exception
    assert feed.version == "atom10"
    assert feed.feed.title == "Förderaufrufe"
    assert [e.id for e in feed.entries] == [
        "urn:lotse:funding-call:call-2",
        "urn:lotse:funding-call:call-1",
    ]  # newest change first
    entry = feed.entries[1]
    assert entry.title == "Glasfaser für kleine Gemeinden"
    assert entry.link == CALL.url
    assert entry.summary == "Zuschüsse <für> Ortsteile & Höfe"
    assert entry.author == CALL.funder
    assert [t.term for t in entry.tags] == ["broadband"]
    assert entry.updated_parsed[:5] == (2026, 1, 5, 9, 0)
    assert "<dd>50.000 bis 250.000 €</dd>" in entry.content[0].value
    assert "30.03.2026, 10:00 Uhr" in entry.content[0].value


def test_atom_feed_for_a_filter_holds_only_matching_calls() -> None:
    body = atom_feed(
        [CALL, OTHER],
        feed_id="urn:lotse:feed:breitband",
        title="Breitband",
        self_url="https://lotse.example.org/feed.atom",
        subscription_filter=SubscriptionFilter(topics=frozenset({"broadband"})),
    )
    assert [e.id for e in feedparser.parse(body).entries] == ["urn:lotse:funding-call:call-1"]


def test_calendar_has_one_event_per_deadline_in_berlin_time_with_alarm() -> None:
    two = replace(
        CALL,
        deadlines=(*CALL.deadlines, Deadline("zweite", datetime(2026, 7, 1, 12, tzinfo=BERLIN))),
    )
    body = deadline_calendar([two, OTHER])
    calendar = Calendar.from_ical(body)
    assert calendar["X-PUBLISHED-TTL"].to_ical() == b"PT6H"
    assert calendar["REFRESH-INTERVAL"].to_ical() == b"PT6H"
    assert calendar["REFRESH-INTERVAL"].params["VALUE"] == "DURATION"
    found = events(body)
    assert set(found) == {
        deadline_uid("call-1", "frist"),
        deadline_uid("call-1", "zweite"),
        deadline_uid("call-2", "stichtag"),
    }
    event = found[deadline_uid("call-1", "frist")]
    start = event["DTSTART"]
    assert isinstance(start, vDDDTypes) and isinstance(start.dt, datetime)
    assert start.params["TZID"] == "Europe/Berlin"
    assert start.dt.astimezone(UTC) == datetime(2026, 3, 30, 8, tzinfo=UTC)
    assert event.sequence == 0
    assert str(event["STATUS"]) == "CONFIRMED"
    [alarm] = event.walk("VALARM")
    trigger = alarm["TRIGGER"]
    assert isinstance(trigger, vDDDTypes)
    assert trigger.dt == -timedelta(days=3)
    assert str(alarm["ACTION"]) == "DISPLAY"


def test_the_vtimezone_gives_summer_and_winter_offsets() -> None:
    calendar = Calendar.from_ical(deadline_calendar([CALL, OTHER]))
    [zone] = calendar.walk("VTIMEZONE")
    assert isinstance(zone, Timezone)
    assert str(zone["TZID"]) == "Europe/Berlin"
    tz = zone.to_tz(lookup_tzid=False)
    assert datetime(2026, 3, 30, 10).replace(tzinfo=tz).utcoffset() == timedelta(hours=2)
    assert datetime(2026, 11, 2, 12).replace(tzinfo=tz).utcoffset() == timedelta(hours=1)


def test_a_moved_deadline_keeps_its_uid_and_raises_the_sequence() -> None:
    moved = revise(
        CALL,
        replace(
            CALL,
            deadlines=(replace(CALL.deadlines[0], at=datetime(2026, 4, 15, 10, tzinfo=BERLIN)),),
        ),
    )
    before = events(deadline_calendar([CALL]))[deadline_uid("call-1", "frist")]
    after = events(deadline_calendar([moved]))[deadline_uid("call-1", "frist")]
    assert before.sequence == 0 and after.sequence == 1
    moved_start = after.start
    assert isinstance(moved_start, datetime) and moved_start.date().isoformat() == "2026-04-15"
    reworded = revise(moved, replace(moved, title="Neuer Titel"))
    assert reworded.deadlines[0].sequence == 1  # wording does not move a deadline


def test_a_withdrawn_call_cancels_its_deadlines_with_a_higher_sequence() -> None:
    withdrawn = revise(CALL, replace(CALL, status=CallStatus.WITHDRAWN))
    event = events(deadline_calendar([withdrawn]))[deadline_uid("call-1", "frist")]
    assert str(event["STATUS"]) == "CANCELLED"
    assert event.sequence == 1
    assert event.walk("VALARM") == []


def test_the_same_calls_give_the_same_bytes() -> None:
    assert deadline_calendar([CALL, OTHER]) == deadline_calendar([OTHER, CALL])
    first = atom_feed([CALL, OTHER], feed_id="urn:x", title="x", self_url="https://x/feed")
    second = atom_feed([OTHER, CALL], feed_id="urn:x", title="x", self_url="https://x/feed")
    assert first == second


def test_an_empty_feed_and_calendar_are_still_valid() -> None:
    feed = feedparser.parse(atom_feed([], feed_id="urn:x", title="leer", self_url="https://x/f"))
    assert not feed.bozo and feed.entries == []
    calendar = Calendar.from_ical(deadline_calendar([]))
    assert calendar.walk("VEVENT") == [] and str(calendar["VERSION"]) == "2.0"
