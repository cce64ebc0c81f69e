"""What every list page shares: search text, sorting, paging, filters from the URL.

A list view builds its filtered ``select()`` in ``<domain>/queries.py``
(``filtered_<things>(args)``), so the HTML page, the API and the exports
all answer the same question the same way.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask import g, has_request_context, request
from flask_sqlalchemy.pagination import SelectPagination
from sqlalchemy import (
    ColumnElement,
    Select,
    func,
    inspect,
    literal_column,
    select,
)
from werkzeug.datastructures import MultiDict

from tracker.collation import alphabetical
from tracker.extensions import db
from tracker.search import contains, matching_ids

PER_PAGE = 25
MAX_PER_PAGE = 100
MAX_SEARCH_LENGTH = 100
COUNT_CAP = 10_000
# Matches a list page's search takes at most (``text_search``).
SEARCH_CAP = 200


@dataclass(frozen=True)
class Sorting:
    """The sort keys a list offers: ``{"name": Municipality.name, ...}``."""

    columns: Mapping[str, ColumnElement[Any]]
    default: str
    # Appended to every order so that equal keys still page deterministically.
    tiebreaker: ColumnElement[Any]
    # Keys that hold words: sorted in the reader's alphabet (Č after C).
    alphabetical: tuple[str, ...] = ()

    def key(self, args: Mapping[str, str]) -> str:
        """The requested sort key if it is offered (``-name`` = descending)."""
        requested = (args.get("sort") or "").strip()
        if requested.lstrip("-") in self.columns:
            return requested
        return self.default

    def apply(self, query: Select, args: Mapping[str, str]) -> Select:
        key = self.key(args)
        column = self.columns[key.lstrip("-")]
        if key.lstrip("-") in self.alphabetical:
            column = alphabetical(column, db.engine.dialect.name)
        order = column.desc() if key.startswith("-") else column.asc()
        return query.order_by(order, self.tiebreaker)


def search_text(args: Mapping[str, str]) -> str:
    """The ``q`` parameter, trimmed and bounded; "" when absent."""
    return (args.get("q") or "").strip()[:MAX_SEARCH_LENGTH]


def text_search(model: Any, text: str) -> ColumnElement[bool]:
    """Records of ``model`` whose folded search key contains ``text``
    (``tracker.search``: any case, accents or script); see ``search_ids``."""
    if not is_list_page():
        return contains(model, text, db.engine.dialect.name)
    return model.id.in_(search_ids(model, text))


def is_list_page() -> bool:
    return has_request_context() and (request.endpoint or "").endswith(".index")


def search_ids(model: Any, text: str) -> Select:
    """The ids of the records of ``model`` whose key contains ``text``.

    On a list page (an ``.index`` endpoint) the search is bounded: it takes
    the first ``SEARCH_CAP`` matches the index gives, so that counting and
    sorting them costs the same whatever the table's size, and the page says
    "more than ..." when there are more (``g.search_capped``). Exports and
    the API get every match.
    """
    dialect = db.engine.dialect.name
    bounded = is_list_page()
    ids = matching_ids(model, text, dialect, limit=SEARCH_CAP + 1 if bounded else None)
    if ids is None:
        return select(model.id).where(contains(model, text, dialect))
    if not bounded:
        return ids
    found = db.session.scalar(select(func.count()).select_from(ids.subquery()))
    if found > SEARCH_CAP:
        g.search_capped = True
    # A subquery of its own: SQLite takes no LIMIT inside a UNION's member.
    capped = ids.subquery()
    return select(capped.c[0])


def int_arg(args: Mapping[str, str], name: str) -> int | None:
    """An integer filter from the URL; junk means "no filter", never an error."""
    raw = (args.get(name) or "").strip()
    if not raw.lstrip("-").isdigit() or len(raw) > 12:
        return None
    return int(raw)


def choice_arg(args: Mapping[str, str], name: str, choices) -> str | None:
    raw = (args.get(name) or "").strip()
    return raw if raw in {str(choice) for choice in choices} else None


def page_of(query: Select, limit: int, offset: int) -> Select:
    """``query``'s rows from ``offset`` on, at most ``limit``; past the first page,
    found first by their ids alone.

    To skip rows the database must produce them, eager joins included. Past
    the first page it walks the list's order (an index, usually) reading ids
    only, and joins what the rows show for those rows alone: a deep page then
    costs about what the first one does. The first page is read directly (the
    filters are evaluated once). ``query`` selects one entity.
    """
    if offset == 0:
        return query.limit(limit)
    key = inspect(query.column_descriptions[0]["entity"]).primary_key[0]
    ids = (
        query.with_only_columns(key, maintain_column_froms=True)
        .limit(limit)
        .offset(offset)
    )
    return query.where(key.in_(ids))


class CappedPagination(SelectPagination):
    """A page whose total is counted only up to ``COUNT_CAP`` rows.

    Counting every match of a 250,000-row table on each page view makes the
    page slower as the table grows; counting at most COUNT_CAP + 1 keeps the
    cost bounded. Past the cap the list says "more than 10,000" and pages
    stop there (search or filter to narrow it down): bounded offset paging.
    """

    total_is_capped: bool = False

    def _query_count(self) -> int:
        # Count bare rows (``SELECT 1``) of the same FROM and WHERE: selecting
        # the entity's every column only to count them makes the database
        # build rows nobody reads.
        query = self._query_args["select"]
        capped = (
            query.order_by(None)
            .with_only_columns(literal_column("1"), maintain_column_froms=True)
            .limit(COUNT_CAP + 1)
            .subquery()
        )
        session = self._query_args["session"]
        total = session.execute(select(func.count()).select_from(capped)).scalar()
        if g.get("search_capped"):
            # The search took its first SEARCH_CAP matches; there are more.
            self.total_is_capped = True
            return min(total, SEARCH_CAP)
        self.total_is_capped = total > COUNT_CAP
        return min(total, COUNT_CAP)

    def _query_items(self) -> list[Any]:
        query = page_of(self._query_args["select"], self.per_page, self._query_offset)
        return list(self._query_args["session"].execute(query).unique().scalars())


def page_args(args: Mapping[str, str]) -> tuple[int, int]:
    """The requested (page, per_page), clamped to what the lists allow."""
    per_page = min(max(int_arg(args, "per_page") or PER_PAGE, 1), MAX_PER_PAGE)
    last_page = max(COUNT_CAP // per_page, 1)
    page = min(max(int_arg(args, "page") or 1, 1), last_page)
    return page, per_page


def paginate(query: Select, args: MultiDict | None = None) -> CappedPagination:
    """One page of ``query``; page numbers past the end show an empty last page."""
    page, per_page = page_args(args if args is not None else request.args)
    return CappedPagination(
        select=query,
        session=db.session(),
        page=page,
        per_page=per_page,
        max_per_page=MAX_PER_PAGE,
        error_out=False,
    )
