"""The outbox marks events to publish again after the broker lost them.

Revision ID: 0002
Revises: 0001
"""

from shared.kit.migrate import add_outbox_refill, drop_outbox_refill

revision = "0002"
down_revision = "0001"


def upgrade() -> None:
    add_outbox_refill()


def downgrade() -> None:
    drop_outbox_refill()
