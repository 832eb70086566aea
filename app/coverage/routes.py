"""The DOST coverage dashboard, its drill-down to people, and completions by agency as they were."""
from __future__ import annotations

from flask import Blueprint, current_app, jsonify, render_template, request
from flask_login import current_user
from sqlalchemy import select

from app.agencies.models import Agency
from app.core.dates import today
from app.core.spreadsheets import csv_bytes, download, report_csv, report_xlsx, wants_machine
from app.coverage import display as views
from app.coverage import exports, labels
from app.coverage.obligations import agency_obligations
from app.extensions import db
from app.policy import can_freeze_coverage, can_view_agency, can_view_reports, ensure, managed_agency_ids, require
from app.reports import exports as people_exports

bp = Blueprint("coverage", __name__, url_prefix="/reports")


@bp.app_context_processor
def print_helpers() -> dict:
    """The day printed under the national heading of a report page (_print_heading.html)."""
    return {"print_day": today}


def _year() -> int:
    return views.requested_year(request.args)


@bp.get("/coverage")
@require(can_view_reports)
def dashboard():
    """Province (or one's own agencies) coverage for a year: totals, by type, by agency, trend."""
    year = _year()
    scope = managed_agency_ids(current_user)
    shown = views.coverage_for(year, scope, live=request.args.get("view") == "live")
    rows = views.filter_and_sort(shown.table.rows, request.args)
    return render_template(
        "coverage/dashboard.html", shown=shown, table=shown.table, rows=rows, year=year,
        agency_groups=labels.AGENCY_GROUPS, type_groups=labels.TYPE_GROUPS,
        years=views.year_choices(),
        types=sorted({r.agency_type for r in shown.table.rows}),
        parents=sorted({r.parent_code for r in shown.table.rows if r.parent_code}),
        no_secretary=[r for r in shown.table.rows if r.headcount and not r.has_trained_secretary],
        trend=views.trend(shown, scope, current_app.config["TREND_LIVE_LIMIT"]), args=request.args,
        may_freeze=can_freeze_coverage(current_user), current_year=today().year,
    )


@bp.get("/coverage.<any(csv, xlsx, json):format>")
@require(can_view_reports)
def export(format: str):
    """The table on the dashboard (frozen or live, one's own agencies) as a file: for people
    (Vietnamese headings and labels), or for systems (JSON, CSV with ?format=machine)."""
    year = _year()
    scope = managed_agency_ids(current_user)
    shown = views.coverage_for(year, scope, live=request.args.get("view") == "live")
    name = f"bao-cao-dao-tao-htqlcl-{year}-{'frozen' if shown.freeze else 'live'}"
    if format == "json":
        return jsonify(exports.to_json(shown.table, shown.freeze))
    if format == "xlsx":
        return download(exports.to_xlsx(shown.table, shown.freeze), f"{name}.xlsx")
    if wants_machine(request.args):
        return download(exports.to_csv(shown.table), f"{name}-machine.csv")
    return download(exports.to_report_csv(shown.table), f"{name}.csv")


def _drill_down(code: str):
    """The agency (404 unknown, 403 not the viewer's), the year, what is shown, its row (None when
    the agency is out of scope on the reference date) and its people's obligations."""
    year = _year()
    target = db.first_or_404(select(Agency).where(Agency.code == code))
    ensure(can_view_agency(current_user, target.id))
    shown = views.coverage_for(year, {target.id}, live=request.args.get("view") == "live")
    row = shown.table.rows[0] if shown.table.rows else None
    people = agency_obligations(target.id, year, shown.table.as_of, shown.table.rules)
    return target, year, shown, row, people


@bp.get("/coverage/agency/<code>")
@require(can_view_reports)
def agency(code: str):
    """One agency's row and each of its people's obligations for the year."""
    target, year, shown, row, people = _drill_down(code)
    return render_template("coverage/agency.html", agency=target, row=row, people=people, year=year,
                           shown=shown, years=views.year_choices())


@bp.get("/coverage/agency/<code>/people.<any(csv, xlsx):format>")
@require(can_view_reports)
def agency_export(code: str, format: str):
    """The drill-down as a file: each person with each obligation (?format=machine: for systems)."""
    target, year, shown, row, people = _drill_down(code)
    name = f"nghia-vu-dao-tao-{target.code}-{year}"
    report = people_exports.obligations_report(target, year, shown.table.as_of, row, people, for_csv=format == "csv")
    machine = people_exports.obligations_machine(people)
    if format == "xlsx":
        return download(report_xlsx(report, machine), f"{name}.xlsx")
    if wants_machine(request.args):
        return download(csv_bytes(*machine), f"{name}-machine.csv")
    return download(report_csv(report), f"{name}.csv")


@bp.get("/completions")
@require(can_view_reports)
def completions():
    """Completions of a year counted against the agency recorded on each (its name as it was), or
    rolled up to today's successor agencies."""
    year = _year()
    rolled = request.args.get("view") == "as_is"
    courses, rows = views.completions_by_agency(year, managed_agency_ids(current_user), rolled)
    totals = {c: sum(r.by_course.get(c, 0) for r in rows) for c in courses}
    return render_template("coverage/completions.html", year=year, courses=courses, rows=rows,
                           totals=totals, grand_total=sum(totals.values()),
                           rolled=rolled, years=views.year_choices())
