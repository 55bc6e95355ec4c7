"""Which subscriptions does a funding call concern? An in-memory index that answers without
scanning every subscription, and the rule of which changes to a call are worth an alert.

The index keeps one posting set per topic, Land and funding type, plus the set of
subscriptions that do not filter on that dimension. For a call it intersects, dimension by
dimension, the postings the call meets; what remains meets topics, Länder and type, and
only the amounts, keywords and eligibility of those are checked one by one.
"""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from services.funding.calls import FundingCall, FundingType, Municipality
from services.funding.eligibility import is_eligible


@dataclass(frozen=True, slots=True)
class SubscriptionFilter:
    """What a subscriber wants; an empty field does not filter."""

    topics: frozenset[str] = frozenset()
    laender: frozenset[str] = frozenset()
    """Land codes; a call open in every Land matches any."""
    funding_types: frozenset[FundingType] = frozenset()
    amount_min: int | None = None
    """Only calls that may grant at least this much."""
    amount_max: int | None = None
    """Only calls whose smallest grant is at most this much."""
    eligible_for: Municipality | None = None
    """Only calls this municipality may apply for."""
    keywords: tuple[str, ...] = ()
    """Every keyword must occur in the title, summary or funder (case-insensitive)."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "keywords", normalise_keywords(self.keywords))

    def matches(self, call: FundingCall, text: str | None = None) -> bool:
        """The whole filter; `text` is `searchable_text(call)` when the caller has it."""
        if self.topics and self.topics.isdisjoint(call.topics):
            return False
        if self.laender and call.rules.laender and self.laender.isdisjoint(call.rules.laender):
            return False
        if self.funding_types and self.funding_types.isdisjoint(call.funding_types):
            return False
        ceiling, floor = call.amount_max, call.amount_min
        if self.amount_min is not None and ceiling is not None and ceiling < self.amount_min:
            return False
        if self.amount_max is not None and floor is not None and floor > self.amount_max:
            return False
        if self.keywords:
            haystack = text if text is not None else searchable_text(call)
            if not all(keyword in haystack for keyword in self.keywords):
                return False
        return self.eligible_for is None or is_eligible(call.rules, self.eligible_for)


def normalise_keywords(words: Iterable[str]) -> tuple[str, ...]:
    """Keywords as the filter compares them: case-folded, stripped, without empties."""
    return tuple(dict.fromkeys(w.strip().casefold() for w in words if w.strip()))


def searchable_text(call: FundingCall) -> str:
    return f"{call.title}\n{call.summary}\n{call.funder}".casefold()


@dataclass(frozen=True, slots=True)
class Subscription:
    id: str
    filter: SubscriptionFilter


@dataclass(slots=True)
class _Postings:
    by_value: dict[str, set[int]] = field(default_factory=dict)
    unfiltered: set[int] = field(default_factory=set)

    def add(self, slot: int, values: Iterable[str]) -> None:
        values = list(values)
        if not values:
            self.unfiltered.add(slot)
        for value in values:
            self.by_value.setdefault(value, set()).add(slot)

    def remove(self, slot: int, values: Iterable[str]) -> None:
        values = list(values)
        if not values:
            self.unfiltered.discard(slot)
        for value in values:
            postings = self.by_value.get(value)
            if postings is not None:
                postings.discard(slot)
                if not postings:
                    del self.by_value[value]

    def sets_for(self, values: Iterable[str]) -> list[set[int]]:
        found = [self.by_value[v] for v in values if v in self.by_value]
        return [*found, self.unfiltered]


class SubscriptionIndex:
    """Subscriptions by topic, Land and funding type; `match` finds those a call concerns."""

    def __init__(self, subscriptions: Iterable[Subscription] = ()) -> None:
        self._slots: dict[str, int] = {}
        self._subscriptions: list[Subscription | None] = []
        self._free: list[int] = []
        self._topics = _Postings()
        self._laender = _Postings()
        self._types = _Postings()
        # Land and kind of the municipality a subscription wants to be eligible itself.
        self._eligible_land = _Postings()
        self._eligible_kind = _Postings()
        self._rest: set[int] = set()
        """Slots whose filter has more than the indexed dimensions to check."""
        for subscription in subscriptions:
            self.add(subscription)

    def __len__(self) -> int:
        return len(self._slots)

    def __iter__(self) -> Iterator[Subscription]:
        return (s for s in self._subscriptions if s is not None)

    def add(self, subscription: Subscription) -> None:
        """Add, or replace the subscription with the same id."""
        self.remove(subscription.id)
        slot = self._free.pop() if self._free else len(self._subscriptions)
        if slot == len(self._subscriptions):
            self._subscriptions.append(subscription)
        else:
            self._subscriptions[slot] = subscription
        self._slots[subscription.id] = slot
        f = subscription.filter
        self._topics.add(slot, f.topics)
        self._laender.add(slot, f.laender)
        self._types.add(slot, (str(t) for t in f.funding_types))
        self._eligible_land.add(slot, _eligible_land(f))
        self._eligible_kind.add(slot, _eligible_kind(f))
        if _has_rest(f):
            self._rest.add(slot)

    def remove(self, subscription_id: str) -> None:
        slot = self._slots.pop(subscription_id, None)
        if slot is None:
            return
        subscription = self._subscriptions[slot]
        assert subscription is not None
        f = subscription.filter
        self._topics.remove(slot, f.topics)
        self._laender.remove(slot, f.laender)
        self._types.remove(slot, (str(t) for t in f.funding_types))
        self._eligible_land.remove(slot, _eligible_land(f))
        self._eligible_kind.remove(slot, _eligible_kind(f))
        self._rest.discard(slot)
        self._subscriptions[slot] = None
        self._free.append(slot)

    def candidates(self, call: FundingCall) -> set[int]:
        """Slots whose topics, Länder and type filters the call meets, and whose municipality
        (for "eligible for me") lies in a Land and is of a kind the call admits.

        Starts from the smallest dimension's postings and narrows with the others by
        intersecting each posting set (C-speed set operations, each costing the smaller
        of the two sizes), so no subscription outside the result is ever looked at.
        """
        dimensions = [
            self._topics.sets_for(call.topics),
            self._types.sets_for(str(t) for t in call.funding_types),
        ]
        if call.rules.laender:  # a call open everywhere matches every Land filter
            dimensions.append(self._laender.sets_for(call.rules.laender))
            dimensions.append(self._eligible_land.sets_for(call.rules.laender))
        dimensions.append(
            self._eligible_kind.sets_for(str(k) for k in call.rules.municipality_kinds)
        )
        dimensions.sort(key=lambda sets: sum(len(s) for s in sets))
        result: set[int] = set().union(*dimensions[0])
        for sets in dimensions[1:]:
            if not result:
                break
            narrowed: set[int] = set()
            for postings in sets:
                narrowed |= result & postings
            result = narrowed
        return result

    def match(self, call: FundingCall) -> list[Subscription]:
        """The subscriptions whose whole filter the call meets."""
        text = searchable_text(call)
        subscriptions = self._subscriptions
        rest = self._rest
        found = []
        for slot in self.candidates(call):
            subscription = subscriptions[slot]
            if subscription is None:
                continue
            if slot not in rest or _rest_matches(subscription.filter, call, text):
                found.append(subscription)
        return found


def _rest_matches(f: SubscriptionFilter, call: FundingCall, text: str) -> bool:
    # What the index does not decide: amounts, keywords, eligibility.
    ceiling, floor = call.amount_max, call.amount_min
    if f.amount_min is not None and ceiling is not None and ceiling < f.amount_min:
        return False
    if f.amount_max is not None and floor is not None and floor > f.amount_max:
        return False
    if f.keywords and not all(keyword in text for keyword in f.keywords):
        return False
    return f.eligible_for is None or is_eligible(call.rules, f.eligible_for)


def _eligible_land(f: SubscriptionFilter) -> list[str]:
    return [] if f.eligible_for is None else [f.eligible_for.land_code]


def _eligible_kind(f: SubscriptionFilter) -> list[str]:
    return [] if f.eligible_for is None else [str(f.eligible_for.kind)]


def _has_rest(f: SubscriptionFilter) -> bool:
    return bool(
        f.amount_min is not None or f.amount_max is not None or f.keywords or f.eligible_for
    )


def match_linear(subscriptions: Iterable[Subscription], call: FundingCall) -> list[Subscription]:
    """Every subscription checked in turn; the reference the index must agree with."""
    text = searchable_text(call)
    return [s for s in subscriptions if s.filter.matches(call, text)]


def changed_facts(old: FundingCall, new: FundingCall) -> list[str]:
    """The facts that changed between two versions, in German; wording is not a fact."""
    changed = []
    if old.status != new.status:
        changed.append("Status")
    if [(d.id, d.at) for d in old.deadlines] != [(d.id, d.at) for d in new.deadlines]:
        changed.append("Fristen")
    if old.opens_at != new.opens_at:
        changed.append("Beginn der Antragsfrist")
    if (old.amount_min, old.amount_max) != (new.amount_min, new.amount_max):
        changed.append("Fördersumme")
    if old.funding_rate != new.funding_rate:
        changed.append("Förderquote")
    if old.rules != new.rules:
        changed.append("Antragsberechtigung")
    if old.funding_types != new.funding_types:
        changed.append("Förderart")
    if old.topics != new.topics:
        changed.append("Themen")
    return changed


def relevant_change(old: FundingCall, new: FundingCall) -> bool:
    """Does this update deserve an alert? Deadlines, amounts, eligibility and status do;
    a reworded title, summary or link does not."""
    return bool(changed_facts(old, new))
