"""Every catalog translates every message the code and templates hold.

The messages are extracted afresh from the sources (as ``make
translations-extract`` does), so a new string without a translation fails
here, not in front of a reader in Skopje.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po
from flask_babel import force_locale, gettext

from tracker.i18n import DEFAULT_LOCALE, LANGUAGES

ROOT = Path(__file__).resolve().parent.parent
CATALOGS = ROOT / "tracker" / "translations"
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None}
KEYWORDS |= {"_l": None, "N_": None, "Np_": (1, 2), "pgettext": ((1, "c"), 2)}
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]|%[sd]")


@cache
def source_messages() -> frozenset[str]:
    found = set()
    methods = [
        ("tracker/**.py", "python"),
        ("templates/**.html", "jinja2"),
        ("templates/**.txt", "jinja2"),
    ]
    jinja = {"extensions": "jinja2.ext.i18n"}
    options = {"templates/**.html": jinja, "templates/**.txt": jinja}
    for *_location, message, _comments, _context in extract_from_dir(
        str(ROOT), methods, options, keywords={**KEYWORDS}
    ):
        found.add(message if isinstance(message, str) else message[0])
    return frozenset(found)


def catalog(locale: str):
    with open(CATALOGS / locale / "LC_MESSAGES" / "messages.po", "rb") as handle:
        return read_po(handle, locale=locale)


TRANSLATED = sorted(code for code in LANGUAGES if code != DEFAULT_LOCALE)


def test_the_sources_have_messages_to_translate():
    assert len(source_messages()) > 500


@pytest.mark.parametrize("locale", TRANSLATED)
def test_every_message_is_translated(locale):
    entries = {
        message.id if isinstance(message.id, str) else message.id[0]: message
        for message in catalog(locale)
        if message.id
    }
    missing = sorted(source_messages() - set(entries))
    untranslated = sorted(
        key
        for key, message in entries.items()
        if key in source_messages()
        and (
            message.fuzzy
            or not (
                all(message.string)
                if isinstance(message.string, tuple)
                else message.string
            )
        )
    )
    problems = [f"not in the catalog: {m!r}" for m in missing[:20]]
    problems += [f"untranslated or fuzzy: {m!r}" for m in untranslated[:20]]
    assert not problems, (
        f"{locale}: {len(missing)} missing, {len(untranslated)} untranslated\n"
        + "\n".join(problems)
    )


def placeholders(text: str) -> set[str]:
    return set(PLACEHOLDER.findall(text))


@pytest.mark.parametrize("locale", TRANSLATED)
def test_translations_keep_every_placeholder(locale):
    """A translation names the same values as its English (``%(name)s``).

    A plural form may leave out the count itself ("one person").
    """
    wrong = []
    for message in catalog(locale):
        if not message.id or not message.string:
            continue
        if isinstance(message.id, str):
            if placeholders(message.string) != placeholders(message.id):
                wrong.append(f"{message.id!r} -> {message.string!r}")
            continue
        allowed = placeholders(message.id[0]) | placeholders(message.id[1])
        for form in message.string:
            named = placeholders(form)
            if not named <= allowed or not (allowed - {"num"}) <= named:
                wrong.append(f"{message.id[0]!r} -> {form!r}")
    assert not wrong, f"{locale}: placeholders differ\n" + "\n".join(wrong[:20])


def html_lang(response) -> str:
    return re.search(r'<html lang="([^"]+)"', response.get_data(True)).group(1)


def test_the_home_page_answers_in_albanian(app, client):
    """Navigation and headings in Albanian, <html lang="sq">."""
    response = client.get("/", headers={"Accept-Language": "sq"})
    page = response.get_data(True)
    assert html_lang(response) == "sq"
    english = [
        "Testimonials",
        "Events",
        "Open data",
        "Sign in",
        "Urban Partnership Program tracker",
        "The program in figures",
        "Municipalities per program and stage",
    ]
    with app.test_request_context(), force_locale("sq"):
        albanian = [gettext(text) for text in english]
    for text, translated in zip(english, albanian, strict=True):
        assert translated != text, f"{text!r} has no Albanian translation"
        assert f">{translated}<" in page
