"""Characters no text of ours may hold, refused at every door.

C0 and C1 control characters (and DEL) are invisible, break spreadsheet
exports (XLSX cannot hold most of them) and terminals; the bidirectional
embedding, override and isolate controls reorder what a reader sees
("Trojan source"). Tab and line breaks are text in multi-line fields only.
Forms (``tracker.forms.TrackerForm``) and the CSV import both ask
``control_character_problem``; the exporters pass stored text through
``without_control_characters`` so that older rows still export.
"""

from __future__ import annotations

import re
from typing import NamedTuple

_BIDI = "\u202a-\u202e\u2066-\u2069"
FORBIDDEN_SINGLE_LINE = re.compile(f"[\x00-\x1f\x7f-\x9f{_BIDI}]")
FORBIDDEN_MULTI_LINE = re.compile(f"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f{_BIDI}]")
REPLACEMENT = "\ufffd"


class ControlCharacter(NamedTuple):
    """The first forbidden character of a text: its code, where it is."""

    code: str  # "U+0009"
    position: int  # from 1
    is_line_break: bool  # a tab or line break (refused in one-line fields)


def find_control_character(
    value: str, *, multiline: bool = False
) -> ControlCharacter | None:
    """The first forbidden character of ``value``, or None."""
    pattern = FORBIDDEN_MULTI_LINE if multiline else FORBIDDEN_SINGLE_LINE
    found = pattern.search(value)
    if found is None:
        return None
    return ControlCharacter(
        f"U+{ord(found.group()):04X}", found.start() + 1, found.group() in "\t\n\r"
    )


def control_character_problem(value: str, *, multiline: bool = False) -> str | None:
    """A message naming the first forbidden character of ``value``, or None
    (the rest of a sentence that starts with what holds it: "This text ")."""
    found = find_control_character(value, multiline=multiline)
    if found is None:
        return None
    if found.is_line_break:
        return f"must be on one line (it holds a tab or line break, {found.code})."
    return (
        f"holds an invisible control character ({found.code}) at position "
        f"{found.position}; remove it and try again."
    )


def without_control_characters(value: str) -> str:
    """``value`` with each forbidden character replaced by U+FFFD (for exports)."""
    return FORBIDDEN_MULTI_LINE.sub(REPLACEMENT, value)
