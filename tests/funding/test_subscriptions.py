"""Subscriptions through the gateway: signed webhooks the moment a call is published,
e-mail only after opt-in, one-click unsubscribe, digest, reminders, feeds."""

import email
import email.policy
import uuid
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import feedparser
import httpx
from icalendar import Calendar

from services.funding.alerts import Alerts
from services.funding.delivery import DeliveryWorker
from services.funding.scheduler import move_calls, queue_reminders, send_digests
from tests.conftest import PUBLIC_URL, Platform, eventually
from tests.funding.receiver import receiver
from tests.funding.test_calls import CALLS, call_body

SUBSCRIPTIONS = "/api/v1/subscriptions"


def local(url: str) -> str:
    """A link as subscribers get it, as a path to ask the test's gateway."""
    assert url.startswith(PUBLIC_URL), url
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def mails_to(folder: Path, address: str) -> list[EmailMessage]:
    found = []
    for path in sorted(folder.glob("*.eml")):
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        if message["To"] == address:
            assert isinstance(message, EmailMessage)
            found.append(message)
    return found


def text_of(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    assert part is not None
    return str(part.get_content())


async def mail_count(platform: Platform, address: str, count: int) -> list[EmailMessage]:
    async def arrived() -> list[EmailMessage]:
        found = mails_to(platform.mail_folder, address)
        return found if len(found) >= count else []

    found: list[EmailMessage] = await eventually(arrived)
    return found


def worker_at(platform: Platform, moment: datetime) -> DeliveryWorker:
    """A delivery worker of the funding service whose clock shows `moment`."""
    running = platform.funding.state.runtime.part(DeliveryWorker)
    return DeliveryWorker(
        running.db,
        client=running.client,
        mailer=running.mailer,
        links_manage=running.manage_url,
        links_unsubscribe=running.unsubscribe_url,
        clock=lambda: moment,
    )


async def publish(platform: Platform, **changes: Any) -> dict[str, Any]:
    coordinator = platform.client(await platform.key("coordinator"))
    response = await coordinator.post(CALLS, json=call_body(**changes))
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


class TestWebhooks:
    async def test_a_published_call_arrives_signed_at_once(self, platform: Platform) -> None:
        ags = await platform.municipality()
        client = platform.client(await platform.key("municipality", ags))
        marker = f"webhookmarker{platform.backend}"
        async with receiver() as box:
            created = await client.post(
                SUBSCRIPTIONS,
                json={"name": "Intranet", "channel": "webhook", "url": box.url,
                      "filter": {"keywords": [marker]}},
            )  # fmt: skip
            assert created.status_code == 201, created.text
            secret = created.json()["secret"]
            assert secret.startswith("whsec_") and created.json()["status"] == "active"
            box.secrets.append(secret)
            read = await client.get(created.headers["location"])
            assert "secret" not in read.json() and read.json()["secret_hint"].endswith(secret[-4:])
            await publish(platform, title="Nicht gemeint")
            call = await publish(platform, title=f"Aufruf {marker}")

            async def arrived() -> list[Any]:
                return [r for r in box.received if r.payload is not None]

            [delivery] = await eventually(arrived)
            assert delivery.payload is not None
            assert delivery.payload["type"] == "funding_call.published"
            assert delivery.payload["data"]["call"]["id"] == call["id"]

    async def test_rotation_signs_with_both_secrets_during_the_overlap(
        self, platform: Platform
    ) -> None:
        client = platform.client(await platform.key("coordinator"))
        marker = f"rotationmarker{platform.backend}"
        async with receiver() as box:
            created = await client.post(
                SUBSCRIPTIONS,
                json={"name": "Rotation", "channel": "webhook", "url": box.url,
                      "filter": {"keywords": [marker]}},
            )  # fmt: skip
            old = created.json()["secret"]
            rotated = await client.post(f"{created.headers['location']}/secret")
            assert rotated.status_code == 200, rotated.text
            new = rotated.json()["secret"]
            await publish(platform, title=f"Aufruf {marker}")

            async def arrived() -> list[Any]:
                return list(box.received)

            [delivery] = await eventually(arrived)
        signatures = delivery.headers["webhook-signature"].split(" ")
        assert len(signatures) == 2
        for secret in (old, new):  # a receiver still on the old secret verifies too
            box.secrets = [secret]
            assert box.verify(delivery.headers, delivery.body) is not None

    async def test_a_forecast_that_opens_by_date_alerts_again(self, platform: Platform) -> None:
        client = platform.client(await platform.key("coordinator"))
        marker = f"openingmarker{platform.backend}"
        now = datetime.now(UTC)
        async with receiver() as box:
            created = await client.post(
                SUBSCRIPTIONS,
                json={"name": "Start", "channel": "webhook", "url": box.url,
                      "filter": {"keywords": [marker]}},
            )  # fmt: skip
            box.secrets.append(created.json()["secret"])
            opens = now + timedelta(days=1)
            call = await publish(
                platform,
                title=f"Bald {marker}",
                opens_at=opens.isoformat(),
                deadline_at=(now + timedelta(days=30)).isoformat(),
            )
            assert call["status"] == "forecasted"

            async def announced() -> bool:
                return bool(box.acknowledged)

            # The announcement is through before tomorrow's worker runs (its clock would
            # see a lease of today long expired).
            await eventually(announced)
            runtime = platform.funding.state.runtime
            await move_calls(
                runtime.db, source=runtime.settings.source, alerts=runtime.part(Alerts),
                now=opens + timedelta(seconds=1),
            )  # fmt: skip
            await worker_at(platform, opens + timedelta(seconds=1)).run_once()

            async def both() -> list[Any]:
                found = [r.payload for r in box.received if r.payload is not None]
                return found if len(found) >= 2 else []

            published, opened = await eventually(both)
        assert published["type"] == "funding_call.published"
        assert opened["type"] == "funding_call.updated" and opened["data"]["changed"] == ["Status"]
        assert opened["data"]["call"]["status"] == "open"

    async def test_bad_webhook_urls_are_refused_with_the_field(self, platform: Platform) -> None:
        client = platform.client(await platform.key("coordinator"))
        for url in (
            "ftp://example.org/hook",
            "https://user:pass@example.org/hook",
            "http://8.8.8.8/hook",  # plain http outside the allow-listed networks
            "https://[fd00::1]/hook",
            "https://xn--/hook",  # a host IDNA cannot decode
        ):
            response = await client.post(
                SUBSCRIPTIONS, json={"name": "X", "channel": "webhook", "url": url}
            )
            assert response.status_code == 422, (url, response.text)
            assert response.json()["errors"][0]["field"] == "url"

    async def test_failed_deliveries_are_listed_and_redelivered(self, platform: Platform) -> None:
        client = platform.client(await platform.key("coordinator"))
        marker = f"redelivermarker{platform.backend}"
        async with receiver() as box:
            created = await client.post(
                SUBSCRIPTIONS,
                json={"name": "Weg", "channel": "webhook", "url": box.url,
                      "filter": {"keywords": [marker]}},
            )  # fmt: skip
            url = created.headers["location"]
            box.answers = [(410, {})]
            await publish(platform, title=f"Aufruf {marker}")

            async def failed() -> list[Any]:
                page = await client.get(f"{url}/deliveries", params={"status": "failed"})
                return list(page.json()["items"])

            [delivery] = await eventually(failed)
            assert delivery["last_status"] == 410
            assert (await client.get(url)).json()["status"] == "disabled"
            refused = await client.post(f"{url}/deliveries/{delivery['id']}/redeliver")
            assert refused.status_code == 409  # the endpoint is disabled
            assert (await client.post(f"{url}/enable")).json()["status"] == "active"
            again = await client.post(f"{url}/deliveries/{delivery['id']}/redeliver")
            assert again.status_code == 202, again.text

            async def acknowledged() -> list[str]:
                return list(box.acknowledged)

            await eventually(acknowledged)
        assert len(box.received) == 2 and box.received[0].webhook_id == box.received[1].webhook_id


class TestEmail:
    async def test_opt_in_alert_and_one_click_unsubscribe(self, platform: Platform) -> None:
        ags = await platform.municipality()
        client = platform.client(await platform.key("municipality", ags))
        address = f"digitallotse-{platform.backend}@stadt.example"
        marker = f"mailmarker{platform.backend}"
        created = await client.post(
            SUBSCRIPTIONS,
            json={"name": "Förderung Digitales", "channel": "email", "email": address,
                  "filter": {"keywords": [marker]}},
        )  # fmt: skip
        assert created.status_code == 201, created.text
        assert created.json()["status"] == "pending_confirmation"
        [confirmation] = await mail_count(platform, address, 1)
        assert confirmation["Subject"].startswith("Bitte bestätigen")
        assert confirmation["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        await publish(platform, title=f"Vor der Bestätigung {marker}")
        confirm_link = next(
            line for line in text_of(confirmation).splitlines() if "/confirm?" in line
        )
        anonymous = platform.client()
        confirmed = await anonymous.get(local(confirm_link.strip()))
        assert confirmed.status_code == 200 and "bestätigt" in confirmed.text
        await publish(platform, title=f"Nach der Bestätigung {marker}")
        mails = await mail_count(platform, address, 2)
        # Nothing but the confirmation went out before the link was followed.
        assert [m["Subject"] for m in mails][1:] == [
            f"Neuer Förderaufruf: Nach der Bestätigung {marker}"
        ]
        alert = mails[1]
        unsubscribe = alert["List-Unsubscribe"].strip("<>")
        # What a mail client does for RFC 8058: POST, no key, this body.
        clicked = await anonymous.post(
            local(unsubscribe),
            content=b"List-Unsubscribe=One-Click",
            headers={"content-type": "application/x-www-form-urlencoded"},
        )
        assert clicked.status_code == 200, clicked.text
        assert (await client.get(created.headers["location"])).json()["status"] == "unsubscribed"
        forged = await anonymous.post(local(unsubscribe).replace("token=", "token=x"))
        assert forged.status_code == 404
        # The confirmation link, followed again after unsubscribing, says what holds.
        again = await anonymous.get(local(confirm_link.strip()))
        assert again.status_code == 200 and "abbestellt" in again.text
        assert "bestätigt" not in again.text and "style=" not in again.text
        assert (await client.get(created.headers["location"])).json()["status"] == "unsubscribed"
        await publish(platform, title=f"Nach der Abmeldung {marker}")
        await publish(platform, title="Noch einer")  # by then the last alert would be out
        assert len(mails_to(platform.mail_folder, address)) == 2

    async def test_daily_digest_batches_the_days_matches(self, platform: Platform) -> None:
        client = platform.client(await platform.key("coordinator"))
        address = f"kaemmerei-{platform.backend}@kreis.example"
        marker = f"digestmarker{platform.backend}"
        created = await client.post(
            SUBSCRIPTIONS,
            json={"name": "Täglich", "channel": "email", "email": address, "mode": "daily",
                  "filter": {"keywords": [marker]}},
        )  # fmt: skip
        [confirmation] = await mail_count(platform, address, 1)
        link = next(line for line in text_of(confirmation).splitlines() if "/confirm?" in line)
        await platform.client().get(local(link.strip()))
        for title in ("Erster", "Zweiter"):
            await publish(platform, title=f"{title} {marker}")
        runtime = platform.funding.state.runtime
        tomorrow = datetime.now(UTC) + timedelta(days=1, hours=1)
        assert await send_digests(runtime.db, alerts=runtime.part(Alerts), now=tomorrow, hour=7)
        await worker_at(platform, tomorrow).run_once()
        mails = await mail_count(platform, address, 2)
        assert mails[1]["Subject"].startswith("2 Förderaufrufe vom")
        assert f"Erster {marker}" in text_of(mails[1]) and f"Zweiter {marker}" in text_of(mails[1])
        assert created.status_code == 201

    async def test_a_reminder_is_queued_once_by_racing_replicas(self, platform: Platform) -> None:
        client = platform.client(await platform.key("coordinator"))
        address = f"frist-{platform.backend}@gemeinde.example"
        marker = f"remindermarker{platform.backend}"
        created = await client.post(
            SUBSCRIPTIONS,
            json={"name": "Fristen", "channel": "email", "email": address, "lead_days": [10, 2],
                  "filter": {"keywords": [marker]}},
        )  # fmt: skip
        [confirmation] = await mail_count(platform, address, 1)
        link = next(line for line in text_of(confirmation).splitlines() if "/confirm?" in line)
        await platform.client().get(local(link.strip()))
        deadline = (datetime.now(UTC) + timedelta(days=20)).isoformat()
        await publish(platform, title=f"Frist {marker}", deadline_at=deadline)
        runtime = platform.funding.state.runtime
        due = datetime.now(UTC) + timedelta(days=11)
        # Two replicas, each with its own index, come to the same reminder together.
        replicas = [Alerts(type(runtime.part(Alerts).matcher)(), runtime.part(Alerts).links)
                    for _ in range(2)]  # fmt: skip
        queued = [await queue_reminders(runtime.db, alerts=a, now=due) for a in replicas]
        assert sorted(queued) == [0, 1]
        await worker_at(platform, due).run_once()
        mails = await mail_count(platform, address, 3)  # confirmation, alert, reminder
        assert f"Erinnerung: Frist für „Frist {marker}“ endet in 10 Tagen" in {
            m["Subject"] for m in mails
        }
        assert created.status_code == 201


class TestFeeds:
    async def test_atom_and_ical_at_secret_addresses_that_rotate(self, platform: Platform) -> None:
        client = platform.client(await platform.key("coordinator"))
        marker = f"feedmarker{platform.backend}"
        created = await client.post(
            SUBSCRIPTIONS,
            json={"name": "Kalender", "channel": "email", "email": "kalender@kreis.example",
                  "filter": {"keywords": [marker]}},
        )  # fmt: skip
        feeds = created.json()["feeds"]
        call = await publish(platform, title=f"Fristenaufruf {marker}")
        await publish(platform, title="Anderer Aufruf")
        anonymous = platform.client()
        atom = await anonymous.get(local(feeds["atom"]))
        assert atom.status_code == 200 and atom.headers["content-type"].startswith(
            "application/atom+xml"
        )
        parsed = feedparser.parse(atom.content)
        assert [e.title for e in parsed.entries] == [f"Fristenaufruf {marker}"]
        calendar = await self.calendar(anonymous, feeds["ical"])
        [event] = calendar.walk("VEVENT")
        uid, sequence = str(event["UID"]), int(event.get("SEQUENCE", 0))
        assert event.walk("VALARM") and "REFRESH-INTERVAL" in calendar
        later = (datetime.now(UTC) + timedelta(days=70)).isoformat()
        url = f"{CALLS}/{call['id']}"
        await client.patch(url, json={"deadline_at": later}, headers={"If-Match": '"1"'})
        [moved] = (await self.calendar(anonymous, feeds["ical"])).walk("VEVENT")
        assert str(moved["UID"]) == uid and int(str(moved["SEQUENCE"])) == sequence + 1
        await client.patch(url, json={"status": "withdrawn"}, headers={"If-Match": '"2"'})
        [withdrawn] = (await self.calendar(anonymous, feeds["ical"])).walk("VEVENT")
        assert str(withdrawn["STATUS"]) == "CANCELLED"
        fresh = await client.post(f"{created.headers['location']}/feed-token")
        assert (await anonymous.get(local(feeds["atom"]))).status_code == 404
        assert (await anonymous.get(local(fresh.json()["atom"]))).status_code == 200

    async def calendar(self, client: httpx.AsyncClient, url: str) -> Calendar:
        response = await client.get(local(url))
        assert response.status_code == 200, response.text
        assert response.headers["content-type"].startswith("text/calendar")
        return Calendar.from_ical(response.content)


class TestSubscriptionRules:
    async def test_bad_subscriptions_name_the_field(self, platform: Platform) -> None:
        coordinator = platform.client(await platform.key("coordinator"))
        cases = {
            "filter.eligible_for_own": {"name": "X", "channel": "email", "email": "a@b.example",
                                        "filter": {"eligible_for_own": True}},
            "filter.amount_min": {"name": "X", "channel": "email", "email": "a@b.example",
                                  "filter": {"amount_min": 10, "amount_max": 1}},
            "email": {"name": "X", "channel": "email"},
            # One bare address: no list, no display name hiding another recipient.
            "email ": {"name": "X", "channel": "email", "email": "a,victim@evil.example"},
            "email  ": {"name": "X", "channel": "email", "email": "x<victim@evil.example>"},
            "email   ": {"name": "X", "channel": "email", "email": "a@b.example\r\nBcc: c@d.de"},
            "mode": {"name": "X", "channel": "webhook", "url": "https://hooks.example.org/x",
                     "mode": "daily"},
        }  # fmt: skip
        for field, body in cases.items():
            response = await coordinator.post(SUBSCRIPTIONS, json=body)
            assert response.status_code == 422, (field, response.text)
            assert field.strip() in {e["field"] for e in response.json()["errors"]}, response.text
        assert (await coordinator.get(SUBSCRIPTIONS)).json()["total"] == 0

    async def test_only_the_owner_sees_and_changes_it(self, platform: Platform) -> None:
        ags = await platform.municipality()
        owner = platform.client(await platform.key("municipality", ags))
        created = await owner.post(
            SUBSCRIPTIONS,
            json={"name": "Meins", "channel": "webhook", "url": "https://hooks.example.org/a"},
        )
        url = created.headers["location"]
        stranger = platform.client(await platform.key("municipality", ags))
        assert (await stranger.get(url)).status_code == 404
        changed = await owner.patch(
            url, json={"filter": {"topics": ["energy"]}}, headers={"If-Match": '"1"'}
        )
        assert changed.status_code == 200 and changed.json()["filter"]["topics"] == ["energy"]
        stale = await owner.patch(url, json={"name": "Alt"}, headers={"If-Match": '"1"'})
        assert stale.status_code == 412
        assert (await owner.delete(url)).status_code == 204
        assert (await owner.get(url)).status_code == 404

    async def test_callers_without_subscriptions_are_told_so(self, platform: Platform) -> None:
        # Not an empty list that looks as if there were nothing: who cannot hold
        # subscriptions is refused, reading as writing.
        reader = platform.client(await platform.key("reader"))
        for client, status in ((platform.client(), 401), (reader, 403)):
            for answer in (await client.get(SUBSCRIPTIONS),
                           await client.get(f"{SUBSCRIPTIONS}/{uuid.uuid4()}")):  # fmt: skip
                assert answer.status_code == status, answer.text
                assert answer.headers["content-type"] == "application/problem+json"

    async def test_eligible_for_own_follows_the_municipality_facts(
        self, platform: Platform
    ) -> None:
        ags = await platform.municipality(kind="stadt", population=19_000)
        client = platform.client(await platform.key("municipality", ags))
        marker = f"eligiblemarker{platform.backend}"
        async with receiver() as box:
            created = await client.post(
                SUBSCRIPTIONS,
                json={"name": "Für uns", "channel": "webhook", "url": box.url,
                      "filter": {"eligible_for_own": True, "keywords": [marker]}},
            )  # fmt: skip
            box.secrets.append(created.json()["secret"])
            small = {"population_max": 20_000}
            await publish(platform, title=f"Klein {marker}", applicants=small)

            async def first() -> list[Any]:
                return [r for r in box.received if r.payload is not None]

            [alert] = await eventually(first)
            assert alert.payload is not None
            eligibility = alert.payload["data"]["eligibility"]
            assert eligibility["eligible"] and eligibility["ags"] == ags
            grown = await platform.admin.patch(
                f"/api/v1/municipalities/{ags}", json={"population": 25_000},
                headers={"If-Match": '"1"'},
            )  # fmt: skip
            assert grown.status_code == 200

            async def known_grown() -> bool:
                from services.funding.models import KnownMunicipality

                async with platform.funding.state.runtime.db.session() as session:
                    known = await session.get(KnownMunicipality, ags)
                    return known is not None and known.population == 25_000

            await eventually(known_grown)
            await publish(platform, title=f"Wieder klein {marker}", applicants=small)
            await publish(platform, title=f"Offen {marker}")

            async def second() -> list[Any]:
                found = [r for r in box.received if r.payload is not None]
                return found if len(found) >= 2 else []

            titles = [
                r.payload["data"]["call"]["title"] for r in await eventually(second) if r.payload
            ]
        assert titles == [f"Klein {marker}", f"Offen {marker}"]


async def test_opt_in_cannot_flood_someone_elses_inbox(platform: Platform) -> None:
    coordinator = platform.client(await platform.key("coordinator"))
    victim = f"opfer-{platform.backend}@kreis.example"
    body = {"name": "X", "channel": "email", "email": victim}
    answers = [(await coordinator.post(SUBSCRIPTIONS, json=body)).status_code for _ in range(4)]
    assert answers == [201, 201, 201, 429]
    # The address spelled otherwise counts the same.
    upper = body | {"email": victim.upper()}
    refused = await coordinator.post(SUBSCRIPTIONS, json=upper)
    assert refused.status_code == 429
    assert refused.headers["content-type"] == "application/problem+json"
    assert "retry-after" in refused.headers
