"""Projects, known municipalities and the platform tables.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

from shared.kit.migrate import create_platform_tables
from shared.kit.sqltypes import UTCDateTime

revision = "0001"
down_revision = None


def upgrade() -> None:
    create_platform_tables()
    op.create_table(
        "projects",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("municipality_ags", sa.String(8), nullable=False, index=True),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("summary", sa.Text, nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("topics", sa.JSON, nullable=False),
        sa.Column("topic_keys", sa.String(400), nullable=False),
        sa.Column("status", sa.String(20), nullable=False, index=True),
        sa.Column("target_groups", sa.JSON, nullable=False),
        sa.Column("value_proposition", sa.Text),
        sa.Column("indicators", sa.JSON, nullable=False),
        sa.Column("budget_eur", sa.Float),
        sa.Column("funding_sources", sa.JSON, nullable=False),
        sa.Column("start_date", sa.Date),
        sa.Column("end_date", sa.Date),
        sa.Column("partner_municipalities", sa.JSON, nullable=False),
        sa.Column("contact", sa.JSON),
        sa.Column("links", sa.JSON, nullable=False),
        sa.Column("based_on_solution", sa.String(36)),
        sa.Column("visibility", sa.String(10), nullable=False, index=True),
        sa.Column("tags", sa.JSON, nullable=False),
        sa.Column("search_text", sa.Text, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False, index=True),
    )
    op.create_table(
        "known_municipalities",
        sa.Column("ags", sa.String(8), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
    )


def downgrade() -> None:
    for table in ("known_municipalities", "projects", "idempotency_keys", "inbox", "outbox"):
        op.drop_table(table)
