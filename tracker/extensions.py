"""Extension objects, created once here and bound to the app in ``create_app``."""

import contextvars
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

from flask import has_request_context, request
from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import event
from sqlalchemy.engine import Engine

from tracker.collation import add_sqlite_collations
from tracker.models.base import Base

# create_savepoint lets tests run each case inside one outer transaction that
# is rolled back afterwards; with a plain engine bind it changes nothing.
db = SQLAlchemy(
    model_class=Base, session_options={"join_transaction_mode": "create_savepoint"}
)
migrate = Migrate(render_as_batch=True, compare_type=True)
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
limiter = Limiter(key_func=get_remote_address, default_limits=[])


_writer = contextvars.ContextVar("sqlite_writer", default=False)


@contextmanager
def as_writer() -> Iterator[None]:
    """Open every SQLite transaction in the block as a writer (BEGIN IMMEDIATE),
    as a request that may write does: a job that reads, then writes (the
    outbox worker, the reminders), waits for its turn instead of failing
    with "database is locked" when a request commits in between."""
    token = _writer.set(True)
    try:
        yield
    finally:
        _writer.reset(token)


@event.listens_for(Engine, "connect")
def _configure_sqlite(dbapi_connection, connection_record):
    """Turn on what SQLite leaves off: foreign keys, WAL and a busy timeout."""
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    # pysqlite opens transactions lazily and breaks SAVEPOINT; let SQLAlchemy
    # emit BEGIN itself (see the "begin" listener below).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()
    add_sqlite_collations(dbapi_connection)


@event.listens_for(Engine, "begin")
def _begin_sqlite(connection):
    if connection.dialect.name != "sqlite":
        return
    # A request that may write takes SQLite's write lock up front, so a
    # concurrent writer waits (busy_timeout) instead of failing with
    # "database is locked" when its read snapshot turns stale. Reads stay
    # deferred and run in parallel under WAL.
    if _writer.get() or (
        has_request_context() and request.method not in ("GET", "HEAD", "OPTIONS")
    ):
        connection.exec_driver_sql("BEGIN IMMEDIATE")
    else:
        connection.exec_driver_sql("BEGIN")
