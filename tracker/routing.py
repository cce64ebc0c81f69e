"""URL converters every blueprint shares, and URLs built outside requests.

``<int:...>`` ids in our URLs end at the largest key the database holds:
PostgreSQL's INTEGER keys are 32-bit, and a larger number in a query is an
error there (SQLite overflows past 64 bits). A number beyond that range
names no record, so the route does not match and the answer is the same 404
as for any id that does not exist; no view or loader needs to check.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, current_app, has_request_context, url_for
from werkzeug.routing import IntegerConverter, Map

from tracker.forms import MAX_ID


class RowIdConverter(IntegerConverter):
    """``<int:name>``: a whole number from 0 up to the largest row id.

    ASCII digits only: werkzeug's ``\\d`` also matches other scripts' digits
    ("٣", "꧘"), which ``int()`` accepts, so ``/testimonials/꧘`` would open
    testimonial 8.
    """

    def __init__(
        self,
        map: Map,  # noqa: A002 - werkzeug's parameter name
        fixed_digits: int = 0,
        min: int | None = None,  # noqa: A002
        max: int | None = MAX_ID,  # noqa: A002
        signed: bool = False,
    ) -> None:
        super().__init__(map, fixed_digits, min, max, signed)
        self.regex = r"-?[0-9]+" if signed else r"[0-9]+"


def init_app(app: Flask) -> None:
    """Install the converters; call before any blueprint adds its routes."""
    app.url_map.converters["int"] = RowIdConverter


def path_for(endpoint: str, **values: Any) -> str:
    """``url_for``'s path, inside a request or outside one (CLI, worker, jobs)."""
    if has_request_context():
        return url_for(endpoint, **values)
    return current_app.url_map.bind("localhost").build(endpoint, values)
