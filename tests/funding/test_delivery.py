"""Durable delivery under a controllable clock: real databases, a real HTTP receiver that
verifies with `standardwebhooks`, a real SMTP server (aiosmtpd)."""

import asyncio
import email
import email.policy
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlmodel import col

from services.funding import subscriptions
from services.funding.delivery import DeliveryWorker, queue_webhook
from services.funding.models import Delivery, Subscription
from services.funding.scheduler import purge_old_deliveries
from services.funding.schemas import SubscriptionCreate
from shared.cli.broker import free_port
from shared.cli.mailsink import start_mailsink
from shared.kit.auth import Principal, Role
from shared.kit.db import Database
from shared.kit.mail import Mailer, MailSettings
from shared.kit.webhooks import DeliveryPolicy, WebhookClient, parse_cidrs
from tests.conftest import BACKENDS, database_url, eventually
from tests.funding.receiver import Receiver, receiver, verified_types

MIGRATIONS = Path(__file__).resolve().parents[2] / "services" / "funding" / "migrations"
POLICY = DeliveryPolicy(allowed_networks=parse_cidrs("127.0.0.0/8"))
LINKS = subscriptions.Links("https://lotse.test", "test-link-secret-0123456789-abcdefghij")
OWNER = Principal(role=Role.MUNICIPALITY, subject="key:test", ags="06411000")


@dataclass
class Clock:
    now: datetime

    def __call__(self) -> datetime:
        return self.now


@dataclass
class Bench:
    db: Database
    clock: Clock
    mail_port: int
    mail_folder: Path

    def worker(self, mail_port: int | None = None) -> DeliveryWorker:
        mailer = Mailer(MailSettings(mailsink_port=mail_port or self.mail_port))
        return DeliveryWorker(
            self.db,
            client=WebhookClient(POLICY),
            mailer=mailer,
            links_manage=LINKS.manage,
            links_unsubscribe=LINKS.unsubscribe,
            lease=timedelta(seconds=60),
            clock=self.clock,
        )

    async def subscribe(self, box: Receiver, email_address: str | None = None) -> str:
        async with self.db.session() as session:
            subscription, secret, _ = await subscriptions.create_subscription(
                session,
                principal=OWNER,
                data=SubscriptionCreate(
                    name="Test", channel="webhook", url=box.url, email=email_address
                ),
                links=LINKS,
                policy=POLICY,
                now=self.clock.now,
            )
            if email_address:
                subscription.email_confirmed_at = self.clock.now
            await session.commit()
        assert secret is not None
        box.secrets.append(secret)
        return subscription.id

    async def alert(self, subscription_id: str, n: int) -> None:
        async with self.db.session() as session:
            subscription = await session.get(Subscription, subscription_id)
            assert subscription is not None
            await queue_webhook(
                session, subscription, key=f"test/{subscription_id}/{n}", kind="alert",
                event_type="funding_call.published", data={"n": n}, now=self.clock.now,
            )  # fmt: skip
            await session.commit()

    async def deliveries(self) -> list[Delivery]:
        async with self.db.session() as session:
            rows = await session.scalars(select(Delivery).order_by(col(Delivery.key)))
            return list(rows.all())


@pytest.fixture(params=BACKENDS)
async def bench(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Bench]:
    async with database_url(request.param, tmp_path) as url:
        db = Database(url)
        await db.migrate(MIGRATIONS)
        port, folder = free_port(), tmp_path / "mail"
        sink = await start_mailsink(folder, port=port)
        try:
            yield Bench(db, Clock(datetime(2026, 3, 2, 9, 0, tzinfo=UTC)), port, folder)
        finally:
            sink.close()
            await sink.wait_closed()
            await db.dispose()


class TestRetries:
    async def test_a_failing_receiver_gets_one_effective_delivery_on_schedule(
        self, bench: Bench
    ) -> None:
        async with receiver() as box:
            box.answers = [(500, {}), (503, {"Retry-After": "1200"}), (500, {})]
            subscription_id = await bench.subscribe(box)
            await bench.alert(subscription_id, 1)
            worker = bench.worker()
            t0 = bench.clock.now
            assert await worker.run_once() == 1
            [delivery] = await bench.deliveries()
            assert delivery.attempts == 1 and delivery.status == "pending"
            # The spec's second attempt: 5 s later, with up to ±10 % jitter.
            assert timedelta(seconds=4.5) <= delivery.next_attempt_at - t0 <= timedelta(seconds=5.5)
            bench.clock.now = delivery.next_attempt_at - timedelta(milliseconds=1)
            assert await worker.run_once() == 0  # not due yet
            bench.clock.now = delivery.next_attempt_at
            t1 = bench.clock.now
            await worker.run_once()
            [delivery] = await bench.deliveries()
            # Retry-After (20 min) beats the schedule's 5 min.
            assert delivery.next_attempt_at - t1 == timedelta(seconds=1200)
            bench.clock.now = t2 = delivery.next_attempt_at
            await worker.run_once()
            [delivery] = await bench.deliveries()
            assert timedelta(minutes=27) <= delivery.next_attempt_at - t2 <= timedelta(minutes=33)
            bench.clock.now = delivery.next_attempt_at
            await worker.run_once()
            [delivery] = await bench.deliveries()
            assert (delivery.status, delivery.attempts) == ("delivered", 4)
            await worker.client.close()
        assert len({r.webhook_id for r in box.received}) == 1 and len(box.received) == 4
        assert verified_types(box) == ["funding_call.published"] * 4
        assert len(box.acknowledged) == 1

    async def test_410_gone_disables_the_endpoint(self, bench: Bench) -> None:
        async with receiver() as box:
            box.answers = [(410, {})] * 2  # an endpoint that is gone stays gone
            subscription_id = await bench.subscribe(box)
            await bench.alert(subscription_id, 1)
            await bench.alert(subscription_id, 2)
            worker = bench.worker()
            await worker.run_once()
            await worker.client.close()
        statuses = sorted(d.status for d in await bench.deliveries())
        assert statuses in (["cancelled", "failed"], ["failed", "failed"])
        async with bench.db.session() as session:
            subscription = await session.get(Subscription, subscription_id)
            assert subscription is not None and subscription.disabled_at is not None
            assert "410" in (subscription.disabled_reason or "")

    async def test_five_days_of_failure_disable_and_tell_the_owner(self, bench: Bench) -> None:
        async with receiver() as box:
            box.answers = [(500, {})] * 3
            subscription_id = await bench.subscribe(box, email_address="it@kreis.example")
            await bench.alert(subscription_id, 1)
            worker = bench.worker()
            await worker.run_once()
            bench.clock.now += timedelta(days=5, seconds=1)
            await bench.alert(subscription_id, 2)
            await worker.run_once()  # both due: the old retry and the new alert
            await worker.run_once()  # the owner's e-mail
            await worker.client.close()
        async with bench.db.session() as session:
            subscription = await session.get(Subscription, subscription_id)
            assert subscription is not None and subscription.disabled_at is not None
        mails = [
            email.message_from_bytes(p.read_bytes(), policy=email.policy.default)
            for p in bench.mail_folder.glob("*.eml")
        ]
        # The address was asked to confirm first (opt-in), then told.
        assert sorted(m["Subject"] for m in mails) == [
            "Bitte bestätigen Sie Ihr Abonnement für Förderaufrufe",
            "Ihr Webhook-Endpunkt wurde deaktiviert",
        ]
        assert {m["To"] for m in mails} == {"it@kreis.example"}


class TestCrash:
    async def test_killed_mid_run_loses_none_and_repeats_none_acknowledged(
        self, bench: Bench
    ) -> None:
        async with receiver() as box:
            subscription_id = await bench.subscribe(box)
            for n in range(2):
                await bench.alert(subscription_id, n)
            first = bench.worker()
            await first.run_once()
            assert len(box.acknowledged) == 2
            for n in range(2, 5):
                await bench.alert(subscription_id, n)
            box.hold = asyncio.Event()
            box.answers = [(503, {})] * 3  # what the held requests get once let go
            run = asyncio.create_task(first.run_once())

            async def all_in_flight() -> bool:
                return len(box.received) == 5

            await eventually(all_in_flight)
            run.cancel()  # the process dies with three requests in flight
            with pytest.raises(asyncio.CancelledError):
                await run
            await first.client.close()
            box.hold.set()
            second = bench.worker()
            assert await second.run_once() == 0  # the dead worker's lease still holds
            bench.clock.now += timedelta(seconds=61)
            box.hold = None
            assert await second.run_once() == 3
            await second.client.close()
        assert sorted(d.status for d in await bench.deliveries()) == ["delivered"] * 5
        assert len(box.acknowledged) == len(set(box.acknowledged)) == 5


class TestMail:
    async def test_mail_waits_for_an_smtp_server_that_is_away(
        self, bench: Bench, tmp_path: Path
    ) -> None:
        async with receiver() as box:
            await bench.subscribe(box, email_address="post@gemeinde.example")
        port = free_port()  # no SMTP server there yet
        worker = bench.worker(mail_port=port)
        assert await worker.run_once() == 1
        [confirmation] = [d for d in await bench.deliveries() if d.kind == "confirmation"]
        assert confirmation.status == "pending" and confirmation.attempts == 1
        assert confirmation.last_error
        folder = tmp_path / "late-mail"
        sink = await start_mailsink(folder, port=port)
        try:
            bench.clock.now = confirmation.next_attempt_at
            assert await worker.run_once() == 1
        finally:
            sink.close()
            await sink.wait_closed()
        [confirmation] = [d for d in await bench.deliveries() if d.kind == "confirmation"]
        assert (confirmation.status, confirmation.attempts) == ("delivered", 2)
        assert len(list(folder.glob("*.eml"))) == 1


class TestRetention:
    async def test_old_delivered_deliveries_are_forgotten_failed_ones_kept(
        self, bench: Bench
    ) -> None:
        async with receiver() as box:
            box.answers = [(204, {}), (410, {})]
            subscription_id = await bench.subscribe(box)
            await bench.alert(subscription_id, 1)
            worker = bench.worker()
            await worker.run_once()
            await bench.alert(subscription_id, 2)
            await worker.run_once()
            await worker.client.close()
        assert sorted(d.status for d in await bench.deliveries()) == ["delivered", "failed"]
        purged = await purge_old_deliveries(
            bench.db, now=bench.clock.now + timedelta(days=31), keep=timedelta(days=30)
        )
        assert purged == 1
        assert [d.status for d in await bench.deliveries()] == ["failed"]
