"""Which subscriptions a call concerns, found by the index as a full scan would find them."""

import random
from dataclasses import replace
from datetime import timedelta

from services.funding.calls import (
    ApplicantRules,
    Deadline,
    FundingCall,
    FundingType,
)
from services.funding.matching import (
    Subscription,
    SubscriptionFilter,
    SubscriptionIndex,
    changed_facts,
    match_linear,
    relevant_change,
)
from shared.region.topics import TOPICS
from tests.funding.factories import make_call, make_municipality

CALL = make_call()  # broadband, Hessen, grant, 50,000 to 250,000 €


def ids(subscriptions: list[Subscription]) -> set[str]:
    return {s.id for s in subscriptions}


def test_each_filter_dimension_decides() -> None:
    index = SubscriptionIndex(
        [
            Subscription("everything", SubscriptionFilter()),
            Subscription("broadband", SubscriptionFilter(topics=frozenset({"broadband"}))),
            Subscription("mobility", SubscriptionFilter(topics=frozenset({"mobility"}))),
            Subscription("hessen", SubscriptionFilter(laender=frozenset({"06"}))),
            Subscription("bayern", SubscriptionFilter(laender=frozenset({"09"}))),
            Subscription(
                "grants", SubscriptionFilter(funding_types=frozenset({FundingType.GRANT}))
            ),
            Subscription("loans", SubscriptionFilter(funding_types=frozenset({FundingType.LOAN}))),
            Subscription("big", SubscriptionFilter(amount_min=200_000)),
            Subscription("huge", SubscriptionFilter(amount_min=1_000_000)),
            Subscription("small", SubscriptionFilter(amount_max=60_000)),
            Subscription("tiny", SubscriptionFilter(amount_max=10_000)),
            Subscription("words", SubscriptionFilter(keywords=("GLASFASER", " ortsteilen "))),
            Subscription("other-words", SubscriptionFilter(keywords=("glasfaser", "schule"))),
            Subscription("eligible", SubscriptionFilter(eligible_for=make_municipality())),
            Subscription(
                "too-big", SubscriptionFilter(eligible_for=make_municipality(population=90_000))
            ),
        ]
    )
    expected = {"everything", "broadband", "hessen", "grants", "big", "small", "words", "eligible"}
    assert ids(index.match(CALL)) == expected
    assert ids(match_linear(index, CALL)) == expected


def test_a_call_open_everywhere_reaches_every_land_filter() -> None:
    nationwide = make_call(rules=ApplicantRules())
    index = SubscriptionIndex(
        [Subscription("bayern", SubscriptionFilter(laender=frozenset({"09"})))]
    )
    assert ids(index.match(nationwide)) == {"bayern"}


def test_replacing_and_removing_subscriptions() -> None:
    index = SubscriptionIndex(
        [Subscription("s", SubscriptionFilter(topics=frozenset({"broadband"})))]
    )
    index.add(Subscription("s", SubscriptionFilter(topics=frozenset({"mobility"}))))
    assert len(index) == 1 and index.match(CALL) == []
    index.add(Subscription("t", SubscriptionFilter()))
    index.remove("s")
    index.remove("unknown")
    assert ids(index.match(CALL)) == {"t"} and len(index) == 1
    index.add(Subscription("u", SubscriptionFilter(topics=frozenset({"broadband"}))))
    assert ids(index.match(CALL)) == {"t", "u"}


def random_filter(rng: random.Random) -> SubscriptionFilter:
    topics = list(TOPICS)
    laender = [f"{n:02d}" for n in range(1, 17)]
    return SubscriptionFilter(
        topics=frozenset(rng.sample(topics, rng.choice([0, 1, 1, 2, 3]))),
        laender=frozenset(rng.sample(laender, rng.choice([0, 1, 1, 2]))),
        funding_types=frozenset(rng.sample(list(FundingType), rng.choice([0, 1, 2]))),
        amount_min=rng.choice([None, None, 10_000, 100_000, 500_000]),
        amount_max=rng.choice([None, None, 20_000, 200_000]),
        eligible_for=rng.choice(
            [None, None, None, make_municipality(), make_municipality(ags="09162000")]
        ),
        keywords=rng.choice([(), (), (), ("glasfaser",), ("schule",)]),
    )


def random_call(rng: random.Random, n: int) -> FundingCall:
    return make_call(
        id=f"call-{n}",
        topics=frozenset(rng.sample(list(TOPICS), rng.choice([1, 2, 3]))),
        funding_types=frozenset(rng.sample(list(FundingType), rng.choice([1, 1, 2]))),
        rules=ApplicantRules(
            laender=frozenset(
                rng.sample([f"{n:02d}" for n in range(1, 17)], rng.choice([0, 1, 3]))
            ),
            municipality_kinds=frozenset({"gemeinde"}),
            population_max=rng.choice([None, 20_000, 5_000]),
        ),
        amount_min=rng.choice([None, 5_000, 150_000]),
        amount_max=rng.choice([None, 100_000, 2_000_000]),
    )


def test_the_index_finds_exactly_what_a_full_scan_finds_and_looks_at_fewer() -> None:
    rng = random.Random(20261129)
    subscriptions = [Subscription(f"s{n}", random_filter(rng)) for n in range(3_000)]
    index = SubscriptionIndex(subscriptions)
    looked_at = []
    for n in range(200):
        call = random_call(rng, n)
        assert ids(index.match(call)) == ids(match_linear(subscriptions, call)), call
        looked_at.append(len(index.candidates(call)))
    assert sum(looked_at) / len(looked_at) < len(subscriptions) / 3


def test_deadlines_amounts_eligibility_and_status_are_relevant_changes() -> None:
    moved = replace(
        CALL, deadlines=(replace(CALL.deadlines[0], at=CALL.deadlines[0].at + timedelta(days=7)),)
    )
    assert changed_facts(CALL, moved) == ["Fristen"]
    assert changed_facts(CALL, replace(CALL, amount_max=300_000)) == ["Fördersumme"]
    assert changed_facts(CALL, replace(CALL, funding_rate=80)) == ["Förderquote"]
    wider = replace(CALL.rules, population_max=50_000)
    assert changed_facts(CALL, replace(CALL, rules=wider)) == ["Antragsberechtigung"]
    assert relevant_change(CALL, replace(CALL, status=CALL.status.WITHDRAWN))
    extra = (*CALL.deadlines, Deadline("zweite", CALL.deadlines[0].at + timedelta(days=60)))
    assert relevant_change(CALL, replace(CALL, deadlines=extra))


def test_wording_is_not_a_relevant_change() -> None:
    reworded = replace(
        CALL,
        title="Glasfaserausbau für kleine Gemeinden",
        summary="Neu formuliert.",
        url="https://foerder.example.org/aufrufe/glasfaser-2026",
        updated_at=CALL.updated_at + timedelta(hours=1),
    )
    assert not relevant_change(CALL, reworded)
