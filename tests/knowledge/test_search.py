"""The knowledge search index: German as people type it, visibility, snippets, ranking."""

from collections.abc import Iterator
from pathlib import Path

import pytest

from services.knowledge.analysis import Highlighter, parse_query
from services.knowledge.analysis import words as words_of
from services.knowledge.search import (
    Kind,
    SearchDocument,
    SearchFilters,
    SearchIndex,
    Viewer,
    Visibility,
)

ANON = Viewer()
MEMBER = Viewer(signed_in=True)
FUERTH = Viewer(signed_in=True, ags="09563000")
ERLANGEN = Viewer(signed_in=True, ags="09562000")
COORDINATOR = Viewer(signed_in=True, region_wide=True)


def doc(
    doc_id: str,
    title: str,
    body: str = "",
    *,
    kind: Kind = "project",
    visibility: Visibility = "public",
    owner_ags: str = "09564000",
    topics: tuple[str, ...] = (),
    maturity: str | None = None,
    license: str | None = None,
    status: str | None = None,
) -> SearchDocument:
    return SearchDocument(
        id=doc_id,
        title=title,
        body=body,
        kind=kind,
        visibility=visibility,
        owner_ags=owner_ags,
        topics=topics,
        maturity=maturity,
        license=license,
        status=status,
    )


@pytest.fixture(scope="module")
def index() -> SearchIndex:
    idx = SearchIndex()
    idx.rebuild(
        [
            doc(
                "bauantrag-verfahren", "Bauantragsverfahren ohne Papier", "Anträge laufen digital."
            ),
            doc("online-bauantrag", "Online-Bauantrag", "Antragstellung über das Portal."),
            doc("bauhof", "Bauhof-Fuhrparkverwaltung digital", "Fahrzeuge und Geräte planen."),
            doc("portal", "Neues Bürgerportal", "Alle Dienste an einem Ort.", kind="solution"),
            doc("translit", "Buergerservice am Telefon", "Rückruf statt Warteschleife."),
            doc("digital", "Digitale Schule", "Tablets für die Grundschule.", kind="article"),
            doc("strasse", "Straßenbeleuchtung mit LED", "Weniger Strom im Jahr."),
            doc("strasse2", "Strassenreinigung planen", "Touren für die Kehrmaschine."),
            doc("marke", "Eine Marke für die Stadt", "Logo und Farben."),
            doc("verwaltung", "Digitalisierung der Verwaltung", "Akten werden elektronisch."),
        ]
    )
    return idx


def ids(index: SearchIndex, query: str, viewer: Viewer = ANON, **filters: str) -> set[str]:
    return {hit.id for hit in index.search(query, SearchFilters(**filters), viewer).hits}


def test_stemming_finds_the_word_family(index: SearchIndex) -> None:
    assert {"digital", "verwaltung", "bauhof", "bauantrag-verfahren"} <= ids(
        index, "Digitalisierung"
    )
    assert "verwaltung" in ids(index, "digitale")
    assert "bauantrag-verfahren" in ids(index, "Antrag")


def test_umlauts_fold_both_ways_and_sharp_s(index: SearchIndex) -> None:
    assert "portal" in ids(index, "Buergerportal")
    assert "portal" in ids(index, "bürgerportal")
    assert "translit" in ids(index, "Bürgerservice")
    assert {"strasse", "strasse2"} <= ids(index, "Straße")
    assert {"strasse", "strasse2"} <= ids(index, "strasse")


def test_compounds_and_hyphenated_words(index: SearchIndex) -> None:
    found = ids(index, "Bauantrag")
    assert {"bauantrag-verfahren", "online-bauantrag"} <= found
    assert "bauhof" not in found  # same first syllable, different undertaking
    assert "bauhof" in ids(index, "Fuhrpark")  # part inside the compound of a hyphenated word
    assert "bauhof" in ids(index, "Bauhof")  # first half of a hyphenated word
    assert "online-bauantrag" in ids(index, "Onlinebauantrag")  # written together


def test_one_typo_in_longer_words_only(index: SearchIndex) -> None:
    assert "verwaltung" in ids(index, "Digitalisirung")  # letter missing
    assert "portal" in ids(index, "Bürgerprotal")  # letters swapped
    assert "strasse" in ids(index, "Strassenbeleuchtunk")  # letter replaced
    assert "marke" not in ids(index, "Markt")  # five letters: no typo tolerance
    assert "verwaltung" not in ids(index, "Dgitalsiirung")  # two typos: too far


def test_snippet_highlights_and_escapes() -> None:
    idx = SearchIndex()
    body = "Bürger stellen den Bauantrag <script>alert(1)</script> online & papierlos."
    idx.upsert(doc("x", "Baugenehmigung", body))
    (hit,) = idx.search("Bauantrag papierlos").hits
    assert "<mark>Bauantrag</mark>" in hit.snippet
    assert "<mark>papierlos</mark>" in hit.snippet
    assert "&lt;script&gt;" in hit.snippet and "<script>" not in hit.snippet
    assert "&amp;" in hit.snippet


TEXT_OF_EVERY_KIND = (
    "Die Straße und die Strasse, das Bürgerportal und das Buergerportal, Bauanträge im "
    "Bauantragsverfahren und der Online-Bauantrag, Digitalisierung und digitale Schulen, "
    "die Kita-Gutscheine, das Bürgerprotal mit Tippfehler, Istanbul-Partnerschaft, "
    "Hochwasserschutz, Verwaltungsdigitalisierung, Strassenbeleuchtung, Digtalisierung."
)


@pytest.mark.parametrize(
    "query",
    ["Straße", "Strasse", "Bürgerportal", "Buergerportal", "Bauantrag", "digitalisierung",
     "Schule", "Kita", "Bürgerprotal", "Bürgeprortal", "istanbul", "Schutz", "Strassenbeleuchtunk",
     "Bauantragsverfahren", "Gutschein", "Partnerschaft"],
)  # fmt: skip
def test_the_highlighters_sieve_lets_every_matching_word_through(query: str) -> None:
    # Only words around a fragment of the query are judged; none that matches is lost.
    highlighter = Highlighter(parse_query(query))
    # A letter whose lowercase is longer (İ) moves offsets: then every word is judged.
    for text in (TEXT_OF_EVERY_KIND, TEXT_OF_EVERY_KIND.replace("Istanbul", "İstanbul")):
        candidates = highlighter.candidates(text)
        words = {w.text for w in words_of(text)}
        matching = {w for w in words if highlighter(w)}
        assert matching, query
        for word in matching:
            assert any(word in c or word == c.replace("-", "") for c in candidates), word
    # Most words are never judged.
    assert len(highlighter.candidates(TEXT_OF_EVERY_KIND)) < len(words) / 2


def test_snippet_marks_the_compound_part_of_a_hyphenated_word(index: SearchIndex) -> None:
    (hit,) = index.search("Fuhrpark", visible_to=ANON).hits
    assert "Bauhof-<mark>Fuhrparkverwaltung</mark>" in hit.snippet


def test_a_title_match_beats_a_passing_mention() -> None:
    idx = SearchIndex()
    filler = " ".join(["Die Stadt plant Haushalt, Personal und Räume für das kommende Jahr."] * 6)
    idx.rebuild(
        [
            doc("mention", "Haushaltsplanung 2026", filler + " Auch die Schulsozialarbeit zählt."),
            doc("title", "Schulsozialarbeit an Grundschulen", "Ein Team für drei Schulen."),
        ]
    )
    hits = idx.search("Schulsozialarbeit").hits
    assert [h.id for h in hits] == ["title", "mention"]
    assert hits[0].score > hits[1].score


VIS_DOCS = [
    doc(
        "pub", "Bauantrag öffentlich", visibility="public", owner_ags="09563000", topics=("bauen",)
    ),
    doc("reg", "Bauantrag Region", visibility="region", owner_ags="09563000", topics=("bauen",)),
    doc(
        "own",
        "Bauantrag Fürth intern",
        visibility="private",
        owner_ags="09563000",
        topics=("bauen", "intern"),
    ),
    doc(
        "other",
        "Bauantrag Erlangen intern",
        visibility="private",
        owner_ags="09562000",
        kind="solution",
        topics=("geheim",),
    ),
]


@pytest.mark.parametrize(
    ("viewer", "expected"),
    [
        (ANON, {"pub"}),
        (MEMBER, {"pub", "reg"}),
        (FUERTH, {"pub", "reg", "own"}),
        (ERLANGEN, {"pub", "reg", "other"}),
        (COORDINATOR, {"pub", "reg", "own", "other"}),
    ],
)
def test_visibility_in_hits_and_facet_counts(viewer: Viewer, expected: set[str]) -> None:
    idx = SearchIndex()
    idx.rebuild(VIS_DOCS)
    result = idx.search("Bauantrag", visible_to=viewer)
    assert {h.id for h in result.hits} == expected
    assert result.total == len(expected)
    # Facets count only what the caller sees: no hint that a hidden document exists.
    assert sum(result.facets["kind"].values()) == len(expected)
    assert ("geheim" in result.facets["topic"]) == ("other" in expected)
    assert ("intern" in result.facets["topic"]) == ("own" in expected)
    assert sum(result.facets["municipality"].values()) == len(expected)
    # An empty query lists what is visible, too.
    assert {h.id for h in idx.search("", visible_to=viewer).hits} == expected


def test_filters_and_facets() -> None:
    idx = SearchIndex()
    idx.rebuild(
        [
            doc(
                "a",
                "Ratsinformationssystem",
                kind="solution",
                topics=("politik", "transparenz"),
                license="EUPL-1.2",
                maturity="stable",
            ),
            doc(
                "b",
                "Ratsinformation offen",
                kind="solution",
                topics=("politik",),
                license="MIT",
                maturity="beta",
            ),
            doc(
                "c",
                "Ratsinformationen digital",
                kind="project",
                topics=("politik",),
                status="active",
            ),
        ]
    )
    result = idx.search("Ratsinformation")
    assert result.facets["kind"] == {"solution": 2, "project": 1}
    assert result.facets["topic"] == {"politik": 3, "transparenz": 1}
    assert result.facets["license"] == {"EUPL-1.2": 1, "MIT": 1}
    assert result.facets["maturity"] == {"stable": 1, "beta": 1}
    assert result.facets["status"] == {"active": 1}
    assert ids(idx, "Ratsinformation", kind="solution") == {"a", "b"}
    assert ids(idx, "Ratsinformation", topic="transparenz") == {"a"}
    filtered = idx.search("Ratsinformation", SearchFilters(kind="solution"))
    assert filtered.facets["kind"] == {"solution": 2}


def test_paging() -> None:
    idx = SearchIndex()
    idx.rebuild([doc(f"d{i}", f"Radweg Abschnitt {i}") for i in range(7)])
    first = idx.search("Radweg", limit=5)
    second = idx.search("Radweg", limit=5, offset=5)
    assert first.total == second.total == 7
    assert len(first.hits) == 5 and len(second.hits) == 2
    assert not {h.id for h in first.hits} & {h.id for h in second.hits}


def test_upsert_replaces_delete_removes_rebuild_resets(tmp_path: Path) -> None:
    idx = SearchIndex(tmp_path / "index")
    idx.upsert(doc("1", "Kita-Platzvergabe"))
    idx.upsert(doc("1", "Schwimmbad Tickets"))
    assert ids(idx, "Kita") == set()
    assert ids(idx, "Schwimmbad") == {"1"}
    assert len(idx) == 1
    idx.upsert(doc("2", "Kita-Platzvergabe"))
    idx.delete("1")
    assert ids(idx, "Schwimmbad") == set()
    assert idx.get("2") == doc("2", "Kita-Platzvergabe")
    idx.close()
    # The index lives in its directory: a new process opens what was written.
    reopened = SearchIndex(tmp_path / "index")
    assert ids(reopened, "Kita") == {"2"}
    reopened.rebuild([doc("3", "Friedhofsverwaltung")])
    assert ids(reopened, "Kita") == set() and ids(reopened, "Friedhof") == {"3"}


def test_a_count_only_request_returns_the_total(index: SearchIndex) -> None:
    # tantivy itself refuses a limit of 0 (it panics); the index asks for one and drops it.
    result = index.search("Bauantrag", limit=0)
    assert result.hits == [] and result.total >= 2
    assert sum(result.facets["kind"].values()) == result.total


def test_readers_of_a_directory_take_no_lock(tmp_path: Path) -> None:
    writer = SearchIndex(tmp_path)
    writer.upsert(doc("1", "Wasserzähler per Funk ablesen"))
    # Another replica (or process) opens the same directory to read while the writer lives.
    reader = SearchIndex(tmp_path)
    assert ids(reader, "Wasserzaehler") == {"1"}


def test_a_rebuild_is_seen_whole_or_not_at_all(tmp_path: Path) -> None:
    idx = SearchIndex(tmp_path)
    idx.upsert(doc("old", "Parkraumbewirtschaftung"))
    seen: list[set[str]] = []

    def docs() -> Iterator[SearchDocument]:
        for n in range(3):
            # While the rebuild runs, readers still see the complete old index.
            seen.append(ids(SearchIndex(tmp_path), "Parkraumbewirtschaftung"))
            yield doc(f"new{n}", "Parkraumbewirtschaftung neu")

    idx.rebuild(docs())
    assert seen == [{"old"}] * 3
    assert ids(idx, "Parkraumbewirtschaftung") == {"new0", "new1", "new2"}


def test_a_viewer_from_the_callers_principal() -> None:
    from shared.kit.auth import Principal, Role

    assert Viewer.of(Principal(Role.ANONYMOUS, "anon")) == ANON
    assert Viewer.of(Principal(Role.MUNICIPALITY, "k", ags="09563000")) == FUERTH
    assert Viewer.of(Principal(Role.COORDINATOR, "c")).region_wide


def test_analysis_is_safe_from_many_threads() -> None:
    # The Snowball stemmer keeps its word in itself; one shared by threads garbles stems.
    from concurrent.futures import ThreadPoolExecutor

    from services.knowledge import analysis

    words = [f"Verwaltungsdigitalisierung{n}" for n in range(3000)]
    expected = [analysis.stem.__wrapped__(w) for w in words]
    with ThreadPoolExecutor(16) as pool:
        stems = list(pool.map(analysis.stem.__wrapped__, words))
    assert stems == expected
