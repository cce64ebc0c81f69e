"""The one CSV/XLSX writer: every download (list exports, participant lists,
dashboard charts, open data) streams through here, never holding every row in
memory, and every cell is defused the same way."""

from __future__ import annotations

import csv
import io
import re
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

from flask import Response, abort, stream_with_context
from openpyxl import Workbook
from sqlalchemy import Select

from tracker.extensions import db
from tracker.text import without_control_characters

# A spreadsheet treats a cell starting with one of these as a formula; a
# leading apostrophe makes it text (OWASP "CSV injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
FLUSH_BYTES = 64 * 1024


def cell(value: Any) -> Any:
    """A value as a spreadsheet should show it: formulas, control characters defused."""
    if value is None:
        return ""
    if hasattr(value, "value") and not isinstance(value, str | int | float):
        value = value.value  # enums
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, str):
        # Rows stored before control characters were refused still export:
        # XLSX cannot hold most of them (openpyxl would refuse the file).
        value = without_control_characters(value)
        if value.startswith(FORMULA_STARTS):
            return "'" + value
    return value


def uncell(text: str) -> str:
    """Undo ``cell``'s defusing when a file comes back in."""
    if len(text) > 1 and text[0] == "'" and text[1:].startswith(FORMULA_STARTS):
        return text[1:]
    return text


def csv_chunks(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> Iterator[str]:
    """UTF-8 CSV text in chunks, starting with a BOM so spreadsheets read UTF-8."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    buffer.write("\ufeff")
    writer.writerow(header)
    for row in rows:
        writer.writerow([cell(value) for value in row])
        if buffer.tell() > FLUSH_BYTES:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def safe_filename(name: str) -> str:
    """A download name with nothing a header or a file system could misread."""
    return re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-") or "download"


def csv_response(
    filename: str, header: Sequence[str], rows: Iterable[Sequence[Any]]
) -> Response:
    """A streamed CSV download (UTF-8 with BOM) named ``filename``."""
    chunks = (chunk.encode("utf-8") for chunk in csv_chunks(header, rows))
    return Response(
        stream_with_context(chunks),
        mimetype="text/csv",
        headers={
            "Content-Type": "text/csv; charset=utf-8",
            "Content-Disposition": f'attachment; filename="{safe_filename(filename)}"',
        },
    )


def xlsx_response(
    filename: str, header: Sequence[str], rows: Iterable[Sequence[Any]]
) -> Response:
    """An XLSX file built in write-only mode (constant memory), then streamed."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title="Export")
    sheet.append(list(header))
    for row in rows:
        sheet.append([cell(value) for value in row])
    spool = tempfile.TemporaryFile()
    workbook.save(spool)
    spool.seek(0)

    def chunks() -> Iterator[bytes]:
        with spool:
            while data := spool.read(FLUSH_BYTES):
                yield data

    return Response(
        chunks(),
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={
            "Content-Disposition": f'attachment; filename="{safe_filename(filename)}"'
        },
    )


def tabular_response(
    fmt: str, stem: str, header: Sequence[str], rows: Iterable[Sequence[Any]]
) -> Response:
    if fmt == "xlsx":
        return xlsx_response(f"{stem}.xlsx", header, rows)
    return csv_response(f"{stem}.csv", header, rows)


FORMATS = ("csv", "xlsx")
BATCH = 1000


def _batched_rows(
    query: Select, to_row: Callable[[Any], tuple] | None
) -> Iterator[tuple]:
    """The export's rows in batches: ``to_row`` of each record, or, without it,
    the query's own columns (already the file's)."""
    result = db.session.execute(query.execution_options(yield_per=BATCH))
    if to_row is None:
        yield from result
        return
    for record in result.scalars():
        yield to_row(record)


def export_response(fmt: str, stem: str, header, query: Select, to_row=None):
    """Stream ``query``'s rows as a CSV or XLSX download; 404 for another format."""
    if fmt not in FORMATS:
        abort(404)
    return tabular_response(fmt, stem, header, _batched_rows(query, to_row))
