"""``gettext``, ``ngettext`` and ``lazy_gettext`` as the application uses them.

Two differences from Flask-Babel's own functions:

- Model rules and services run in requests (the reader's language) but also
  in CLI commands, imports and tests with only an application context, where
  ``tracker.i18n``'s locale selector has no request to read and Flask-Babel
  raises. These answer in English there, with the same text (a locale forced
  with ``flask_babel.force_locale``, as ``notify()`` does, still applies).
- Flask-Babel's lazy string claims to be markup (its ``__html__`` returns the
  text unescaped), so a lazy label or validator message with an apostrophe
  or ``&`` would reach the page unescaped. ``lazy_gettext`` here returns a
  lazy string that templates escape like any other text.

Import them under the usual names so that ``pybabel extract`` finds the
messages: ``from tracker.translation import gettext as _, lazy_gettext as _l``.
"""

from __future__ import annotations

from datetime import date

import flask_babel
from flask import has_request_context
from flask_babel import LazyString
from markupsafe import Markup, escape


def gettext(message: str, **values: object) -> str:
    try:
        return flask_babel.gettext(message, **values)
    except RuntimeError:  # no request to choose the language from: English
        return message % values if values else message


def ngettext(singular: str, plural: str, num: int, **values: object) -> str:
    try:
        return flask_babel.ngettext(singular, plural, num, **values)
    except RuntimeError:  # no request to choose the language from: English
        values.setdefault("num", num)
        return (singular if num == 1 else plural) % values


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
