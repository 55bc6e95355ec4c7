"""Solutions, adoptions, radar matches, articles, contacts, the projects and municipalities
the events tell, and the platform tables.

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
        "solutions",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("short_description", sa.String(150), nullable=False),
        sa.Column("long_description", sa.Text, nullable=False),
        sa.Column("description_en", sa.JSON),
        sa.Column("topics", sa.JSON, nullable=False),
        sa.Column("topic_keys", sa.String(400), nullable=False),
        sa.Column("leika_refs", sa.JSON, nullable=False),
        sa.Column("license", sa.String(500), nullable=False, index=True),
        sa.Column("maturity", sa.String(20), index=True),
        sa.Column("software_type", sa.String(30)),
        sa.Column("maintenance_type", sa.String(20)),
        sa.Column("maintainer", sa.String(200)),
        sa.Column("contacts", sa.JSON, nullable=False),
        sa.Column("repository_url", sa.String(2000)),
        sa.Column("landing_url", sa.String(2000)),
        sa.Column("cost_notes", sa.Text),
        sa.Column("requirements", sa.JSON, nullable=False),
        sa.Column("provider_ags", sa.String(8), index=True),
        sa.Column("owner_ags", sa.String(8), index=True),
        sa.Column("publiccode", sa.JSON, nullable=False),
        sa.Column("status", sa.String(10), nullable=False, index=True),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False, index=True),
    )
    op.create_table(
        "adoptions",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("solution_id", sa.String(36), nullable=False, index=True),
        sa.Column("municipality_ags", sa.String(8), nullable=False, index=True),
        sa.Column("status", sa.String(10), nullable=False, index=True),
        sa.Column("since", sa.Date),
        sa.Column("note", sa.Text),
        sa.Column("project_id", sa.String(36), index=True),
        sa.Column("confirmed_at", UTCDateTime(), nullable=False, index=True),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False, index=True),
        sa.UniqueConstraint("solution_id", "municipality_ags"),
    )
    op.create_table(
        "radar_matches",
        sa.Column("project_id", sa.String(36), primary_key=True),
        sa.Column("match_id", sa.String(36), primary_key=True),
        sa.Column("score", sa.Float, nullable=False),
        sa.Column("found_at", UTCDateTime(), nullable=False),
    )
    op.create_table(
        "known_projects",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("municipality_ags", sa.String(8), nullable=False, index=True),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("summary", sa.Text, nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("topics", sa.JSON, nullable=False),
        sa.Column("target_groups", sa.JSON, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("visibility", sa.String(10), nullable=False),
        sa.Column("based_on_solution", sa.String(36)),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
    )
    op.create_table(
        "articles",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(30), nullable=False, index=True),
        sa.Column("summary", sa.Text, nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("body_html", sa.Text, nullable=False),
        sa.Column("topics", sa.JSON, nullable=False),
        sa.Column("topic_keys", sa.String(400), nullable=False),
        sa.Column("solution_ids", sa.JSON, nullable=False),
        sa.Column("project_ids", sa.JSON, nullable=False),
        sa.Column("municipality_ags", sa.String(8), index=True),
        sa.Column("visibility", sa.String(10), nullable=False, index=True),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False, index=True),
    )
    op.create_table(
        "contacts",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("municipality_ags", sa.String(8), nullable=False, index=True),
        sa.Column("role", sa.String(200)),
        sa.Column("department", sa.String(200)),
        sa.Column("topics", sa.JSON, nullable=False),
        sa.Column("email", sa.String(254)),
        sa.Column("phone", sa.String(50)),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
    )
    op.create_table(
        "region_municipalities",
        sa.Column("ags", sa.String(8), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
    )


def downgrade() -> None:
    for table in (
        "contacts",
        "articles",
        "region_municipalities",
        "known_projects",
        "radar_matches",
        "adoptions",
        "solutions",
    ):
        op.drop_table(table)
    for table in ("idempotency_keys", "inbox", "outbox"):
        op.drop_table(table)
