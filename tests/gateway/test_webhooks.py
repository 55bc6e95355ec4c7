"""Outgoing webhooks of the feed: what reaches the feed reaches the webhooks that asked for
it, signed the Standard Webhooks way, within what their owner may see, once.

The whole platform on a real broker, SQLite and PostgreSQL; receivers are real HTTP
servers on loopback that verify with the `standardwebhooks` library."""

import contextlib
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import ADMIN_KEY, Platform, eventually, new_ags
from tests.funding.receiver import Receiver, receiver
from tests.gateway.conftest import lone_gateway

CREATED = "de.lotse.project.created.v1"
UPDATED = "de.lotse.project.updated.v1"
PROJECTS = "/api/v1/projects"
HOOKS = "/api/v1/webhooks"


@contextlib.asynccontextmanager
async def subscribed(
    client: httpx.AsyncClient, types: list[str] | None = None, **filters: Any
) -> AsyncIterator[tuple[Receiver, dict[str, Any]]]:
    """A receiver and a webhook that sends to it."""
    async with receiver() as box:
        body = {"url": box.url, "event_types": types or [CREATED]} | filters
        response = await client.post(HOOKS, json=body)
        assert response.status_code == 201, response.text
        webhook = response.json()
        box.secrets.append(webhook["secret"])
        yield box, webhook


async def new_project(
    client: httpx.AsyncClient,
    title: str,
    visibility: str = "public",
    topics: list[str] | None = None,
) -> dict[str, Any]:
    body = {"title": title, "topics": topics or ["mobility"], "visibility": visibility}
    response = await client.post(PROJECTS, json=body)
    assert response.status_code == 201, response.text
    project: dict[str, Any] = response.json()
    return project


async def change_project(
    client: httpx.AsyncClient, project: dict[str, Any], **changes: Any
) -> dict[str, Any]:
    response = await client.patch(
        f"{PROJECTS}/{project['id']}", json=changes, headers={"If-Match": f'"{project["version"]}"'}
    )
    assert response.status_code == 200, response.text
    changed: dict[str, Any] = response.json()
    return changed


async def deliveries(client: httpx.AsyncClient, webhook: dict[str, Any]) -> list[dict[str, Any]]:
    response = await client.get(f"{HOOKS}/{webhook['id']}/deliveries")
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


def subjects(box: Receiver) -> list[str]:
    """Subjects of the verified messages the receiver acknowledged."""
    return [
        r.payload["subject"]
        for r in box.received
        if r.payload is not None and r.webhook_id in box.acknowledged
    ]


async def municipality_client(platform: Platform) -> tuple[str, httpx.AsyncClient]:
    ags = await platform.municipality()
    return ags, platform.client(await platform.key("municipality", ags))


class TestDelivery:
    async def test_a_project_posted_through_the_api_reaches_the_receiver_signed(
        self, platform: Platform
    ) -> None:
        ags, client = await municipality_client(platform)
        async with subscribed(client, description="Intranet") as (box, webhook):
            assert webhook["secret"].startswith("whsec_")
            assert webhook["owner_ags"] == ags and webhook["status"] == "active"
            project = await new_project(client, "Bürgerportal")

            async def arrived() -> bool:
                return project["id"] in subjects(box)

            await eventually(arrived)
        message = next(r for r in box.received if r.payload is not None)
        # Verified with the secret by `standardwebhooks`; the body is the CloudEvent.
        assert message.headers["content-type"] == "application/cloudevents+json"
        assert message.payload is not None
        assert message.payload["type"] == CREATED
        assert message.payload["specversion"] == "1.0"
        assert message.payload["source"] == "/lotse/projects"
        assert message.payload["data"]["project"]["title"] == "Bürgerportal"
        assert message.payload["lotsemunicipality"] == ags
        feed = (await client.get("/api/v1/feed", params={"limit": 200})).json()["items"]
        entry = next(e for e in feed if e["subject"] == project["id"] and e["type"] == CREATED)
        assert message.payload["lotsefeedid"] == entry["id"]
        assert message.payload["data"] == entry["data"]
        listed = await deliveries(client, webhook)
        assert [(d["status"], d["attempts"], d["feed_entry"]) for d in listed] == [
            ("delivered", 1, entry["id"])
        ]
        assert listed[0]["webhook_message_id"] == message.webhook_id

    async def test_filters_by_type_municipality_and_topic(self, platform: Platform) -> None:
        ags, client = await municipality_client(platform)
        both = [CREATED, UPDATED]
        async with (
            subscribed(client, [UPDATED]) as (only_updates, _),
            subscribed(client, both, municipality=new_ags()) as (elsewhere, other_hook),
            subscribed(client, both, topic="education") as (education, _),
            subscribed(client, both, municipality=ags) as (here, _),
        ):
            project = await new_project(client, "Radwege", topics=["mobility"])
            # Last: the update moves it to education; every webhook has seen what it gets.
            await change_project(client, project, topics=["education"])

            async def all_arrived() -> bool:
                return (
                    len(subjects(here)) == 2
                    and len(subjects(only_updates)) == 1
                    and len(subjects(education)) == 1
                )

            await eventually(all_arrived)
        assert [r.payload["type"] for r in only_updates.received if r.payload] == [UPDATED]
        assert [r.payload["type"] for r in education.received if r.payload] == [UPDATED]
        assert elsewhere.received == []
        assert await deliveries(client, other_hook) == []

    async def test_another_municipalitys_private_project_never_reaches_a_municipalitys_webhook(
        self, platform: Platform
    ) -> None:
        _, watcher = await municipality_client(platform)
        _, owner = await municipality_client(platform)
        coordinator = platform.client(await platform.key("coordinator"))
        async with (
            subscribed(watcher) as (box, webhook),
            subscribed(coordinator) as (region_box, _),
        ):
            hidden = await new_project(owner, "Intern", visibility="private")
            members = await new_project(owner, "Für die Region", visibility="region")
            shown = await new_project(owner, "Öffentlich")

            async def arrived() -> bool:
                return shown["id"] in subjects(box) and shown["id"] in subjects(region_box)

            await eventually(arrived)
            assert hidden["id"] in subjects(region_box)  # coordinators see it all
        assert hidden["id"] not in subjects(box)
        assert members["id"] in subjects(box)
        assert len(await deliveries(watcher, webhook)) == 2  # nothing queued of the hidden one

    async def test_what_is_narrowed_before_it_went_out_is_not_sent(
        self, platform: Platform
    ) -> None:
        _, watcher = await municipality_client(platform)
        _, owner = await municipality_client(platform)
        async with subscribed(watcher) as (box, webhook):
            box.answers = [(503, {})]  # the first attempt fails: the delivery waits 5 s
            project = await new_project(owner, "Bald privat")

            async def failed_once() -> list[dict[str, Any]]:
                return [d for d in await deliveries(watcher, webhook) if d["attempts"] == 1]

            await eventually(failed_once)
            await change_project(owner, project, visibility="private")

            async def cancelled() -> list[dict[str, Any]]:
                return [d for d in await deliveries(watcher, webhook) if d["status"] == "cancelled"]

            (delivery,) = await eventually(cancelled)
        assert "no longer visible" in delivery["last_error"]
        assert len(box.received) == 1 and box.acknowledged == []


class TestRetries:
    async def test_a_failing_receiver_gets_a_retry_and_the_message_takes_effect_once(
        self, platform: Platform
    ) -> None:
        _, client = await municipality_client(platform)
        async with subscribed(client) as (box, webhook):
            box.answers = [(500, {})]
            project = await new_project(client, "Zweiter Versuch")

            async def delivered() -> list[dict[str, Any]]:
                return [d for d in await deliveries(client, webhook) if d["status"] == "delivered"]

            (delivery,) = await eventually(delivered)
        assert delivery["attempts"] == 2
        assert [r.payload["subject"] for r in box.received if r.payload] == [project["id"]] * 2
        ids = {r.webhook_id for r in box.received}
        assert ids == {delivery["webhook_message_id"]}
        assert box.acknowledged == [delivery["webhook_message_id"]]

    async def test_a_gone_endpoint_is_disabled_and_redelivered_after_it_is_back(
        self, platform: Platform
    ) -> None:
        _, client = await municipality_client(platform)
        async with subscribed(client) as (box, webhook):
            box.answers = [(410, {})]
            await new_project(client, "Verschwunden")

            async def failed() -> list[dict[str, Any]]:
                return [d for d in await deliveries(client, webhook) if d["status"] == "failed"]

            (delivery,) = await eventually(failed)
            url = f"{HOOKS}/{webhook['id']}"
            state = await client.get(url)
            assert state.json()["status"] == "disabled"
            redeliver = f"{url}/deliveries/{delivery['id']}/redeliver"
            assert (await client.post(redeliver)).status_code == 409  # not while disabled
            enabled = await client.patch(
                url, json={"active": True}, headers={"If-Match": state.headers["etag"]}
            )
            assert enabled.json()["status"] == "active"
            again = await client.post(redeliver)
            assert again.status_code == 202, again.text

            async def delivered() -> list[dict[str, Any]]:
                return [d for d in await deliveries(client, webhook) if d["status"] == "delivered"]

            await eventually(delivered)
            assert (await client.post(redeliver)).status_code == 409  # delivered already
        assert [r.webhook_id for r in box.received] == [delivery["webhook_message_id"]] * 2
        assert box.acknowledged == [delivery["webhook_message_id"]]

    async def test_a_ping_is_signed_like_every_message(self, platform: Platform) -> None:
        _, client = await municipality_client(platform)
        async with subscribed(client) as (box, webhook):
            ping = await client.post(f"{HOOKS}/{webhook['id']}/ping")
            assert ping.status_code == 202, ping.text

            async def arrived() -> bool:
                return bool(box.acknowledged)

            await eventually(arrived)
        assert box.received[0].payload is not None
        assert box.received[0].payload["type"] == "de.lotse.webhook.ping.v1"
        assert box.received[0].webhook_id == ping.json()["webhook_message_id"]

    async def test_after_a_rotation_both_secrets_sign_for_a_while(self, platform: Platform) -> None:
        _, client = await municipality_client(platform)
        async with subscribed(client) as (box, webhook):
            old = box.secrets.pop()
            rotated = await client.post(f"{HOOKS}/{webhook['id']}/secret")
            assert rotated.status_code == 200 and rotated.json()["secret"] != old
            box.secrets = [rotated.json()["secret"]]
            await client.post(f"{HOOKS}/{webhook['id']}/ping")

            async def arrived() -> bool:
                return bool(box.acknowledged)

            await eventually(arrived)
            box.secrets = [old]
        message = box.received[0]
        assert message.payload is not None
        assert box.verify(message.headers, message.body) is not None  # the old one verifies too
        assert len(message.headers["webhook-signature"].split(" ")) == 2
        read = (await client.get(f"{HOOKS}/{webhook['id']}")).json()
        assert read["secret_hint"].endswith(rotated.json()["secret"][-4:])


class TestAddresses:
    @pytest.mark.parametrize(
        "url",
        [
            "https://10.1.2.3/hook",
            "https://192.168.0.10/hook",
            "https://169.254.169.254/latest/meta-data",
            "https://[fe80::1]/hook",
            "https://[::ffff:10.0.0.1]/hook",
            "https://0x7f.1/hook",
            "https://2130706433/hook",
            "https://0177.0.0.1/hook",
            "https://user:pw@example.org/hook",
            "ftp://example.org/hook",
            "https://exa mple.org/hook",
            "https://xn--/hook",
        ],
    )
    async def test_internal_and_odd_addresses_are_refused(
        self, platform: Platform, url: str
    ) -> None:
        _, client = await municipality_client(platform)
        response = await client.post(HOOKS, json={"url": url, "event_types": [CREATED]})
        assert response.status_code == 422, response.text
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["errors"][0]["field"] == "url"
        assert (await client.get(HOOKS)).json()["total"] == 0

    async def test_a_redirect_is_not_followed(self, platform: Platform) -> None:
        _, client = await municipality_client(platform)
        async with receiver() as target, subscribed(client) as (box, webhook):
            box.answers = [(307, {"location": target.url})]
            await client.post(f"{HOOKS}/{webhook['id']}/ping")

            async def answered() -> list[dict[str, Any]]:
                return [d for d in await deliveries(client, webhook) if d["attempts"] == 1]

            (delivery,) = await eventually(answered)
        assert delivery["status"] == "pending" and "redirect" in delivery["last_error"]
        assert target.received == []

    async def test_event_types_are_checked_against_the_contracts(self, platform: Platform) -> None:
        _, client = await municipality_client(platform)
        for event_type, said in (
            ("de.lotse.project.renamed.v1", "no published event type"),
            ("de.lotse.municipality.created.v1", "does not reach the feed"),
        ):
            body = {"url": "https://hooks.example/x", "event_types": [CREATED, event_type]}
            response = await client.post(HOOKS, json=body)
            assert response.status_code == 422, response.text
            (error,) = response.json()["errors"]
            assert error["field"] == "event_types.1"
            assert error["message"].startswith(f"{event_type} ") and said in error["message"]


class TestOwnership:
    async def test_another_municipality_finds_no_webhook_of_yours(self, platform: Platform) -> None:
        _, owner = await municipality_client(platform)
        _, other = await municipality_client(platform)
        coordinator = platform.client(await platform.key("coordinator"))
        body = {"url": "https://hooks.example/a", "event_types": [CREATED]}
        webhook = (await owner.post(HOOKS, json=body)).json()
        url = f"{HOOKS}/{webhook['id']}"
        for method, path in (
            ("GET", url),
            ("PATCH", url),
            ("DELETE", url),
            ("POST", f"{url}/secret"),
            ("POST", f"{url}/ping"),
            ("GET", f"{url}/deliveries"),
            ("POST", f"{url}/deliveries/{uuid.uuid4()}/redeliver"),
        ):
            kwargs: dict[str, Any] = {"json": {"description": "x"}} if method == "PATCH" else {}
            answer = await other.request(method, path, headers={"If-Match": '"1"'}, **kwargs)
            assert answer.status_code == 404, (method, path, answer.text)
        assert webhook["id"] not in {w["id"] for w in (await other.get(HOOKS)).json()["items"]}
        # Coordinators manage the region's webhooks.
        assert (await coordinator.get(url)).status_code == 200
        reader = platform.client(await platform.key("reader"))
        assert (await reader.get(HOOKS)).status_code == 403
        assert (await platform.client().get(HOOKS)).status_code == 401
        assert (await owner.get(url)).json()["version"] == 1  # nothing changed

    async def test_a_stale_if_match_is_refused(self, platform: Platform) -> None:
        _, client = await municipality_client(platform)
        body = {"url": "https://hooks.example/a", "event_types": [CREATED]}
        webhook = (await client.post(HOOKS, json=body)).json()
        url = f"{HOOKS}/{webhook['id']}"
        first = await client.patch(url, json={"description": "neu"}, headers={"If-Match": '"1"'})
        assert first.status_code == 200 and first.headers["etag"] == '"2"'
        stale = await client.patch(url, json={"topic": "energy"}, headers={"If-Match": '"1"'})
        assert stale.status_code == 412
        assert (await client.patch(url, json={"topic": "energy"})).status_code == 428
        assert (await client.delete(url, headers={"If-Match": '"1"'})).status_code == 412
        cleared = await client.patch(url, json={"url": None}, headers={"If-Match": '"2"'})
        assert cleared.status_code == 422
        read = (await client.get(url)).json()
        assert (read["description"], read["topic"], read["version"]) == ("neu", None, 2)
        assert (await client.delete(url, headers={"If-Match": '"2"'})).status_code == 204
        assert (await client.get(url)).status_code == 404

    async def test_an_idempotency_key_creates_one_webhook(self, platform: Platform) -> None:
        _, client = await municipality_client(platform)
        body = {"url": "https://hooks.example/a", "event_types": [CREATED]}
        key = {"Idempotency-Key": "intranet-1"}
        first = await client.post(HOOKS, json=body, headers=key)
        assert first.status_code == 201
        replay = await client.post(HOOKS, json=body, headers=key)
        # The secret is shown once: a replay says so instead of showing it again.
        assert replay.status_code == 409 and "secret" not in replay.json()
        other = await client.post(HOOKS, json=body | {"description": "x"}, headers=key)
        assert other.status_code == 422
        assert (await client.get(HOOKS)).json()["total"] == 1


async def test_bad_input_is_a_problem_and_changes_nothing(platform: Platform) -> None:
    _, client = await municipality_client(platform)
    for body in (
        {"url": "https://hooks.example/a"},
        {"url": "https://hooks.example/a", "event_types": []},
        {"url": "https://hooks.example/a", "event_types": CREATED},
        {"url": "https://hooks.example/a", "event_types": [CREATED], "topic": "weather"},
        {"url": "https://hooks.example/a", "event_types": [CREATED], "municipality": "123"},
        {"url": "https://hooks.example/a\u0000", "event_types": [CREATED]},
        {"url": "https://hooks.example/" + "a" * 3000, "event_types": [CREATED]},
        {"url": "https://hooks.example/a", "event_types": [CREATED], "secret": "whsec_x"},
    ):
        response = await client.post(HOOKS, json=body)
        assert response.status_code == 422, (body, response.text)
        assert response.headers["content-type"] == "application/problem+json"
    assert (await client.get(f"{HOOKS}/not-a-uuid")).status_code == 422
    assert (await client.get(f"{HOOKS}/%C3%A4%00")).status_code == 422
    assert (await client.get(HOOKS)).json()["total"] == 0


async def test_without_an_allow_list_only_https_to_public_addresses_is_taken(
    tmp_path: Path,
) -> None:
    async with lone_gateway(tmp_path) as (_, client):
        admin = {"Authorization": f"Bearer {ADMIN_KEY}"}
        for url in (
            "http://hooks.example/lotse",
            "https://127.0.0.1/hook",
            "https://localhost/hook",
            "https://[::1]/hook",
        ):
            body = {"url": url, "event_types": [CREATED]}
            response = await client.post(HOOKS, json=body, headers=admin)
            assert response.status_code == 422, (url, response.text)
        body = {"url": "https://hooks.example/lotse", "event_types": [CREATED]}
        created = await client.post(HOOKS, json=body, headers=admin)
        assert created.status_code == 201, created.text
        assert created.json()["owner_ags"] is None  # an admin's webhook is the region's
