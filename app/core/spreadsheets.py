"""Safe CSV/XLSX export helpers: formula-injection neutralising and Excel-friendly CSV bytes."""
from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable

#: a cell starting with one of these is run as a formula by Excel, LibreOffice or Google Sheets
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


#: a formula start right after a semicolon: Excel set to split CSV on ";" would run what follows
_AFTER_SEMICOLON = re.compile(r";(\s*)(?=[=+\-@])")


def neutralise(value):
    """The value made safe for a spreadsheet cell: a string a spreadsheet would read as a formula
    gets a leading apostrophe (shown as text, not run), and so does each part after a ";" that
    would start one. Numbers, dates and None pass unchanged."""
    if not isinstance(value, str):
        return value
    if ";" in value:
        value = _AFTER_SEMICOLON.sub(r";\1'", value)
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def csv_bytes(header: Iterable, rows: Iterable[Iterable]) -> bytes:
    """A CSV file as bytes: UTF-8 with a BOM (so Excel shows Vietnamese correctly), CRLF line ends,
    every cell neutralised. None becomes an empty cell."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([neutralise(cell) for cell in header])
    for row in rows:
        writer.writerow(["" if cell is None else neutralise(cell) for cell in row])
    return "\ufeff".encode() + buffer.getvalue().encode("utf-8")
