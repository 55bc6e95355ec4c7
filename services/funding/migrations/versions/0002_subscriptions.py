"""Subscriptions and their deliveries (the webhook and e-mail outbox; a delivery's unique
key makes each alert, reminder and digest once).

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

from shared.kit.sqltypes import UTCDateTime

revision = "0002"
down_revision = "0001"


def upgrade() -> None:
    op.create_table(
        "subscriptions",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("owner_subject", sa.String(200), nullable=False, index=True),
        sa.Column("owner_ags", sa.String(8)),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("topics", sa.JSON, nullable=False),
        sa.Column("laender", sa.JSON, nullable=False),
        sa.Column("funding_types", sa.JSON, nullable=False),
        sa.Column("amount_min", sa.Float),
        sa.Column("amount_max", sa.Float),
        sa.Column("eligible_for_own", sa.Boolean, nullable=False),
        sa.Column("keywords", sa.JSON, nullable=False),
        sa.Column("channel", sa.String(10), nullable=False),
        sa.Column("mode", sa.String(10), nullable=False),
        sa.Column("lead_days", sa.JSON, nullable=False),
        sa.Column("email", sa.String(254)),
        sa.Column("email_confirmed_at", UTCDateTime()),
        sa.Column("url", sa.String(2048)),
        sa.Column("secret", sa.String(100)),
        sa.Column("previous_secret", sa.String(100)),
        sa.Column("previous_secret_until", UTCDateTime()),
        sa.Column("failing_since", UTCDateTime()),
        sa.Column("disabled_at", UTCDateTime()),
        sa.Column("disabled_reason", sa.Text),
        sa.Column("unsubscribed_at", UTCDateTime()),
        sa.Column("deleted_at", UTCDateTime()),
        sa.Column("feed_token_hash", sa.String(64), unique=True),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False, index=True),
    )
    op.create_table(
        "deliveries",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("key", sa.String(300), nullable=False, unique=True),
        sa.Column("subscription_id", sa.String(36), nullable=False, index=True),
        sa.Column("channel", sa.String(10), nullable=False),
        sa.Column("kind", sa.String(30), nullable=False),
        sa.Column("event_type", sa.String(100), nullable=False),
        sa.Column("payload", sa.JSON, nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("next_attempt_at", UTCDateTime(), nullable=False),
        sa.Column("claimed_until", UTCDateTime()),
        sa.Column("last_status", sa.Integer),
        sa.Column("last_error", sa.Text),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("delivered_at", UTCDateTime()),
    )
    op.create_index("ix_deliveries_due", "deliveries", ["status", "next_attempt_at"])


def downgrade() -> None:
    for table in ("deliveries", "subscriptions"):
        op.drop_table(table)
