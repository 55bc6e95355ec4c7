"""The knowledge service's full-text read model: one German-aware tantivy index.

The service rebuilds it from its own database (`rebuild`) and keeps it current on every
write (`upsert`, `delete`); it is never the source of truth. Text is analysed in Python
(`analysis`) and handed to tantivy as whitespace-separated terms, so the index, the
snippets and the Kooperationsradar agree on what a word is. Ranking is BM25 over title,
summary and body with field weights; compounds match as infixes, typos as fuzzy terms,
both below exact terms. Visibility is part of every query, so neither hits nor facet
counts ever include what the caller may not see.
"""

import html
import json
import re
import threading
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal, Protocol

import tantivy

from services.knowledge import analysis
from services.knowledge.analysis import QueryWord

Kind = Literal["solution", "article", "project", "contact"]
Visibility = Literal["public", "region", "private"]
KINDS: tuple[Kind, ...] = ("solution", "article", "project", "contact")
FACETS = ("kind", "topic", "maturity", "license", "municipality", "status")

# Field weights: a word in the title says more about a document than one in its body.
_FIELDS = (("title", 3.0), ("summary", 1.8), ("body", 1.0))
# Compound and typo matches rank below the exact word; they carry no term statistics.
_INFIX_BOOST = 0.6
_FUZZY_BOOST = 0.4
_ROOT_BOOST = 0.5
_SNIPPET_CHARS = 180
_SNIPPET_SCAN = 2_000
_FACET_SIZE = 200


@dataclass(frozen=True, slots=True)
class SearchDocument:
    """What the index knows of a solution, article or project."""

    id: str
    kind: Kind
    title: str
    visibility: Visibility
    owner_ags: str
    summary: str = ""
    body: str = ""
    topics: tuple[str, ...] = ()
    maturity: str | None = None
    license: str | None = None
    status: str | None = None


class Caller(Protocol):
    """What the visibility rule needs of a caller; the kit's Principal has it (no import:
    these cores stay free of the kit)."""

    @property
    def signed_in(self) -> bool: ...
    @property
    def region_wide(self) -> bool: ...
    @property
    def ags(self) -> str | None: ...


@dataclass(frozen=True, slots=True)
class Viewer:
    """Who is asking, in the form of the region's visibility rule (shared/region/visibility)."""

    signed_in: bool = False
    region_wide: bool = False
    ags: str | None = None

    @classmethod
    def of(cls, principal: "Caller") -> "Viewer":
        """The viewer for a request's caller (the kit's Principal, or anything shaped so)."""
        return cls(principal.signed_in, principal.region_wide, principal.ags)


ANONYMOUS = Viewer()


@dataclass(frozen=True, slots=True)
class SearchFilters:
    """Facet filters; each given one must match (a topic filter: any of the document's)."""

    kind: str | None = None
    topic: str | None = None
    maturity: str | None = None
    license: str | None = None
    municipality: str | None = None
    status: str | None = None


@dataclass(frozen=True, slots=True)
class SearchHit:
    id: str
    kind: str
    title: str
    score: float
    snippet: str
    document: SearchDocument


@dataclass(frozen=True, slots=True)
class SearchResult:
    total: int
    hits: list[SearchHit]
    facets: dict[str, dict[str, int]] = field(default_factory=dict)


def _schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("id", stored=True, tokenizer_name="raw")
    for name, _ in _FIELDS:
        builder.add_text_field(name, tokenizer_name="whitespace")
    # Folded surface words (a compound's first part is their prefix) and reversed stems
    # (its last part is their prefix): prefix scans of the term dictionary stay cheap.
    builder.add_text_field("words", tokenizer_name="whitespace", index_option="basic")
    builder.add_text_field("heads", tokenizer_name="whitespace", index_option="basic")
    for name in (*FACETS, "visibility", "owner"):
        builder.add_text_field(name, fast=True, tokenizer_name="raw", index_option="basic")
    builder.add_bytes_field("source", stored=True)
    return builder.build()


def _encode(doc: SearchDocument) -> tantivy.Document:
    out = tantivy.Document()
    out.add_text("id", doc.id)
    out.add_text("title", " ".join(analysis.terms(doc.title)))
    out.add_text("summary", " ".join(analysis.terms(doc.summary)))
    out.add_text("body", " ".join(analysis.terms(doc.body)))
    text = f"{doc.title} {doc.summary} {doc.body}"
    folded = set(analysis.folded_words(text))
    out.add_text("words", " ".join(folded))
    out.add_text("heads", " ".join({analysis.stem(w)[::-1] for w in folded}))
    out.add_text("kind", doc.kind)
    out.add_text("visibility", doc.visibility)
    out.add_text("owner", doc.owner_ags)
    out.add_text("municipality", doc.owner_ags)
    for topic in doc.topics:
        out.add_text("topic", topic)
    for name in ("maturity", "license", "status"):
        value = getattr(doc, name)
        if value:
            out.add_text(name, value)
    out.add_bytes("source", json.dumps(asdict(doc), ensure_ascii=False).encode())
    return out


def _decode(stored: bytes) -> SearchDocument:
    data = json.loads(stored)
    data["topics"] = tuple(data["topics"])
    return SearchDocument(**data)


class SearchIndex:
    """A tantivy index in memory (path None) or in a directory; safe for concurrent readers."""

    def __init__(self, path: Path | str | None = None, *, writer_heap: int = 64_000_000) -> None:
        self.schema = _schema()
        if path is not None:
            Path(path).mkdir(parents=True, exist_ok=True)
            self._index = tantivy.Index(self.schema, path=str(path))
        else:
            self._index = tantivy.Index(self.schema)
        # The writer (and the directory's lock) only when something is written.
        self._writer_heap = writer_heap
        self._open_writer: Any = None
        self._lock = threading.Lock()
        self._infixes: dict[str, tantivy.Query] = {}

    @property
    def _writer(self) -> Any:
        if self._open_writer is None:
            self._open_writer = self._index.writer(heap_size=self._writer_heap, num_threads=1)
        return self._open_writer

    def close(self) -> None:
        """Release the directory's writer lock (another process may then write)."""
        with self._lock:
            if self._open_writer is not None:
                self._open_writer.wait_merging_threads()
                self._open_writer = None

    # -- writes -------------------------------------------------------------------------

    def upsert(self, doc: SearchDocument) -> None:
        self.upsert_many([doc])

    def upsert_many(self, docs: Iterable[SearchDocument]) -> None:
        self.write(docs, ())

    def delete(self, doc_id: str) -> None:
        self.write((), (doc_id,))

    def write(self, upserts: Iterable[SearchDocument], deletes: Iterable[str]) -> None:
        """Replace and remove documents in one commit (a commit costs a segment)."""
        encoded = [(doc.id, _encode(doc)) for doc in upserts]
        with self._lock:
            for doc_id in deletes:
                self._writer.delete_documents_by_term("id", doc_id)
            for doc_id, tdoc in encoded:
                self._writer.delete_documents_by_term("id", doc_id)
                self._writer.add_document(tdoc)
            self._commit()

    def rebuild(self, docs: Iterable[SearchDocument]) -> int:
        """Replace the whole index with `docs` (the service's database is the truth).

        One commit at the end: readers see the old index until the new one is complete.
        """
        count = 0
        with self._lock:
            self._writer.delete_all_documents()
            for doc in docs:
                self._writer.add_document(_encode(doc))
                count += 1
            self._commit()
        return count

    def _commit(self) -> None:
        self._writer.commit()
        self._index.reload()

    # -- reads --------------------------------------------------------------------------

    def __len__(self) -> int:
        return int(self._index.searcher().num_docs)

    def get(self, doc_id: str) -> SearchDocument | None:
        searcher = self._index.searcher()
        found = searcher.search(tantivy.Query.term_query(self.schema, "id", doc_id), 1).hits
        if not found:
            return None
        return _decode(searcher.doc(found[0][1])["source"][0])

    def visibility_query(self, viewer: Viewer) -> tantivy.Query | None:
        """What `viewer` may read, as a query; None when everything (coordinators)."""
        if viewer.region_wide:
            return None
        shared = ["public", "region"] if viewer.signed_in else ["public"]
        allowed = tantivy.Query.term_set_query(self.schema, "visibility", shared)
        if viewer.signed_in and viewer.ags:
            own = tantivy.Query.term_query(self.schema, "owner", viewer.ags)
            allowed = tantivy.Query.boolean_query(
                [(tantivy.Occur.Should, allowed), (tantivy.Occur.Should, own)]
            )
        return allowed

    def _infix_query(self, infix: str) -> tantivy.Query:
        """The stem as the first part (prefix of a word) or last part (a stem's suffix).

        A one-word phrase prefix is a range of the term dictionary: as fast to search as
        a `stem.*` regex and hundreds of times cheaper to build (no automaton).
        """
        query = self._infixes.get(infix)
        if query is None:
            first = tantivy.Query.phrase_prefix_query(self.schema, "words", [infix])
            last = tantivy.Query.phrase_prefix_query(self.schema, "heads", [infix[::-1]])
            query = tantivy.Query.boost_query(
                tantivy.Query.boolean_query(
                    [(tantivy.Occur.Should, first), (tantivy.Occur.Should, last)]
                ),
                _INFIX_BOOST,
            )
            if len(self._infixes) >= 10_000:
                self._infixes.clear()
            self._infixes[infix] = query
        return query

    def text_query(self, words: Sequence[QueryWord]) -> tantivy.Query:
        """BM25 over the weighted fields, plus compound infixes and one-typo variants."""
        schema = self.schema
        per_word: list[tuple[tantivy.Occur, tantivy.Query]] = []
        for word in words:
            options: list[tantivy.Query] = []
            for name, weight in _FIELDS:
                options.append(
                    tantivy.Query.boost_query(
                        tantivy.Query.term_query(schema, name, word.stem), weight
                    )
                )
                for extra in word.terms[1:]:
                    options.append(
                        tantivy.Query.boost_query(
                            tantivy.Query.term_query(schema, name, extra), weight * _ROOT_BOOST
                        )
                    )
            if word.fuzzy:
                # A typo in the ending defeats the stemmer: compare the typed word as well.
                fuzzy = tantivy.Query.fuzzy_term_query(schema, "words", word.folded, distance=1)
                options.append(tantivy.Query.boost_query(fuzzy, _FUZZY_BOOST))
            if word.infix:
                options.append(self._infix_query(word.infix))
            per_word.append(
                (
                    tantivy.Occur.Should,
                    tantivy.Query.boolean_query([(tantivy.Occur.Should, q) for q in options]),
                )
            )
        return tantivy.Query.boolean_query(per_word)

    def _filtered(
        self, text: tantivy.Query | None, filters: SearchFilters, viewer: Viewer
    ) -> tantivy.Query:
        clauses: list[tuple[tantivy.Occur, tantivy.Query]] = []
        if text is not None:
            clauses.append((tantivy.Occur.Must, text))
        allowed = self.visibility_query(viewer)
        if allowed is not None:
            clauses.append((tantivy.Occur.Must, _no_score(allowed)))
        for name in FACETS:
            value = getattr(filters, name)
            if value:
                term = tantivy.Query.term_query(self.schema, name, value)
                clauses.append((tantivy.Occur.Must, _no_score(term)))
        if not clauses:
            return tantivy.Query.all_query()
        if text is None:
            clauses.append((tantivy.Occur.Must, tantivy.Query.all_query()))
        return tantivy.Query.boolean_query(clauses)

    def search(
        self,
        query: str,
        filters: SearchFilters | None = None,
        visible_to: Viewer = ANONYMOUS,
        limit: int = 20,
        offset: int = 0,
        *,
        facets: bool = True,
        snippets: bool = True,
    ) -> SearchResult:
        """Ranked hits with highlighted snippets and facet counts, only what `visible_to` sees.

        An empty query lists every visible document (filters and facets still apply).
        """
        words = analysis.parse_query(query)
        text = self.text_query(words) if words else None
        full = self._filtered(text, filters or SearchFilters(), visible_to)
        searcher = self._index.searcher()
        # tantivy refuses a limit of 0; a count-only request still asks for one hit.
        result = searcher.search(full, limit=max(1, limit), offset=offset, count=True)
        hits = []
        highlighter = analysis.Highlighter(words)
        for score, address in result.hits[:limit]:
            doc = _decode(searcher.doc(address)["source"][0])
            marked = snippet(doc, highlighter) if snippets else ""
            hits.append(SearchHit(doc.id, doc.kind, doc.title, float(score), marked, doc))
        counts = self._facets(searcher, full) if facets else {}
        # `count` exists at runtime; the package's type stub does not declare it.
        total = int(getattr(result, "count", None) or 0)
        return SearchResult(total=total, hits=hits, facets=counts)

    def _facets(
        self, searcher: tantivy.Searcher, query: tantivy.Query
    ) -> dict[str, dict[str, int]]:
        spec = {name: {"terms": {"field": name, "size": _FACET_SIZE}} for name in FACETS}
        raw: dict[str, Any] = searcher.aggregate(query, spec)
        return {
            name: {b["key"]: int(b["doc_count"]) for b in raw.get(name, {}).get("buckets", [])}
            for name in FACETS
        }

    def candidates(
        self,
        words: Sequence[QueryWord],
        visible_to: Viewer,
        *,
        kinds: Sequence[str] = KINDS,
        exclude_ids: Sequence[str] = (),
        limit: int = 50,
    ) -> list[tuple[float, SearchDocument]]:
        """Documents nearest a bag of analysed words by BM25 (for the Kooperationsradar)."""
        if not words:
            return []
        clauses: list[tuple[tantivy.Occur, tantivy.Query]] = [
            (
                tantivy.Occur.Must,
                self._filtered(self.text_query(words), SearchFilters(), visible_to),
            ),
            (
                tantivy.Occur.Must,
                _no_score(tantivy.Query.term_set_query(self.schema, "kind", list(kinds))),
            ),
        ]
        for doc_id in exclude_ids:
            clauses.append(
                (tantivy.Occur.MustNot, tantivy.Query.term_query(self.schema, "id", doc_id))
            )
        searcher = self._index.searcher()
        result = searcher.search(
            tantivy.Query.boolean_query(clauses), limit=max(1, limit), count=False
        )
        return [
            (float(score), _decode(searcher.doc(address)["source"][0]))
            for score, address in result.hits[:limit]
        ]

    def size_bytes(self, path: Path | str) -> int:
        """Bytes the index occupies in its directory (for benchmarks)."""
        return sum(p.stat().st_size for p in Path(path).rglob("*") if p.is_file())


def _no_score(query: tantivy.Query) -> tantivy.Query:
    # Filters decide what is seen, not how it ranks.
    return tantivy.Query.const_score_query(query, 0.0)


def snippet(doc: SearchDocument, hit: analysis.Highlighter, size: int = _SNIPPET_CHARS) -> str:
    """The passage of summary or body with the most query words, HTML-escaped, in <mark>.

    Hits of one query share a `Highlighter`, which remembers the words it has judged.
    """
    best = _best_window(doc, hit, size)
    return _marked(*best) if best is not None else ""


_Window = tuple[str, int, int, list[analysis.Word]]


def _found(text: str, hit: analysis.Highlighter) -> list[analysis.Word]:
    """The words of `text` that match, in order. Each candidate word is judged once, and
    the matches are then found by one regular expression. A hyphenated chain is marked
    whole only when none of its parts is the match."""
    matching: set[str] = set()
    for chain in hit.candidates(text):
        parts = analysis.HYPHENS.split(chain)
        if len(parts) == 1:
            if hit(chain):
                matching.add(chain)
            continue
        found_parts = {part for part in parts if hit(part)}
        if found_parts:
            matching |= found_parts
        elif hit("".join(parts)):
            matching.add(chain)
    if not matching:
        return []
    alternatives = "|".join(re.escape(w) for w in sorted(matching, key=len, reverse=True))
    pattern = re.compile(rf"(?<![^\W_])(?:{alternatives})(?![^\W_])")
    return [analysis.Word(m.group(), m.start(), m.end()) for m in pattern.finditer(text)]


def _best_window(doc: SearchDocument, hit: analysis.Highlighter, size: int) -> _Window | None:
    """The text and window (begin, end) holding the most matching words, and those words."""
    best: tuple[int, _Window] | None = None
    # Like tantivy's own snippet generator, only the beginning of a long body is read.
    for text in (doc.summary, doc.body[:_SNIPPET_SCAN], doc.title):
        if not text:
            continue
        found = _found(text, hit)
        # The window starting at each match; the one holding the most matches wins.
        for start in [w.start for w in found] or [0]:
            begin = max(0, start - 40)
            end = min(len(text), begin + size)
            inside = [w for w in found if w.start >= begin and w.end <= end]
            if best is None or len(inside) > best[0]:
                best = (len(inside), (text, begin, end, inside))
        if best is not None and best[0] and text is doc.summary:
            break
    return best[1] if best is not None else None


def _marked(text: str, begin: int, end: int, marks: list[analysis.Word]) -> str:
    """The window as HTML: whole words at its edges, matches in <mark>, the rest escaped."""
    if begin > 0:
        space = text.find(" ", begin)
        begin = space + 1 if 0 <= space < (marks[0].start if marks else end) else begin
    if end < len(text):
        space = text.rfind(" ", begin, end)
        end = space if space > (marks[-1].end if marks else begin) else end
    out: list[str] = ["…"] if begin > 0 else []
    cursor = begin
    for word in sorted(marks, key=lambda w: w.start):
        if word.start < cursor:
            continue
        out.append(html.escape(text[cursor : word.start]))
        out.append(f"<mark>{html.escape(text[word.start : word.end])}</mark>")
        cursor = word.end
    out.append(html.escape(text[cursor:end]))
    if end < len(text):
        out.append("…")
    return "".join(out)
