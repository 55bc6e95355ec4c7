"""Knowledge benchmark: search and suggestions through the gateway, with the raw library
query on the very same index as the baseline, in the same run.

For each size, the knowledge service's database is filled with N synthetic documents
(bench.search: solutions, articles and projects of 200 municipalities, all three
visibilities, Zipf-distributed German words), the platform is started as `lotse up`
runs it (one uvicorn process per service) and the service rebuilds its index and the
Kooperationsradar from the database (the time is reported). Then:

1. search through the gateway: `clients` concurrent HTTP clients, the query mix of
   bench.search (half with a topic filter; anonymous, municipality and coordinator),
   10 hits with snippets and facet counts, as the API always answers;
2. the same query mix on the same index directory with the library directly
   (SearchIndex.search in `clients` threads): the baseline;
3. suggestions for one project at a time through the gateway (Kooperationsradar).

Usage: python -m bench.knowledge [--sizes 10000 100000] [--clients 16] [--queries 2000]
"""

import argparse
import asyncio
import json
import os
import platform
import random
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import insert

from bench.platform import ADMIN_KEY, running_platform
from bench.search import QUERIES, TOPICS, measure, percentiles, synthetic
from services.knowledge.models import Article, KnownProject, Solution
from services.knowledge.search import SearchDocument, SearchIndex
from shared.kit.db import Database, table_of
from shared.kit.sqltypes import utcnow

MIGRATIONS = Path(__file__).resolve().parents[1] / "services" / "knowledge" / "migrations"
MUNICIPALITY = "09150000"
BATCH = 5_000


def uuid_of(doc_id: str) -> str:
    """The API's ids are UUIDs; the synthetic documents' become stable ones."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"urn:lotse:bench:{doc_id}"))


def _row(doc: SearchDocument) -> tuple[Any, dict[str, Any]]:
    """The row of the service's table that yields this document on rebuild."""
    now = utcnow()
    common = {"id": uuid_of(doc.id), "topics": list(doc.topics), "updated_at": now}
    if doc.kind == "solution":
        return table_of(Solution), common | {
            "name": doc.title[:200], "short_description": doc.summary[:150],
            "long_description": doc.body, "description_en": None,
            "topic_keys": "|" + "|".join(doc.topics) + "|", "leika_refs": [],
            "license": doc.license or "EUPL-1.2", "maturity": doc.maturity,
            "contacts": [], "requirements": [], "provider_ags": doc.owner_ags,
            "owner_ags": doc.owner_ags, "publiccode": {}, "status": "active", "version": 1,
            "created_by": "bench", "created_at": now,
        }  # fmt: skip
    if doc.kind == "article":
        return table_of(Article), common | {
            "title": doc.title[:200], "kind": "guide", "summary": doc.summary, "body": doc.body,
            "body_html": "", "topic_keys": "|" + "|".join(doc.topics) + "|",
            "solution_ids": [], "project_ids": [], "municipality_ags": doc.owner_ags,
            # Articles know public and region only.
            "visibility": "region" if doc.visibility == "private" else doc.visibility,
            "version": 1, "created_by": "bench", "created_at": now,
        }  # fmt: skip
    return table_of(KnownProject), common | {
        "municipality_ags": doc.owner_ags, "title": doc.title[:200], "summary": doc.summary,
        "description": doc.body, "target_groups": [], "status": doc.status or "planned",
        "visibility": doc.visibility, "based_on_solution": None, "version": 1,
    }  # fmt: skip


async def _fill(data: Path, size: int) -> None:
    db = Database(f"sqlite+aiosqlite:///{data / 'knowledge.db'}")
    await db.migrate(MIGRATIONS)
    batches: dict[Any, list[dict[str, Any]]] = {}
    async with db.session() as session:
        for doc in synthetic(size):
            table, row = _row(doc)
            batch = batches.setdefault(table, [])
            batch.append(row)
            if len(batch) >= BATCH:
                await session.execute(insert(table), batch)
                batch.clear()
        for table, rows in batches.items():
            if rows:
                await session.execute(insert(table), rows)
        await session.commit()
    await db.dispose()


def _key(gateway: str, role: str, ags: str | None = None) -> str:
    admin = {"Authorization": f"Bearer {ADMIN_KEY}"}
    body = {"name": f"bench {role}", "role": role} | ({"ags": ags} if ags else {})
    return str(httpx.post(f"{gateway}/api/v1/api-keys", json=body, headers=admin).json()["key"])


async def _http_search(
    gateway: str, keys: list[str | None], clients: int, queries: int
) -> dict[str, Any]:
    latencies: list[float] = []
    failures = 0
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=gateway, limits=limits, timeout=60) as http:

        async def client(seed: int) -> None:
            nonlocal failures
            rng = random.Random(seed)
            for _ in range(queries // clients):
                params = {"q": rng.choice(QUERIES), "limit": "10"}
                if rng.random() < 0.5:
                    params["topic"] = rng.choice(TOPICS)
                key = rng.choice(keys)
                headers = {"Authorization": f"Bearer {key}"} if key else {}
                t0 = time.perf_counter()
                response = await http.get("/api/v1/search", params=params, headers=headers)
                latencies.append(time.perf_counter() - t0)
                failures += response.status_code != 200

        for text in QUERIES:  # warm, as a running replica would be
            await http.get("/api/v1/search", params={"q": text})
        started = time.perf_counter()
        await asyncio.gather(*(client(i) for i in range(clients)))
        wall = time.perf_counter() - started
    return {
        "mode": "search through the gateway",
        "clients": clients,
        "queries": len(latencies),
        "failures": failures,
        "queries_per_s": round(len(latencies) / wall, 1),
        **percentiles(latencies),
    }


def _suggestions(gateway: str, key: str, project_ids: list[str]) -> dict[str, Any]:
    latencies: list[float] = []
    found = 0
    with httpx.Client(base_url=gateway, timeout=60) as http:
        headers = {"Authorization": f"Bearer {key}"}
        http.get(f"/api/v1/projects/{project_ids[0]}/suggestions", headers=headers)
        for project_id in project_ids:
            t0 = time.perf_counter()
            response = http.get(f"/api/v1/projects/{project_id}/suggestions", headers=headers)
            latencies.append(time.perf_counter() - t0)
            body = response.json()
            found += len(body["projects"]) + len(body["solutions"])
    return {
        "mode": "suggestions through the gateway, one client",
        "requests": len(latencies),
        "suggestions_per_request": round(found / len(latencies), 1),
        **percentiles(latencies),
    }


def _rss_mb(pid: int) -> float:
    """Resident memory of a process (Linux): index cache, radar profiles, the rest."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 1)
    return float("nan")


def run(size: int, clients: int, queries: int) -> list[dict[str, Any]]:
    index_dir_name = "search-index"
    env = {"LOTSE_KNOWLEDGE_SEARCH_INDEX_DIR": "{data}/" + index_dir_name}

    def prepare(data: Path) -> None:
        asyncio.run(_fill(data, size))

    started = time.perf_counter()
    with running_platform(env=env, prepare=prepare, ready_seconds=3600) as lotse:
        ready_s = round(time.perf_counter() - started, 1)
        index_dir = lotse.data / index_dir_name
        size_mb = round(sum(p.stat().st_size for p in index_dir.rglob("*") if p.is_file()) / 1e6, 1)
        httpx.post(
            f"{lotse.gateway}/api/v1/municipalities",
            json={"ags": MUNICIPALITY, "name": "Bench", "kind": "stadt"},
            headers={"Authorization": f"Bearer {ADMIN_KEY}"},
        ).raise_for_status()
        keys: list[str | None] = [
            None,
            _key(lotse.gateway, "municipality", MUNICIPALITY),
            _key(lotse.gateway, "coordinator"),
        ]
        built = {
            "documents": size,
            "start_with_rebuild_s": ready_s,
            "index_mb": size_mb,
            "knowledge_rss_mb": _rss_mb(lotse.pids["knowledge"]),
        }
        http = asyncio.run(_http_search(lotse.gateway, keys, clients, queries))
        raw = measure(SearchIndex(index_dir), clients, queries, full=True)
        projects = [uuid_of(f"doc-{n}") for n in range(2, min(size, 600), 3)][:50]  # projects
        suggestions = _suggestions(lotse.gateway, str(keys[2]), projects)
    raw["mode"] = "library directly (baseline), same index"
    return [built | http, built | raw, built | suggestions]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--queries", type=int, default=2_000)
    args = parser.parse_args()
    print(f"# {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    for size in args.sizes:
        rows = run(size, args.clients, args.queries)
        if rows[0]["failures"]:
            raise SystemExit(f"{rows[0]['failures']} searches failed")
        ratio = rows[0]["p99_ms"] / rows[1]["p99_ms"] if rows[1]["p99_ms"] else float("nan")
        for row in rows:
            print(json.dumps(row), flush=True)
        print(json.dumps({"documents": size, "p99_gateway_over_library": round(ratio, 2)}))


if __name__ == "__main__":
    main()
