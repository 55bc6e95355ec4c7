"""May a municipality apply? Eligible or not, and the German reasons it is told."""

from services.funding.calls import ApplicantRules
from services.funding.eligibility import check_eligibility, is_eligible
from shared.region.municipalities import MUNICIPALITY_KINDS
from tests.funding.factories import make_call, make_municipality

HESSEN_SMALL = make_call().rules  # Hessen, Gemeinden, up to 20,000 inhabitants


def test_a_small_hessian_gemeinde_is_eligible_with_the_reasons() -> None:
    result = check_eligibility(HESSEN_SMALL, make_municipality(population=12_345))
    assert result.eligible
    assert result.summary == "Hessen ist förderberechtigt; Gemeinden bis 20.000 Einwohner"


def test_the_land_is_taken_from_the_ags() -> None:
    bavarian = make_municipality(ags="09162000")
    result = check_eligibility(HESSEN_SMALL, bavarian)
    assert not result.eligible
    assert result.reasons[0] == "Bayern ist nicht förderberechtigt (nur Hessen)"


def test_too_many_inhabitants_is_said_with_the_number() -> None:
    result = check_eligibility(HESSEN_SMALL, make_municipality(population=20_001))
    assert not result.eligible
    assert (
        result.reasons[1] == "nur Gemeinden bis 20.000 Einwohner; Musterdorf hat 20.001 Einwohner"
    )
    assert check_eligibility(HESSEN_SMALL, make_municipality(population=20_000)).eligible


def test_a_kind_that_may_not_apply() -> None:
    city = make_municipality(kind="kreisfreie_stadt", population=5_000)
    result = check_eligibility(HESSEN_SMALL, city)
    assert not result.eligible
    assert result.reasons[1] == "kreisfreie Städte sind nicht antragsberechtigt (nur Gemeinden)"


def test_population_ranges_read_naturally() -> None:
    rules = ApplicantRules(population_min=5_000, population_max=50_000)
    ok = check_eligibility(rules, make_municipality(population=7_000))
    assert ok.summary == "bundesweit förderberechtigt; Gemeinden von 5.000 bis 50.000 Einwohnern"
    small = check_eligibility(ApplicantRules(population_min=5_000), make_municipality())
    assert small.eligible
    assert small.reasons[1] == "Gemeinden ab 5.000 Einwohnern"


def test_a_call_only_for_other_applicants() -> None:
    rules = ApplicantRules(municipality_kinds=frozenset(), other_applicants=frozenset({"Vereine"}))
    result = check_eligibility(rules, make_municipality())
    assert not result.eligible
    assert result.reasons[1] == "Kommunen sind nicht antragsberechtigt (nur Vereine)"


def test_several_laender_and_kinds() -> None:
    rules = ApplicantRules(
        laender=frozenset({"06", "16", "14"}),
        municipality_kinds=frozenset({"gemeinde", "stadt"}),
    )
    result = check_eligibility(rules, make_municipality(ags="05315000", kind="stadt"))
    assert result.reasons[0] == (
        "Nordrhein-Westfalen ist nicht förderberechtigt (nur Hessen, Sachsen, Thüringen)"
    )
    inside = check_eligibility(rules, make_municipality(ags="16051000", kind="stadt"))
    assert inside.eligible
    assert inside.summary == "Thüringen ist förderberechtigt; Städte sind antragsberechtigt"


def test_the_fast_check_agrees_with_the_explained_one() -> None:
    rule_sets = [
        HESSEN_SMALL,
        ApplicantRules(),
        ApplicantRules(municipality_kinds=frozenset()),
        ApplicantRules(laender=frozenset({"09"}), population_min=1_000, population_max=3_000),
    ]
    places = [
        make_municipality(ags=ags, kind=kind, population=population)
        for ags in ("06435014", "09162000")
        for kind in MUNICIPALITY_KINDS
        for population in (999, 1_000, 3_000, 3_001, 20_000, 20_001)
    ]
    for rules in rule_sets:
        for place in places:
            assert is_eligible(rules, place) == check_eligibility(rules, place).eligible
