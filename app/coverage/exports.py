"""The coverage table and inspection plans as JSON, CSV and XLSX: for systems (COLUMNS, codes) and
for people (Vietnamese headings and labels, the national heading)."""
from __future__ import annotations

from datetime import datetime

from flask_babel import get_locale
from flask_babel import gettext as _

from app.agencies.types import type_label
from app.core.dates import as_utc, format_date, format_datetime
from app.core.labels import format_pct
from app.core.spreadsheets import Report, csv_bytes, report_csv, report_xlsx, yes_no
from app.coverage.labels import column_label
from app.coverage.queries import COLUMNS, CoverageTable

AGENCY_FIELDS = COLUMNS[:4]
#: the columns of an inspection plan export, in order
PLAN_COLUMNS = ("rank", "agency_code", "agency_name", "agency_type", "headcount", "obligations_due",
                "obligations_met", "coverage_pct", "gap", "weight", "reasons")
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
    """The machine-readable CSV: header = COLUMNS, codes and 0/1 as stored, one line per agency and
    no totals line (the totals are one sum away); text cells neutralised against formula injection.
    `flask coverage --format csv` prints it; the pages offer it as ?format=machine."""
    rows = ([csv_value(name, data[name]) for name in COLUMNS] for data in (r.as_dict() for r in table.rows))
    return csv_bytes(COLUMNS, rows)


def language() -> str:
    """The language labels are written in: the visitor's, Vietnamese outside a request."""
    return str(get_locale() or "vi")


def _readable(name: str, value, for_csv: bool):
    """A cell as people read it: a type's name, Có/Không, a percentage ("—" when nothing was due)."""
    if name == "agency_type" and value:
        return type_label(value, language())
    if name == "has_trained_secretary":
        return yes_no(value)
    if name == "coverage_pct":  # a number in a workbook, text in a CSV
        return format_pct(value) if for_csv or value is None else value
    return value


def _status_lines(table: CoverageTable, freeze) -> list[str]:
    if freeze is not None:
        return [_("Ngày chốt số liệu: %(d)s", d=format_date(table.as_of)),
                _("Đã chốt lúc %(at)s, người chốt: %(who)s", at=format_datetime(freeze.frozen_at),
                  who=freeze.frozen_by_label)]
    return [_("Số liệu tạm tính đến ngày %(d)s", d=format_date(table.as_of)),
            _("Chưa chốt số liệu: các con số còn có thể thay đổi.")]


def coverage_report(table: CoverageTable, freeze=None, for_csv: bool = False) -> Report:
    """The coverage table for people: Vietnamese headings, type names, Có/Không, and a bold
    "Tổng cộng" row whose has_trained_secretary is the number of agencies with one."""
    totals = totals_dict(table) | {"agency_code": _("Tổng cộng")}
    total_row = [_readable(name, value, for_csv) if name == "coverage_pct" else value
                 for name, value in totals.items()]
    return Report(
        title=_("BÁO CÁO KẾT QUẢ ĐÀO TẠO HTQLCL THEO TCVN ISO 9001:2015 — NĂM %(year)s", year=table.year),
        lines=_status_lines(table, freeze),
        headings=[column_label(name) for name in COLUMNS],
        rows=[[_readable(name, data[name], for_csv) for name in COLUMNS] for data in (r.as_dict() for r in table.rows)],
        totals=total_row,
        notes=[_("Tỷ lệ = nghĩa vụ đã hoàn thành / nghĩa vụ đến hạn; “—”: chưa có nghĩa vụ nào đến hạn.")],
        widths=[_WIDTHS.get(name, 11) for name in COLUMNS], formats={COLUMNS.index("coverage_pct"): "0.0"},
        wrapped={1}, sheet=str(table.year))


def to_report_csv(table: CoverageTable) -> bytes:
    """The CSV people download: the table of coverage_report, Vietnamese headings and labels."""
    return report_csv(coverage_report(table, for_csv=True))


def to_xlsx(table: CoverageTable, freeze=None) -> bytes:
    """The report to file or forward (coverage_report under the national heading), and the sheet
    "data" with COLUMNS and the values of to_json for other systems."""
    machine = (COLUMNS, ([data[name] for name in COLUMNS] for data in (r.as_dict() for r in table.rows)))
    return report_xlsx(coverage_report(table, freeze), machine)


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
    """The machine-readable plan (PLAN_COLUMNS, codes): `flask inspection-plan --format csv` and ?format=machine."""
    return csv_bytes(PLAN_COLUMNS, ([csv_value(n, r[n]) for n in PLAN_COLUMNS] for r in plan_rows(plan)))


def _plan_label(name: str) -> str:
    labels = {"rank": _("STT"), "gap": _("Số nghĩa vụ chưa hoàn thành"), "weight": _("Trọng số"),
              "reasons": _("Lý do chọn")}
    return labels[name] if name in labels else column_label(name)


def plan_report(plan, for_csv: bool = False) -> Report:
    """The plan for people: the draw's parameters, then the picks with type names."""
    source = _("số liệu đã chốt") if plan.source == "frozen" else _("số liệu tạm tính")
    return Report(
        title=_("KẾ HOẠCH KIỂM TRA THỰC TẾ VIỆC ÁP DỤNG HTQLCL — NĂM %(year)s", year=plan.year),
        lines=[
            _("Chọn %(k)s trên %(n)s cơ quan (tỷ lệ %(pct)s %%), theo %(source)s đến ngày %(d)s",
              k=len(plan.picks), n=plan.agencies_in_scope, pct=f"{plan.share * 100:g}", source=source,
              d=format_date(plan.as_of)),
            _("Lập lúc %(at)s, người lập: %(who)s · số khởi tạo %(seed)s (rút thăm lại với số này và cùng số "
              "liệu sẽ ra đúng các cơ quan dưới đây)", seed=str(plan.seed), at=format_datetime(plan.created_at),
              who=plan.created_by_label),
        ],
        headings=[_plan_label(name) for name in PLAN_COLUMNS],
        rows=[[_readable(name, data[name], for_csv) for name in PLAN_COLUMNS] for data in plan_rows(plan)],
        notes=[_("Sở Khoa học và Công nghệ là cơ quan kiểm tra nên không có trong danh sách rút chọn.")],
        widths=[_WIDTHS.get(name, 11) for name in PLAN_COLUMNS], formats={PLAN_COLUMNS.index("coverage_pct"): "0.0"},
        wrapped={2, len(PLAN_COLUMNS) - 1}, sheet=str(plan.year))


def plan_to_report_csv(plan) -> bytes:
    return report_csv(plan_report(plan, for_csv=True))


def plan_to_xlsx(plan) -> bytes:
    """The plan to attach to the inspection decision (plan_report), with the "data" sheet of plan_to_csv."""
    machine = (PLAN_COLUMNS, ([r[n] for n in PLAN_COLUMNS] for r in plan_rows(plan)))
    return report_xlsx(plan_report(plan), machine)
