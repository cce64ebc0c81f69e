"""The one CSV/XLSX writer: every download (list exports, participant lists,
dashboard charts, open data) streams through here, never holding every row in
memory, and every cell is defused the same way."""

from __future__ import annotations

import csv
import io
import re
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import date, datetime
from decimal import Decimal
from itertools import islice
from typing import Any

from flask import Response, abort, stream_with_context
from flask_babel import to_user_timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from sqlalchemy import Select

from tracker.extensions import db
from tracker.models.enums import label
from tracker.text import without_control_characters
from tracker.vocabulary import country_name, field_label, yes_no

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


# XLSX cells speak to people (CSV stays machine-readable): these columns
# hold a country code or a vocabulary value, shown in the reader's words.
COUNTRY_COLUMNS = frozenset({"country", "event_country", "municipality_country"})
WORD_COLUMNS = frozenset({"attendance", "event_kind", "kind", "role", "status"})
# Column widths follow the header and the first rows, within these bounds.
WIDTH_SAMPLE_ROWS = 200
MIN_WIDTH, MAX_WIDTH = 8, 60
DAY_FORMAT = "yyyy-mm-dd"
MOMENT_FORMAT = "yyyy-mm-dd hh:mm"
# Characters a sheet title may not hold, and its length limit.
SHEET_TITLE_REFUSED = re.compile(r"[\\/*?:\[\]]")
SHEET_TITLE_MAX = 31


def xlsx_value(column: str, value: Any) -> Any:
    """A value as an XLSX cell holds it: typed dates and numbers, words for
    codes, times in the reader's time zone (a spreadsheet knows no zones)."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return yes_no(value)
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = to_user_timezone(value).replace(tzinfo=None)
        return value
    if isinstance(value, date | int | float | Decimal):
        return value
    if column in COUNTRY_COLUMNS and isinstance(value, str):
        return country_name(value)
    if column in WORD_COLUMNS:
        return label(value)
    if hasattr(value, "value"):
        value = value.value  # other enums
    return without_control_characters(str(value))


def _typed_cell(sheet, value: Any) -> WriteOnlyCell:
    cell_ = WriteOnlyCell(sheet, value=value)
    if isinstance(value, datetime):
        cell_.number_format = MOMENT_FORMAT
    elif isinstance(value, date):
        cell_.number_format = DAY_FORMAT
    elif isinstance(value, str):
        # A typed string is never evaluated, "=1+2" included: no guard needed.
        cell_.data_type = "s"
    return cell_


def _width(value: Any) -> int:
    if isinstance(value, datetime):
        return 16
    if isinstance(value, date):
        return 10
    text = "" if value is None else str(value)
    return max((len(line) for line in text.splitlines()), default=0)


def sheet_title(title: str) -> str:
    """A title a workbook accepts: no ``[]:*?/\\``, at most 31 characters."""
    cleaned = SHEET_TITLE_REFUSED.sub(" ", title).strip() or "Export"
    return cleaned[:SHEET_TITLE_MAX]


def xlsx_response(
    filename: str,
    header: Sequence[str],
    rows: Iterable[Sequence[Any]],
    title: str = "",
) -> Response:
    """An XLSX file built in write-only mode (constant memory), then streamed.

    Headers read in words, the header row stays frozen, dates are date
    cells, and each column is as wide as its header and first rows need.
    """
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=sheet_title(title or filename.split(".")[0]))
    sheet.freeze_panes = "A2"
    labels = [field_label(name) for name in header]
    rows = iter(rows)
    sample = [
        [xlsx_value(name, value) for name, value in zip(header, row, strict=False)]
        for row in islice(rows, WIDTH_SAMPLE_ROWS)
    ]
    for index, text in enumerate(labels):
        widest = max(
            [len(text), *(_width(row[index]) for row in sample if index < len(row))]
        )
        sheet.column_dimensions[get_column_letter(index + 1)].width = min(
            max(widest + 2, MIN_WIDTH), MAX_WIDTH
        )
    header_cells = []
    for text in labels:
        header_cell = WriteOnlyCell(sheet, value=text)
        header_cell.font = Font(bold=True)
        header_cell.data_type = "s"
        header_cells.append(header_cell)
    sheet.append(header_cells)
    for values in sample:
        sheet.append([_typed_cell(sheet, value) for value in values])
    for row in rows:
        sheet.append(
            [
                _typed_cell(sheet, xlsx_value(name, value))
                for name, value in zip(header, row, strict=False)
            ]
        )
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
    fmt: str,
    stem: str,
    header: Sequence[str],
    rows: Iterable[Sequence[Any]],
    title: str = "",
) -> Response:
    """CSV (machine-readable, as imported) or XLSX (for people, sheet ``title``)."""
    if fmt == "xlsx":
        return xlsx_response(f"{stem}.xlsx", header, rows, title)
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


def export_response(
    fmt: str, stem: str, header, query: Select, to_row=None, title: str = ""
):
    """Stream ``query``'s rows as a CSV or XLSX download; 404 for another format.

    ``title`` names the XLSX sheet (the list's name in the reader's language).
    """
    if fmt not in FORMATS:
        abort(404)
    return tabular_response(fmt, stem, header, _batched_rows(query, to_row), title)
