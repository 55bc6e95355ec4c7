"""The Kooperationsradar: which other municipalities do the same thing, and which solutions fit.

Two steps, both lexical (no model downloads, no embeddings):

1. Candidates: the project's most telling words (by tf-idf over the radar's projects and
   solutions) go to the search index as one BM25 query, restricted to what the owning
   municipality may see, so a private project of another municipality never comes back.
2. Rerank: a weighted sum of the share of the project's rare terms the candidate shares
   (compound-aware: `Bauantrag` meets `Bauantragsverfahren`), the normalised BM25 score,
   shared OZG services, shared topics and shared target groups.

Each suggestion carries a German reason naming what the two have in common.
"""

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal

from services.knowledge import analysis
from services.knowledge.search import SearchDocument, SearchIndex, Viewer
from shared.region.topics import TOPICS

ItemKind = Literal["project", "solution"]

# Weights of the rerank; set on the labelled set in tests/knowledge/data/radar_projects.json.
W_TERMS = 0.55
W_BM25 = 0.15
W_OZG = 0.15
W_TOPICS = 0.10
W_TARGETS = 0.05
# Below this a match is noise, not a hint worth a municipality's time.
MIN_SCORE = 0.12
QUERY_TERMS = 24
CANDIDATES = 60


@dataclass(frozen=True, slots=True)
class RadarItem:
    """A project or a catalogue solution as the radar sees it."""

    id: str
    kind: ItemKind
    title: str
    owner_ags: str
    visibility: Literal["public", "region", "private"]
    summary: str = ""
    description: str = ""
    topics: tuple[str, ...] = ()
    target_groups: tuple[str, ...] = ()
    ozg_refs: tuple[str, ...] = ()

    def text(self) -> str:
        return f"{self.title}\n{self.summary}\n{self.description}"


@dataclass(frozen=True, slots=True)
class Suggestion:
    id: str
    kind: ItemKind
    title: str
    owner_ags: str
    score: float
    reason: str
    shared_terms: tuple[str, ...] = ()
    shared_topics: tuple[str, ...] = ()
    shared_ozg: tuple[str, ...] = ()


@dataclass
class RadarResult:
    projects: list[Suggestion] = field(default_factory=list)
    solutions: list[Suggestion] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class _Profile:
    item: RadarItem
    weights: dict[str, float]  # analysed term -> count, title counted twice
    folded: str  # every folded word and stem, space separated, for compound matching
    surface: dict[str, str]  # analysed term -> the word as written


def _profile(item: RadarItem) -> _Profile:
    weights: defaultdict[str, float] = defaultdict(float)
    surface: dict[str, str] = {}
    pieces: list[str] = []
    for part, weight in ((item.title, 2.0), (item.summary, 1.0), (item.description, 1.0)):
        for word in analysis.words(part):
            terms = analysis.word_terms(word.text)
            for term in terms:
                weights[term] += weight
                surface.setdefault(term, word.text)
            if terms:
                pieces.append(analysis.fold(word.text))
                pieces.append(terms[0])
    return _Profile(item, dict(weights), " " + " ".join(pieces) + " ", surface)


def _affixes(profile: _Profile) -> frozenset[str]:
    """Every first and last part (5+ letters) of the profile's words and stems: a term
    among them is a compound's part (`bauantrag` in `bauantragsverfahren`)."""
    return frozenset(
        affix
        for piece in set(profile.folded.split())
        for k in range(analysis.MIN_INFIX, len(piece) + 1)
        for affix in (piece[:k], piece[-k:])
    )


class _Judge:
    """One side of the rerank, worked out once for all its candidates: the project's
    compound parts, its own mass, and the idf of each term it meets."""

    def __init__(self, radar: "Kooperationsradar", own: _Profile) -> None:
        self.radar = radar
        self.own = own
        self.affixes = _affixes(own)
        # A term as a word's first or last part, as it stands in another's folded text.
        self._ends = {t: (f" {t}", f"{t} ") for t in own.weights if len(t) >= analysis.MIN_INFIX}
        self._idf: dict[str, float] = {}
        self.own_mass = self.mass(own, own.weights)

    def idf(self, term: str) -> float:
        found = self._idf.get(term)
        if found is None:
            found = self._idf[term] = self.radar.idf(term)
        return found

    def mass(self, profile: _Profile, terms: Iterable[str]) -> float:
        return sum(profile.weights[t] * self.idf(t) for t in terms)

    def shared(self, other: _Profile) -> tuple[list[str], list[str]]:
        """The project's terms the other holds, and the other's terms the project holds:
        as the same word, or as a compound's first or last part."""
        own, ends, text = self.own.weights, self._ends, other.folded
        forward = [
            t
            for t in own
            if t in other.weights or (t in ends and (ends[t][0] in text or ends[t][1] in text))
        ]
        backward = [t for t in other.weights if t in own or t in self.affixes]
        return forward, backward


def _jaccard(a: Sequence[str], b: Sequence[str]) -> float:
    sa, sb = set(a), set(b)
    return len(sa & sb) / len(sa | sb) if sa and sb else 0.0


class Kooperationsradar:
    """The radar's view of the region: the search index plus each item's profile.

    The service calls `upsert`/`remove` next to the search index's own updates (or
    `rebuild` from its database); `suggest` is a pure read.
    """

    def __init__(self, index: SearchIndex | None = None) -> None:
        self.index = index if index is not None else SearchIndex()
        self._profiles: dict[str, _Profile] = {}
        self._df: Counter[str] = Counter()

    def __len__(self) -> int:
        return len(self._profiles)

    def _forget(self, item_id: str) -> None:
        old = self._profiles.pop(item_id, None)
        if old is not None:
            self._df.subtract(old.weights.keys())

    def _remember(self, item: RadarItem) -> None:
        self._forget(item.id)
        profile = _profile(item)
        self._profiles[item.id] = profile
        self._df.update(profile.weights.keys())

    def upsert(self, item: RadarItem, *, index: bool = True) -> None:
        """Add or replace an item; `index=False` when the search index is kept elsewhere."""
        self._remember(item)
        if index:
            self.index.upsert(_document(item))

    def remove(self, item_id: str, *, index: bool = True) -> None:
        self._forget(item_id)
        if index:
            self.index.delete(item_id)

    def rebuild(self, items: Iterable[RadarItem], *, index: bool = True) -> None:
        self._profiles.clear()
        self._df.clear()
        items = list(items)
        for item in items:
            self._remember(item)
        if index:
            self.index.upsert_many(_document(item) for item in items)

    def idf(self, term: str) -> float:
        n = len(self._profiles)
        return math.log((n + 1) / (self._df.get(term, 0) + 0.5))

    def item(self, item_id: str) -> RadarItem | None:
        """The item the radar holds under this id."""
        profile = self._profiles.get(item_id)
        return profile.item if profile else None

    def _profile_of(self, project: RadarItem) -> _Profile:
        """The project's profile; one that just changed is read afresh, since the stored
        profile is its old text."""
        stored = self._profiles.get(project.id)
        return stored if stored is not None and stored.item == project else _profile(project)

    def suggest(self, project: RadarItem, limit: int = 5) -> RadarResult:
        """Projects of other municipalities doing the same, and solutions that fit."""
        own = self._profile_of(project)
        viewer = Viewer(signed_in=True, ags=project.owner_ags)
        found = self._candidates(own, viewer)
        top = max((score for score, _ in found), default=0.0) or 1.0
        result = RadarResult()
        judge = _Judge(self, own)
        for bm25, doc in found:
            other = self._profiles.get(doc.id)
            if other is None or not _readable(other.item, viewer):
                continue
            if other.item.kind == "project" and other.item.owner_ags == project.owner_ags:
                continue  # the radar looks for others; the own portfolio is elsewhere
            suggestion = self._suggestion(judge, other, bm25 / top)
            if suggestion is not None:
                kind = result.projects if suggestion.kind == "project" else result.solutions
                kind.append(suggestion)
        result.projects = sorted(result.projects, key=lambda s: s.score, reverse=True)[:limit]
        result.solutions = sorted(result.solutions, key=lambda s: s.score, reverse=True)[:limit]
        return result

    def pair(self, project: RadarItem, other: RadarItem) -> Suggestion | None:
        """`other` as a suggestion for `project`, scored without the search index (for an
        item the index does not hold yet): the search part is the terms' own share."""
        viewer = Viewer(signed_in=True, ags=project.owner_ags)
        if other.id == project.id or not _readable(other, viewer):
            return None
        if other.kind == "project" and other.owner_ags == project.owner_ags:
            return None
        judge, theirs = _Judge(self, _profile(project)), _profile(other)
        shared, _ = judge.shared(theirs)
        share = judge.mass(judge.own, shared) / (judge.own_mass or 1.0)
        return self._suggestion(judge, theirs, share)

    def reverse_matches(self, project: RadarItem) -> list[tuple[RadarItem, Suggestion]]:
        """Other municipalities' private projects that would be paired with this one, each
        with its suggestion of this project: this project cannot see them, but they may
        see it.

        The project may not be in the index yet (it goes in when its change commits), so
        the search part of the score is the one of this project's own query.
        """
        own = self._profile_of(project)
        everything = Viewer(signed_in=True, region_wide=True)
        found = self._candidates(own, everything, kinds=("project",))
        top = max((score for score, _ in found), default=0.0) or 1.0
        pairs = []
        for bm25, doc in found:
            other = self._profiles.get(doc.id)
            if (
                other is None
                or other.item.visibility != "private"
                or other.item.owner_ags == project.owner_ags
                or not _readable(project, Viewer(signed_in=True, ags=other.item.owner_ags))
            ):
                continue
            suggestion = self._suggestion(_Judge(self, other), own, bm25 / top)
            if suggestion is not None:
                pairs.append((other.item, suggestion))
        return pairs

    def _candidates(
        self, own: _Profile, viewer: Viewer, kinds: tuple[str, ...] = ("project", "solution")
    ) -> list[tuple[float, SearchDocument]]:
        """The project's most telling words as one BM25 query, within what `viewer` sees."""
        ranked = sorted(own.weights, key=lambda t: own.weights[t] * self.idf(t), reverse=True)
        words = analysis.parse_query(" ".join(ranked[:QUERY_TERMS]))
        return self.index.candidates(
            words,
            viewer,
            kinds=kinds,
            exclude_ids=[own.item.id],
            limit=CANDIDATES,
        )

    def _suggestion(self, judge: _Judge, other: _Profile, bm25: float) -> Suggestion | None:
        """The rerank of one candidate (`bm25` normalised to the best); None below MIN_SCORE."""
        own = judge.own
        project, item = own.item, other.item
        shared, back = judge.shared(other)
        forward = judge.mass(own, shared) / (judge.own_mass or 1.0)
        backward = judge.mass(other, back) / (judge.mass(other, other.weights) or 1.0)
        ozg = tuple(sorted(set(project.ozg_refs) & set(item.ozg_refs)))
        topics = tuple(t for t in project.topics if t in item.topics)
        score = (
            W_TERMS * math.sqrt(forward * backward)
            + W_BM25 * bm25
            + W_OZG * (1.0 if ozg else 0.0)
            + W_TOPICS * _jaccard(project.topics, item.topics)
            + W_TARGETS * _jaccard(project.target_groups, item.target_groups)
        )
        if score < MIN_SCORE:
            return None
        # Nouns (capitalised in German) first: they name the undertaking, verbs rarely do.
        telling = sorted(
            shared,
            key=lambda t: (own.surface[t][:1].isupper(), judge.idf(t) * own.weights[t]),
            reverse=True,
        )
        names = _unique(own.surface[t] for t in telling if judge.idf(t) > 1.0)[:5]
        return Suggestion(
            id=item.id,
            kind=item.kind,
            title=item.title,
            owner_ags=item.owner_ags,
            score=round(score, 4),
            reason=_reason(project, item, names, topics, ozg),
            shared_terms=tuple(names),
            shared_topics=topics,
            shared_ozg=ozg,
        )


def _readable(item: RadarItem, viewer: Viewer) -> bool:
    # The index already filters; this is the same rule once more on the profile itself.
    return item.visibility in ("public", "region") or item.owner_ags == viewer.ags


def _unique(values: Iterable[str]) -> list[str]:
    seen: set[str] = set()
    out = []
    for value in values:
        key = value.lower()
        if key not in seen:
            seen.add(key)
            out.append(value)
    return out


def _reason(
    project: RadarItem,
    item: RadarItem,
    names: Sequence[str],
    topics: Sequence[str],
    ozg: Sequence[str],
) -> str:
    parts: list[str] = []
    if item.kind == "project":
        lead = f"beide Vorhaben befassen sich mit „{names[0]}“" if names else "ähnliches Vorhaben"
    else:
        lead = f"die Lösung „{item.title}“ passt zu „{names[0]}“" if names else "passende Lösung"
    parts.append(lead)
    if ozg:
        parts.append("dieselbe OZG-Leistung: " + ", ".join(ozg))
    if names:
        parts.append("gemeinsame Begriffe: " + ", ".join(names))
    if topics:
        parts.append("gemeinsame Themen: " + ", ".join(TOPICS.get(t, t) for t in topics))
    shared_groups = [g for g in project.target_groups if g in item.target_groups]
    if shared_groups:
        parts.append("gleiche Zielgruppe: " + ", ".join(shared_groups))
    return "; ".join(parts)


def _document(item: RadarItem) -> SearchDocument:
    return SearchDocument(
        id=item.id,
        kind=item.kind,
        title=item.title,
        visibility=item.visibility,
        owner_ags=item.owner_ags,
        summary=item.summary,
        body=item.description,
        topics=item.topics,
    )


def suggest(
    project: RadarItem,
    projects: Iterable[RadarItem],
    solutions: Iterable[RadarItem] = (),
    limit: int = 5,
) -> RadarResult:
    """One-off radar over given projects and solutions (an in-memory index of its own)."""
    radar = Kooperationsradar()
    radar.rebuild([*projects, *solutions])
    if project.id not in radar._profiles:
        radar._remember(project)
    return radar.suggest(project, limit)
