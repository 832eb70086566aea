"""The DOST coverage dashboard, its drill-down to people, and completions by agency as they were."""
from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, jsonify, render_template, request
from flask_login import current_user
from sqlalchemy import select

from app.agencies.models import Agency
from app.core.dates import today
from app.coverage import display as views
from app.coverage import exports, labels
from app.coverage.obligations import agency_obligations
from app.coverage.queries import YearError, reference_date
from app.extensions import db
from app.policy import can_freeze_coverage, can_view_agency, can_view_reports, ensure, managed_agency_ids, require

bp = Blueprint("coverage", __name__, url_prefix="/reports")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _year() -> int:
    year = request.args.get("year", type=int) or today().year
    if not 2000 <= year <= today().year:
        abort(404)
    return year


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
        years=list(range(today().year, today().year - 6, -1)),
        types=sorted({r.agency_type for r in shown.table.rows}),
        parents=sorted({r.parent_code for r in shown.table.rows if r.parent_code}),
        no_secretary=[r for r in shown.table.rows if r.headcount and not r.has_trained_secretary],
        trend=views.trend(shown, scope, current_app.config["TREND_LIVE_LIMIT"]), args=request.args,
        may_freeze=can_freeze_coverage(current_user), current_year=today().year,
    )


@bp.get("/coverage.<any(csv, xlsx, json):format>")
@require(can_view_reports)
def export(format: str):
    """The table on the dashboard (frozen or live, one's own agencies) as a file."""
    year = _year()
    scope = managed_agency_ids(current_user)
    shown = views.coverage_for(year, scope, live=request.args.get("view") == "live")
    kind = "frozen" if shown.freeze else "live"
    name = f"bao-cao-dao-tao-htqlcl-{year}-{kind}.{format}"
    if format == "json":
        return jsonify(exports.to_json(shown.table, shown.freeze))
    body, mimetype = ((exports.to_csv(shown.table), "text/csv; charset=utf-8") if format == "csv" else
                      (exports.to_xlsx(shown.table, shown.freeze), XLSX))
    return Response(body, mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{name}"'})


@bp.get("/coverage/agency/<code>")
@require(can_view_reports)
def agency(code: str):
    """One agency's row and each of its people's obligations for the year."""
    year = _year()
    target = db.first_or_404(select(Agency).where(Agency.code == code))
    ensure(can_view_agency(current_user, target.id))
    try:
        day = reference_date(year)
    except YearError:
        abort(404)
    shown = views.coverage_for(year, {target.id}, live=request.args.get("view") == "live")
    row = shown.table.rows[0] if shown.table.rows else None
    people = agency_obligations(target.id, year, shown.table.as_of, shown.table.rules)
    return render_template("coverage/agency.html", agency=target, row=row, people=people, year=year,
                           shown=shown, day=day)


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
                           rolled=rolled, years=list(range(today().year, today().year - 6, -1)))
