"""attachments on events, sessions, participations, enrollments, stage
changes and municipalities, with their earlier versions

Revision ID: a7d3c5e91f02
Revises: 5e1c0a7d9b21
Create Date: 2026-12-02 20:10:00

"""

import sqlalchemy as sa
from alembic import op

revision = "a7d3c5e91f02"
down_revision = "9c3d2e4f6a18"
branch_labels = None
depends_on = None

OWNERS = [
    ("event_id", "event"),
    ("session_id", "event_session"),
    ("participation_id", "participation"),
    ("enrollment_id", "enrollment"),
    ("stage_change_id", "stage_change"),
    ("municipality_id", "municipality"),
]


def _file_columns():
    return [
        sa.Column("file_name", sa.String(255), nullable=False),
        sa.Column("content_type", sa.String(100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("thumbnail_sha256", sa.String(64), nullable=True),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
    ]


def upgrade():
    one_owner = (
        " + ".join(
            f"(CASE WHEN {column} IS NULL THEN 0 ELSE 1 END)" for column, _ in OWNERS
        )
        + " = 1"
    )
    op.create_table(
        "attachment",
        sa.Column("id", sa.Integer(), nullable=False),
        *[sa.Column(column, sa.Integer(), nullable=True) for column, _ in OWNERS],
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("language", sa.String(16), nullable=False),
        sa.Column("visibility", sa.String(12), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("uploaded_by_id", sa.Integer(), nullable=True),
        *_file_columns(),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_attachment"),
        sa.CheckConstraint(one_owner, name="ck_attachment_one_owner"),
        sa.CheckConstraint(
            "visibility IN ('staff', 'municipality', 'public')",
            name="ck_attachment_visibility",
        ),
        *[
            sa.ForeignKeyConstraint(
                [column],
                [f"{table}.id"],
                name=f"fk_attachment_{column}_{table}",
                ondelete="RESTRICT",
            )
            for column, table in OWNERS
        ],
        sa.ForeignKeyConstraint(
            ["uploaded_by_id"],
            ["user_account.id"],
            name="fk_attachment_uploaded_by_id_user_account",
            ondelete="SET NULL",
        ),
    )
    for column, _ in [*OWNERS, ("uploaded_by_id", None), ("sha256", None)]:
        op.create_index(f"ix_attachment_{column}", "attachment", [column])
    op.create_table(
        "attachment_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("attachment_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("uploaded_by_id", sa.Integer(), nullable=True),
        sa.Column("replaced_at", sa.DateTime(timezone=True), nullable=False),
        *_file_columns(),
        sa.PrimaryKeyConstraint("id", name="pk_attachment_version"),
        sa.ForeignKeyConstraint(
            ["attachment_id"],
            ["attachment.id"],
            name="fk_attachment_version_attachment_id_attachment",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["uploaded_by_id"],
            ["user_account.id"],
            name="fk_attachment_version_uploaded_by_id_user_account",
            ondelete="SET NULL",
        ),
    )
    op.create_index(
        "ix_attachment_version_attachment_id", "attachment_version", ["attachment_id"]
    )
    op.create_index("ix_attachment_version_sha256", "attachment_version", ["sha256"])


def downgrade():
    op.drop_table("attachment_version")
    op.drop_table("attachment")
