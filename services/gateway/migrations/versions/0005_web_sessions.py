"""Sessions of the web app: a browser signed in with an API key (or single sign-on).

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

from shared.kit.sqltypes import UTCDateTime

revision = "0005"
down_revision = "0004"


def upgrade() -> None:
    op.create_table(
        "web_sessions",
        sa.Column("id_hash", sa.String(64), primary_key=True),
        sa.Column("key_id", sa.String(36), nullable=True),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("subject", sa.String(200), nullable=False),
        sa.Column("ags", sa.String(8), nullable=True),
        sa.Column("csrf_secret", sa.String(64), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
        sa.Column("last_seen_at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_web_sessions_key_id", "web_sessions", ["key_id"])
    op.create_index("ix_web_sessions_expires_at", "web_sessions", ["expires_at"])


def downgrade() -> None:
    op.drop_index("ix_web_sessions_expires_at", "web_sessions")
    op.drop_index("ix_web_sessions_key_id", "web_sessions")
    op.drop_table("web_sessions")
