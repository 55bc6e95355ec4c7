"""The Kooperationsradar on a labelled set of project descriptions written for these tests.

tests/knowledge/data/radar_projects.json: 67 projects of 39 municipalities, 13 groups
of projects that do the same thing (each member from another municipality), 13 hard
negatives that share words with a group but are a different undertaking, one private
duplicate, and five catalogue solutions. Made up in our own words after the kind of
projects German municipalities publish.
"""

import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest

from services.knowledge.radar import ItemKind, Kooperationsradar, RadarItem, suggest

DATA = json.loads((Path(__file__).parent / "data" / "radar_projects.json").read_text())
# Measured 0.887 when the weights were set; the floor leaves room for harmless changes.
PRECISION_FLOOR = 0.85


def item(raw: dict[str, Any], kind: ItemKind) -> RadarItem:
    return RadarItem(
        id=str(raw["id"]),
        kind=kind,
        title=str(raw["title"]),
        owner_ags=str(raw["owner_ags"]),
        visibility=raw["visibility"],
        summary=str(raw["summary"]),
        description=str(raw["description"]),
        topics=tuple(raw["topics"]),
        target_groups=tuple(raw["target_groups"]),
        ozg_refs=tuple(raw["ozg_refs"]),
    )


PROJECTS = [item(raw, "project") for raw in DATA["projects"]]
SOLUTIONS = [item(raw, "solution") for raw in DATA["solutions"]]
GROUP = {raw["id"]: raw["group"] for raw in DATA["projects"]}
BY_ID = {p.id: p for p in PROJECTS + SOLUTIONS}


@pytest.fixture(scope="module")
def radar() -> Kooperationsradar:
    built = Kooperationsradar()
    built.rebuild(PROJECTS + SOLUTIONS)
    return built


def test_the_labelled_set_is_what_the_brief_asks_for() -> None:
    groups = {g for g in GROUP.values() if g}
    assert len(PROJECTS) >= 60 and len(groups) >= 10
    assert len({p.owner_ags for p in PROJECTS}) >= 30
    for group in groups:
        members = [p for p in PROJECTS if GROUP[p.id] == group]
        assert len({p.owner_ags for p in members}) == len(members) >= 3


def test_precision_at_k_over_every_grouped_project(radar: Kooperationsradar) -> None:
    precisions = []
    for project in PROJECTS:
        group = GROUP[project.id]
        if not group:
            continue
        k = min(5, sum(1 for g in GROUP.values() if g == group) - 1)
        top = radar.suggest(project, limit=k).projects[:k]
        precisions.append(sum(1 for s in top if GROUP[s.id] == group) / k)
    mean = sum(precisions) / len(precisions)
    # The figure is the point of this test: shown with -s, and in the report.
    print(f"\nKooperationsradar precision@k: {mean:.3f} over {len(precisions)} projects")  # noqa: T201
    assert mean >= PRECISION_FLOOR


def test_hard_negatives_stay_out(radar: Kooperationsradar) -> None:
    # Same words (Bau-, digital; Kita; Friedhof), different undertaking.
    for pid in ("bau-muc", "bau-nue", "bau-dd"):
        ids = [s.id for s in radar.suggest(BY_ID[pid], limit=4).projects]
        assert "neg-bauhof" not in ids and "neg-bauleit" not in ids
    top = radar.suggest(BY_ID["neg-bauhof"], limit=3).projects
    assert not any(GROUP[s.id] == "bauantrag" for s in top)
    fh = [s.id for s in radar.suggest(BY_ID["fh-bt"], limit=2).projects]
    assert "neg-friedhofgebuehr" not in fh


def test_a_private_project_is_never_suggested_to_another_municipality(
    radar: Kooperationsradar,
) -> None:
    private = {p.id for p in PROJECTS + SOLUTIONS if p.visibility == "private"}
    assert private == {"priv-bau", "sol-private"}
    for project in PROJECTS:
        result = radar.suggest(project, limit=50)
        found = {s.id for s in result.projects + result.solutions}
        for pid in private & found:
            assert BY_ID[pid].owner_ags == project.owner_ags
    # Its owner still sees what the others do.
    own = radar.suggest(BY_ID["priv-bau"], limit=5)
    assert [s.id for s in own.projects if GROUP[s.id] == "bauantrag"]


def test_a_private_project_is_found_from_the_side_that_may_see_it(
    radar: Kooperationsradar,
) -> None:
    # priv-bau's owner may see the other Bauantrag projects; they may not see it.
    others = [p for p in PROJECTS if GROUP[p.id] == "bauantrag" and p.id != "priv-bau"]
    seen_by_owner = {s.id for s in radar.suggest(BY_ID["priv-bau"], limit=50).projects}
    for other in others:
        assert "priv-bau" not in {s.id for s in radar.suggest(other, limit=50).projects}
        reverse = {hidden.id: s for hidden, s in radar.reverse_matches(other)}
        # Arriving after priv-bau, each finds the pair its owner's radar finds.
        assert ("priv-bau" in reverse) == (other.id in seen_by_owner)
        if other.id in reverse:
            assert reverse["priv-bau"].id == other.id
    for project in PROJECTS:
        for hidden, _ in radar.reverse_matches(project):
            assert hidden.visibility == "private" and hidden.owner_ags != project.owner_ags


def test_own_municipality_is_not_suggested(radar: Kooperationsradar) -> None:
    for project in PROJECTS:
        for s in radar.suggest(project, limit=50).projects:
            assert s.owner_ags != project.owner_ags and s.id != project.id


def test_a_suggestion_says_why_in_german(radar: Kooperationsradar) -> None:
    result = radar.suggest(BY_ID["bau-muc"])
    first = result.projects[0]
    assert GROUP[first.id] == "bauantrag"
    assert first.reason.startswith("beide Vorhaben befassen sich mit „Bauantrag“")
    assert "dieselbe OZG-Leistung: 10097" in first.reason
    assert "gemeinsame Begriffe: " in first.reason
    assert "Verwaltungsleistungen (OZG)" in first.reason  # topic by its German name
    assert result.solutions[0].id == "sol-bauportal"
    assert "die Lösung „Bauantragsportal“" in result.solutions[0].reason


def test_matching_solutions_per_group(radar: Kooperationsradar) -> None:
    expected = {"kita-h": "sol-kitanavi", "rat-ka": "sol-ris", "bet-mz": "sol-decidim"}
    for pid, sid in expected.items():
        assert radar.suggest(BY_ID[pid]).solutions[0].id == sid


def test_updates_and_removals_take_effect() -> None:
    radar = Kooperationsradar()
    radar.rebuild(PROJECTS)
    assert "kita-s" in {s.id for s in radar.suggest(BY_ID["kita-fue"]).projects}
    radar.remove("kita-s")
    assert "kita-s" not in {s.id for s in radar.suggest(BY_ID["kita-fue"]).projects}
    hidden = dataclasses.replace(BY_ID["kita-h"], visibility="private")
    radar.upsert(hidden)
    assert "kita-h" not in {s.id for s in radar.suggest(BY_ID["kita-fue"]).projects}


def test_one_off_suggest_over_given_items() -> None:
    result = suggest(BY_ID["od-h"], PROJECTS, SOLUTIONS, limit=3)
    assert all(GROUP[s.id] == "opendata" for s in result.projects)
