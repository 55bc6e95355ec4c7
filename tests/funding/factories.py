"""Funding calls and municipalities for tests, with every field defaulted."""

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from services.funding.calls import (
    ApplicantRules,
    Deadline,
    FundingCall,
    FundingType,
    Municipality,
)
from services.funding.reminders import BERLIN

PUBLISHED = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def make_call(**changes: Any) -> FundingCall:
    call = FundingCall(
        id="call-1",
        title="Glasfaser für kleine Gemeinden",
        funder="Hessisches Ministerium für Digitalisierung",
        url="https://foerder.example.org/aufrufe/glasfaser",
        funding_types=frozenset({FundingType.GRANT}),
        published_at=PUBLISHED,
        updated_at=PUBLISHED,
        summary="Zuschüsse für den Ausbau von Glasfaser in unterversorgten Ortsteilen.",
        topics=frozenset({"broadband"}),
        rules=ApplicantRules(
            laender=frozenset({"06"}),
            municipality_kinds=frozenset({"gemeinde"}),
            population_max=20_000,
        ),
        deadlines=(Deadline("frist", datetime(2026, 3, 30, 10, 0, tzinfo=BERLIN)),),
        amount_min=50_000,
        amount_max=250_000,
        funding_rate=90,
    )
    return replace(call, **changes)


def make_municipality(**changes: Any) -> Municipality:
    base = Municipality(ags="06435014", kind="gemeinde", population=12_345, name="Musterdorf")
    return replace(base, **changes)
