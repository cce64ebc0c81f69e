"""``gettext`` and ``ngettext`` for code that also runs outside a request.

Model rules and services run in requests (the reader's language) but also
in CLI commands, imports and tests with only an application context, where
``tracker.i18n``'s locale selector has no request to read and Flask-Babel's
own functions raise. These answer in English there instead, with the same
text. Import them under the usual names so that ``pybabel extract`` finds
the messages: ``from tracker.translation import gettext as _, ngettext``.
(Views and forms, which always run in a request, use Flask-Babel's.)
"""

from __future__ import annotations

import flask_babel
from flask import has_request_context


def gettext(message: str, **values: object) -> str:
    if has_request_context():
        return flask_babel.gettext(message, **values)
    return message % values if values else message


def ngettext(singular: str, plural: str, num: int, **values: object) -> str:
    if has_request_context():
        return flask_babel.ngettext(singular, plural, num, **values)
    values.setdefault("num", num)
    return (singular if num == 1 else plural) % values


def N_(message: str) -> str:
    """Mark ``message`` for extraction only; translate it where it is used
    (``gettext(TABLE[key])``), so a table can be a module constant."""
    return message
