"""Alphabetical order in the reader's language: Č after C, Đ after D, Ž after Z.

PostgreSQL sorts with its ICU collations (``hr-x-icu`` and so on). SQLite has
no ICU, so every connection gets one collation per language, backed by
``alphabet_key``: each language's alphabet in its own order, with its
digraphs (Croatian ``dž``, ``lj``, ``nj``; Albanian ``dh``, ``gj``, ``sh``...)
as single letters, as ICU's tailorings do. A letter outside the alphabet
sorts by its base letter (``é`` as ``e``), after the alphabet's own letters
for another script. Case and accents are a tie-break only, so "zagreb" and
"Zagreb" sit together. English uses ICU's root order, where a letter with a
diacritic sorts with its base letter.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

from sqlalchemy.sql.elements import ColumnElement

_LATIN_SOUTH_SLAVIC = "a b c č ć d dž đ e f g h i j k l lj m n nj o p r s š t u v z ž"
ALPHABETS: dict[str, list[str]] = {
    "hr": _LATIN_SOUTH_SLAVIC.split(),
    "bs": _LATIN_SOUTH_SLAVIC.split(),
    "sr_Latn": _LATIN_SOUTH_SLAVIC.split(),
    "sr_Latn_ME": _LATIN_SOUTH_SLAVIC.split(),
    "sq": (
        "a b c ç d dh e ë f g gj h i j k l ll m n nj o p q r rr s sh t th u v x xh y z "
        "zh"
    ).split(),
    "sr": "а б в г д ђ е ж з и ј к л љ м н њ о п р с т ћ у ф х ц ч џ ш".split(),
    "mk": "а б в г д ѓ е ж з ѕ и ј к л љ м н њ о п р с т ќ у ф х ц ч џ ш".split(),
    "en": [],
}

# The ICU collation PostgreSQL has for each language (all ship with ICU).
POSTGRES_COLLATIONS = {
    "en": "und-x-icu",
    "sq": "sq-x-icu",
    "sr_Latn": "sr-Latn-x-icu",
    "sr": "sr-Cyrl-x-icu",
    "hr": "hr-x-icu",
    "bs": "bs-x-icu",
    "mk": "mk-x-icu",
    "sr_Latn_ME": "sr-Latn-ME-x-icu",
}

OTHER_LETTERS = 1_000  # after every alphabet's own letters
# Letters Unicode does not decompose, with the base ICU's root order gives them.
UNDECOMPOSED = {"đ": "d", "ħ": "h", "ł": "l", "ø": "o", "ß": "ss", "æ": "ae", "œ": "oe"}


def _base(letter: str) -> str:
    """``é`` -> ``e``: the letter without its combining marks."""
    if letter in UNDECOMPOSED:
        return UNDECOMPOSED[letter]
    decomposed = unicodedata.normalize("NFKD", letter)
    return "".join(c for c in decomposed if not unicodedata.combining(c)) or letter


@lru_cache(maxsize=65536)
def alphabet_key(text: str, locale: str) -> tuple:
    """A sort key that puts ``text`` in ``locale``'s alphabetical order."""
    alphabet = ALPHABETS.get(locale, [])
    positions = {letter: index for index, letter in enumerate(alphabet)}
    digraphs = [letter for letter in alphabet if len(letter) > 1]
    folded = unicodedata.normalize("NFC", text.casefold())
    primary: list[int] = []
    index = 0
    while index < len(folded):
        letter = next(
            (d for d in digraphs if folded.startswith(d, index)), folded[index]
        )
        index += len(letter)
        if letter in positions:
            primary.append(positions[letter])
            continue
        for base in _base(letter):
            if base in positions:
                primary.append(positions[base])
            elif base.isalnum():
                primary.append(OTHER_LETTERS + ord(base))
            # Spaces and punctuation do not order names (ICU's "shifted").
    return (tuple(primary), folded, text)


def sqlite_collation(locale: str) -> str:
    return f"tracker_{locale}"


def _compare(locale: str):
    def compare(left: str | None, right: str | None) -> int:
        a, b = alphabet_key(left or "", locale), alphabet_key(right or "", locale)
        return (a > b) - (a < b)

    return compare


def add_sqlite_collations(connection) -> None:
    """Give a new SQLite connection one collation per language."""
    for locale in ALPHABETS:
        connection.create_collation(sqlite_collation(locale), _compare(locale))


def alphabetical(column: ColumnElement, dialect_name: str) -> ColumnElement:
    """``column`` in the reader's alphabetical order, on this database."""
    from tracker.i18n import current_locale  # i18n needs the extensions first

    locale = current_locale()
    if dialect_name == "postgresql":
        return column.collate(POSTGRES_COLLATIONS.get(locale, "und-x-icu"))
    if dialect_name == "sqlite":
        if locale not in ALPHABETS:
            locale = "en"
        return column.collate(sqlite_collation(locale))
    return column
