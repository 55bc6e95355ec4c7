"""Alembic glue shared by every service's migrations/env.py, and the platform tables."""

import sqlalchemy as sa
from alembic import context, op
from sqlalchemy import MetaData

from shared.kit.sqltypes import UTCDateTime


def run_migrations(metadata: MetaData) -> None:
    """Body of a service's env.py: migrate on the connection Database.migrate hands in."""
    connection = context.config.attributes["connection"]
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


def create_platform_tables() -> None:
    """Outbox, inbox and idempotency records: every service's first migration makes them."""
    op.create_table(
        "outbox",
        sa.Column("seq", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("event_id", sa.String(36), nullable=False, unique=True),
        sa.Column("topic", sa.String(200), nullable=False),
        sa.Column("key", sa.String(200), nullable=False, index=True),
        sa.Column("type", sa.String(200), nullable=False),
        sa.Column("source", sa.String(200), nullable=False),
        sa.Column("occurred_at", UTCDateTime(), nullable=False),
        sa.Column("payload", sa.Text, nullable=False),
        sa.Column("traceparent", sa.String(55), nullable=True),
        sa.Column("sent_at", UTCDateTime(), nullable=True),
    )
    op.create_index("ix_outbox_unsent", "outbox", ["sent_at", "seq"])
    op.create_table(
        "inbox",
        sa.Column("source", sa.String(200), primary_key=True),
        sa.Column("event_id", sa.String(200), primary_key=True),
        sa.Column("type", sa.String(200), nullable=False),
        sa.Column("processed_at", UTCDateTime(), nullable=False),
    )
    op.create_table(
        "idempotency_keys",
        sa.Column("scope", sa.String(200), primary_key=True),
        sa.Column("key", sa.String(200), primary_key=True),
        sa.Column("request_hash", sa.String(64), nullable=False),
        sa.Column("status_code", sa.Integer, nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("headers", sa.Text, nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False, index=True),
    )


def add_outbox_refill() -> None:
    """The outbox marks events to publish again after the broker lost them (shared.kit.outbox)."""
    op.add_column(
        "outbox", sa.Column("refill", sa.Boolean, nullable=False, server_default=sa.false())
    )
    op.create_index("ix_outbox_refill", "outbox", ["refill", "seq"])


def drop_outbox_refill() -> None:
    op.drop_index("ix_outbox_refill", "outbox")
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("refill")
