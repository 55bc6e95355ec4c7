"""The kit's durable delivery: what one attempt writes into its delivery and endpoint rows,
and queueing once under a unique key on SQLite and PostgreSQL."""

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Column, DateTime, Integer, MetaData, String, Table

from shared.kit.db import Database
from shared.kit.delivery import claim, due_ids, queue_once, record_webhook_attempt
from shared.kit.webhooks import DeliveryError, DeliveryResult, Outcome
from tests.conftest import BACKENDS, database_url

NOW = datetime(2026, 3, 1, 12, tzinfo=UTC)


@dataclass
class Row:
    status: str = "pending"
    attempts: int = 0
    last_status: int | None = None
    last_error: str | None = None
    next_attempt_at: datetime = NOW
    claimed_until: datetime | None = NOW + timedelta(seconds=60)
    delivered_at: datetime | None = None


@dataclass
class Endpoint:
    failing_since: datetime | None = None


def failed(status: int) -> DeliveryResult:
    return DeliveryResult(status, DeliveryError.HTTP_STATUS, f"HTTP {status}")


class TestRecordAttempt:
    def test_success_delivers_and_ends_a_run_of_failures(self) -> None:
        row, endpoint = Row(attempts=2), Endpoint(failing_since=NOW - timedelta(hours=1))
        decision = record_webhook_attempt(row, endpoint, DeliveryResult(204), now=NOW)
        assert decision.outcome is Outcome.DELIVERED
        assert (row.status, row.attempts, row.delivered_at) == ("delivered", 3, NOW)
        assert row.claimed_until is None and endpoint.failing_since is None

    def test_a_failure_schedules_the_next_attempt_and_starts_a_run(self) -> None:
        row, endpoint = Row(), Endpoint()
        decision = record_webhook_attempt(row, endpoint, failed(503), now=NOW, rand=lambda: 0.5)
        assert decision.outcome is Outcome.RETRY
        assert (row.status, row.attempts, row.last_status) == ("pending", 1, 503)
        assert row.next_attempt_at == NOW + timedelta(seconds=5)
        assert row.last_error == "HTTP 503" and endpoint.failing_since == NOW

    def test_the_last_attempt_gives_up(self) -> None:
        row = Row(attempts=9)
        decision = record_webhook_attempt(row, Endpoint(), failed(500), now=NOW)
        assert decision.outcome is Outcome.FAILED and row.status == "failed"
        assert row.last_error is not None and "10 attempts failed" in row.last_error

    def test_gone_fails_the_message_and_asks_to_disable(self) -> None:
        row = Row()
        decision = record_webhook_attempt(row, Endpoint(), failed(410), now=NOW)
        assert decision.outcome is Outcome.DISABLE_ENDPOINT and row.status == "failed"


METADATA = MetaData()
MESSAGES = Table(
    "messages",
    METADATA,
    Column("id", String(36), primary_key=True),
    Column("key", String(100), nullable=False, unique=True),
    Column("status", String(12), nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("next_attempt_at", DateTime(timezone=True), nullable=False),
    Column("claimed_until", DateTime(timezone=True)),
)


def message(key: str, due: datetime) -> dict[str, object]:
    return {"id": str(uuid.uuid4()), "key": key, "status": "pending", "attempts": 0,
            "next_attempt_at": due, "claimed_until": None}  # fmt: skip


@pytest.mark.parametrize("backend", BACKENDS)
async def test_a_key_is_queued_once_and_a_claim_holds_until_its_lease_ends(
    backend: str, tmp_path: Path
) -> None:
    async with database_url(backend, tmp_path) as url:
        db = Database(url)
        try:
            async with db.engine.begin() as connection:
                await connection.run_sync(METADATA.create_all)
            async with db.session() as session:
                assert await queue_once(session, MESSAGES, [message("a", NOW)], ["key"]) == 1
                assert await queue_once(session, MESSAGES, [message("a", NOW)], ["key"]) == 0
                later = [message("b", NOW + timedelta(hours=1)), message("a", NOW)]
                await queue_once(session, MESSAGES, later, ["key"])
                await session.commit()
            async with db.session() as session:
                (due,) = await due_ids(session, MESSAGES, NOW, 10)
                await claim(session, MESSAGES, [due], NOW + timedelta(seconds=60))
                await session.commit()
            async with db.session() as session:
                assert await due_ids(session, MESSAGES, NOW + timedelta(seconds=30), 10) == []
                lease_over = NOW + timedelta(seconds=61)
                assert await due_ids(session, MESSAGES, lease_over, 10) == [due]
                # b comes due in an hour
                assert len(await due_ids(session, MESSAGES, NOW + timedelta(hours=2), 10)) == 2
        finally:
            await db.dispose()
