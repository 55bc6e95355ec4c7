"""Funding calls, the municipalities and projects known from events, matches, and the
platform tables.

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
        "funding_calls",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("reference", sa.String(100)),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("summary", sa.Text, nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("funder", sa.String(200), nullable=False),
        sa.Column("funder_level", sa.String(20), nullable=False, index=True),
        sa.Column("programme", sa.String(300)),
        sa.Column("funding_types", sa.JSON, nullable=False),
        sa.Column("topics", sa.JSON, nullable=False),
        sa.Column("laender", sa.JSON, nullable=False),
        sa.Column("municipality_kinds", sa.JSON, nullable=False),
        sa.Column("population_min", sa.Integer),
        sa.Column("population_max", sa.Integer),
        sa.Column("other_applicants", sa.JSON, nullable=False),
        sa.Column("type_keys", sa.String(200), nullable=False),
        sa.Column("topic_keys", sa.String(400), nullable=False),
        sa.Column("land_keys", sa.String(100), nullable=False),
        sa.Column("kind_keys", sa.String(200), nullable=False),
        sa.Column("eligibility_text", sa.Text, nullable=False),
        sa.Column("total_budget", sa.Float),
        sa.Column("award_min", sa.Float),
        sa.Column("award_max", sa.Float),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("funding_rate", sa.Float),
        sa.Column("min_own_contribution", sa.Float),
        sa.Column("opens_at", UTCDateTime(), index=True),
        sa.Column("deadline_at", UTCDateTime(), index=True),
        sa.Column("timezone", sa.String(60), nullable=False),
        sa.Column("deadline_model", sa.String(30), nullable=False),
        sa.Column("deadline_revision", sa.Integer, nullable=False),
        sa.Column("status", sa.String(20), nullable=False, index=True),
        sa.Column("source_url", sa.String(2000), nullable=False),
        sa.Column("last_verified_at", UTCDateTime()),
        sa.Column("contact", sa.JSON),
        sa.Column("attachments", sa.JSON, nullable=False),
        sa.Column("search_text", sa.Text, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.Column("published_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False, index=True),
    )
    op.create_table(
        "funding_municipalities",
        sa.Column("ags", sa.String(8), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(30), nullable=False),
        sa.Column("population", sa.Integer),
        sa.Column("version", sa.Integer, nullable=False),
    )
    op.create_table(
        "funding_projects",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("municipality_ags", sa.String(8), nullable=False, index=True),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("topics", sa.JSON, nullable=False),
        sa.Column("topic_keys", sa.String(400), nullable=False),
        sa.Column("status", sa.String(20), nullable=False, index=True),
        sa.Column("visibility", sa.String(10), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
    )
    op.create_table(
        "funding_matches",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("call_id", sa.String(36), nullable=False, index=True),
        sa.Column("project_id", sa.String(36), nullable=False, index=True),
        sa.Column("municipality_ags", sa.String(8), nullable=False),
        sa.Column("reasons", sa.JSON, nullable=False),
        sa.Column("found_at", UTCDateTime(), nullable=False),
        sa.UniqueConstraint("call_id", "project_id"),
    )


def downgrade() -> None:
    for table in (
        "funding_matches",
        "funding_projects",
        "funding_municipalities",
        "funding_calls",
        "idempotency_keys",
        "inbox",
        "outbox",
    ):
        op.drop_table(table)
