"""The funding service's process is killed (SIGKILL) with webhooks in flight: after its
restart every alert arrives, and none the receiver acknowledged arrives again."""

import asyncio
import os
import signal
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlmodel import col

from services.funding import subscriptions
from services.funding.delivery import queue_webhook
from services.funding.models import Delivery
from services.funding.schemas import SubscriptionCreate
from services.funding.settings import DEV_LINK_SECRET
from shared.cli.broker import EmbeddedBroker, free_port
from shared.kit.auth import Principal, Role
from shared.kit.db import Database
from shared.kit.webhooks import DeliveryPolicy, parse_cidrs
from tests.conftest import SECRET, eventually
from tests.funding.receiver import receiver

pytestmark = pytest.mark.long  # minutes: started first (tests/conftest.py)

MIGRATIONS = Path(__file__).resolve().parents[2] / "services" / "funding" / "migrations"
LEASE_SECONDS = 11  # the shortest lease the settings allow: the restart waits for it
ALERTS = 6


def start_funding(env: dict[str, str], port: int, log: Path) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "shared.kit.server", "services.funding.app:create_app",
               "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"]  # fmt: skip
    with open(log, "ab") as output:
        return subprocess.Popen(command, env=env, stdout=output, stderr=output)


async def queue_alerts(db: Database, url: str) -> str:
    """A webhook subscription and its alerts, queued as the service itself queues them."""
    now = datetime.now(UTC)
    async with db.session() as session:
        subscription, secret, _ = await subscriptions.create_subscription(
            session,
            principal=Principal(role=Role.COORDINATOR, subject="key:e2e"),
            data=SubscriptionCreate(name="Absturz", channel="webhook", url=url),
            links=subscriptions.Links("https://lotse.test", DEV_LINK_SECRET),
            policy=DeliveryPolicy(allowed_networks=parse_cidrs("127.0.0.0/8")),
            now=now,
        )
        for n in range(ALERTS):
            await queue_webhook(
                session, subscription, key=f"crash/{n}", kind="alert",
                event_type="funding_call.published", data={"n": n}, now=now,
            )  # fmt: skip
        await session.commit()
    assert secret is not None
    return secret


async def test_sigkill_mid_delivery_loses_none_and_repeats_none_acknowledged(
    broker: EmbeddedBroker, tmp_path: Path
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'funding.db'}"
    db = Database(url)
    await db.migrate(MIGRATIONS)
    port = free_port()
    env = os.environ | {
        "LOTSE_KAFKA_BOOTSTRAP": broker.bootstrap,
        "LOTSE_INTERNAL_TOKEN_SECRET": SECRET,
        "LOTSE_FUNDING_DATABASE_URL": url,
        "LOTSE_WEBHOOK_ALLOWED_CIDRS": "127.0.0.0/8",
        "LOTSE_MAILSINK_PORT": str(free_port()),
        "LOTSE_FUNDING_DELIVERY_LEASE_SECONDS": str(LEASE_SECONDS),
        "LOTSE_LOG_LEVEL": "WARNING",
    }
    log = tmp_path / "funding.log"
    async with receiver() as box:
        box.secrets.append(await queue_alerts(db, box.url))
        # The first two are answered at once, the rest held until the process is dead.
        answered: list[tuple[int, dict[str, str]]] = [(204, {}), (204, {})]
        box.answers = answered + [(503, {})] * (ALERTS - 2)
        box.hold, box.hold_after = asyncio.Event(), 2

        async def all_in_flight() -> bool:
            return len(box.received) >= ALERTS

        first = start_funding(env, port, log)
        try:
            await eventually(all_in_flight, within=60)
        finally:
            first.send_signal(signal.SIGKILL)
            first.wait(10)
        box.hold.set()  # the dead process's requests get their 503 into a closed socket
        acknowledged_before = list(box.acknowledged)
        assert len(acknowledged_before) == 2
        second = start_funding(env, port, log)
        try:

            async def all_acknowledged() -> bool:
                return len(box.acknowledged) >= ALERTS

            await eventually(all_acknowledged, within=60)
        finally:
            second.send_signal(signal.SIGTERM)
            second.wait(10)
    assert len(box.acknowledged) == len(set(box.acknowledged)) == ALERTS
    assert all(r.payload is not None for r in box.received)  # every one signed and verified
    async with db.session() as session:
        statuses = (await session.scalars(select(col(Delivery.status)))).all()
    await db.dispose()
    assert list(statuses) == ["delivered"] * ALERTS
