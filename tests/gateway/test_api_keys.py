"""API keys: shown once, stored hashed, revocable at once, granted by role."""

from sqlalchemy import select
from sqlmodel import col

from services.gateway.identity import KeyResolver
from services.gateway.keys import display_prefix
from services.gateway.models import ApiKey
from tests.conftest import Platform, new_ags


async def test_a_key_is_shown_once_and_stored_only_as_a_hash(platform: Platform) -> None:
    response = await platform.admin.post(
        "/api/v1/api-keys", json={"name": "Intranet", "role": "reader"}
    )
    assert response.status_code == 201
    created = response.json()
    assert created["key"].startswith(created["prefix"])
    listed = (await platform.admin.get("/api/v1/api-keys", params={"limit": 500})).json()
    mine = next(k for k in listed["items"] if k["id"] == created["id"])
    assert "key" not in mine
    async with platform.gateway.state.runtime.db.session() as session:
        row = await session.scalar(select(ApiKey).where(ApiKey.id == created["id"]))
    assert row is not None
    assert created["key"] not in (row.secret_hash, row.prefix, row.name)


async def test_revoked_key_stops_working_at_once(platform: Platform) -> None:
    key = await platform.key("coordinator")
    client = platform.client(key)
    assert (await client.get("/api/v1/api-keys")).status_code == 200
    key_id = next(
        k["id"]
        for k in (await platform.admin.get("/api/v1/api-keys", params={"limit": 500})).json()[
            "items"
        ]
        if key.startswith(k["prefix"]) and k["revoked_at"] is None
    )
    assert (await platform.admin.delete(f"/api/v1/api-keys/{key_id}")).status_code == 204
    refused = await client.get("/api/v1/api-keys")
    assert refused.status_code == 401
    assert refused.headers["content-type"] == "application/problem+json"


async def test_last_use_is_recorded(platform: Platform) -> None:
    used, unused = await platform.key("reader"), await platform.key("reader")
    await platform.client(used).get("/api/v1/projects")
    await platform.gateway.state.runtime.part(KeyResolver).flush()
    async with platform.gateway.state.runtime.db.session() as session:
        rows = {r.prefix: r for r in (await session.scalars(select(ApiKey))).all()}
    assert rows[display_prefix(used)].last_used_at is not None
    assert rows[display_prefix(unused)].last_used_at is None


async def test_roles_grant_only_what_they_may(platform: Platform) -> None:
    mine, theirs = await platform.municipality(), await platform.municipality()
    municipality = platform.client(await platform.key("municipality", mine))
    coordinator = platform.client(await platform.key("coordinator"))
    reader = platform.client(await platform.key("reader"))
    cases = [
        (coordinator, {"role": "admin"}, 403),
        (coordinator, {"role": "municipality", "ags": mine}, 201),
        (municipality, {"role": "reader"}, 403),
        (municipality, {"role": "municipality", "ags": mine}, 201),
        (municipality, {"role": "municipality", "ags": theirs}, 403),
        (municipality, {"role": "coordinator"}, 403),
        (reader, {"role": "reader"}, 403),
        (platform.admin, {"role": "municipality"}, 422),
        (platform.admin, {"role": "reader", "ags": mine}, 422),
        (platform.admin, {"role": "municipality", "ags": new_ags()}, 422),
        (platform.admin, {"role": "emperor"}, 422),
    ]
    for client, body, status in cases:
        response = await client.post("/api/v1/api-keys", json={"name": "t"} | body)
        assert response.status_code == status, (body, response.text)


async def test_unknown_key_is_refused_not_treated_as_anonymous(platform: Platform) -> None:
    response = await platform.client("lotse_00000000_nope").get("/api/v1/projects")
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")
    malformed = await platform.client().get(
        "/api/v1/projects", headers={"Authorization": "Basic abc"}
    )
    assert malformed.status_code == 401


async def test_a_retried_key_request_never_shows_or_stores_the_key_again(
    platform: Platform,
) -> None:
    headers = {"Idempotency-Key": "issue-intranet-key"}
    body = {"name": "Intranet", "role": "reader"}
    first = await platform.admin.post("/api/v1/api-keys", json=body, headers=headers)
    assert first.status_code == 201
    retry = await platform.admin.post("/api/v1/api-keys", json=body, headers=headers)
    assert retry.status_code == 409
    assert first.json()["key"] not in retry.text
    from shared.kit.idempotency import IdempotencyRecord

    async with platform.gateway.state.runtime.db.session() as session:
        stored = (await session.scalars(select(col(IdempotencyRecord.body)))).all()
    assert not any(first.json()["key"] in text for text in stored)


async def test_the_key_list_says_its_total(platform: Platform) -> None:
    ags = await platform.municipality()
    key = await platform.key("municipality", ags)
    for _ in range(2):
        await platform.key("municipality", ags)
    client = platform.client(key)
    first = (await client.get("/api/v1/api-keys", params={"limit": 2})).json()
    assert first["total"] == 3
    rest = await client.get("/api/v1/api-keys", params={"cursor": first["next_cursor"]})
    assert rest.json()["total"] == 3
    assert len(rest.json()["items"]) == 1
