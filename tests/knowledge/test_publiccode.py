"""publiccode.yml import and export: what the world sends, what is refused, round trips."""

from pathlib import Path
from typing import Any

import pytest
import yaml

from services.knowledge import publiccode
from services.knowledge.catalogue import (
    Contact,
    Description,
    LeikaRef,
    Requirement,
    Solution,
)
from services.knowledge.publiccode import (
    MAX_BYTES,
    ImportResult,
    Issue,
    check_license,
    export_publiccode,
    import_publiccode,
)

DATA = Path(__file__).parent / "data" / "publiccode"


def load(name: str) -> ImportResult:
    return import_publiccode((DATA / name).read_bytes())


def paths(issues: list[Issue]) -> set[str]:
    return {issue.path for issue in issues}


def test_a_complete_german_file_imports_every_field() -> None:
    result = load("valid/ratsinfo_full.yml")
    assert result.ok and result.warnings == [] and result.errors == []
    s = result.solution
    assert s is not None
    assert s.name == "Ratsfenster"
    assert s.short_description.startswith("Sitzungen, Vorlagen und Beschlüsse")
    assert len(s.short_description) <= 150
    assert "OParl-Schnittstelle" in s.long_description
    assert s.descriptions["en"].localised_name == "Council Window"
    assert s.license == "EUPL-1.2 OR AGPL-3.0-or-later"
    assert s.maturity == "stable" and s.software_type == "standalone/web"
    assert s.maintenance_type == "contract" and s.maintainers == ["Beispiel IT GmbH"]
    assert s.contractors[0].until == "2028-12-31"
    assert s.contacts == [
        Contact(
            "Erika Mustermann",
            "erika.mustermann@lra-musterhausen.example",
            "+49 911 000000",
            "Landratsamt Musterhausen",
        )
    ]
    assert s.leika == [LeikaRef("99006024000000", "10405", "Querschnitt", "Politik & Beteiligung")]
    assert s.ozg_refs == ["10405"]
    assert s.topics == ["participation", "administration"]
    assert s.cost_notes is not None and "4.000 Euro" in s.cost_notes
    assert Requirement("PostgreSQL", "open", version_min="14") in s.requirements
    assert Requirement("Dokumentenscanner", "hardware") in s.requirements
    assert s.platforms == ["web", "linux"]
    assert s.categories == ["document-management", "regulations-and-directives"]
    assert (s.software_version, s.release_date) == ("3.2.1", "2026-03-14")
    assert s.used_by == ["Landkreis Musterhausen", "Stadt Beispielburg"]
    assert s.url and s.landing_url == "https://ratsfenster.example.org"
    # What the record has no field for stays in the German section, verbatim.
    assert s.country_sections == {"DE": {"bundesland": "BY"}}


def test_the_italian_section_is_kept_verbatim_and_old_spellings_warn() -> None:
    result = load("valid/termin_v02_lowercase_it.yml")
    assert result.solution is not None
    assert result.solution.country_sections["IT"] == {
        "countryExtensionVersion": "0.2",
        "conforme": {"gdpr": True},
    }
    assert result.solution.audience_countries == ["DE"]
    assert {"it", "legal.repoOwner", "intendedAudience.countries[0]", "publiccodeYmlVersion"} <= (
        paths(result.warnings)
    )


MINIMAL = """\
publiccodeYmlVersion: {version}
name: Kita-Anmeldung
url: https://git.example.org/kita
platforms: [web]
developmentStatus: stable
softwareType: standalone/web
description:
  de:
    shortDescription: Kitaplätze zentral anmelden und vergeben.
    longDescription: >
      Eltern melden ihr Kind einmal für alle Kitas der Gemeinde an, die Gemeinde vergibt
      die Plätze nach ihren Kriterien und alle Beteiligten sehen den Stand ihrer Anmeldung.
    features: [Zentrale Anmeldung]
legal:
  license: EUPL-1.2
maintenance:
  type: none
localisation:
  localisationReady: false
  availableLanguages: [de]
"""


@pytest.mark.parametrize(
    "version",
    ['"0"', "0", '"0.2"', "0.2", '"0.2.1"', '"0.3"', "0.3.0", "0.4", '"0.4.0"', "0.5.0", "0.5",
     '"0.7"', "0.7.0"],
)  # fmt: skip
def test_every_released_version_is_read(version: str) -> None:
    result = import_publiccode(MINIMAL.format(version=version))
    assert result.ok, result.errors
    assert result.solution is not None and result.solution.name == "Kita-Anmeldung"
    current = version.strip('"') == "0"
    assert ("publiccodeYmlVersion" in paths(result.warnings)) != current
    assert len(result.warnings) == (0 if current else 1)


def test_an_unquoted_050_file_imports() -> None:
    result = load("valid/abfall_v050_unquoted.yml")
    assert result.solution is not None
    assert result.solution.platforms == ["web", "android", "ios"]
    assert result.solution.localisation_ready is False


def test_a_sloppy_file_imports_with_warnings_that_name_key_and_line() -> None:
    result = load("nonconforming/fachverfahren_sloppy.yml")
    s = result.solution
    assert s is not None and result.errors == []
    by_path = {issue.path: issue for issue in result.warnings}
    assert by_path["categories[0]"].line == 10  # 'government' is no category
    assert by_path["maintenance.type"].line == 25  # 'commercial'
    assert by_path["legal.repoOwner"].line == 23  # deprecated
    assert by_path["landingUrl"].line == 5 and by_path["creationDate"].line == 6  # unknown keys
    assert "intendedAudience.countries[0]" in by_path  # lowercase country code
    assert "de" in by_path  # lowercase country section
    assert "developmentStatus" in by_path and "releaseDate" in by_path
    assert "localisation.availableLanguages[1]" in by_path  # 'ua' is no language
    # What could be read, is; what could not, is left empty rather than guessed.
    assert s.maintenance_type == "contract"
    assert s.categories == ["government", "workflow-management"]
    assert s.license == "Apache-2.0"
    assert s.maturity is None and s.release_date is None
    assert s.software_type == "standalone/other"
    assert s.audience_countries == ["DE", "AT"]
    assert s.leika == [LeikaRef(leika_id="99050012104000", ozg_id="10045")]
    assert len(s.short_description) <= 150 and s.short_description.endswith("…")
    assert "description.de.shortDescription" in by_path


@pytest.mark.parametrize(
    ("name", "path"),
    [
        ("refused/no_name.yml", "name"),
        ("refused/no_description.yml", "description"),
        ("refused/bad_license.yml", "legal.license"),
        ("refused/unknown_version.yml", "publiccodeYmlVersion"),
        ("refused/not_a_mapping.yml", "(root)"),
        ("refused/not_yaml.yml", "(root)"),
        ("refused/latin1.yml", "(root)"),
        ("refused/billion_laughs.yml", "(root)"),
    ],
)
def test_what_makes_a_record_unusable_is_refused(name: str, path: str) -> None:
    result = load(name)
    assert result.solution is None
    assert path in paths(result.errors), result.errors


def test_a_refusal_names_the_line() -> None:
    assert load("refused/bad_license.yml").errors[0].line == 7
    assert load("refused/not_yaml.yml").errors[0].line is not None


def test_a_yaml_bomb_is_refused_before_it_expands() -> None:
    # Nine levels of nine aliases: 9**9 (387 million) strings if expanded.
    result = load("refused/billion_laughs.yml")
    assert result.errors and "YAML bomb" in result.errors[0].message
    # A self-referencing anchor is refused too (or reported as invalid YAML).
    recursive = import_publiccode('publiccodeYmlVersion: "0"\nname: &n [*n]\n')
    assert recursive.solution is None


def test_deep_nesting_is_refused_not_a_crash() -> None:
    result = import_publiccode('publiccodeYmlVersion: "0"\nname: x\na: ' + "[" * 5000 + "]" * 5000)
    assert result.solution is None
    assert "nested deeper" in result.errors[0].message


def test_an_oversized_file_is_refused_unread() -> None:
    text = MINIMAL.format(version='"0"') + "# " + "x" * MAX_BYTES + "\n"
    result = import_publiccode(text)
    assert result.solution is None
    assert "larger than" in result.errors[0].message


def test_round_trip_keeps_every_field_of_a_real_looking_file() -> None:
    first = load("valid/ratsinfo_full.yml").solution
    assert first is not None
    exported = export_publiccode(first)
    assert yaml.safe_load(exported)["publiccodeYmlVersion"] == "0"
    again = import_publiccode(exported)
    assert again.warnings == [] and again.errors == []  # the export meets the standard
    assert again.solution == first


def test_round_trip_of_a_record_made_in_lotse() -> None:
    made = Solution(
        name="Schulwegplaner",
        descriptions={
            "de": Description(
                short_description="Sichere Schulwege planen und mit Eltern teilen.",
                long_description=(
                    "Der Schulwegplaner zeigt Gefahrenstellen, Lotsenpunkte und empfohlene "
                    "Wege zu jeder Grundschule. Eltern melden Gefahren über ein Formular, die "
                    "Verkehrsbehörde prüft sie und veröffentlicht die Karte."
                ),
                features=["Gefahrenstellen melden", "Karte pro Schule"],
            )
        },
        license="MIT",
        url="https://git.example.org/schulweg",
        maturity="beta",
        software_type="standalone/web",
        platforms=["web"],
        topics=["mobility", "education"],
        leika=[LeikaRef(ozg_id="10300")],
        maintenance_type="internal",
        contacts=[Contact("Verkehrsbehörde Musterstadt", email="verkehr@example.org")],
        cost_notes="Betrieb auf vorhandenem Geoserver, keine Lizenzkosten.",
        localisation_ready=False,
        available_languages=["de"],
    )
    result = import_publiccode(export_publiccode(made))
    assert result.warnings == [] and result.errors == []
    assert result.solution == made


@pytest.mark.parametrize("expression", ["MIT AND", "()", "EUPL-9", "MIT MIT", ""])
def test_a_broken_license_expression_is_an_answer_not_a_crash(expression: str) -> None:
    normalised, problem = check_license(expression)
    assert normalised is None and problem


def test_spdx_expressions_are_normalised() -> None:
    assert check_license("mit or apache-2.0") == ("MIT OR Apache-2.0", None)


def test_licenses_of_ones_own_are_kept_and_bad_ones_named() -> None:
    assert check_license("MIT OR LicenseRef-Foo") == ("MIT OR LicenseRef-Foo", None)
    assert check_license("licenseref-x.1 and apache-2.0") == ("LicenseRef-x.1 AND Apache-2.0", None)
    for expression in ("LicenseRef-Foo_Bar", "LicenseRef-", "MIT OR EUPL-9"):
        normalised, problem = check_license(expression)
        assert normalised is None and problem and "None" not in problem, problem
    file = MINIMAL.format(version='"0"').replace("license: EUPL-1.2", "license: LicenseRef-Prop")
    result = import_publiccode(file)
    assert result.solution is not None and result.solution.license == "LicenseRef-Prop"


@pytest.mark.parametrize(
    ("spelled", "path", "line"),
    [
        ('name: "Quok\\x00ka"', "name", 2),
        ('usedBy: [Stadt, "Amt\\a"]', "usedBy[1]", 2),
        ('erfunden: {tief: "x\\e"}', "erfunden.tief", 2),
        ('"Schl\\0ssel": 1', "Schl\x00ssel", 2),
    ],
)
def test_control_characters_anywhere_are_refused_naming_key_and_line(
    spelled: str, path: str, line: int
) -> None:
    text = MINIMAL.format(version='"0"').replace("name: Kita-Anmeldung", spelled + "\nname: K")
    result = import_publiccode(text)
    assert result.solution is None
    (error,) = result.errors
    assert (error.path, error.line) == (path, line)
    assert "control characters" in error.message


def test_a_duplicate_key_is_refused_at_its_second_line() -> None:
    result = import_publiccode(MINIMAL.format(version='"0"') + "name: Zweiter Name\n")
    assert result.solution is None
    (error,) = result.errors
    assert error.path == "name" and error.line == len(MINIMAL.splitlines()) + 1
    assert "duplicate" in error.message


def test_a_complex_key_is_refused_readably() -> None:
    result = import_publiccode(MINIMAL.format(version='"0"') + "? [a, b]\n: c\n")
    assert result.solution is None
    assert result.errors[0].path == "(root)" and "Node" not in str(result.errors[0])


@pytest.mark.parametrize(
    ("old", "new", "path", "says"),
    [
        ("name: Kita-Anmeldung", "name: [1, 2]", "name", "must be a string"),
        ("name: Kita-Anmeldung", "name: true", "name", "must be a string"),
        ("license: EUPL-1.2", "license: yes", "legal.license", "must be a string"),
        ("legal:\n  license: EUPL-1.2", "legal: MIT", "legal", "must be a mapping"),
        ('publiccodeYmlVersion: "0"', "publiccodeYmlVersion: [0.4]", "publiccodeYmlVersion",
         "must be a string"),
    ],
)  # fmt: skip
def test_a_present_key_of_the_wrong_type_says_so(old: str, new: str, path: str, says: str) -> None:
    text = MINIMAL.format(version='"0"')
    assert old in text
    result = import_publiccode(text.replace(old, new))
    assert result.solution is None
    assert [(e.path, says in e.message) for e in result.errors] == [(path, True)], result.errors
    assert not any("required" in e.message for e in result.errors)


def test_leika_references_in_camel_case_are_imported() -> None:
    text = MINIMAL.format(version='"0"') + 'DE:\n  leika:\n    - {leikaId: "99", ozgId: "10"}\n'
    result = import_publiccode(text)
    assert result.solution is not None and result.warnings == []
    assert result.solution.leika == [LeikaRef(leika_id="99", ozg_id="10")]
    without = import_publiccode(MINIMAL.format(version='"0"') + "DE:\n  leika:\n    - {x: 1}\n")
    assert without.solution is not None and without.solution.leika == []
    assert {"DE.leika[0]", "DE.leika[0].x"} <= paths(without.warnings)


def test_a_long_list_stops_the_composer_at_the_node_limit(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    composed = 0
    compose_node = publiccode._BudgetLoader.compose_node

    def counting(self: publiccode._BudgetLoader, parent: Any, index: Any) -> Any:
        nonlocal composed
        composed += 1
        return compose_node(self, parent, index)

    monkeypatch.setattr(publiccode._BudgetLoader, "compose_node", counting)
    text = MINIMAL.format(version='"0"') + "usedBy: [" + ",".join(["a"] * 60_000) + "]\n"
    assert len(text) < MAX_BYTES
    result = import_publiccode(text)
    assert result.solution is None and "nodes" in result.errors[0].message
    # The refusal comes while composing, not after 60,000 nodes were built and walked.
    assert composed <= publiccode.MAX_NODES + 1


def test_a_utf16_file_with_its_byte_order_mark_imports() -> None:
    result = import_publiccode(MINIMAL.format(version='"0"').encode("utf-16"))
    assert result.solution is not None and result.solution.name == "Kita-Anmeldung"
