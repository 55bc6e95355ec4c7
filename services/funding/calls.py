"""What a funding call (Förderaufruf) is, as the domain modules of this service see it.

Plain frozen dataclasses: the HTTP schemas and table models, written later, map to and
from these; the rules (eligibility, matching, feeds, reminders) only need these.
"""

from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum

from shared.region.municipalities import MUNICIPALITY_KINDS, MunicipalityKind


class CallStatus(StrEnum):
    FORECASTED = "forecasted"
    """Announced, not yet open for applications."""
    OPEN = "open"
    CLOSED = "closed"
    ARCHIVED = "archived"
    """Kept for reference after it ended; no longer shown as current."""
    WITHDRAWN = "withdrawn"
    """Taken back by the funder; its deadlines are cancelled."""


class FundingType(StrEnum):
    # The keys are the funders' own words, as the API and the events carry them.
    GRANT = "zuschuss"
    LOAN = "darlehen"
    GUARANTEE = "buergschaft"
    COMPETITION = "wettbewerb"
    ADVISORY = "beratung"


FUNDING_TYPE_LABELS: dict[FundingType, str] = {
    FundingType.GRANT: "Zuschuss",
    FundingType.LOAN: "Darlehen",
    FundingType.GUARANTEE: "Bürgschaft",
    FundingType.COMPETITION: "Wettbewerb",
    FundingType.ADVISORY: "Beratungsförderung",
}


ALL_KINDS: frozenset[MunicipalityKind] = frozenset(MUNICIPALITY_KINDS)


@dataclass(frozen=True, slots=True)
class ApplicantRules:
    """Who may apply. Empty `laender`: every Land; empty `municipality_kinds`: no municipality."""

    laender: frozenset[str] = frozenset()
    """Land codes, the first two digits of an AGS ("06" Hessen)."""
    municipality_kinds: frozenset[MunicipalityKind] = ALL_KINDS
    population_min: int | None = None
    population_max: int | None = None
    other_applicants: frozenset[str] = frozenset()
    """Further applicant types in the funder's words ("Vereine", "Zweckverbände")."""


@dataclass(frozen=True, slots=True)
class Municipality:
    ags: str
    kind: MunicipalityKind
    population: int | None
    """None while the region has not recorded it: a population rule then cannot be met."""
    name: str = ""

    @property
    def land_code(self) -> str:
        return self.ags[:2]


@dataclass(frozen=True, slots=True)
class Deadline:
    """One deadline (Frist, Stichtag) of a call; `sequence` counts its revisions."""

    id: str
    at: datetime
    label: str = "Einreichungsfrist"
    sequence: int = 0


@dataclass(frozen=True, slots=True)
class FundingCall:
    id: str
    title: str
    funder: str
    url: str
    funding_types: frozenset[FundingType]
    published_at: datetime
    updated_at: datetime
    summary: str = ""
    topics: frozenset[str] = frozenset()
    rules: ApplicantRules = field(default_factory=ApplicantRules)
    status: CallStatus = CallStatus.OPEN
    opens_at: datetime | None = None
    deadlines: tuple[Deadline, ...] = ()
    amount_min: int | None = None
    """Smallest grant or loan in euros; None: no lower bound stated."""
    amount_max: int | None = None
    funding_rate: int | None = None
    """Share of eligible costs funded, in percent."""

    @property
    def closes_at(self) -> datetime | None:
        """The last deadline; None for a call without one (continuous application)."""
        return max((d.at for d in self.deadlines), default=None)


def revise(old: FundingCall, new: FundingCall) -> FundingCall:
    """`new` with deadline sequences carried on from `old`: raised where a deadline moved,
    and for every deadline when the call is withdrawn, as calendar clients expect."""
    before = {d.id: d for d in old.deadlines}
    withdrawn_now = new.status is CallStatus.WITHDRAWN and old.status is not CallStatus.WITHDRAWN
    revised = []
    for deadline in new.deadlines:
        previous = before.get(deadline.id)
        sequence = previous.sequence if previous else deadline.sequence
        if previous and (previous.at != deadline.at or withdrawn_now):
            sequence += 1
        revised.append(replace(deadline, sequence=sequence))
    return replace(new, deadlines=tuple(revised))
