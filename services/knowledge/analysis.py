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
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import snowballstemmer

# A word: letters and digits; hyphenated chains are found as one match and split after.
_WORD = re.compile(r"[^\W_]+(?:[-\u2010\u2011][^\W_]+)*")
_HYPHENS = re.compile(r"[-\u2010\u2011]")
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
    for match in _WORD.finditer(text):
        chain = match.group()
        if _HYPHENS.search(chain):
            offset = match.start()
            for part in _HYPHENS.split(chain):
                found.append(Word(part, offset, offset + len(part)))
                offset += len(part) + 1
            found.append(Word(_HYPHENS.sub("", chain), match.start(), match.end()))
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


def word_matches(word: str, query: list[QueryWord]) -> bool:
    """Whether a word of a text is what one of the query words found (for highlighting)."""
    own = word_terms(word)
    if not own:
        return False
    folded = fold(word)
    for q in query:
        if set(own) & set(q.terms):
            return True
        if q.infix and (folded.startswith(q.infix) or own[0].endswith(q.infix)):
            return True
        if q.fuzzy and (within_one_edit(own[0], q.stem) or within_one_edit(folded, q.folded)):
            return True
    return False
