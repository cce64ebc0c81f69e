"""The migrations build exactly the schema the models describe, triggers included."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import upgrade
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from tests.conftest import TEST_CONFIG
from tracker import create_app
from tracker.extensions import db
from tracker.search import include_in_migrations

MIGRATIONS = str(Path(__file__).resolve().parents[1] / "migrations")


@pytest.fixture
def fresh_database(tmp_path):
    url = os.environ.get("TEST_DATABASE_URL", "")
    if not url.startswith("postgresql"):
        yield f"sqlite:///{tmp_path / 'migrated.sqlite'}"
        return
    import psycopg

    name = url.rsplit("/", 1)[1] + "_migrations"
    server = url.replace("postgresql+psycopg", "postgresql").rsplit("/", 1)[0]
    with psycopg.connect(server + "/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')
    yield url.rsplit("/", 1)[0] + "/" + name
    with psycopg.connect(server + "/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.no_db_isolation
def test_migrations_match_the_models(fresh_database):
    app = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": fresh_database})
    with app.app_context():
        upgrade(directory=MIGRATIONS)
        with db.engine.connect() as connection:
            context = MigrationContext.configure(
                connection,
                opts={"compare_type": True, "include_object": include_in_migrations},
            )
            differences = compare_metadata(context, db.metadata)
        assert differences == [], "run: flask --app tracker db migrate"
        with db.engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO audit_entry (at, actor_role, actor_label, ip, action,"
                    " entity_type, changes, prev_hash, hash) VALUES (CURRENT_TIMESTAMP,"
                    " 'system', '', '', 'test', 'none', '{}', '', 'h')"
                )
            )
        with pytest.raises(DBAPIError), db.engine.begin() as connection:
            connection.execute(text("UPDATE audit_entry SET action = 'rewritten'"))
        db.engine.dispose()
