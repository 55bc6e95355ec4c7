"""`eligible_for=<AGS>`: the calls a municipality may apply for, each with its reasons."""

from typing import Any

from tests.conftest import Platform, eventually, new_ags
from tests.funding.test_calls import CALLS, call_body


async def test_answers_from_land_kind_and_population_with_reasons(platform: Platform) -> None:
    small_town = await platform.municipality(name="Kleinstadt", kind="stadt", population=12_000)
    county = await platform.municipality(
        name="Landkreis Test", kind="landkreis", population=250_000
    )
    unknown_size = await platform.municipality(name="Ohne Zahl", kind="gemeinde")
    coordinator = platform.client(await platform.key("coordinator"))
    marker = f"eligibility{platform.backend}"
    rules: dict[str, dict[str, Any]] = {
        "hessen-towns": {"laender": ["06"], "municipality_kinds": ["gemeinde", "stadt"]},
        "bavaria": {"laender": ["09"]},
        "small": {"population_max": 20_000},
        "counties": {"municipality_kinds": ["landkreis"]},
        "associations": {"municipality_kinds": [], "other_applicants": ["Vereine"]},
    }
    for name, applicants in rules.items():
        body = call_body(title=f"{marker} {name}", applicants=applicants)
        assert (await coordinator.post(CALLS, json=body)).status_code == 201

    async def answer(ags: str) -> dict[str, dict[str, Any]]:
        response = await platform.client().get(CALLS, params={"q": marker, "eligible_for": ags})
        assert response.status_code == 200, response.text
        return {
            c["title"].removeprefix(marker + " "): c["eligibility"]
            for c in response.json()["items"]
        }

    town = await answer(small_town)
    assert set(town) == {"hessen-towns", "small"}
    assert all(e["eligible"] and e["ags"] == small_town for e in town.values())
    assert town["hessen-towns"]["reasons"] == [
        "Hessen ist förderberechtigt",
        "Städte sind antragsberechtigt",
    ]
    assert town["small"]["reasons"] == [
        "bundesweit förderberechtigt",
        "Städte bis 20.000 Einwohner",
    ]
    assert set(await answer(county)) == {"counties"}
    # Without a recorded population a population rule cannot be met.
    assert set(await answer(unknown_size)) == {"hessen-towns"}
    # Without eligible_for, every call and no verdict.
    listing = (await platform.client().get(CALLS, params={"q": marker})).json()
    assert listing["total"] == 5
    assert all(c["eligibility"] is None for c in listing["items"])


async def test_unknown_municipality_is_named(platform: Platform) -> None:
    response = await platform.client().get(CALLS, params={"eligible_for": new_ags()})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "eligible_for"
    malformed = await platform.client().get(CALLS, params={"eligible_for": "123"})
    assert malformed.status_code == 422


async def test_population_change_from_the_gateway_changes_the_answer(platform: Platform) -> None:
    ags = await platform.municipality(name="Wachsende Stadt", kind="stadt", population=19_000)
    coordinator = platform.client(await platform.key("coordinator"))
    marker = f"growth{platform.backend}"
    body = call_body(title=f"{marker} klein", applicants={"population_max": 20_000})
    assert (await coordinator.post(CALLS, json=body)).status_code == 201
    params = {"q": marker, "eligible_for": ags}
    assert (await platform.client().get(CALLS, params=params)).json()["total"] == 1
    changed = await platform.admin.patch(
        f"/api/v1/municipalities/{ags}", json={"population": 21_000}, headers={"If-Match": '"1"'}
    )
    assert changed.status_code == 200, changed.text

    async def grown_out() -> bool:
        return bool((await platform.client().get(CALLS, params=params)).json()["total"] == 0)

    await eventually(grown_out)
