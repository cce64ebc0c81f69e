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
from typing import Any, NamedTuple, TypeVar

from flask import Response, current_app, g, request, session
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from sqlalchemy import Select, select

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
    row = db.session.execute(newest_entry(AuditEntry.id, AuditEntry.hash)).first()
    return None if row is None else (row.id, row.hash)


def newest_entry(*columns) -> Select:
    """``columns`` of the newest audit entry."""
    return select(*columns).order_by(AuditEntry.id.desc()).limit(1)


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


# ---------------------------------------------------------------- pages

# A page holds a CSRF token, which belongs to the reader's session, not to
# the reader: pages are rendered with this stand-in, which every answer
# replaces with the token of its own session.
TOKEN_STAND_IN = "csrf-stand-in-" + secrets.token_hex(16)
_STAND_IN_BYTES = TOKEN_STAND_IN.encode()
LARGEST_PAGE = 2 * 1024 * 1024
# Headers a view sets that belong to the page (the rest are added per answer).
KEPT_HEADERS = frozenset({"content-type", "content-language", "link", "x-total-count"})


class PageKey(NamedTuple):
    """What a page is made of, besides the view's own code."""

    database: Hashable
    generation: Hashable  # (data version, minute)
    address: str
    account: str | None
    locale: str
    timezone: str
    badges: tuple


@dataclass(frozen=True)
class CachedPage:
    body: bytes
    headers: tuple[tuple[str, str], ...]


class PageStore:
    """The pages one process keeps, least recently used first, at most
    ``PAGE_CACHE_BYTES`` of them.

    Per database, only the pages of the newest generation (data version and
    minute) are kept: an earlier one's can never be served again, so they
    are dropped as soon as a request sees a new one, and no copy of an
    erased or changed record's page stays in memory until it is evicted.
    """

    def __init__(self) -> None:
        self._pages: OrderedDict[PageKey, CachedPage] = OrderedDict()
        self._generations: dict[Hashable, Hashable] = {}
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, key: PageKey) -> CachedPage | None:
        with self._lock:
            page = self._pages.get(key)
            if page is not None:
                self._pages.move_to_end(key)
            return page

    def put(self, key: PageKey, page: CachedPage, limit: int) -> None:
        with self._lock:
            if key in self._pages:
                return
            self._pages[key] = page
            self._bytes += len(page.body)
            while self._bytes > limit and self._pages:
                _oldest, dropped = self._pages.popitem(last=False)
                self._bytes -= len(dropped.body)

    def enter_generation(self, database: Hashable, generation: Hashable) -> None:
        """Drop the pages of ``database`` kept under another generation."""
        if self._generations.get(database) == generation:
            return
        with self._lock:
            self._generations[database] = generation
            for key in [key for key in self._pages if key.database == database]:
                self._bytes -= len(self._pages.pop(key).body)

    def bodies(self) -> list[bytes]:
        with self._lock:
            return [page.body for page in self._pages.values()]

    def clear(self) -> None:
        with self._lock:
            self._pages.clear()
            self._generations.clear()
            self._bytes = 0


_pages = PageStore()


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
        page = _pages.get(key)
        if page is not None:
            return _answer(Response(page.body, headers=list(page.headers)))
        session_before = dict(session)
        token_field = current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
        setattr(g, token_field, TOKEN_STAND_IN)
        try:
            response = current_app.make_response(view(*args, **kwargs))
        finally:
            g.pop(token_field, None)
        if _keepable(response) and dict(session) == session_before:
            _keep(key, response)
        return _answer(response)

    return wrapped


def _page_key() -> PageKey | None:
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
    row = db.session.execute(
        select(
            newest_entry(AuditEntry.id).scalar_subquery(),
            newest_entry(AuditEntry.hash).scalar_subquery(),
            *navigation_count_columns(),
        )
    ).one()
    version = None if row[0] is None else (row[0], row[1])
    g.page_data_version = version
    g.navigation_counts = counts = counts_from(row[2:])
    database = db.session.get_bind().engine.url
    generation = (version, int(time.time() // 60))
    _pages.enter_generation(database, generation)
    return PageKey(
        database=database,
        generation=generation,
        address=request.url,
        account=current_user.get_id() if current_user.is_authenticated else None,
        locale=current_locale(),
        timezone=select_timezone(),
        badges=tuple(sorted(counts.items())),
    )


def _keepable(response: Response) -> bool:
    length = response.calculate_content_length()  # None while streamed
    return (
        response.status_code == 200
        and "Set-Cookie" not in response.headers
        and length is not None
        and length <= LARGEST_PAGE
    )


def _keep(key: PageKey, response: Response) -> None:
    headers = tuple(
        (name, value)
        for name, value in response.headers.items()
        if name.lower() in KEPT_HEADERS
    )
    page = CachedPage(response.get_data(), headers)
    _pages.put(key, page, current_app.config["PAGE_CACHE_BYTES"])


def _answer(response: Response) -> Response:
    """The page with this session's CSRF token where the stand-in stands."""
    body = response.get_data()
    if _STAND_IN_BYTES in body:
        response.set_data(body.replace(_STAND_IN_BYTES, generate_csrf().encode()))
    return response
