"""May this municipality apply for this call? The answer, with the reasons in German."""

from collections.abc import Iterable
from dataclasses import dataclass

from services.funding.calls import ApplicantRules, Municipality
from shared.region.ags import LAENDER
from shared.region.municipalities import KIND_PLURALS, MUNICIPALITY_KINDS, MunicipalityKind


@dataclass(frozen=True, slots=True)
class Eligibility:
    eligible: bool
    reasons: tuple[str, ...]

    @property
    def summary(self) -> str:
        """The reasons as one line: "Hessen ist förderberechtigt; Gemeinden bis 20.000 …"."""
        return "; ".join(self.reasons)


def number(value: int) -> str:
    """German thousands separator: 20.000."""
    return f"{value:,}".replace(",", ".")


def population_range(minimum: int | None, maximum: int | None) -> str:
    if minimum is not None and maximum is not None:
        return f"von {number(minimum)} bis {number(maximum)} Einwohnern"
    if maximum is not None:
        return f"bis {number(maximum)} Einwohner"
    return f"ab {number(minimum or 0)} Einwohnern"


def _names(codes: Iterable[str]) -> str:
    return ", ".join(sorted(LAENDER.get(code, code) for code in codes))


def _kinds(kinds: Iterable[MunicipalityKind]) -> str:
    return ", ".join(KIND_PLURALS[k] for k in MUNICIPALITY_KINDS if k in set(kinds))


def is_eligible(rules: ApplicantRules, municipality: Municipality) -> bool:
    """`check_eligibility(...).eligible` without building the reasons (for matching)."""
    if rules.laender and municipality.land_code not in rules.laender:
        return False
    if municipality.kind not in rules.municipality_kinds:
        return False
    population = municipality.population
    if population is None:
        return rules.population_min is None and rules.population_max is None
    if rules.population_min is not None and population < rules.population_min:
        return False
    return rules.population_max is None or population <= rules.population_max


def check_eligibility(rules: ApplicantRules, municipality: Municipality) -> Eligibility:
    """Eligible or not, with one German reason per rule that was applied."""
    reasons: list[str] = []
    eligible = True
    land = LAENDER.get(municipality.land_code, municipality.land_code)
    if not rules.laender:
        reasons.append("bundesweit förderberechtigt")
    elif municipality.land_code in rules.laender:
        reasons.append(f"{land} ist förderberechtigt")
    else:
        eligible = False
        reasons.append(f"{land} ist nicht förderberechtigt (nur {_names(rules.laender)})")

    kind = KIND_PLURALS[municipality.kind]
    has_population_rule = rules.population_min is not None or rules.population_max is not None
    if not rules.municipality_kinds:
        eligible = False
        others = ", ".join(sorted(rules.other_applicants)) or "andere Antragsteller"
        reasons.append(f"Kommunen sind nicht antragsberechtigt (nur {others})")
    elif municipality.kind not in rules.municipality_kinds:
        eligible = False
        allowed = _kinds(rules.municipality_kinds)
        reasons.append(f"{kind} sind nicht antragsberechtigt (nur {allowed})")
    elif has_population_rule:
        span = population_range(rules.population_min, rules.population_max)
        population = municipality.population
        who = municipality.name or "Ihre Kommune"
        if population is None:
            eligible = False
            reasons.append(f"nur {kind} {span}; die Einwohnerzahl von {who} ist nicht erfasst")
            return Eligibility(eligible, tuple(reasons))
        too_small = rules.population_min is not None and population < rules.population_min
        too_large = rules.population_max is not None and population > rules.population_max
        if too_small or too_large:
            eligible = False
            reasons.append(f"nur {kind} {span}; {who} hat {number(population)} Einwohner")
        else:
            reasons.append(f"{kind} {span}")
    elif rules.municipality_kinds != frozenset(MUNICIPALITY_KINDS):
        reasons.append(f"{kind} sind antragsberechtigt")
    return Eligibility(eligible, tuple(reasons))
