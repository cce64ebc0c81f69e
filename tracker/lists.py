"""What every list page shares: search text, sorting, paging, filters from the URL.

A list view builds its filtered ``select()`` in ``<domain>/queries.py``
(``filtered_<things>(args)``), so the HTML page, the API and the exports
all answer the same question the same way.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask import request
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import ColumnElement, Select, or_
from werkzeug.datastructures import MultiDict

from tracker.extensions import db

PER_PAGE = 25
MAX_PER_PAGE = 100
MAX_SEARCH_LENGTH = 100


@dataclass(frozen=True)
class Sorting:
    """The sort keys a list offers: ``{"name": Municipality.name, ...}``."""

    columns: Mapping[str, ColumnElement[Any]]
    default: str
    # Appended to every order so that equal keys still page deterministically.
    tiebreaker: ColumnElement[Any]

    def key(self, args: Mapping[str, str]) -> str:
        """The requested sort key if it is offered (``-name`` = descending)."""
        requested = (args.get("sort") or "").strip()
        if requested.lstrip("-") in self.columns:
            return requested
        return self.default

    def apply(self, query: Select, args: Mapping[str, str]) -> Select:
        key = self.key(args)
        column = self.columns[key.lstrip("-")]
        order = column.desc() if key.startswith("-") else column.asc()
        return query.order_by(order, self.tiebreaker)


def search_text(args: Mapping[str, str]) -> str:
    """The ``q`` parameter, trimmed and bounded; "" when absent."""
    return (args.get("q") or "").strip()[:MAX_SEARCH_LENGTH]


def matches(text: str, *columns: ColumnElement[Any]) -> ColumnElement[bool]:
    """Case-insensitive "contains" over several columns, safe for LIKE wildcards."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    pattern = f"%{escaped}%"
    return or_(*(column.ilike(pattern, escape="\\") for column in columns))


def int_arg(args: Mapping[str, str], name: str) -> int | None:
    """An integer filter from the URL; junk means "no filter", never an error."""
    raw = (args.get(name) or "").strip()
    if not raw.lstrip("-").isdigit() or len(raw) > 12:
        return None
    return int(raw)


def choice_arg(args: Mapping[str, str], name: str, choices) -> str | None:
    raw = (args.get(name) or "").strip()
    return raw if raw in {str(choice) for choice in choices} else None


def paginate(query: Select, args: MultiDict | None = None) -> Pagination:
    """One page of ``query``; page numbers past the end show an empty last page."""
    args = args if args is not None else request.args
    page = int_arg(args, "page") or 1
    per_page = int_arg(args, "per_page") or PER_PAGE
    return db.paginate(
        query,
        page=max(page, 1),
        per_page=min(max(per_page, 1), MAX_PER_PAGE),
        error_out=False,
    )
