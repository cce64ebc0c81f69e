"""Readers for one CSV field each: they tidy a value or raise ``RowError``.

Each domain's import kind (``<domain>/io.py``) builds its rows from these,
so a reason reads the same whichever file it comes from.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from email_validator import EmailNotValidError, validate_email
from flask_babel import gettext as _

from tracker.forms import (
    PHONE_MESSAGE,
    PHONE_PATTERN,
    WEB_ADDRESS_MESSAGE,
    is_web_address,
)
from tracker.tabular import uncell
from tracker.text import control_character_problem

# One row as a kind's parser turns it into values for the resolver.
Parsed = dict[str, Any]


class RowError(Exception):
    def __init__(self, column: str, reason: str) -> None:
        super().__init__(reason)
        self.column = column
        self.reason = reason


def text(
    row: dict[str, str],
    column: str,
    *,
    required: bool = False,
    max_length: int = 200,
    multiline: bool = False,
) -> str:
    value = uncell((row.get(column) or "").strip())
    if required and not value:
        raise RowError(column, _("is required"))
    if len(value) > max_length:
        raise RowError(
            column, _("is longer than %(length)s characters", length=max_length)
        )
    if problem := control_character_problem(value, multiline=multiline):
        raise RowError(column, problem)
    return value


def whole_number(row: dict[str, str], column: str, maximum: int) -> int | None:
    value = text(row, column, max_length=12)
    if not value:
        return None
    if not re.fullmatch(r"\d+", value.replace(",", "")):
        raise RowError(
            column, _("'%(value)s' is not a whole number of 0 or more", value=value)
        )
    number = int(value.replace(",", ""))
    if number > maximum:
        raise RowError(column, _("is more than %(maximum)s", maximum=f"{maximum:,}"))
    return number


def email(row: dict[str, str], column: str) -> str | None:
    value = text(row, column, max_length=254)
    if not value:
        return None
    try:
        return validate_email(value, check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        raise RowError(
            column, _("'%(value)s' is not an e-mail address", value=value)
        ) from None


def phone(row: dict[str, str], column: str) -> str:
    value = text(row, column, max_length=50)
    if not re.fullmatch(PHONE_PATTERN, value):
        raise RowError(column, str(PHONE_MESSAGE))
    return value


def website(row: dict[str, str], column: str) -> str:
    value = text(row, column, max_length=255)
    if value and not is_web_address(value):
        raise RowError(column, str(WEB_ADDRESS_MESSAGE))
    return value


def day(row: dict[str, str], column: str, *, required: bool = True) -> date | None:
    value = text(row, column, required=required, max_length=10)
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise RowError(
            column, _("'%(value)s' is not a date (YYYY-MM-DD)", value=value)
        ) from None


def choice(row: dict[str, str], column: str, enum: type) -> Any:
    value = text(row, column, required=True, max_length=40).lower()
    try:
        return enum(value)
    except ValueError:
        allowed = ", ".join(member.value for member in enum)
        raise RowError(
            column,
            _("'%(value)s' is not one of: %(allowed)s", value=value, allowed=allowed),
        ) from None


def country_code(row: dict[str, str], column: str, *, required: bool = True) -> str:
    value = text(row, column, required=required, max_length=2).upper()
    if value and not re.fullmatch(r"[A-Z]{2}", value):
        raise RowError(
            column, _("'%(value)s' is not a two-letter country code", value=value)
        )
    return value


def municipality_ref(
    row: dict[str, str], name_column: str, country_column: str
) -> tuple[str, str] | None:
    name = text(row, name_column, max_length=120)
    code = text(row, country_column, max_length=2).upper()
    if not name and not code:
        return None
    if not name or not code:
        raise RowError(name_column, _("needs both the municipality and its country"))
    return name, code
