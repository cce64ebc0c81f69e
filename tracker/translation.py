"""``gettext``, ``ngettext`` and ``lazy_gettext`` as the application uses them.

One difference from Flask-Babel's own functions: Flask-Babel's lazy string
claims to be markup (its ``__html__`` returns the text unescaped), so a lazy
label or validator message with an apostrophe or ``&`` would reach the page
unescaped. ``lazy_gettext`` here returns a lazy string that templates escape
like any other text. Outside a request (CLI, workers) every message is
English: ``tracker.i18n.select_locale`` answers so.

Import them under the usual names so that ``pybabel extract`` finds the
messages: ``from tracker.translation import gettext as _, lazy_gettext as _l``.

Speed: Flask-Babel finds the catalog anew for every message (a dozen
context-local look-ups and the locale's name built each time), which made
translating a third of a long page's rendering time. ``translations()``
keeps the request's catalog on ``g`` beside the locale it was found for,
so a message costs one look-up; a changed locale (``force_locale``,
``refresh``, as ``tracker.i18n.as_reader`` uses) finds its catalog again.
Templates (``tracker.i18n.init_app``), labels and forms all go through it.
"""

from __future__ import annotations

from datetime import date

import flask_babel
from babel.support import NullTranslations
from flask import g, has_request_context
from flask_babel import LazyString
from markupsafe import Markup, escape

__all__ = ["N_", "Np_", "day", "gettext", "lazy_gettext", "ngettext", "translations"]


def translations() -> NullTranslations:
    """The catalog of the current locale: Flask-Babel's, found once per locale."""
    try:
        store = g._get_current_object()
    except RuntimeError:  # no application context: English
        return flask_babel.get_translations()
    babel_state = store.__dict__.get("_flask_babel")
    locale = getattr(babel_state, "babel_locale", None)
    if locale is None:  # not chosen yet: Flask-Babel chooses and keeps it
        return flask_babel.get_translations()
    kept = store.__dict__.get("_tracker_translations")
    if kept is not None and kept[0] is locale:
        return kept[1]
    found = flask_babel.get_translations()
    store._tracker_translations = (locale, found)
    return found


def gettext(string: str, **variables: object) -> str:
    """``string`` in the reader's language, ``%(name)s`` filled from ``variables``."""
    text = translations().ugettext(string)
    return text % variables if variables else text


def ngettext(singular: str, plural: str, num: int, **variables: object) -> str:
    """The singular or plural form for ``num`` (also ``%(num)d`` in the text)."""
    variables.setdefault("num", num)
    return translations().ungettext(singular, plural, num) % variables


def pgettext(context: str, string: str, **variables: object) -> str:
    text = translations().upgettext(context, string)
    return text % variables if variables else text


def npgettext(
    context: str, singular: str, plural: str, num: int, **variables: object
) -> str:
    variables.setdefault("num", num)
    return translations().unpgettext(context, singular, plural, num) % variables


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
        return translations().ugettext(string)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return translations().ungettext(singular, plural, n)


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
