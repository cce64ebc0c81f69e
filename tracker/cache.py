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

Whole pages follow the same rule (``cached_page``): a read-only page is
rendered once per reader and served again, as it was, until the next write.
"""

from __future__ import annotations

import functools
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any, TypeVar

from flask import Response, current_app, g, request, session
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from sqlalchemy import select

from tracker.extensions import db
from tracker.models.audit import AuditEntry

T = TypeVar("T")

MAX_ENTRIES = 256

_entries: OrderedDict[Hashable, object] = OrderedDict()
_lock = threading.Lock()


def data_version() -> tuple[int, str] | None:
    """The newest audit entry (id, hash) this transaction sees; None when empty."""
    if "page_data_version" in g:  # read once for a cached page's key (no writes)
        return g.page_data_version
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
    """Forget every cached value and page (for tests and maintenance scripts)."""
    with _lock:
        _entries.clear()
        _pages.clear()
        _page_sizes.clear()
        _page_bytes[0] = 0
        _page_generations.clear()


# ---------------------------------------------------------------- pages

# A page holds a CSRF token, which belongs to the reader's session, not to
# the reader: pages are rendered with this stand-in, which every answer
# replaces with the token of its own session.
TOKEN_STAND_IN = "csrf-stand-in-" + secrets.token_hex(16)
LARGEST_PAGE = 2 * 1024 * 1024
# Headers a view sets that belong to the page (the rest are added per answer).
KEPT_HEADERS = frozenset({"content-type", "content-language", "link", "x-total-count"})


@dataclass(frozen=True)
class CachedPage:
    body: bytes
    headers: tuple[tuple[str, str], ...]


_pages: OrderedDict[Hashable, CachedPage] = OrderedDict()
_page_sizes: dict[Hashable, int] = {}
_page_bytes = [0]
# Per database, the (data version, minute) of the pages kept: pages of an
# earlier one can never be served again, so they are dropped at once (no
# copy of an erased person's page stays in memory until it is evicted).
_page_generations: dict[Hashable, Hashable] = {}


def cached_page(view: Callable[..., Any]) -> Callable[..., Any]:
    """Serve a read-only page again, as rendered, until the next write.

    The key is everything the page is made of: the address (host, path and
    query), the reader (account, language, time zone), the navigation badges
    (unread notifications are not audited), the minute (for what depends on
    the clock) and the data version. Access rules run before, on every
    request; per-object checks ran when the page was rendered and would give
    the same answer for the same key. A page is kept only when it is a 200
    the view built without touching the session or setting cookies, and
    never while a flashed message waits to be shown.

    For views that only read: GET, no writes, no unaudited state.
    """

    @functools.wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        key = _page_key()
        if key is None:
            return view(*args, **kwargs)
        with _lock:
            page = _pages.get(key)
            if page is not None:
                _pages.move_to_end(key)
        if page is not None:
            return _answer(Response(page.body, headers=list(page.headers)))
        session_before = dict(session)
        token_field = current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
        setattr(g, token_field, TOKEN_STAND_IN)
        try:
            response = current_app.make_response(view(*args, **kwargs))
        finally:
            g.pop(token_field, None)
        if response.is_streamed:
            return response
        if _keepable(response) and dict(session) == session_before:
            _keep(key, response)
        return _answer(response)

    return wrapped


def _page_key() -> Hashable | None:
    config = current_app.config
    if (
        request.method != "GET"
        or not config.get("DATA_CACHE", True)
        or not config.get("PAGE_CACHE", True)
        or "_flashes" in session
    ):
        return None
    from tracker.i18n import current_locale, select_timezone
    from tracker.templating import counts_from, navigation_count_columns

    # The data version and the badges in one round trip.
    newest = select(AuditEntry.id, AuditEntry.hash).order_by(AuditEntry.id.desc())
    badges = navigation_count_columns()
    row = db.session.execute(
        select(
            newest.with_only_columns(AuditEntry.id).limit(1).scalar_subquery(),
            newest.with_only_columns(AuditEntry.hash).limit(1).scalar_subquery(),
            *badges,
        )
    ).one()
    version = None if row[0] is None else (row[0], row[1])
    g.page_data_version = version
    g.navigation_counts = counts = counts_from(row[2:])
    database = db.session.get_bind().engine.url
    generation = (version, int(time.time() // 60))
    if _page_generations.get(database) != generation:
        _forget_pages_of(database, generation)
    return (
        request.url,
        current_user.get_id() if current_user.is_authenticated else None,
        current_locale(),
        select_timezone(),
        tuple(sorted(counts.items())),
        database,
        generation,
    )


def _forget_pages_of(database: Hashable, generation: Hashable) -> None:
    """Drop the pages of ``database`` kept under an earlier generation."""
    with _lock:
        _page_generations[database] = generation
        for key in [key for key in _pages if key[-2] == database]:
            del _pages[key]
            _page_bytes[0] -= _page_sizes.pop(key)


def _keepable(response: Response) -> bool:
    return (
        response.status_code == 200
        and "Set-Cookie" not in response.headers
        and response.calculate_content_length() is not None
        and response.calculate_content_length() <= LARGEST_PAGE
    )


def _keep(key: Hashable, response: Response) -> None:
    body = response.get_data()
    headers = tuple(
        (name, value)
        for name, value in response.headers.items()
        if name.lower() in KEPT_HEADERS
    )
    size = len(body) + 512
    limit = current_app.config["PAGE_CACHE_BYTES"]
    with _lock:
        if key in _pages:
            return
        _pages[key] = CachedPage(body, headers)
        _page_sizes[key] = size
        _page_bytes[0] += size
        while _page_bytes[0] > limit and _pages:
            oldest, _page = _pages.popitem(last=False)
            _page_bytes[0] -= _page_sizes.pop(oldest)


def _answer(response: Response) -> Response:
    """The page with this session's CSRF token where the stand-in stands."""
    body = response.get_data()
    if TOKEN_STAND_IN.encode() in body:
        response.set_data(
            body.replace(TOKEN_STAND_IN.encode(), generate_csrf().encode())
        )
    return response
