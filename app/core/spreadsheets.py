"""Safe CSV/XLSX export helpers: formula-injection neutralising, Excel-friendly CSV bytes, and the
report workbook (national heading, Vietnamese headings) every download for people uses."""
from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from flask import Response
from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from app.core.dates import format_date, today

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


# Reports to hand on as they are: Vietnamese headings and labels under the national heading ----------

NATION = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"
#: the sheet of a report workbook that other systems read: machine column names, codes, 0/1
MACHINE_SHEET = "data"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def download(body: bytes, name: str) -> Response:
    """A file to save: CSV (UTF-8 with BOM) or XLSX, by the name's extension."""
    mimetype = "text/csv; charset=utf-8" if name.endswith(".csv") else XLSX_TYPE
    return Response(body, mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{name}"'})


def wants_machine(args) -> bool:
    """?format=machine: the CSV for other systems (column names, codes), not the one for people."""
    return args.get("format") == "machine"


@dataclass
class Report:
    """A table for people: a title and lines under it, headings, rows of values as they should read
    (labels, not codes), an optional bold totals row and notes under the table."""

    title: str
    lines: list[str]
    headings: list[str]
    rows: list[list]
    totals: list | None = None
    notes: list[str] = field(default_factory=list)
    #: column widths in characters (default 12)
    widths: list[int] = field(default_factory=list)
    #: column index -> Excel number format
    formats: dict[int, str] = field(default_factory=dict)
    #: columns whose text wraps (long names, reasons)
    wrapped: set[int] = field(default_factory=set)
    sheet: str = "Báo cáo"


def yes_no(flag) -> str:
    """Có / Không for a flag stored as a boolean or 0/1."""
    return _("Có") if flag else _("Không")


def report_csv(report: Report) -> bytes:
    """The report's table as CSV: the headings, the rows and the totals (no title: the file opens
    as a table)."""
    rows = [*report.rows, *([report.totals] if report.totals else [])]
    return csv_bytes(report.headings, rows)


def report_xlsx(report: Report, machine: tuple[Iterable, Iterable[Iterable]] | None = None) -> bytes:
    """The report as a workbook to forward: the national heading and the day it was made, the title,
    its lines, the table under one row of headings, the totals and the notes; printed landscape, one
    page wide, headings repeated. `machine` (header, rows) adds the MACHINE_SHEET for systems."""
    book = Workbook()
    ws = book.active
    ws.title = report.sheet[:31]
    book.properties.title = report.title
    width = max(len(report.headings), 1)
    centred = Alignment(horizontal="center", vertical="center", wrap_text=True)
    top = [(NATION, Font(bold=True)), (MOTTO, Font(bold=True, underline="single")),
           (_("Ngày lập: %(d)s", d=format_date(today())), Font(italic=True)), ("", None),
           (report.title, Font(bold=True, size=14)), *((line, None) for line in report.lines), ("", None)]
    for row, (text, font) in enumerate(top, start=1):
        if text:
            _merged(ws, row, width, text, font, centred)
    head = len(top) + 1
    for col, heading in enumerate(report.headings, start=1):
        _cell(ws, head, col, heading, font=_BOLD, fill=_HEAD_FILL, border=_BOX, alignment=centred)
        ws.column_dimensions[get_column_letter(col)].width = (report.widths[col - 1] if col <= len(report.widths)
                                                              else 12)
    ws.row_dimensions[head].height = 45
    row = head + 1
    for values, font in [*((r, None) for r in report.rows), *([(report.totals, _BOLD)] if report.totals else [])]:
        for col, value in enumerate(values, start=1):
            cell = _cell(ws, row, col, value, border=_BOX)
            if col - 1 in report.formats:
                cell.number_format = report.formats[col - 1]
            if col - 1 in report.wrapped:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
            if font is not None:
                cell.font = font
        row += 1
    for offset, note in enumerate(report.notes, start=1):
        _cell(ws, row + offset, 1, note, font=Font(italic=True, size=9))
    ws.freeze_panes = ws.cell(row=head + 1, column=1)
    ws.print_title_rows = f"{head}:{head}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    if machine is not None:
        header, rows = machine
        data = book.create_sheet(MACHINE_SHEET)
        data.append([neutralise(v) for v in header])
        for values in rows:
            data.append([neutralise(v) for v in values])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


_BOLD = Font(bold=True)
_HEAD_FILL = PatternFill("solid", fgColor="DDE5EF")
_THIN = Side(style="thin", color="A6B0BC")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)


def _cell(ws, row: int, col: int, value, **style):
    cell = ws.cell(row=row, column=col, value=neutralise(value))
    for key, val in style.items():
        setattr(cell, key, val)
    return cell


def _merged(ws, row: int, width: int, text: str, font, alignment) -> None:
    """A line of text across the whole table."""
    if width > 1:
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=width)
    _cell(ws, row, 1, text, alignment=alignment, **({"font": font} if font is not None else {}))
    ws.row_dimensions[row].height = 30 if font is not None and font.size and font.size > 12 else 16
