"""Municipalities of the region: keyed by AGS, registered by coordinators."""

import pytest

from tests.conftest import Platform, eventually, new_ags


async def test_coordinator_registers_a_municipality_with_its_land(platform: Platform) -> None:
    coordinator = platform.client(await platform.key("coordinator"))
    ags = new_ags()
    response = await coordinator.post(
        "/api/v1/municipalities",
        json={"ags": ags, "name": "Gladenbach", "kind": "stadt", "population": 12000},
    )
    assert response.status_code == 201, response.text
    assert response.json()["land"] == "Hessen"
    listed = await platform.client().get("/api/v1/municipalities", params={"limit": 500})
    assert ags in [m["ags"] for m in listed.json()["items"]]
    single = await platform.client().get(f"/api/v1/municipalities/{ags}")
    assert single.json()["name"] == "Gladenbach"


async def test_registering_the_same_ags_twice_is_a_conflict(platform: Platform) -> None:
    ags = await platform.municipality()
    again = await platform.admin.post(
        "/api/v1/municipalities", json={"ags": ags, "name": "Doppelt", "kind": "gemeinde"}
    )
    assert again.status_code == 409
    assert (await platform.client().get(f"/api/v1/municipalities/{ags}")).json()["name"] != (
        "Doppelt"
    )


@pytest.mark.parametrize(
    "ags",
    ["0653401", "065340144", "17534014", "00534014", "A6534014"],
    ids=["too-short", "too-long", "no-land-17", "no-land-00", "letters"],
)
async def test_invalid_ags_is_refused(platform: Platform, ags: str) -> None:
    response = await platform.admin.post(
        "/api/v1/municipalities", json={"ags": ags, "name": "X", "kind": "gemeinde"}
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "ags"
    assert (await platform.client().get(f"/api/v1/municipalities/{ags}")).status_code in (404, 422)


async def test_municipality_and_reader_keys_cannot_register(platform: Platform) -> None:
    ags = await platform.municipality()
    body = {"ags": new_ags(), "name": "X", "kind": "gemeinde"}
    for key in (await platform.key("municipality", ags), await platform.key("reader")):
        assert (
            await platform.client(key).post("/api/v1/municipalities", json=body)
        ).status_code == 403
    assert (await platform.client().post("/api/v1/municipalities", json=body)).status_code == 401


async def test_coordinator_renames_and_the_projects_service_learns_it(platform: Platform) -> None:
    ags = await platform.municipality(name="Neustadt")
    url = f"/api/v1/municipalities/{ags}"
    coordinator = platform.client(await platform.key("coordinator"))
    read = await coordinator.get(url)
    assert read.headers["etag"] == '"1"'
    renamed = await coordinator.patch(
        url, json={"name": "Neustadt (Hessen)", "population": 9500}, headers={"If-Match": '"1"'}
    )
    assert renamed.status_code == 200, renamed.text
    assert renamed.headers["etag"] == '"2"'
    stale = await coordinator.patch(url, json={"name": "X"}, headers={"If-Match": '"1"'})
    assert stale.status_code == 412
    mine = platform.client(await platform.key("municipality", ags))
    assert (await mine.patch(url, json={"name": "X"}, headers={"If-Match": '"2"'})).status_code == (
        403
    )
    cleared = await coordinator.patch(url, json={"name": None}, headers={"If-Match": '"2"'})
    assert cleared.status_code == 422

    from services.projects.repository import get_known_municipality

    async def projects_knows_new_name() -> bool:
        async with platform.projects.state.runtime.db.session() as session:
            known = await get_known_municipality(session, ags)
        return known is not None and known.name == "Neustadt (Hessen)"

    await eventually(projects_knows_new_name)
    assert (await platform.client().get(url)).json()["name"] == "Neustadt (Hessen)"


async def test_an_unchanged_municipality_or_list_is_a_304(platform: Platform) -> None:
    ags = await platform.municipality()
    client = platform.client()
    single = await client.get(f"/api/v1/municipalities/{ags}")
    assert single.headers["etag"] == '"1"'
    unchanged = await client.get(f"/api/v1/municipalities/{ags}", headers={"If-None-Match": '"1"'})
    assert (unchanged.status_code, unchanged.content) == (304, b"")
    page = await client.get("/api/v1/municipalities", params={"land": "06", "limit": 500})
    same = await client.get(
        "/api/v1/municipalities",
        params={"land": "06", "limit": 500},
        headers={"If-None-Match": page.headers["etag"]},
    )
    assert (same.status_code, same.content) == (304, b"")
    await platform.admin.patch(
        f"/api/v1/municipalities/{ags}", json={"population": 1234}, headers={"If-Match": '"1"'}
    )
    changed = await client.get(
        "/api/v1/municipalities",
        params={"land": "06", "limit": 500},
        headers={"If-None-Match": page.headers["etag"]},
    )
    assert changed.status_code == 200
    assert {m["ags"]: m["population"] for m in changed.json()["items"]}[ags] == 1234
