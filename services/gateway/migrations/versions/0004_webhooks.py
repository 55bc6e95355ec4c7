"""Outgoing webhooks of feed events and their deliveries.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

from shared.kit.sqltypes import UTCDateTime

revision = "0004"
down_revision = "0003"


def upgrade() -> None:
    op.create_table(
        "webhooks",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("owner_role", sa.String(20), nullable=False),
        sa.Column("owner_ags", sa.String(8), nullable=True),
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.Column("url", sa.String(2048), nullable=False),
        sa.Column("description", sa.String(500), nullable=False),
        sa.Column("event_types", sa.JSON(), nullable=False),
        sa.Column("type_keys", sa.String(4000), nullable=False),
        sa.Column("municipality", sa.String(8), nullable=True),
        sa.Column("topic", sa.String(40), nullable=True),
        sa.Column("secret", sa.String(100), nullable=False),
        sa.Column("previous_secret", sa.String(100), nullable=True),
        sa.Column("previous_secret_until", UTCDateTime(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("failing_since", UTCDateTime(), nullable=True),
        sa.Column("disabled_reason", sa.Text(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_webhooks_owner_ags", "webhooks", ["owner_ags"])
    op.create_table(
        "webhook_deliveries",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("webhook_id", sa.String(36), nullable=False),
        sa.Column("event_key", sa.String(420), nullable=False),
        sa.Column("feed_seq", sa.Integer(), nullable=True),
        sa.Column("event_type", sa.String(200), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=True),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", UTCDateTime(), nullable=False),
        sa.Column("claimed_until", UTCDateTime(), nullable=True),
        sa.Column("last_status", sa.Integer(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("delivered_at", UTCDateTime(), nullable=True),
        sa.UniqueConstraint("webhook_id", "event_key"),
    )
    op.create_index("ix_webhook_deliveries_webhook_id", "webhook_deliveries", ["webhook_id"])
    op.create_index(
        "ix_webhook_deliveries_due", "webhook_deliveries", ["status", "next_attempt_at"]
    )


def downgrade() -> None:
    op.drop_table("webhook_deliveries")
    op.drop_table("webhooks")
