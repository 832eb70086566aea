"""The coverage table and inspection plans as JSON, CSV and XLSX: the same columns everywhere."""
from __future__ import annotations

import io
from datetime import datetime

from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from app.core.dates import as_utc, format_date, format_datetime
from app.core.spreadsheets import csv_bytes, neutralise
from app.coverage.labels import column_label
from app.coverage.queries import COLUMNS, CoverageTable

AGENCY_FIELDS = COLUMNS[:4]
#: the columns of an inspection plan export, in order
PLAN_COLUMNS = ("rank", "agency_code", "agency_name", "agency_type", "headcount", "obligations_due",
                "obligations_met", "coverage_pct", "gap", "weight", "reasons")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

_BOLD = Font(bold=True)
_HEAD_FILL = PatternFill("solid", fgColor="DDE5EF")
_THIN = Side(style="thin", color="A6B0BC")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_WIDTHS = {"agency_code": 16, "agency_name": 42, "agency_type": 18, "parent_code": 14, "coverage_pct": 10,
           "rank": 6, "reasons": 60, "weight": 9, "gap": 9}


def _iso_utc(moment: datetime) -> str:
    return as_utc(moment).isoformat()


def _row(data: dict) -> dict:
    return {name: data[name] for name in COLUMNS}


def totals_dict(table: CoverageTable) -> dict:
    """Column sums with the agency fields empty; coverage_pct recomputed from the sums, not averaged."""
    return _row(table.totals.as_dict()) | dict.fromkeys(AGENCY_FIELDS)


def to_json(table: CoverageTable, freeze=None) -> dict:
    """The table as a JSON-ready dict; `freeze` is the CoverageFreeze the table was read from, if any."""
    return {
        "year": table.year,
        "as_of": table.as_of.isoformat(),
        "frozen": freeze is not None,
        "frozen_at": _iso_utc(freeze.frozen_at) if freeze else None,
        "frozen_by": freeze.frozen_by_label if freeze else None,
        "rules": table.rules.as_dict(),
        "columns": list(COLUMNS),
        "rows": [_row(r.as_dict()) for r in table.rows],
        "totals": totals_dict(table),
    }


def csv_value(name: str, value):
    """A value as written to a CSV cell: percentages with one decimal and a dot, None empty."""
    if name == "coverage_pct" and value is not None:
        return f"{value:.1f}"
    return value


def to_csv(table: CoverageTable) -> bytes:
    """Header = COLUMNS, one line per agency and no totals line, so the file stays machine-readable
    (the totals are one sum away); text cells neutralised against formula injection."""
    rows = ([csv_value(name, data[name]) for name in COLUMNS] for data in (r.as_dict() for r in table.rows))
    return csv_bytes(COLUMNS, rows)


def _write(ws, row: int, col: int, value, **style):
    cell = ws.cell(row=row, column=col, value=neutralise(value))
    for key, val in style.items():
        setattr(cell, key, val)
    return cell


def _header(ws, row: int, columns: tuple[str, ...], labels: list[str]) -> None:
    """Two header rows: the headings people read, then the machine column names."""
    for col, (name, label) in enumerate(zip(columns, labels), start=1):
        _write(ws, row, col, label, font=_BOLD, fill=_HEAD_FILL, border=_BOX,
               alignment=Alignment(wrap_text=True, vertical="center", horizontal="center"))
        _write(ws, row + 1, col, name, font=Font(italic=True, size=8, color="5B6675"), border=_BOX)
        ws.column_dimensions[get_column_letter(col)].width = _WIDTHS.get(name, 12)
    ws.row_dimensions[row].height = 48


def _sheet(title: str, lines: list[str]):
    """A workbook whose first sheet starts with a bold title, the given lines and an empty row."""
    book = Workbook()
    ws = book.active
    book.properties.title = title
    _write(ws, 1, 1, title, font=Font(bold=True, size=14))
    for offset, line in enumerate(lines, start=2):
        _write(ws, offset, 1, line)
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    return book, ws, len(lines) + 3  # the header row comes after the empty one


def _finish(book, ws, header_row: int) -> bytes:
    ws.freeze_panes = ws.cell(row=header_row + 2, column=1)
    ws.print_title_rows = f"{header_row}:{header_row + 1}"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _put_row(ws, row: int, columns: tuple[str, ...], data: dict, font=None) -> None:
    for col, name in enumerate(columns, start=1):
        cell = _write(ws, row, col, data.get(name), border=_BOX)
        if name == "coverage_pct":
            cell.number_format = "0.0"
        if font is not None:
            cell.font = font


def to_xlsx(table: CoverageTable, freeze=None) -> bytes:
    """A report to file: title, cut-off date, who froze it, two header rows (Vietnamese headings, then
    COLUMNS), one row per agency with the values of to_json, and a bold "Tổng cộng" row."""
    title = _("BÁO CÁO KẾT QUẢ ĐÀO TẠO HTQLCL THEO TCVN ISO 9001:2015 — NĂM %(year)s", year=table.year)
    if freeze is not None:
        lines = [_("Ngày chốt số liệu: %(d)s", d=format_date(table.as_of)),
                 _("Đã chốt lúc %(at)s, người chốt: %(who)s", at=format_datetime(freeze.frozen_at),
                   who=freeze.frozen_by_label)]
    else:
        lines = [_("Số liệu tạm tính đến ngày %(d)s", d=format_date(table.as_of)),
                 _("Chưa chốt số liệu: các con số còn có thể thay đổi.")]
    book, ws, head = _sheet(title, lines)
    ws.title = str(table.year)
    _header(ws, head, COLUMNS, [column_label(name) for name in COLUMNS])
    row = head + 2
    for data in (r.as_dict() for r in table.rows):
        _put_row(ws, row, COLUMNS, data)
        row += 1
    _put_row(ws, row, COLUMNS, totals_dict(table) | {"agency_code": _("Tổng cộng")}, font=_BOLD)
    return _finish(book, ws, head)


# Inspection plans ------------------------------------------------------------------------------

def plan_rows(plan) -> list[dict]:
    """One dict per pick with exactly PLAN_COLUMNS (reasons joined with "; ")."""
    return [{name: ("; ".join(pick["reasons"]) if name == "reasons" else pick.get(name)) for name in PLAN_COLUMNS}
            for pick in plan.picks]


def plan_to_json(plan) -> dict:
    return {"id": plan.id, "year": plan.year, "seed": plan.seed, "share": plan.share, "source": plan.source,
            "as_of": plan.as_of.isoformat(), "created_at": _iso_utc(plan.created_at),
            "created_by": plan.created_by_label, "agencies_in_scope": plan.agencies_in_scope, "picks": plan.picks}


def plan_to_csv(plan) -> bytes:
    return csv_bytes(PLAN_COLUMNS, ([csv_value(n, r[n]) for n in PLAN_COLUMNS] for r in plan_rows(plan)))


def _plan_label(name: str) -> str:
    labels = {"rank": _("STT"), "gap": _("Số nghĩa vụ chưa hoàn thành"), "weight": _("Trọng số"),
              "reasons": _("Lý do chọn")}
    return labels[name] if name in labels else column_label(name)


def plan_to_xlsx(plan) -> bytes:
    """The plan as a file to attach to the inspection decision: the draw's parameters, then the picks."""
    title = _("KẾ HOẠCH KIỂM TRA THỰC TẾ VIỆC ÁP DỤNG HTQLCL — NĂM %(year)s", year=plan.year)
    source = _("số liệu đã chốt") if plan.source == "frozen" else _("số liệu tạm tính")
    lines = [
        _("Chọn %(k)s trên %(n)s cơ quan (tỷ lệ %(pct)s %%), theo %(source)s đến ngày %(d)s",
          k=len(plan.picks), n=plan.agencies_in_scope, pct=f"{plan.share * 100:g}", source=source,
          d=format_date(plan.as_of)),
        _("Số khởi tạo: %(seed)s · lập lúc %(at)s, người lập: %(who)s", seed=str(plan.seed),
          at=format_datetime(plan.created_at), who=plan.created_by_label),
    ]
    book, ws, head = _sheet(title, lines)
    ws.title = str(plan.year)
    _header(ws, head, PLAN_COLUMNS, [_plan_label(name) for name in PLAN_COLUMNS])
    for offset, data in enumerate(plan_rows(plan)):
        _put_row(ws, head + 2 + offset, PLAN_COLUMNS, data)
        ws.cell(row=head + 2 + offset, column=len(PLAN_COLUMNS)).alignment = Alignment(wrap_text=True)
    return _finish(book, ws, head)
