"""CSV and JSON downloads of aggregate tables (dashboard charts, open data)."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from typing import Any

from flask import Response

from tracker.text import without_control_characters

# A spreadsheet runs a cell that starts with one of these as a formula.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Any) -> Any:
    """A value fit for a CSV cell: text that would run as a formula is quoted."""
    if value is None:
        return ""
    if isinstance(value, str):
        value = without_control_characters(value)
        if value.startswith(FORMULA_START):
            return "'" + value
    return value


def csv_text(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """The table as CSV text, starting with a byte-order mark for spreadsheets."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([csv_cell(cell) for cell in header])
    for row in rows:
        writer.writerow([csv_cell(cell) for cell in row])
    return buffer.getvalue()


def safe_filename(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-") or "download"


def csv_response(
    filename: str, header: Sequence[str], rows: Iterable[Sequence[Any]]
) -> Response:
    """A CSV download (UTF-8 with BOM) named ``filename``."""
    return Response(
        csv_text(header, rows).encode("utf-8"),
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="{safe_filename(filename)}"',
            "Content-Type": "text/csv; charset=utf-8",
        },
    )
