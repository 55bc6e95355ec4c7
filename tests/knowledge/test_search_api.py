"""Search through the gateway: German as people type it, visibility, facets, snippets, and a
read model the service rebuilds from its database."""

from typing import Any

import httpx

from services.knowledge.index import SearchReadModel
from services.knowledge.search import SearchDocument, SearchFilters, Viewer
from tests.conftest import Platform, eventually
from tests.knowledge.test_solutions import SOLUTION


async def project(client: httpx.AsyncClient, title: str, **fields: Any) -> str:
    body = {"title": title, "topics": ["administration"], "visibility": "public"} | fields
    response = await client.post("/api/v1/projects", json=body)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


async def search(client: httpx.AsyncClient, q: str, **params: Any) -> dict[str, Any]:
    response = await client.get("/api/v1/search", params={"q": q, **params})
    assert response.status_code == 200, response.text
    found: dict[str, Any] = response.json()
    return found


async def found_ids(client: httpx.AsyncClient, q: str, **params: Any) -> set[str]:
    return {hit["id"] for hit in (await search(client, q, **params))["items"]}


async def indexed(platform: Platform, *ids: str) -> None:
    """Wait until the knowledge service has the projects (it learns them from events)."""
    search_model = platform.knowledge.state.runtime.part(SearchReadModel)

    async def all_there() -> bool:
        return all(search_model.index.get(i) is not None for i in ids)

    await eventually(all_there)


class TestGermanAsPeopleTypeIt:
    async def test_stems_umlauts_compounds_and_typos(self, platform: Platform) -> None:
        ags = await platform.municipality()
        client = platform.client(await platform.key("municipality", ags))
        portal = (
            await client.post(
                "/api/v1/solutions",
                json=SOLUTION
                | {"name": "Bürgerportal Kreis", "short_description": "Alle Dienste online."},
            )
        ).json()["id"]
        bau = await project(client, "Online-Bauantrag im Bauantragsverfahren")
        schule = await project(client, "Digitale Schule", summary="Tablets für alle Klassen.")
        await indexed(platform, portal, bau, schule)
        mine = {"municipality": ags}
        assert portal in await found_ids(client, "Buergerportal", **mine)
        assert bau in await found_ids(client, "Bauantrag", **mine)
        assert schule in await found_ids(client, "Digitalisierung", **mine)
        assert portal in await found_ids(client, "Bürgerportl", **mine)

    async def test_snippets_mark_the_match_and_escape_the_rest(self, platform: Platform) -> None:
        ags = await platform.municipality()
        client = platform.client(await platform.key("municipality", ags))
        found = await project(
            client, "Schulportal", summary="Das <b>neue</b> Schulportal für Eltern."
        )
        await indexed(platform, found)
        (hit,) = (await search(client, "Schulportal", municipality=ags))["items"]
        assert "<mark>Schulportal</mark>" in hit["snippet"]
        assert "&lt;b&gt;neue&lt;/b&gt;" in hit["snippet"]


class TestVisibility:
    async def test_each_caller_finds_and_counts_only_what_it_may_see(
        self, platform: Platform
    ) -> None:
        owner, neighbour = await platform.municipality(), await platform.municipality()
        owner_client = platform.client(await platform.key("municipality", owner))
        ids = {
            visibility: await project(owner_client, f"Funkmast {visibility}", visibility=visibility)
            for visibility in ("public", "region", "private")
        }
        await indexed(platform, *ids.values())
        callers = {
            "anonymous": (platform.client(), {"public"}),
            "neighbour": (
                platform.client(await platform.key("municipality", neighbour)),
                {"public", "region"},
            ),
            "owner": (owner_client, {"public", "region", "private"}),
            "coordinator": (
                platform.client(await platform.key("coordinator")),
                {"public", "region", "private"},
            ),
        }
        for name, (client, allowed) in callers.items():
            result = await search(client, "Funkmast", municipality=owner)
            assert {h["id"] for h in result["items"]} == {ids[v] for v in allowed}, name
            assert result["total"] == len(allowed), name
            assert result["facets"]["kind"] == {"project": len(allowed)}, name


class TestFacetsAndPages:
    async def test_facets_filter_and_cursor_pages(self, platform: Platform) -> None:
        ags = await platform.municipality()
        client = platform.client(await platform.key("municipality", ags))
        created = [
            await project(client, f"Parkraum Sensor {n}", topics=["mobility"], status="planned")
            for n in range(3)
        ]
        solution = (
            await client.post("/api/v1/solutions", json=SOLUTION | {"name": "Parkraum-App"})
        ).json()["id"]
        await indexed(platform, *created, solution)
        result = await search(client, "Parkraum", municipality=ags)
        assert result["facets"]["kind"] == {"project": 3, "solution": 1}
        assert result["facets"]["status"] == {"planned": 3}
        only = await found_ids(client, "Parkraum", municipality=ags, kind="solution")
        assert only == {solution}
        first = await search(client, "Parkraum", municipality=ags, limit=2)
        second = await search(client, "", municipality=ags, limit=2, cursor=first["next_cursor"])
        assert len(first["items"]) == 2 and first["next_cursor"]
        assert second["total"] == 4
        tampered = await client.get("/api/v1/search", params={"cursor": "WzEwMDAwMF0"})
        assert tampered.status_code == 400

    async def test_a_retired_solution_leaves_the_search(self, platform: Platform) -> None:
        coordinator = platform.client(await platform.key("coordinator"))
        created = await coordinator.post(
            "/api/v1/solutions", json=SOLUTION | {"name": "Knotenpunktzähler"}
        )
        solution = created.json()["id"]
        assert solution in await found_ids(coordinator, "Knotenpunktzähler")
        await coordinator.delete(f"/api/v1/solutions/{solution}")
        assert solution not in await found_ids(coordinator, "Knotenpunktzähler")


class TestReadModel:
    async def test_a_rebuild_from_the_database_finds_the_same(self, platform: Platform) -> None:
        ags = await platform.municipality()
        client = platform.client(await platform.key("municipality", ags))
        ids = [await project(client, f"Glasfaser Ausbau {n}", visibility="private") for n in "ab"]
        await indexed(platform, *ids)
        runtime = platform.knowledge.state.runtime
        live = runtime.part(SearchReadModel)
        rebuilt = SearchReadModel()
        await rebuilt.rebuild(runtime.db)
        viewer = Viewer(signed_in=True, ags=ags)
        filters = SearchFilters(municipality=ags)
        before = live.index.search("Glasfaser", filters, viewer)
        after = rebuilt.index.search("Glasfaser", filters, viewer)
        # The same hits; scores may differ a little (the live index still counts what
        # updates replaced until its segments merge).
        assert {h.id for h in after.hits} == {h.id for h in before.hits} == set(ids)
        assert after.facets == before.facets


def test_one_commit_applies_its_changes_in_order() -> None:
    # What a unit of work staged reaches the index as one write; the last word on a
    # document wins, as it did in the database.
    model = SearchReadModel()
    doc = SearchDocument(
        id="a", kind="article", title="Glasfaser", visibility="public", owner_ags=""
    )
    model.apply([(doc, None), "a"])
    assert model.index.get("a") is None
    model.apply(["a", (doc, None)])
    assert model.index.get("a") == doc
