"""Tamper-evident audit trail (ASVS 16.4.2, 16.3).

The database refuses UPDATE and DELETE on ``audit_entry`` (triggers). These
tests go around that as an intruder with database access would (SQLite:
drop the trigger and put it back; PostgreSQL: ``session_replication_role =
replica`` as superuser), then expect ``flask --app tracker audit-verify`` to
name the entry that was changed, removed or slipped in. On PostgreSQL the
app's own login role (``grant-app-role``) cannot change audit rows at all.
"""

from __future__ import annotations

import os
import uuid
from contextlib import contextmanager

import pytest
from sqlalchemy import create_engine, insert, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from tests.conftest import TEST_CONFIG
from tracker import create_app
from tracker.audit import verify_chain
from tracker.extensions import db
from tracker.models import AuditEntry, Country, Role
from tracker.models.audit import APPEND_ONLY_SQLITE


@contextmanager
def triggers_bypassed(connection):
    """Let this connection change audit rows, as an intruder with DB access could."""
    if connection.dialect.name == "sqlite":
        connection.execute(text("DROP TRIGGER audit_entry_no_update"))
        connection.execute(text("DROP TRIGGER audit_entry_no_delete"))
        yield
        for statement in APPEND_ONLY_SQLITE:
            connection.execute(text(statement))
    else:
        connection.execute(text("SET LOCAL session_replication_role = replica"))
        yield
        connection.execute(text("SET LOCAL session_replication_role = origin"))


@pytest.fixture
def chain(app, make_user, make_municipality, db_connection) -> list[int]:
    """A few real audit entries, written by the app; returns their ids."""
    make_municipality("Rijeka")
    for n in range(3):
        make_user(role=Role.MANAGER, email=f"chain{n}@example.org")
    ids = list(db_connection.scalars(select(AuditEntry.id).order_by(AuditEntry.id)))
    assert len(ids) >= 5
    with app.app_context():
        assert verify_chain(db.session) is None
    return ids


def _verify(app, runner):
    with app.app_context():
        return runner.invoke(args=["audit-verify"])


def test_intact_chain_verifies(app, runner, chain):
    result = _verify(app, runner)
    assert result.exit_code == 0
    assert f"{len(chain)} entries verified" in result.output


def test_the_database_refuses_to_change_audit_rows(db_connection, chain):
    for statement in (
        "UPDATE audit_entry SET action = 'nothing' WHERE id = :id",
        "DELETE FROM audit_entry WHERE id = :id",
    ):
        savepoint = db_connection.begin_nested()
        with pytest.raises(DBAPIError, match="append-only"):
            db_connection.execute(text(statement), {"id": chain[1]})
        savepoint.rollback()


def test_an_edited_entry_is_named(app, runner, db_connection, chain, record_figure):
    target = chain[2]
    with triggers_bypassed(db_connection):
        db_connection.execute(
            text("UPDATE audit_entry SET actor_label = 'someone else' WHERE id = :id"),
            {"id": target},
        )
    result = _verify(app, runner)
    assert result.exit_code == 1
    assert f"Audit entry {target} was changed after it was written." in result.output
    record_figure("audit tampering", "edit, delete, insert, forged append: 4/4 named")


def test_an_edited_change_set_is_named(app, runner, db_connection, chain):
    target = chain[-1]
    with triggers_bypassed(db_connection):
        db_connection.execute(
            text("UPDATE audit_entry SET changes = :changes WHERE id = :id"),
            {"id": target, "changes": '{"email": [null, "x@example.org"]}'},
        )
    result = _verify(app, runner)
    assert f"Audit entry {target} was changed" in result.output


def test_a_deleted_entry_is_found_at_the_gap(app, runner, db_connection, chain):
    removed = chain[1]
    with triggers_bypassed(db_connection):
        db_connection.execute(
            text("DELETE FROM audit_entry WHERE id = :id"), {"id": removed}
        )
    result = _verify(app, runner)
    assert result.exit_code == 1
    assert f"Audit entry {chain[2]} does not follow the entry before it" in (
        result.output
    )


def test_an_inserted_entry_is_found_even_with_a_correct_hash(
    app, runner, db_connection, chain
):
    """The strongest forgery: an entry with a well-computed hash spliced in."""
    position = chain[2]
    rows = db_connection.execute(
        select(AuditEntry.__table__).where(AuditEntry.id >= position)
    ).mappings()
    later = [dict(row) for row in rows]
    previous_hash = db_connection.scalar(
        select(AuditEntry.hash).where(AuditEntry.id == chain[1])
    )
    forged = dict(later[0])
    forged.update(
        actor_label="intruder",
        action="login",
        entity_id=None,
        changes={},
        prev_hash=previous_hash,
    )
    forged["payload_digest"] = AuditEntry.digest_payload(forged)
    forged["hash"] = AuditEntry.compute_hash(previous_hash, forged)
    with triggers_bypassed(db_connection):
        db_connection.execute(
            text("DELETE FROM audit_entry WHERE id >= :id"), {"id": position}
        )
        db_connection.execute(insert(AuditEntry.__table__), [forged])
        for shifted, row in enumerate(later, start=position + 1):
            db_connection.execute(
                insert(AuditEntry.__table__), [{**row, "id": shifted}]
            )
    result = _verify(app, runner)
    assert result.exit_code == 1
    # The forged entry fits its predecessor; the genuine one after it does not.
    assert f"Audit entry {position + 1} does not follow the entry before it" in (
        result.output
    )


def test_an_appended_forgery_is_named(app, runner, db_connection, chain):
    last = db_connection.execute(
        select(AuditEntry.__table__).where(AuditEntry.id == chain[-1])
    ).mappings()
    forged = {**dict(next(iter(last))), "id": chain[-1] + 1, "hash": "f" * 64}
    forged["prev_hash"] = db_connection.scalar(
        select(AuditEntry.hash).where(AuditEntry.id == chain[-1])
    )
    db_connection.execute(insert(AuditEntry.__table__), [forged])  # INSERT is allowed
    result = _verify(app, runner)
    assert f"Audit entry {chain[-1] + 1} was changed" in result.output


# --- PostgreSQL: the app's login role cannot change audit rows ----------------------


def _postgres_base_url():
    url = os.environ.get("TEST_DATABASE_URL", "")
    if not url.startswith("postgresql"):
        url = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
    return make_url(url)


def _postgres_available() -> bool:
    try:
        engine = create_engine(_postgres_base_url().set(database="postgres"))
        with engine.connect():
            pass
        engine.dispose()
        return True
    except Exception:
        return False


@pytest.mark.no_db_isolation
@pytest.mark.skipif(not _postgres_available(), reason="PostgreSQL is not reachable")
def test_app_role_cannot_update_delete_or_truncate_audit_rows(record_figure):
    suffix = uuid.uuid4().hex[:8]
    database, role = f"tracker_sec_roles_{suffix}", f"tracker_sec_app_{suffix}"
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
            # Idempotent: run again after each migration.
            result = owner_app.test_cli_runner().invoke(args=["grant-app-role", role])
            assert result.exit_code == 0, result.output
        with role_app.app_context():
            # The app works as this role: a change and its audit entry are written.
            db.session.add(Country(code="HR", name="Croatia"))
            db.session.commit()
            country = db.session.scalar(select(Country))
            country.name = "Hrvatska"
            db.session.commit()
            assert verify_chain(db.session) is None
            refused = []
            for statement in (
                "UPDATE audit_entry SET action = 'x'",
                "DELETE FROM audit_entry",
                "TRUNCATE audit_entry",
                "SET session_replication_role = replica",
                "ALTER TABLE audit_entry DISABLE TRIGGER ALL",
                "DROP TABLE audit_entry",
                "CREATE TABLE audit_entry_copy (id integer)",
            ):
                with db.engine.connect() as connection:
                    with pytest.raises(DBAPIError) as error:
                        connection.execute(text(statement))
                    message = str(error.value.orig).lower()
                    assert (
                        "permission denied" in message
                        or "must be owner" in message
                        or "append-only" in message
                    ), message
                    refused.append(statement)
            count = db.session.scalar(select(db.func.count(AuditEntry.id)))
            assert count == 2
        record_figure(
            "audit on PostgreSQL",
            f"app role: {len(refused)}/{len(refused)} tampering statements refused",
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


def test_grant_app_role_explains_itself_on_sqlite(app, runner):
    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            pytest.skip("the SQLite message")
        result = runner.invoke(args=["grant-app-role", "tracker_app"])
    assert result.exit_code != 0
    assert "PostgreSQL" in result.output
