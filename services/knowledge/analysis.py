"""German text analysis shared by the search index, its snippets and the Kooperationsradar.

Text becomes terms in four steps: words (hyphenated words also as their parts), lowercase,
the German Snowball stemmer (inflection, umlauts and ae/oe/ue, ß -> ss) and a word-family
root for the derivational suffixes Snowball keeps (-isier-, -ier-), so `Digitalisierung`
and `digitale` meet at `digital`. Compounds are handled without a dictionary: a query stem
of 5+ letters also matches as the first part of a word (`bauantrag` in
`Bauantragsverfahren`) or as the last part of a word's stem (`antrag` in `Bauanträge`),
because German compounds put their parts side by side; the index keeps the folded words
and their reversed stems, so both are cheap prefix scans. Hyphenated words are split.
"""

import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import snowballstemmer

# A word: letters and digits; hyphenated chains are found as one match and split after.
WORD = re.compile(r"[^\W_]+(?:[-\u2010\u2011][^\W_]+)*")
HYPHENS = re.compile(r"[-\u2010\u2011]")
_UMLAUTS = str.maketrans({"ä": "a", "ö": "o", "ü": "u", "ß": "ss", "é": "e", "è": "e"})
# Transliterated umlauts (Buergerportal) unless part of a diphthong or after q (Quelle, Steuer).
_TRANSLIT = re.compile(r"(?<![aeiouyq])([aou])e")

# Minimum length of a query stem that is also looked for inside compounds.
MIN_INFIX = 5
# Minimum length of a typed word that may carry one typo.
MIN_FUZZY = 6

STOPWORDS = frozenset(
    """
    aber alle allem allen aller alles als also am an ander andere anderem anderen anderer
    anderes auch auf aus bei bin bis bist da damit dann das dass dasselbe dazu dein deine
    dem den denn der des dessen die dies diese diesem diesen dieser dieses doch dort du
    durch ein eine einem einen einer eines einig einige er es etwas euer für gegen gewesen
    hab habe haben hat hatte hatten hier hin hinter ich ihm ihn ihnen ihr ihre im in indem
    ins ist jede jedem jeden jeder jedes jene jetzt kann kein keine können könnte machen man
    manche mein meine mit muss musste nach nicht nichts noch nun nur ob oder ohne sehr sein
    seine selbst sich sie sind so solche soll sollte sondern sonst über um und uns unser
    unter viel vom von vor war waren warst was weg weil weiter welche wenn werde werden wie
    wieder will wir wird wirst wo wollen wollte würde würden zu zum zur zwar zwischen the
    and of for to a an in on with
    """.split()  # noqa: SIM905
)

# A stemmer keeps the word it works on in itself: one per thread (the search runs in
# client threads in benchmarks, and may in a thread pool).
_stemmers = threading.local()


def _stemmer() -> Any:
    stemmer = getattr(_stemmers, "german", None)
    if stemmer is None:
        stemmer = _stemmers.german = snowballstemmer.stemmer("german")
    return stemmer


@dataclass(frozen=True, slots=True)
class Word:
    """One word of a text with its place, for highlighting."""

    text: str
    start: int
    end: int


@lru_cache(maxsize=200_000)
def fold(word: str) -> str:
    """Lowercase, umlauts and ß folded, transliterations (ue, ae, oe) folded the same way."""
    lowered = word.lower().translate(_UMLAUTS)
    return _TRANSLIT.sub(r"\1", lowered)


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """The Snowball stem of one word (already folded by the algorithm itself)."""
    return str(_stemmer().stemWord(word.lower())).translate(_UMLAUTS)


def root(stemmed: str) -> str | None:
    """The word-family root when Snowball left a derivational verb suffix (-isier, -ier)."""
    for suffix, keep in (("isier", 5), ("ier", 6)):
        if stemmed.endswith(suffix) and len(stemmed) - len(suffix) >= keep:
            return stemmed[: -len(suffix)]
    return None


def words(text: str) -> list[Word]:
    """Every word with its offsets; a hyphenated chain yields its parts, then the whole."""
    found: list[Word] = []
    for match in WORD.finditer(text):
        chain = match.group()
        if HYPHENS.search(chain):
            offset = match.start()
            for part in HYPHENS.split(chain):
                found.append(Word(part, offset, offset + len(part)))
                offset += len(part) + 1
            found.append(Word(HYPHENS.sub("", chain), match.start(), match.end()))
        else:
            found.append(Word(chain, match.start(), match.end()))
    return found


@lru_cache(maxsize=200_000)
def word_terms(word: str) -> tuple[str, ...]:
    """The index terms of one word: its stem and, if it has one, its root. Stop words: none."""
    lowered = word.lower()
    if lowered in STOPWORDS or (len(lowered) < 2 and not lowered.isdigit()):
        return ()
    stemmed = stem(lowered)
    extra = root(stemmed)
    return (stemmed, extra) if extra else (stemmed,)


def terms(text: str) -> list[str]:
    """The analysed terms of a text, in order (stems and roots), for the stemmed fields."""
    return [term for word in words(text) for term in word_terms(word.text)]


def folded_words(text: str) -> list[str]:
    """The folded surface words of a text, in which query stems are found as infixes."""
    return [fold(w.text) for w in words(text) if w.text.lower() not in STOPWORDS]


@dataclass(frozen=True, slots=True)
class QueryWord:
    """One word a user typed, with every way it may match."""

    text: str
    terms: tuple[str, ...]
    folded: str
    infix: str | None
    fuzzy: bool

    @property
    def stem(self) -> str:
        return self.terms[0]


def parse_query(text: str) -> list[QueryWord]:
    """The words of a query, stop words dropped, each once."""
    seen: set[str] = set()
    parsed: list[QueryWord] = []
    for word in words(text):
        found = word_terms(word.text)
        if not found or found[0] in seen:
            continue
        seen.add(found[0])
        infix = found[0] if len(found[0]) >= MIN_INFIX else None
        parsed.append(
            QueryWord(word.text, found, fold(word.text), infix, len(word.text) >= MIN_FUZZY)
        )
    return parsed


def within_one_edit(a: str, b: str) -> bool:
    """Damerau-Levenshtein distance of at most one (one typo: insert, delete, swap, replace)."""
    if a == b:
        return True
    la, lb = len(a), len(b)
    if abs(la - lb) > 1:
        return False
    if la == lb:
        diff = [i for i in range(la) if a[i] != b[i]]
        if len(diff) == 1:
            return True
        return (
            len(diff) == 2
            and diff[1] == diff[0] + 1
            and a[diff[0]] == b[diff[1]]
            and a[diff[1]] == b[diff[0]]
        )
    short, long_ = (a, b) if la < lb else (b, a)
    i = 0
    while i < len(short) and short[i] == long_[i]:
        i += 1
    return short[i:] == long_[i + 1 :]


class Highlighter:
    """Whether a word of a text is what the query's words found, for highlighting.

    The query is folded into sets and tuples once, so that a word costs a few lookups
    (snippets ask this for every distinct word of ten hits); each answer is kept.
    """

    def __init__(self, query: Sequence[QueryWord]) -> None:
        self._terms = frozenset(t for q in query for t in q.terms)
        self._infixes = tuple(q.infix for q in query if q.infix)
        self._fuzzy = tuple((q.stem, q.folded) for q in query if q.fuzzy)
        self._known: dict[str, bool] = {}
        fragments = _fragments(query)
        self._sieve = (
            re.compile("|".join(_pattern(f) for f in sorted(fragments, key=len, reverse=True)))
            if fragments
            else None
        )

    def candidates(self, text: str) -> set[str]:
        """The distinct words (hyphenated chains whole) of `text` that may match: every
        match holds one of the query's fragments, so only words around one are judged."""
        lowered = _same_length_fold(text)
        if self._sieve is None or len(lowered) != len(text):
            return set(WORD.findall(text)) if self._sieve is not None else set()
        found: set[str] = set()
        covered = 0
        for fragment in self._sieve.finditer(lowered):
            if fragment.start() < covered:
                continue
            start = fragment.start()
            while start > 0 and (
                text[start - 1].isalnum()
                or (start > 1 and text[start - 1] in _HYPHEN_CHARS and text[start - 2].isalnum())
            ):
                start -= 1
            chain = WORD.match(text, start)
            if chain is not None:
                found.add(chain.group())
                covered = chain.end()
        return found

    def __call__(self, word: str) -> bool:
        found = self._known.get(word)
        if found is None:
            found = self._known[word] = self._matches(word)
        return found

    def _matches(self, word: str) -> bool:
        own = word_terms(word)
        if not own:
            return False
        stemmed = own[0]
        if stemmed in self._terms or (len(own) > 1 and own[1] in self._terms):
            return True
        folded = fold(word)
        if self._infixes and (folded.startswith(self._infixes) or stemmed.endswith(self._infixes)):
            return True
        for stem_, folded_ in self._fuzzy:
            if abs(len(stemmed) - len(stem_)) <= 1 and within_one_edit(stemmed, stem_):
                return True
            if abs(len(folded) - len(folded_)) <= 1 and within_one_edit(folded, folded_):
                return True
        return False


# Umlauts folded letter for letter, so offsets stay those of the text.
_SAME_LENGTH = (("ä", "a"), ("ö", "o"), ("ü", "u"), ("é", "e"), ("è", "e"))


def _same_length_fold(text: str) -> str:
    """Lowercase with umlauts folded; str.replace, because translate is slow per char."""
    lowered = text.lower()
    if not lowered.isascii():
        for letter, plain in _SAME_LENGTH:
            lowered = lowered.replace(letter, plain)
    return lowered


_HYPHEN_CHARS = "-\u2010\u2011"


def _fragments(query: Sequence[QueryWord]) -> set[str]:
    """Pieces of which every matching word holds one, in folded form: a term or infix is
    a prefix of the word or inside it; a word one typo away keeps one half of the stem
    whole, or both but swapped at the middle."""
    pieces: set[str] = set()
    for q in query:
        pieces.update(q.terms)
        if q.fuzzy:
            for whole in (q.stem, q.folded):
                half = len(whole) // 2
                pieces.update((whole[:half], whole[half:]))
                if 0 < half < len(whole):
                    swapped = whole[: half - 1] + whole[half] + whole[half - 1] + whole[half + 1 :]
                    pieces.add(swapped)
    return {p for p in pieces if p}


def _pattern(fragment: str) -> str:
    """A folded fragment as it may stand in lowercased text: ß for ss, ue for u."""
    out: list[str] = []
    i = 0
    while i < len(fragment):
        if fragment.startswith("ss", i):
            out.append("(?:ss|ß)")
            i += 2
            continue
        out.append(re.escape(fragment[i]) + ("e?" if fragment[i] in "aou" else ""))
        i += 1
    return "".join(out)
