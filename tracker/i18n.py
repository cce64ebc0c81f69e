"""The reader's language, time zone and local formats (Flask-Babel).

Choice of language: the signed-in user's saved preference, else the cookie
the language switcher sets (anonymous visitors too), else the browser's
``Accept-Language``, else English. Times are stored in UTC and shown in the
user's time zone (a profile setting, default ``Europe/Belgrade``).

Catalogs live in ``tracker/translations/<locale>/LC_MESSAGES/messages.po``
(``make translations`` extracts, updates and compiles them).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from decimal import Decimal

from babel import Locale
from flask import Flask, g, has_request_context, request
from flask_babel import (
    force_locale,
    format_date,
    format_datetime,
    format_decimal,
    format_percent,
    refresh,
)
from flask_babel import get_locale as babel_locale
from flask_login import current_user

from tracker.extensions import babel
from tracker.translation import translations

# Locale id -> the language's own name, as the switcher lists it. Montenegrin:
# Babel's CLDR has no locale data of its own for "cnr" (it maps the code to
# sr_Latn_ME), so sr_Latn_ME is the locale and its catalog is Montenegrin.
LANGUAGES: dict[str, str] = {
    "en": "English",
    "sq": "Shqip",
    "sr_Latn": "Srpski (latinica)",
    "sr": "Српски (ћирилица)",
    "hr": "Hrvatski",
    "bs": "Bosanski",
    "mk": "Македонски",
    "sr_Latn_ME": "Crnogorski",
}
DEFAULT_LOCALE = "en"
DEFAULT_TIMEZONE = "Europe/Belgrade"
COOKIE = "tracker_lang"
COOKIE_MAX_AGE = 365 * 24 * 3600

# Accept-Language tags (lower case, "-") that name one of our locales
# differently from its id: Cyrillic is Serbian's default script.
ACCEPT_ALIASES = {
    "sr-latn": "sr_Latn",
    "sr-cyrl": "sr",
    "sr-me": "sr_Latn_ME",
    "sr-latn-me": "sr_Latn_ME",
    "cnr": "sr_Latn_ME",
    "cnr-me": "sr_Latn_ME",
    "me": "sr_Latn_ME",
    "bs-latn": "bs",
}


def supported(code: str | None) -> str | None:
    """``code`` if it is one of our locales (its exact id), else None."""
    return code if code in LANGUAGES else None


def _from_accept_language() -> str | None:
    for tag, _quality in request.accept_languages:
        subtags = tag.lower().replace("_", "-").split("-")
        # "sr-Latn-RS" is tried as itself, then "sr-latn", then "sr".
        for size in range(len(subtags), 0, -1):
            candidate = "-".join(subtags[:size])
            if candidate in ACCEPT_ALIASES:
                return ACCEPT_ALIASES[candidate]
            for code in LANGUAGES:
                if code.lower().replace("_", "-") == candidate:
                    return code
    return None


def select_locale() -> str:
    """The reader's language: profile, then switcher cookie, then browser."""
    if not has_request_context():
        return DEFAULT_LOCALE  # the command line and workers speak English
    if current_user and current_user.is_authenticated:
        if chosen := supported(current_user.locale):
            return chosen
    return (
        supported(request.cookies.get(COOKIE))
        or _from_accept_language()
        or DEFAULT_LOCALE
    )


def select_timezone() -> str:
    if reader_timezone := g.get("reader_timezone"):
        return reader_timezone
    if current_user and current_user.is_authenticated and current_user.timezone:
        return current_user.timezone
    return DEFAULT_TIMEZONE


@contextmanager
def as_reader(locale: str | None, timezone: str | None) -> Iterator[None]:
    """Write for someone else (a notification's or e-mail's recipient): their
    language and time zone, whoever makes the change."""
    previous = g.get("reader_timezone")
    g.reader_timezone = timezone or DEFAULT_TIMEZONE
    refresh()
    try:
        with force_locale(supported(locale) or DEFAULT_LOCALE):
            yield
    finally:
        if previous is None:
            g.pop("reader_timezone", None)
        else:
            g.reader_timezone = previous
        refresh()


def bcp47(locale: str) -> str:
    """sr_Latn_ME -> sr-Latn-ME (``<html lang>``, ``Content-Language``)."""
    return locale.replace("_", "-")


def current_locale() -> str:
    return str(babel_locale() or DEFAULT_LOCALE)


def html_lang() -> str:
    """The BCP 47 tag for ``<html lang>``: sr_Latn_ME -> sr-Latn-ME."""
    return bcp47(current_locale())


# English keeps the compact "4 Sep 2017"; the region's languages use their
# own long form ("4. rujna 2017.", "4 shtator 2017").
DAY_FORMATS = {"en": "d MMM y"}
MOMENT_FORMATS = {"en": "d MMM y HH:mm"}


def format_day(value: date | None) -> str:
    if not value:
        return ""
    return format_date(value, DAY_FORMATS.get(current_locale(), "long"))


def format_moment(value: datetime | None) -> str:
    """A stored UTC time in the reader's time zone, with the zone's name."""
    if not value:
        return ""
    pattern = MOMENT_FORMATS.get(current_locale(), "d MMMM y HH:mm")
    return format_datetime(value, pattern + " zzz")


def format_number(value: int | float | Decimal | None) -> str:
    """A count or measure with the locale's grouping ("108.600" in Croatian)."""
    if value is None:
        return "—"
    if isinstance(value, float):
        return format_decimal(value, format="#,##0.0")
    return format_decimal(value)


def format_share(value: float | None) -> str:
    """A fraction (0.46) as the locale writes a percentage ("46 %")."""
    if value is None:
        return "—"
    return format_percent(value)


def language_name(code: str) -> str:
    return LANGUAGES.get(code) or Locale.parse(code).display_name or code


def init_app(app: Flask) -> None:
    babel.init_app(
        app,
        locale_selector=select_locale,
        timezone_selector=select_timezone,
        default_translation_directories="translations",
    )
    # Flask-Babel's callables look the catalog up anew for every message.
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: translations().ugettext(s),
        ngettext=lambda s, p, n: translations().ungettext(s, p, n),
        pgettext=lambda c, s: translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: translations().unpgettext(c, s, p, n),
        newstyle=True,
    )
    app.jinja_env.globals.update(
        html_lang=html_lang, LANGUAGES=LANGUAGES, current_locale=current_locale
    )
    app.jinja_env.filters.update(
        day=format_day, moment=format_moment, number=format_number, share=format_share
    )
