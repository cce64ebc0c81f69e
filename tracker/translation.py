"""``gettext``, ``ngettext`` and ``lazy_gettext`` as the application uses them.

One difference from Flask-Babel's own functions: Flask-Babel's lazy string
claims to be markup (its ``__html__`` returns the text unescaped), so a lazy
label or validator message with an apostrophe or ``&`` would reach the page
unescaped. ``lazy_gettext`` here returns a lazy string that templates escape
like any other text. Outside a request (CLI, workers) every message is
English: ``tracker.i18n.select_locale`` answers so.

Import them under the usual names so that ``pybabel extract`` finds the
messages: ``from tracker.translation import gettext as _, lazy_gettext as _l``.
"""

from __future__ import annotations

from datetime import date

import flask_babel
from flask import has_request_context
from flask_babel import LazyString, gettext, ngettext
from markupsafe import Markup, escape

__all__ = ["N_", "Np_", "day", "gettext", "lazy_gettext", "ngettext"]


class LazyText(LazyString):
    """A translation made when it is shown, escaped like any text."""

    def __html__(self) -> Markup:
        return escape(str(self))


def lazy_gettext(message: str, **values: object) -> LazyText:
    """For module constants, class attributes and form fields: translated
    each time it is shown, in the reader's language."""
    return LazyText(gettext, message, **values)


def day(value: date) -> str:
    """A date inside a message: ``tracker.i18n.format_day`` in a request
    ("4 Sep 2017", "4. rujna 2017."), else the English "4 Sep 2017"."""
    if has_request_context():
        from tracker.i18n import format_day

        return format_day(value)
    return f"{value.day} {value:%b %Y}"


def N_(message: str) -> str:
    """Mark ``message`` for extraction only; translate it where it is used
    (``gettext(TABLE[key])``), so a table can be a module constant."""
    return message


def Np_(singular: str, plural: str) -> tuple[str, str]:
    """Like ``N_``, for a message with a plural (extracted with both forms)."""
    return singular, plural


class FormTranslations:
    """WTForms' messages through our catalogs, in the reader's language.

    WTForms formats the values itself, so the text is looked up, not formatted.
    """

    def gettext(self, string: str) -> str:
        return flask_babel.get_translations().ugettext(string)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return flask_babel.get_translations().ungettext(singular, plural, n)


# WTForms' own messages (a required field, a bad number or date...), listed
# so that extraction puts them in our catalogs: WTForms ships catalogs for few
# of the region's languages. ``FormTranslations`` hands them to every form.
WTFORMS_MESSAGES = (
    N_("Invalid field name '%s'."),
    N_("Field must be equal to %(other_name)s."),
    N_("Field must be between %(min)d and %(max)d characters long."),
    N_("Number must be at least %(min)s."),
    N_("Number must be at most %(max)s."),
    N_("Number must be between %(min)s and %(max)s."),
    N_("Date must be at least %(min)s."),
    N_("Date must be at most %(max)s."),
    N_("Date must be between %(min)s and %(max)s."),
    N_("This field is required."),
    N_("Invalid input."),
    N_("Invalid email address."),
    N_("Invalid IP address."),
    N_("Invalid Mac address."),
    N_("Invalid URL."),
    N_("Invalid UUID."),
    N_("Invalid value, must be one of: %(values)s."),
    N_("Invalid value, can't be any of: %(values)s."),
    N_("This field cannot be edited."),
    N_("This field is disabled and cannot have a value."),
    N_("Invalid CSRF Token."),
    N_("CSRF token missing."),
    N_("CSRF failed."),
    N_("CSRF token expired."),
    N_("Invalid Choice: could not coerce."),
    N_("Choices cannot be None."),
    N_("Not a valid choice."),
    N_("Invalid choice(s): one or more data inputs could not be coerced."),
    N_("Not a valid datetime value."),
    N_("Not a valid date value."),
    N_("Not a valid time value."),
    N_("Not a valid week value."),
    N_("Not a valid integer value."),
    N_("Not a valid decimal value."),
    N_("Not a valid float value."),
    Np_(
        "Field must be at least %(min)d character long.",
        "Field must be at least %(min)d characters long.",
    ),
    Np_(
        "Field cannot be longer than %(max)d character.",
        "Field cannot be longer than %(max)d characters.",
    ),
    Np_(
        "Field must be exactly %(max)d character long.",
        "Field must be exactly %(max)d characters long.",
    ),
    Np_(
        "'%(value)s' is not a valid choice for this field.",
        "'%(value)s' are not valid choices for this field.",
    ),
)
