"""The kit's own test schema: the platform tables every service has, and what a test
consumer does to the world (one row per applied event), and a record with every column
type the services use, for the prepared statements. No service's tables.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

from shared.kit.migrate import add_outbox_refill, create_platform_tables
from shared.kit.sqltypes import UTCDateTime

revision = "0001"
down_revision = None


def upgrade() -> None:
    create_platform_tables()
    add_outbox_refill()
    op.create_table(
        "test_effects",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("event_id", sa.String(64), nullable=False),
        sa.Column("subject", sa.String(64), nullable=False),
    )
    op.create_table(
        "test_records",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("tags", sa.JSON, nullable=False),
        sa.Column("details", sa.JSON),
        sa.Column("amount", sa.Float),
        sa.Column("starts_on", sa.Date),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("changed_at", UTCDateTime(), nullable=False),
    )
