"""API keys name the origins whose pages may embed their widgets, and carry a version
(changed with If-Match, like every other resource).

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"


def upgrade() -> None:
    with op.batch_alter_table("api_keys") as table:
        table.add_column(sa.Column("embed_origins", sa.JSON(), nullable=False, server_default="[]"))
        table.add_column(sa.Column("version", sa.Integer(), nullable=False, server_default="1"))


def downgrade() -> None:
    with op.batch_alter_table("api_keys") as table:
        table.drop_column("version")
        table.drop_column("embed_origins")
