"""Safe CSV/XLSX export helpers: formula-injection neutralising and Excel-friendly CSV bytes."""
from __future__ import annotations

import csv
import io
from collections.abc import Iterable

#: a cell starting with one of these is run as a formula by Excel, LibreOffice or Google Sheets
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    """The value made safe for a spreadsheet cell: a string a spreadsheet would read as a formula
    gets a leading apostrophe (shown as text, not run). Numbers, dates and None pass unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_bytes(header: Iterable, rows: Iterable[Iterable]) -> bytes:
    """A CSV file as bytes: UTF-8 with a BOM (so Excel shows Vietnamese correctly), CRLF line ends,
    every cell neutralised. None becomes an empty cell."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([neutralise(cell) for cell in header])
    for row in rows:
        writer.writerow(["" if cell is None else neutralise(cell) for cell in row])
    return "\ufeff".encode() + buffer.getvalue().encode("utf-8")
