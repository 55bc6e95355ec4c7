"""Feeds of funding calls: Atom for new and changed calls, iCalendar for their deadlines.

Both are pure functions of the calls they are given, so the same calls always give the
same bytes (an ETag of the body stays stable until a call changes).
"""

import html
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, timedelta
from xml.etree import ElementTree as ET

from icalendar import Alarm, Calendar, Event, vDuration

from services.funding.calls import FUNDING_TYPE_LABELS, CallStatus, FundingCall, FundingType
from services.funding.eligibility import number
from services.funding.matching import SubscriptionFilter, searchable_text
from services.funding.reminders import BERLIN
from shared.region.topics import TOPICS

ATOM = "http://www.w3.org/2005/Atom"
ATOM_MEDIA_TYPE = "application/atom+xml"
CALENDAR_MEDIA_TYPE = "text/calendar"
PRODID = "-//Lotse//Förderaufrufe//DE"
REFRESH = timedelta(hours=6)
ALARM_BEFORE = timedelta(days=3)
EMPTY_FEED_UPDATED = datetime(2026, 1, 1, tzinfo=UTC)
"""`updated` of a feed without entries: fixed, so its bytes (and ETag) stay the same."""

ET.register_namespace("", ATOM)


def call_entry_id(call_id: str) -> str:
    """The Atom id of a call's entry: stable for the life of the call."""
    return f"urn:lotse:funding-call:{call_id}"


def deadline_uid(call_id: str, deadline_id: str, domain: str = "lotse") -> str:
    """The iCalendar UID of one deadline: stable when its date moves."""
    return f"funding-deadline-{call_id}-{deadline_id}@{domain}"


def _rfc3339(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def german_datetime(moment: datetime) -> str:
    """30.03.2026, 10:00 Uhr (Berlin time)."""
    local = moment.astimezone(BERLIN)
    return local.strftime("%d.%m.%Y, %H:%M Uhr")


def amount_text(call: FundingCall) -> str:
    """ "bis 250.000 €", "50.000 bis 250.000 €", "" when nothing is stated."""
    low, high = call.amount_min, call.amount_max
    if low is not None and high is not None:
        return f"{number(low)} bis {number(high)} €"
    if high is not None:
        return f"bis {number(high)} €"
    if low is not None:
        return f"ab {number(low)} €"
    return ""


def call_facts(call: FundingCall) -> list[tuple[str, str]]:
    """The facts of a call as German label and value, for feeds and mails alike."""
    kinds = ", ".join(FUNDING_TYPE_LABELS[t] for t in FundingType if t in call.funding_types)
    facts = [("Fördergeber", call.funder), ("Förderart", kinds)]
    if amount := amount_text(call):
        facts.append(("Fördersumme", amount))
    if call.funding_rate is not None:
        facts.append(("Förderquote", f"bis {call.funding_rate} %"))
    if call.opens_at is not None:
        facts.append(("Antragstellung ab", german_datetime(call.opens_at)))
    for deadline in sorted(call.deadlines, key=lambda d: d.at):
        facts.append((deadline.label, german_datetime(deadline.at)))
    if call.topics:
        facts.append(("Themen", ", ".join(TOPICS.get(t, t) for t in sorted(call.topics))))
    return facts


def select(
    calls: Iterable[FundingCall], subscription_filter: SubscriptionFilter | None
) -> list[FundingCall]:
    """Calls meeting the filter (all without one), newest change first."""
    chosen = [
        c
        for c in calls
        if subscription_filter is None or subscription_filter.matches(c, searchable_text(c))
    ]
    return sorted(chosen, key=lambda c: (c.updated_at, c.id), reverse=True)


def atom_feed(
    calls: Iterable[FundingCall],
    *,
    feed_id: str,
    title: str,
    self_url: str,
    alternate_url: str | None = None,
    subscription_filter: SubscriptionFilter | None = None,
    limit: int = 50,
) -> bytes:
    """An Atom 1.0 feed (RFC 4287) of the calls that meet the filter."""
    chosen = select(calls, subscription_filter)[:limit]
    feed = ET.Element(f"{{{ATOM}}}feed", {"{http://www.w3.org/XML/1998/namespace}lang": "de"})
    ET.SubElement(feed, f"{{{ATOM}}}id").text = feed_id
    ET.SubElement(feed, f"{{{ATOM}}}title").text = title
    newest = max((c.updated_at for c in chosen), default=EMPTY_FEED_UPDATED)
    ET.SubElement(feed, f"{{{ATOM}}}updated").text = _rfc3339(newest)
    ET.SubElement(feed, f"{{{ATOM}}}link", rel="self", type=ATOM_MEDIA_TYPE, href=self_url)
    if alternate_url:
        ET.SubElement(
            feed, f"{{{ATOM}}}link", rel="alternate", type="text/html", href=alternate_url
        )
    author = ET.SubElement(feed, f"{{{ATOM}}}author")
    ET.SubElement(author, f"{{{ATOM}}}name").text = "Lotse"
    ET.SubElement(feed, f"{{{ATOM}}}generator").text = "Lotse"
    for call in chosen:
        entry = ET.SubElement(feed, f"{{{ATOM}}}entry")
        ET.SubElement(entry, f"{{{ATOM}}}id").text = call_entry_id(call.id)
        prefix = "Zurückgezogen: " if call.status is CallStatus.WITHDRAWN else ""
        ET.SubElement(entry, f"{{{ATOM}}}title").text = prefix + call.title
        ET.SubElement(entry, f"{{{ATOM}}}updated").text = _rfc3339(call.updated_at)
        ET.SubElement(entry, f"{{{ATOM}}}published").text = _rfc3339(call.published_at)
        ET.SubElement(entry, f"{{{ATOM}}}link", rel="alternate", type="text/html", href=call.url)
        entry_author = ET.SubElement(entry, f"{{{ATOM}}}author")
        ET.SubElement(entry_author, f"{{{ATOM}}}name").text = call.funder
        for topic in sorted(call.topics):
            ET.SubElement(entry, f"{{{ATOM}}}category", term=topic, label=TOPICS.get(topic, topic))
        if call.summary:
            ET.SubElement(entry, f"{{{ATOM}}}summary", type="text").text = call.summary
        ET.SubElement(entry, f"{{{ATOM}}}content", type="html").text = facts_html(call)
    body: bytes = ET.tostring(feed, encoding="utf-8", xml_declaration=True)
    return body


def facts_html(call: FundingCall) -> str:
    """The summary and facts of a call as an HTML fragment, every value escaped."""
    rows = "".join(
        f"<dt>{html.escape(label)}</dt><dd>{html.escape(value)}</dd>"
        for label, value in call_facts(call)
    )
    summary = f"<p>{html.escape(call.summary)}</p>" if call.summary else ""
    return f"{summary}<dl>{rows}</dl>"


def deadline_calendar(
    calls: Sequence[FundingCall],
    *,
    name: str = "Förderfristen",
    uid_domain: str = "lotse",
    refresh: timedelta = REFRESH,
    alarm_before: timedelta = ALARM_BEFORE,
) -> bytes:
    """An iCalendar feed (RFC 5545) with one event per deadline, in Europe/Berlin.

    UIDs stay when a deadline moves; SEQUENCE is the deadline's revision count (raised by
    `calls.revise` when it moves or the call is withdrawn); a withdrawn call's deadlines
    are CANCELLED. REFRESH-INTERVAL (RFC 7986) and X-PUBLISHED-TTL tell clients how often
    to fetch it.
    """
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("name", name)
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", "Europe/Berlin")
    calendar.add("refresh-interval", refresh, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", vDuration(refresh))
    earliest: date | None = None
    for call in sorted(calls, key=lambda c: c.id):
        for deadline in sorted(call.deadlines, key=lambda d: d.id):
            event = Event()
            event.add("uid", deadline_uid(call.id, deadline.id, uid_domain))
            event.add("dtstamp", call.updated_at.astimezone(UTC))
            event.add("last-modified", call.updated_at.astimezone(UTC))
            event.add("dtstart", deadline.at.astimezone(BERLIN))
            event.add("sequence", deadline.sequence)
            event.add("summary", f"{deadline.label}: {call.title}")
            description = "\n".join(f"{label}: {value}" for label, value in call_facts(call))
            event.add("description", f"{description}\n\n{call.url}")
            event.add("url", call.url)
            event.add("transp", "TRANSPARENT")
            withdrawn = call.status is CallStatus.WITHDRAWN
            event.add("status", "CANCELLED" if withdrawn else "CONFIRMED")
            if call.topics:
                event.add("categories", [TOPICS.get(t, t) for t in sorted(call.topics)])
            if not withdrawn:
                alarm = Alarm()
                alarm.add("action", "DISPLAY")
                alarm.add("description", f"Frist in {alarm_before.days} Tagen: {call.title}")
                alarm.add("trigger", -alarm_before)
                event.add_component(alarm)
            calendar.add_component(event)
            day = deadline.at.astimezone(BERLIN).date()
            earliest = day if earliest is None or day < earliest else earliest
    if earliest is not None:
        calendar.add_missing_timezones(first_date=earliest - timedelta(days=400))
    body: bytes = calendar.to_ical()
    return body
