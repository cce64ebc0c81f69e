"""Every word a template shows goes through a translation call.

A small extractor: Jinja's lexer separates template text ("data") from
expressions, so any letters left in the text once tags, comments, scripts and
entities are removed are words a reader would see untranslated. Attribute
values a reader sees or hears (title, placeholder, aria-label, alt, value of a
button) count as text too.
"""

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from jinja2 import Environment

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
VISIBLE_ATTRIBUTES = {"title", "placeholder", "aria-label", "alt", "label"}
# Names that are the same in every language.
UNTRANSLATED_NAMES = {"UPP Tracker", "UPP", "CSV", "XLSX", "JSON", "API", "OpenAPI"}
LETTER = re.compile(r"[^\W\d_]", re.UNICODE)


class _VisibleText(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.words: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._hidden += 1
        for name, value in attrs:
            if value and name in VISIBLE_ATTRIBUTES:
                self.words.append(value)
        if tag == "input" and ("type", "submit") in attrs:
            self.words.extend(v for n, v in attrs if n == "value" and v)

    def handle_endtag(self, tag):
        if tag in ("script", "style") and self._hidden:
            self._hidden -= 1

    def handle_data(self, data):
        if not self._hidden:
            self.words.append(data)


def untranslated_text(source: str) -> list[str]:
    """The visible words of a template that are outside any translation call."""
    env = Environment(extensions=["jinja2.ext.i18n"])
    # Each expression and tag becomes a placeholder that holds no letters, so
    # attributes that mix text and expressions still parse as HTML.
    pieces, in_trans, previous = [], False, None
    for _line, kind, value in env.lex(source):
        if previous == "block_begin" and kind == "name":
            in_trans = value in ("trans", "pluralize") or (
                in_trans and value != "endtrans"
            )
        if kind == "data" and not in_trans:
            pieces.append(value)
        elif kind == "variable_begin":
            pieces.append("\x00")
        if kind != "whitespace":
            previous = kind
    parser = _VisibleText()
    parser.feed("".join(pieces))
    parser.close()
    found = []
    for words in parser.words:
        words = words.replace("\x00", " ").strip()
        for name in sorted(UNTRANSLATED_NAMES, key=len, reverse=True):
            words = words.replace(name, "")
        if LETTER.search(words):
            found.append(" ".join(words.split()))
    return found


def test_the_checker_finds_bare_words_and_spares_translated_ones():
    assert untranslated_text('<p>{{ _("Saved") }}</p><p title="Edit">x</p>') == [
        "Edit",
        "x",
    ]
    assert untranslated_text('<a title="{{ _("Edit") }}">{{ name }}</a> ·') == []
    assert (
        untranslated_text("{% trans %}Hello{% endtrans %}<script>let a;</script>") == []
    )
    assert untranslated_text("{# a comment #}<b>{{ n|number }}</b> &times;") == []


@pytest.mark.parametrize(
    "template", sorted(str(p.relative_to(TEMPLATES)) for p in TEMPLATES.rglob("*.html"))
)
def test_template_text_goes_through_translation(template):
    if found := untranslated_text((TEMPLATES / template).read_text()):
        pytest.fail("untranslated text:\n" + "\n".join(found), pytrace=False)
