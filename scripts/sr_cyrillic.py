"""Write the Serbian Cyrillic catalog (sr) from the Serbian Latin one (sr_Latn).

Serbian has one standard in two scripts that map letter for letter, so the
Cyrillic catalog is derived, never edited by hand: ``make
translations-cyrillic``. Placeholders, markup, entities, URLs, e-mail
addresses, program codes and other Latin acronyms stay as they are.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from babel import Locale
from babel.messages.pofile import read_po, write_po

CATALOGS = Path(__file__).resolve().parent.parent / "tracker" / "translations"
DIGRAPHS = [
    ("Lj", "Љ"), ("LJ", "Љ"), ("lj", "љ"),
    ("Nj", "Њ"), ("NJ", "Њ"), ("nj", "њ"),
    ("Dž", "Џ"), ("DŽ", "Џ"), ("dž", "џ"),
]  # fmt: skip
LETTERS = dict(
    zip(
        "ABVGDĐEŽZIJKLMNOPRSTĆUFHCČŠabvgdđežzijklmnoprstćufhcčš",
        "АБВГДЂЕЖЗИЈКЛМНОПРСТЋУФХЦЧШабвгдђежзијклмнопрстћуфхцчш",
        strict=True,
    )
)
# English names the program keeps in every language, and the values data
# files hold (event kinds, stage kinds...), which a reader types as they are.
ENGLISH_NAMES = [
    "UPP Tracker",
    "Cities without Corruption – Cities with a Future",
    "Urban Partnership Program",
    "Integrity Leadership Training Program",
    "Municipal Finance Self-Assessment",
    "World Smart City Summit",
    "Smart City Week",
    "OpenAPI",
    "iCalendar",
    "PostgreSQL",
    "SQLite",
    "Redis",
    "YYYY-MM-DD",
]


def _data_values() -> list[str]:
    sys.path.insert(0, str(CATALOGS.parent.parent))
    from enum import StrEnum

    from tracker.models import enums

    return sorted(
        {
            member.value
            for enum in vars(enums).values()
            if isinstance(enum, type) and issubclass(enum, StrEnum)
            for member in enum
        },
        key=len,
        reverse=True,
    )


KEEP = re.compile(
    r"%\(\w+\)[sd]|%[sd]|<code>.*?</code>|<[^>]+>|&#?\w+;|https?://\S+"
    r"|[\w.+-]+@[\w.-]+|'[a-z_]+'|\b\w+_\w+\b"
    r"|\bflask [a-z -]+\b|\b[\w-]+\.(?:ics|csv|xlsx|pdf|json|zip)\b"
    r"|\b(?:" + "|".join(re.escape(name) for name in ENGLISH_NAMES) + r")\b"
    r"|\b(?:" + "|".join(re.escape(value) for value in _data_values()) + r")\b"
    r"|\b[A-Z]{2,}\b",  # ACP, ILTP, CSV, XLSX, API...
    re.DOTALL,
)


def to_cyrillic(latin: str) -> str:
    out, index = [], 0
    while index < len(latin):
        pair = latin[index : index + 2]
        cyrillic = next((c for d, c in DIGRAPHS if d == pair), None)
        if cyrillic:
            out.append(cyrillic)
            index += 2
        else:
            out.append(LETTERS.get(latin[index], latin[index]))
            index += 1
    return "".join(out)


def transliterate(text: str) -> str:
    """``text`` in Cyrillic, with every protected piece kept as it is."""
    out, position = [], 0
    for kept in KEEP.finditer(text):
        out.append(to_cyrillic(text[position : kept.start()]))
        out.append(kept.group(0))
        position = kept.end()
    out.append(to_cyrillic(text[position:]))
    return "".join(out)


def main() -> None:
    source = CATALOGS / "sr_Latn" / "LC_MESSAGES" / "messages.po"
    target = CATALOGS / "sr" / "LC_MESSAGES" / "messages.po"
    with open(source, "rb") as handle:
        catalog = read_po(handle, locale="sr_Latn")
    catalog.locale = Locale.parse("sr")
    for message in catalog:
        if not message.id or not message.string:
            continue
        if isinstance(message.string, str):
            message.string = transliterate(message.string)
        else:
            message.string = tuple(transliterate(form) for form in message.string)
    with open(target, "wb") as handle:
        write_po(handle, catalog, width=88, omit_header=False, sort_output=True)
    print(f"{target.relative_to(CATALOGS.parent.parent)}: {len(catalog)} messages")


if __name__ == "__main__":
    sys.exit(main())
