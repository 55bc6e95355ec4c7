"""Matching benchmark: one funding call against 100,000 subscriptions.

The subscription index (services/funding/matching.py) against its baseline in the same
run, a linear scan applying every subscription's filter; both must find the same
subscriptions. Usage:
python -m bench.funding_match [--subscriptions 100000] [--calls 200] [--mix selective]
"""

import argparse
import gc
import json
import os
import platform
import random
import sys
import time
from collections.abc import Callable
from functools import partial
from typing import TypeVar

from services.funding.calls import ApplicantRules, FundingCall, FundingType
from services.funding.matching import (
    Subscription,
    SubscriptionFilter,
    SubscriptionIndex,
    match_linear,
)
from shared.region.municipalities import MUNICIPALITY_KINDS
from shared.region.topics import TOPICS
from tests.funding.factories import make_call, make_municipality

T = TypeVar("T")

LAENDER = [f"{n:02d}" for n in range(1, 17)]


def subscription_filter(rng: random.Random, selective: bool = False) -> SubscriptionFilter:
    """A mix like the one expected: most subscribers pick a topic or two and their Land.

    `selective`: every subscriber names one Land and one or two topics.
    """
    place = make_municipality(
        ags=f"{rng.choice(LAENDER)}{rng.randrange(1_000_000):06d}",
        kind=rng.choice(list(MUNICIPALITY_KINDS)),
        population=rng.choice([800, 4_000, 12_000, 45_000, 250_000]),
    )
    topic_counts, land_counts = (
        ([1, 2], [1]) if selective else ([0, 1, 1, 2, 2, 3], [0, 1, 1, 1, 2])
    )
    return SubscriptionFilter(
        topics=frozenset(rng.sample(list(TOPICS), rng.choice(topic_counts))),
        laender=frozenset(rng.sample(LAENDER, rng.choice(land_counts))),
        funding_types=frozenset(rng.sample(list(FundingType), rng.choice([0, 0, 1, 2]))),
        amount_min=rng.choice([None, None, None, 10_000, 100_000]),
        amount_max=rng.choice([None, None, None, 500_000]),
        eligible_for=place if rng.random() < 0.3 else None,
        keywords=rng.choice([(), (), (), (), ("digital",), ("glasfaser",), ("schule", "wlan")]),
    )


def funding_call(rng: random.Random, n: int) -> FundingCall:
    return make_call(
        id=f"call-{n}",
        title=rng.choice(["Glasfaser für Gemeinden", "Digitale Schule: WLAN", "Smarte Mobilität"]),
        topics=frozenset(rng.sample(list(TOPICS), rng.choice([1, 2, 3]))),
        funding_types=frozenset(rng.sample(list(FundingType), rng.choice([1, 1, 2]))),
        rules=ApplicantRules(
            laender=frozenset(rng.sample(LAENDER, rng.choice([0, 1, 1, 2]))),
            municipality_kinds=frozenset(rng.sample(list(MUNICIPALITY_KINDS), 2)),
            population_max=rng.choice([None, 20_000, 100_000]),
        ),
        amount_min=rng.choice([None, 5_000, 50_000]),
        amount_max=rng.choice([None, 200_000, 2_000_000]),
    )


def timed(fn: Callable[[], T]) -> tuple[float, T]:
    # CPU time of this process: the machine is shared, wall time would measure the others.
    started = time.process_time()
    result = fn()
    return time.process_time() - started, result


def summary(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)

    def at(q: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(len(ordered) * q))] * 1000, 2)

    return {"p50_ms": at(0.5), "p99_ms": at(0.99), "max_ms": round(ordered[-1] * 1000, 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--subscriptions", type=int, default=100_000)
    parser.add_argument("--calls", type=int, default=200)
    parser.add_argument("--linear-calls", type=int, default=20)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument(
        "--mix", choices=["broad", "selective"], default="broad",
        help="broad: a sixth filter on no topic, a fifth on no Land; selective: all on both",
    )  # fmt: skip
    args = parser.parse_args()

    rng = random.Random(args.seed)
    subscriptions = [
        Subscription(f"s{n}", subscription_filter(rng, args.mix == "selective"))
        for n in range(args.subscriptions)
    ]
    calls = [funding_call(rng, n) for n in range(args.calls)]
    build_seconds, index = timed(lambda: SubscriptionIndex(subscriptions))
    gc.freeze()  # as the service does after start-up

    index_times, linear_times, matched, candidates = [], [], [], []
    for n, call in enumerate(calls):
        seconds, found = timed(partial(index.match, call))
        index_times.append(seconds)
        matched.append(len(found))
        candidates.append(len(index.candidates(call)))
        if n < args.linear_calls:
            seconds, linear = timed(partial(match_linear, subscriptions, call))
            linear_times.append(seconds)
            if {s.id for s in linear} != {s.id for s in found}:
                raise SystemExit(f"index and linear scan disagree on {call.id}")

    index_summary, linear_summary = summary(index_times), summary(linear_times)
    report = {
        "benchmark": "funding_match",
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {sys.version.split()[0]}",
        "subscriptions": args.subscriptions,
        "mix": args.mix,
        "calls": args.calls,
        "index_build_s": round(build_seconds, 2),
        "matches_per_call_avg": round(sum(matched) / len(matched)),
        "candidates_per_call_avg": round(sum(candidates) / len(candidates)),
        "baseline_linear_scan": {**linear_summary, "calls": len(linear_times)},
        "index": index_summary,
        "speedup_p50": round(linear_summary["p50_ms"] / max(index_summary["p50_ms"], 0.001), 1),
        "aim": "p99 under 50 ms",
        "clock": "process CPU time",
    }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
