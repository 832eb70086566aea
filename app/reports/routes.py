"""DOST and manager reports."""
from flask import Blueprint, render_template, request
from flask_login import current_user

from app.core.spreadsheets import csv_bytes, download, report_csv, report_xlsx, wants_machine
from app.coverage.display import requested_year, year_choices
from app.coverage.queries import reference_date
from app.policy import can_view_reports, managed_agency_ids, require
from app.reports import exports
from app.reports.queries import agency_completion_table

bp = Blueprint("reports", __name__, url_prefix="/reports")


def _table():
    """The year asked for, its reference day (today for this year, 31 December for a past one) and
    the completion table on that day, for the viewer's agencies."""
    year = requested_year(request.args)
    day = reference_date(year)
    codes, rows = agency_completion_table(day, managed_agency_ids(current_user))
    return year, day, codes, rows


@bp.get("/agencies")
@require(can_view_reports)
def agencies():
    """Per-agency completion table: the whole province for DOST, one's own agencies for managers."""
    year, day, codes, rows = _table()
    totals = {code: sum(r.done.get(code, 0) for r in rows) for code in codes}
    headcount = sum(r.headcount for r in rows)
    return render_template("reports/agencies.html", codes=codes, rows=rows, totals=totals,
                           headcount=headcount, day=day, year=year, years=year_choices())


@bp.get("/agencies.<any(csv, xlsx):format>")
@require(can_view_reports)
def agencies_export(format: str):
    """The table as a file for people, or for systems (?format=machine)."""
    year, day, codes, rows = _table()
    name = f"hoan-thanh-dao-tao-theo-co-quan-{year}"
    machine = exports.completion_machine(codes, rows)
    if format == "xlsx":
        return download(report_xlsx(exports.completion_report(day, codes, rows), machine), f"{name}.xlsx")
    if wants_machine(request.args):
        return download(csv_bytes(*machine), f"{name}-machine.csv")
    return download(report_csv(exports.completion_report(day, codes, rows, for_csv=True)), f"{name}.csv")
