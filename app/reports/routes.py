"""DOST and manager reports."""
from flask import Blueprint, render_template
from flask_login import current_user

from app.core.dates import today
from app.policy import can_view_reports, managed_agency_ids, require
from app.reports.queries import agency_completion_table

bp = Blueprint("reports", __name__, url_prefix="/reports")


@bp.get("/agencies")
@require(can_view_reports)
def agencies():
    """Per-agency completion table: the whole province for DOST, one's own agencies for managers."""
    day = today()
    codes, rows = agency_completion_table(day, managed_agency_ids(current_user))
    totals = {code: sum(r.done.get(code, 0) for r in rows) for code in codes}
    headcount = sum(r.headcount for r in rows)
    return render_template("reports/agencies.html", codes=codes, rows=rows, totals=totals,
                           headcount=headcount, day=day)
