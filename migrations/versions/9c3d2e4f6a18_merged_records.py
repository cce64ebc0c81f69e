"""merged records: a merged person's or municipality's address redirects

Revision ID: 9c3d2e4f6a18
Revises: 5e1c0a7d9b21
Create Date: 2026-12-02 20:05:00

"""

import sqlalchemy as sa
from alembic import op

from tracker.models.base import UTCDateTime

revision = "9c3d2e4f6a18"
down_revision = "c3a9f2e81d47"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "merged_record",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("entity_type", sa.String(length=40), nullable=False),
        sa.Column("old_id", sa.Integer(), nullable=False),
        sa.Column("new_id", sa.Integer(), nullable=False),
        sa.Column("merged_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_merged_record")),
        sa.UniqueConstraint(
            "entity_type", "old_id", name=op.f("uq_merged_record_entity_type_old_id")
        ),
    )
    op.create_index(
        op.f("ix_merged_record_new_id"), "merged_record", ["new_id"], unique=False
    )


def downgrade():
    op.drop_index(op.f("ix_merged_record_new_id"), table_name="merged_record")
    op.drop_table("merged_record")
