"""folded search keys, indexed for "contains" (pg_trgm / FTS5 trigram)

Revision ID: 5e1c0a7d9b21
Revises: 4b190f7b60d3
Create Date: 2026-12-02 16:45:00

"""

import sqlalchemy as sa
from alembic import op

from tracker.search import (
    PG_TRGM,
    fts_table,
    postgresql_index_statements,
    search_key,
    sqlite_index_statements,
)

revision = "5e1c0a7d9b21"
down_revision = "4b190f7b60d3"
branch_labels = None
depends_on = None

# table -> (searched columns, indexed), as the models' __search_fields__ say.
SEARCHED = {
    "country": (("name",), False),
    "municipality": (("name", "region"), True),
    "person": (("full_name", "position", "organisation", "email"), True),
    "event": (("title", "city", "venue", "organisers"), True),
    "testimonial": (("quote", "author_name", "author_position"), True),
    "user_account": (("email", "full_name"), False),
}


def upgrade():
    bind = op.get_bind()
    dialect = bind.dialect.name
    if dialect == "postgresql":
        op.execute(PG_TRGM)
    for table, (columns, indexed) in SEARCHED.items():
        op.add_column(
            table,
            sa.Column("search_key", sa.Text(), nullable=False, server_default=""),
        )
        rows = bind.execute(
            sa.text(f"SELECT id, {', '.join(columns)} FROM {table}")
        ).all()
        for row in rows:
            bind.execute(
                sa.text(f"UPDATE {table} SET search_key = :key WHERE id = :id"),
                {"key": search_key(*row[1:]), "id": row[0]},
            )
        if not indexed:
            continue
        statements = (
            sqlite_index_statements(table)
            if dialect == "sqlite"
            else postgresql_index_statements(table)
        )
        for statement in statements:
            op.execute(statement)


def downgrade():
    dialect = op.get_bind().dialect.name
    for table, (_columns, indexed) in SEARCHED.items():
        if indexed and dialect == "sqlite":
            fts = fts_table(table)
            for trigger in ("insert", "delete", "update"):
                op.execute(f"DROP TRIGGER IF EXISTS {fts}_{trigger}")
            op.execute(f"DROP TABLE IF EXISTS {fts}")
        elif indexed:
            op.execute(f"DROP INDEX IF EXISTS ix_{table}_search_trgm")
        with op.batch_alter_table(table) as batch_op:
            batch_op.drop_column("search_key")
