"""Figures that stay correct until the data changes, kept in each process.

Aggregates over every row (the dashboard, the home page's figures, a
program's stage counts and stays) cost as much as the tables are large.
They are computed once and served again until any write, never longer:

Every write goes through the ORM, and the audit listener (``tracker.audit``)
appends an entry to the audit trail in the same transaction. The chain's
writers take turns (an advisory lock on PostgreSQL; SQLite has one writer),
so the newest entry, its id and hash, changes with every committed write.
A cached value is filed under the newest entry that its request could see
and served only to requests that see that same entry. The hash tells apart
two entries that reused an id after a rollback.

What depends on the clock as well (events held by today, testimonials
waiting for more than 14 days) puts the day or the minute in its key.
``DATA_CACHE = False`` in the configuration computes everything afresh.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import TypeVar

from flask import current_app
from sqlalchemy import select

from tracker.extensions import db
from tracker.models.audit import AuditEntry

T = TypeVar("T")

MAX_ENTRIES = 256

_entries: OrderedDict[Hashable, object] = OrderedDict()
_lock = threading.Lock()


def data_version() -> tuple[int, str] | None:
    """The newest audit entry (id, hash) this transaction sees; None when empty."""
    row = db.session.execute(
        select(AuditEntry.id, AuditEntry.hash).order_by(AuditEntry.id.desc()).limit(1)
    ).first()
    return None if row is None else (row.id, row.hash)


def cached(name: str, key: Hashable, compute: Callable[[], T]) -> T:
    """``compute()``, or its value from an earlier request if no write came since.

    ``name`` and ``key`` say what was computed (the function and its
    arguments); the value must not refer to ORM objects, which belong to one
    session, and nobody may change it.
    """
    if not current_app.config.get("DATA_CACHE", True):
        return compute()
    # The database too: one process may serve several (tests, the benchmark).
    database = db.session.get_bind().engine.url
    full_key = (name, key, database, data_version())
    with _lock:
        if full_key in _entries:
            _entries.move_to_end(full_key)
            return _entries[full_key]  # type: ignore[return-value]
    value = compute()
    with _lock:
        _entries[full_key] = value
        while len(_entries) > MAX_ENTRIES:
            _entries.popitem(last=False)
    return value


def clear() -> None:
    """Forget every cached value (for tests and maintenance scripts)."""
    with _lock:
        _entries.clear()
