"""The API blueprint and what every endpoint shares: paging and errors."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, jsonify, request
from flask_babel import gettext as _
from sqlalchemy import Select, func, literal_column, select

from tracker.extensions import db
from tracker.lists import page_of

bp = Blueprint("api", __name__, url_prefix="/api/v1")

MAX_PER_PAGE = 100
MAX_PAGE = 1_000_000
DEFAULT_PER_PAGE = 20


class BadParameter(Exception):
    def __init__(self, name: str, message: str) -> None:
        super().__init__(message)
        self.name = name
        self.message = message


@bp.errorhandler(BadParameter)
def bad_parameter(error: BadParameter):
    return (
        jsonify(
            {
                "error": {
                    "code": "bad_request",
                    "message": _(
                        "Parameter '%(name)s': %(reason)s",
                        name=error.name,
                        reason=error.message,
                    ),
                }
            }
        ),
        400,
    )


def int_param(
    name: str,
    default: int | None = None,
    *,
    minimum: int | None = None,
    maximum: int | None = None,
) -> int | None:
    """Read an integer query parameter, refusing junk with a 400."""
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise BadParameter(name, _("must be a whole number.")) from None
    if minimum is not None and value < minimum:
        raise BadParameter(name, _("must be at least %(minimum)s.", minimum=minimum))
    if maximum is not None and value > maximum:
        raise BadParameter(name, _("must be at most %(maximum)s.", maximum=maximum))
    return value


def str_param(name: str, max_length: int = 200) -> str | None:
    raw = request.args.get(name)
    if raw is None or raw.strip() == "":
        return None
    if len(raw) > max_length:
        raise BadParameter(
            name, _("must be at most %(length)s characters.", length=max_length)
        )
    return raw.strip()


def choice_param(name: str, choices: list[str] | tuple[str, ...]) -> str | None:
    value = str_param(name)
    if value is not None and value not in choices:
        raise BadParameter(
            name, _("must be one of %(choices)s.", choices=", ".join(choices))
        )
    return value


def paginated(query: Select, serialize: Callable[[Any], dict[str, Any]]):
    """Answer ``{"items", "total", "page", "per_page"}`` for a select of rows."""
    page = int_param("page", 1, minimum=1, maximum=MAX_PAGE)
    per_page = int_param("per_page", DEFAULT_PER_PAGE, minimum=1, maximum=MAX_PER_PAGE)
    # Count bare rows of the same FROM and WHERE, not every column of them.
    rows_only = query.order_by(None).with_only_columns(
        literal_column("1"), maintain_column_froms=True
    )
    total = db.session.scalar(select(func.count()).select_from(rows_only.subquery()))
    rows = db.session.scalars(page_of(query, per_page, (page - 1) * per_page))
    return jsonify(
        {
            "items": [serialize(row) for row in rows],
            "total": total,
            "page": page,
            "per_page": per_page,
        }
    )


def sort_param(keys: tuple[str, ...] | list[str]) -> str | None:
    """Refuse an unknown ``sort`` key instead of silently ignoring it."""
    return choice_param("sort", [prefix + key for key in keys for prefix in ("", "-")])


def country_param() -> str | None:
    code = str_param("country", max_length=2)
    if code is not None and not (len(code) == 2 and code.isalpha()):
        raise BadParameter("country", _("must be a two-letter ISO 3166-1 code."))
    return code


def iso(value: Any) -> str | None:
    """A date or time as ISO 8601 text, or None."""
    return value.isoformat() if value is not None else None
