"""Search benchmark: the knowledge index (tantivy, German analysis) without HTTP.

Builds an on-disk index of N synthetic German documents (solutions, articles, projects
of 200 municipalities, all three visibilities; words drawn by Zipf's law from a 40,000
word vocabulary with the domain's words among the common ones, so a query matches the
share of documents it would in real text), reports build time and size on disk,
then runs a fixed mix of queries (single words, two and three words, compounds,
typos, umlaut transliterations; half of them with a facet filter; every one with
highlighted snippets and facet counts) from 16 concurrent client threads and reports
p50/p99 latency and throughput. This is the baseline for the later HTTP benchmark.
Two passes per size: the full search (snippets and facet counts) and ranked hits only,
which is what tantivy itself costs.
Usage: python -m bench.search [--sizes 10000 100000] [--clients 16] [--queries 4000]
"""

import argparse
import itertools
import json
import os
import platform
import random
import shutil
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

from services.knowledge.search import Kind, SearchDocument, SearchFilters, SearchIndex, Viewer

MODIFIERS = [
    "Bau",
    "Bürger",
    "Schul",
    "Kita",
    "Verkehrs",
    "Abfall",
    "Wasser",
    "Personal",
    "Steuer",
    "Melde",
    "Gewerbe",
    "Friedhofs",
    "Sozial",
    "Jugend",
    "Rats",
    "Haushalts",
    "Straßen",
    "Wahl",
    "Energie",
    "Klima",
    "Feuerwehr",
    "Tourismus",
    "Kultur",
    "Sport",
    "Park",
]
HEADS = [
    "antrag",
    "portal",
    "verwaltung",
    "verfahren",
    "planung",
    "service",
    "amt",
    "management",
    "register",
    "informationssystem",
    "beteiligung",
    "beratung",
    "konzept",
    "plattform",
    "kataster",
    "genehmigung",
    "datenbank",
    "assistent",
    "dienst",
    "karte",
]
WORDS = [
    "digital",
    "digitale",
    "Digitalisierung",
    "online",
    "papierlos",
    "Bürgerinnen",
    "Bürger",
    "Verwaltung",
    "Landkreis",
    "Gemeinde",
    "Stadt",
    "Antragstellung",
    "Schnittstelle",
    "Fachverfahren",
    "Open",
    "Source",
    "gemeinsam",
    "Nachnutzung",
    "Pilotprojekt",
    "Einführung",
    "Ausschreibung",
    "Förderung",
    "Datenschutz",
    "barrierefrei",
    "mobil",
    "Termine",
    "Formulare",
    "E-Akte",
    "Onlinezugangsgesetz",
    "Kommunen",
    "Zusammenarbeit",
    "Betrieb",
    "Rechenzentrum",
    "Cloud",
    "Geodaten",
    "Nutzerkonto",
    "Bezahlung",
    "Prozess",
    "Mitarbeitende",
    "Schulung",
    "Öffentlichkeit",
    "Transparenz",
    "Sensoren",
    "Energie",
    "Lärmschutz",
    "Straßenbeleuchtung",
    "Haushaltsplan",
    "Sitzungen",
    "Vorlagen",
    "Wahlhelfer",
]
# The region's topic keys, so the same documents can be searched through the API.
TOPICS = [
    "administration",
    "education",
    "mobility",
    "environment_climate",
    "health_care",
    "citizen_services",
    "it_security",
]
QUERIES = [
    "Bauantrag",
    "Bürgerportal",
    "Buergerportal",
    "Digitalisierung",
    "digitale Verwaltung",
    "Kitaplatz",
    "Ratsinformationssystem",
    "Straßenbeleuchtung",
    "Strassen",
    "Abfallkalender",
    "Onlinezugangsgesetz Formulare",
    "Digitalisirung",
    "Verwaltnug",
    "Personalverwaltung",
    "Schnittstelle Fachverfahren",
    "Open Source Nachnutzung",
    "Geodaten Karte",
    "Antrag",
    "Wasserzähler",
    "Friedhofsverwaltung",
    "E-Akte Einführung",
    "Klimakonzept",
    "Wahlhelfer",
    "Energie Sensoren Landkreis",
    "papierlos",
    "Jugendbeteiligung",
    "Tourismusportal",
]


SYLLABLES = [
    "ber",
    "gen",
    "hau",
    "schaft",
    "land",
    "stein",
    "feld",
    "mark",
    "tal",
    "wald",
    "ung",
    "lei",
    "ter",
    "kom",
    "mu",
    "nal",
    "ver",
    "band",
    "stra",
    "dorf",
    "amt",
    "rat",
    "grund",
    "wirt",
    "bahn",
    "brun",
    "nen",
    "kreis",
    "heim",
    "burg",
    "bach",
    "weg",
    "platz",
    "ord",
]
FUNCTION_WORDS = ["die", "der", "und", "in", "den", "von", "zu", "mit", "das", "für", "im"]


def vocabulary(rng: random.Random, size: int = 40_000) -> list[str]:
    """Words by rank for a Zipf draw: function words first, the domain among the common."""
    pseudo = {
        "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))).capitalize()
        for _ in range(size)
    }
    compounds = [m + h for m in MODIFIERS for h in HEADS]
    domain = WORDS + compounds
    rest = sorted(pseudo)
    rng.shuffle(rest)
    # Domain words spread over ranks 20..3000, as in real administrative text.
    ranked = FUNCTION_WORDS + rest[: 3000 - len(domain)]
    for word in domain:
        ranked.insert(rng.randint(len(FUNCTION_WORDS) + 10, len(ranked)), word)
    return ranked + rest[3000 - len(domain) :]


def synthetic(count: int, seed: int = 7) -> Iterator[SearchDocument]:
    """Documents whose words follow Zipf's law (s = 1.05) over a 40,000-word vocabulary."""
    rng = random.Random(seed)
    words = vocabulary(rng)
    weights = list(itertools.accumulate(1.0 / (rank + 1) ** 1.05 for rank in range(len(words))))
    kinds: tuple[Kind, ...] = ("solution", "article", "project")

    def text(n: int) -> str:
        return " ".join(rng.choices(words, cum_weights=weights, k=n))

    for n in range(count):
        compound = rng.choice(MODIFIERS) + rng.choice(HEADS)
        yield SearchDocument(
            id=f"doc-{n}",
            kind=kinds[n % 3],
            title=f"{compound} {text(3)}",
            summary=text(20),
            body=text(rng.randint(60, 250)),
            visibility=rng.choice(("public", "public", "region", "private")),
            owner_ags=f"09{rng.randint(100, 299):03d}000",
            topics=tuple(rng.sample(TOPICS, rng.randint(1, 2))),
            maturity=rng.choice(("concept", "beta", "stable", None)),
            license=rng.choice(("EUPL-1.2", "MIT", "AGPL-3.0-or-later", None)),
            status=rng.choice(("planned", "in_progress", "completed")),
        )


def percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)

    def at(q: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(len(ordered) * q))] * 1000, 2)

    return {"p50_ms": at(0.50), "p99_ms": at(0.99), "max_ms": round(ordered[-1] * 1000, 2)}


def measure(index: SearchIndex, clients: int, queries: int, *, full: bool) -> dict[str, object]:
    """`clients` threads, each sending its share of `queries`, one after the other."""
    viewers = [
        Viewer(),
        Viewer(signed_in=True, ags="09150000"),
        Viewer(signed_in=True, region_wide=True),
    ]
    latencies: list[float] = []
    lock = threading.Lock()
    per_client = queries // clients

    def client(seed: int) -> None:
        rng = random.Random(seed)
        mine: list[float] = []
        for _ in range(per_client):
            text = rng.choice(QUERIES)
            filters = SearchFilters(topic=rng.choice(TOPICS)) if rng.random() < 0.5 else None
            t0 = time.perf_counter()
            index.search(text, filters, rng.choice(viewers), limit=10, facets=full, snippets=full)
            mine.append(time.perf_counter() - t0)
        with lock:
            latencies.extend(mine)

    for text in QUERIES:  # warm the caches once, as a running replica would be
        index.search(text, None, viewers[2])
    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    started = time.perf_counter()
    cpu = time.process_time()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    return {
        "mode": "snippets+facets" if full else "ranked hits only",
        "clients": clients,
        "queries": len(latencies),
        "queries_per_s": round(len(latencies) / wall, 1),
        "cpu_ms_per_query": round((time.process_time() - cpu) / len(latencies) * 1000, 2),
        **percentiles(latencies),
    }


def run(size: int, clients: int, queries: int) -> list[dict[str, object]]:
    directory = Path(tempfile.mkdtemp(prefix="lotse-search-bench-"))
    try:
        index = SearchIndex(directory, writer_heap=256_000_000)
        started = time.perf_counter()
        index.rebuild(synthetic(size))
        build_s = time.perf_counter() - started
        index.close()
        size_mb = sum(p.stat().st_size for p in directory.rglob("*") if p.is_file()) / 1e6
        built = {"documents": size, "build_s": round(build_s, 1), "size_mb": round(size_mb, 1)}
        reader = SearchIndex(directory)
        return [
            {**built, **measure(reader, clients, queries, full=True)},
            {**built, **measure(reader, clients, queries, full=False)},
        ]
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--queries", type=int, default=4_000)
    args = parser.parse_args()
    print(f"# {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    for size in args.sizes:
        for row in run(size, args.clients, args.queries):
            print(json.dumps(row), flush=True)


if __name__ == "__main__":
    main()
