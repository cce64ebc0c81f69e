"""The privacy migration keeps the existing audit chain verifying, and an
erasure that reaches entries written before it still verifies."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from flask_migrate import upgrade
from sqlalchemy import Column, MetaData, Table, create_engine, insert, select, text
from sqlalchemy.exc import DBAPIError

from tests.conftest import TEST_CONFIG
from tests.test_audit_tamper import _postgres_available, _postgres_base_url
from tests.test_migrations import MIGRATIONS, fresh_database  # noqa: F401 (fixture)
from tracker import create_app
from tracker.audit import acting_as, verify_chain
from tracker.extensions import db
from tracker.models import AuditEntry, Person
from tracker.models.audit import GENESIS_HASH
from tracker.privacy.erasure import erase_people

LEGACY_NAME = "Legacy Demo-Person"


def _legacy_rows() -> list[dict]:
    """Entries as the code before the migration wrote them (version 1 hash)."""
    rows, prev = [], GENESIS_HASH
    start = datetime(2026, 1, 1, tzinfo=UTC)
    for n, changes in enumerate(
        [
            {"code": [None, "HR"], "name": [None, "Croatia"]},
            {"full_name": [None, LEGACY_NAME], "email": [None, "legacy@example.org"]},
            {"population": [1000, 1200]},
        ]
    ):
        row = {
            "at": start + timedelta(minutes=n),
            "actor_id": None,
            "actor_role": "system",
            "actor_label": "cli:import",
            "ip": "",
            "action": "create" if n < 2 else "update",
            "entity_type": ["country", "person", "municipality"][n],
            "entity_id": n + 1,
            "changes": changes,
            "prev_hash": prev,
        }
        row["hash"] = AuditEntry.legacy_hash(prev, row)
        prev = row["hash"]
        rows.append(row)
    return rows


@pytest.mark.no_db_isolation
def test_existing_chain_verifies_after_the_migration_and_after_an_erasure(
    fresh_database,  # noqa: F811
):
    app = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": fresh_database})
    try:
        _upgrade_and_erase(app)
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def _upgrade_and_erase(app) -> None:
    with app.app_context():
        upgrade(directory=MIGRATIONS, revision="c3a1f0e7d2b4")
        legacy_columns = [
            "at",
            "actor_id",
            "actor_role",
            "actor_label",
            "ip",
            "action",
            "entity_type",
            "entity_id",
            "changes",
            "prev_hash",
            "hash",
        ]
        # The table as it was: only its old columns, none of today's defaults.
        table = Table(
            "audit_entry",
            MetaData(),
            *(Column(c, AuditEntry.__table__.c[c].type) for c in legacy_columns),
        )
        with db.engine.begin() as connection:
            connection.execute(
                insert(table).values(
                    [{c: row[c] for c in legacy_columns} for row in _legacy_rows()]
                )
            )
        upgrade(directory=MIGRATIONS)
        assert verify_chain(db.session) is None
        versions = db.session.execute(
            select(AuditEntry.hash_version, AuditEntry.payload_digest).order_by(
                AuditEntry.id
            )
        ).all()
        assert [v for v, _ in versions] == [1, 1, 1]
        assert all(len(digest) == 64 for _, digest in versions)
        with acting_as("tests"):
            person = Person(full_name=LEGACY_NAME, email="legacy@example.org")
            db.session.add(person)
            db.session.commit()
            erased = erase_people([person], "tests", "request")
            db.session.commit()
        legacy = db.session.scalars(
            select(AuditEntry)
            .where(AuditEntry.hash_version == 1)
            .order_by(AuditEntry.id)
        ).all()
        assert legacy[1].is_erased and LEGACY_NAME not in str(legacy[1].changes)
        assert not legacy[0].is_erased
        assert erased >= 2  # the legacy entry and the new person's own
        assert verify_chain(db.session) is None


@pytest.mark.no_db_isolation
@pytest.mark.skipif(not _postgres_available(), reason="PostgreSQL is not reachable")
def test_the_app_role_can_erase_but_not_rewrite_audit_entries():
    """On PostgreSQL the app's role may replace a payload (erasure) and nothing
    else: the hashed columns are not granted, and the trigger checks the rest."""
    suffix = uuid.uuid4().hex[:8]
    database, role = f"tracker_privacy_{suffix}", f"tracker_privacy_app_{suffix}"
    base = _postgres_base_url()
    server = create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with server.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{database}"'))
    owner_app = create_app(
        {**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": base.set(database=database)}
    )
    role_app = create_app(
        {
            **TEST_CONFIG,
            "SQLALCHEMY_DATABASE_URI": base.set(database=database, username=role),
        }
    )
    try:
        with owner_app.app_context():
            db.create_all()
            result = owner_app.test_cli_runner().invoke(args=["grant-app-role", role])
            assert result.exit_code == 0, result.output
        with role_app.app_context(), acting_as("tests"):
            person = Person(full_name=LEGACY_NAME, email="legacy@example.org")
            db.session.add(person)
            db.session.commit()
            assert erase_people([person], "tests", "request") >= 1
            db.session.commit()
            assert verify_chain(db.session) is None
            with db.engine.connect() as connection:
                with pytest.raises(DBAPIError, match="permission denied"):
                    connection.execute(text("UPDATE audit_entry SET hash = 'x'"))
            with db.engine.connect() as connection:
                with pytest.raises(DBAPIError, match="append-only"):
                    connection.execute(
                        text(
                            "UPDATE audit_entry SET changes = '{}'"
                            " WHERE erased_at IS NULL"
                        )
                    )
    finally:
        for app in (role_app, owner_app):
            with app.app_context():
                db.session.remove()
                db.engine.dispose()
        with server.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{database}"'))
            connection.execute(text(f'DROP ROLE IF EXISTS "{role}"'))
        server.dispose()
