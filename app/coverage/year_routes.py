"""Closing a year (freeze, frozen vs live) and the on-site inspection plans: DOST and admins only."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _, lazy_gettext as _l
from flask_login import current_user
from wtforms import BooleanField, IntegerField, SubmitField
from wtforms.validators import DataRequired, NumberRange, Optional

from app.core.dates import today
from app.core.forms import Form
from app.core.spreadsheets import download, wants_machine
from app.coverage import exports
from app.coverage.freeze import AlreadyFrozen, FreezeError, compare, freeze_year, frozen_table
from app.coverage.models import InspectionPlan
from app.coverage.plan import SEED_LIMIT, PlanError, draw_plan, plans_for
from app.coverage.queries import coverage_table
from app.coverage.rules import current_rules
from app.extensions import db
from app.policy import can_freeze_coverage, can_plan_inspections, require

bp = Blueprint("coverage_year", __name__, url_prefix="/reports")


class FreezeForm(Form):
    confirm = BooleanField(_l("Tôi xác nhận chốt số liệu năm này"),
                           validators=[DataRequired(_l("Hãy đánh dấu ô xác nhận trước khi chốt."))])
    submit = SubmitField(_l("Chốt số liệu"))


class PlanForm(Form):
    share_pct = IntegerField(_l("Tỷ lệ cơ quan kiểm tra tại chỗ (%)"), validators=[Optional(), NumberRange(1, 100)])
    seed = IntegerField(_l("Số khởi tạo"), validators=[Optional(), NumberRange(0, SEED_LIMIT - 1)])
    submit = SubmitField(_l("Lập kế hoạch mới"))


def _past_or_current(year: int) -> None:
    if not 2000 <= year <= today().year:
        abort(404)


def _year_page(year: int, form: FreezeForm, status: int = 200):
    """The year's closing page: frozen vs live when frozen, else what would be frozen and the form."""
    frozen = frozen_table(year)
    context = {"year": year, "form": form, "closable": year < today().year}
    if frozen is not None:
        table, freeze = frozen
        differences = compare(year)
        context |= {"table": table, "freeze": freeze, "totals": differences[-1], "differences": differences[:-1],
                    "rules_changed": current_rules().as_dict() != freeze.rules}
    else:
        context |= {"table": coverage_table(year), "freeze": None}
    return render_template("coverage/frozen_compare.html", **context), status


@bp.get("/coverage/<int:year>/compare", endpoint="compare")
@require(can_freeze_coverage)
def compare_page(year: int):
    """Frozen and live figures of a frozen year side by side; for a year not frozen, the freeze form."""
    _past_or_current(year)
    return _year_page(year, FreezeForm())


@bp.post("/coverage/<int:year>/freeze")
@require(can_freeze_coverage)
def freeze(year: int):
    """Close the year (409 when already frozen, 400 for a year not over); then back to the dashboard."""
    _past_or_current(year)
    form = FreezeForm()
    if not form.validate_on_submit():
        return _year_page(year, form, 400)
    try:
        freeze_year(year, current_user)
    except FreezeError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return _year_page(year, FreezeForm(formdata=None), 409 if isinstance(exc, AlreadyFrozen) else 400)
    db.session.commit()
    flash(_("Đã chốt số liệu năm %(year)s.", year=year), "success")
    return redirect(url_for("coverage.dashboard", year=year))


@bp.route("/inspections/<int:year>", methods=["GET", "POST"])
@require(can_plan_inspections)
def plan(year: int):
    """The year's latest inspection plan (or ?plan=<id>), the older ones, and the form to draw one."""
    _past_or_current(year)
    form = PlanForm()
    if form.validate_on_submit():
        share = form.share_pct.data / 100 if form.share_pct.data else None
        try:
            drawn = draw_plan(year, form.seed.data, current_user, share)
        except PlanError as exc:
            db.session.rollback()
            flash(str(exc), "error")
        else:
            db.session.commit()
            flash(_("Đã lập kế hoạch kiểm tra: %(n)s cơ quan.", n=len(drawn.picks)), "success")
            return redirect(url_for("coverage_year.plan", year=year))
    plans = plans_for(year)
    chosen = request.args.get("plan", type=int)
    shown = next((p for p in plans if p.id == chosen), None) if chosen else (plans[0] if plans else None)
    if chosen and shown is None:
        abort(404)
    return render_template("coverage/plan.html", year=year, form=form, plans=plans, plan=shown,
                           default_share=current_rules().inspection_share, frozen=frozen_table(year) is not None)


@bp.get("/inspections/<int:year>/plan-<int:plan_id>.<any(csv, xlsx, json):fmt>")
@require(can_plan_inspections)
def plan_export(year: int, plan_id: int, fmt: str):
    """One stored plan as a file for people, or for systems (JSON, CSV with ?format=machine)."""
    stored = db.get_or_404(InspectionPlan, plan_id)
    if stored.year != year:
        abort(404)
    if fmt == "json":
        return exports.plan_to_json(stored)
    name = f"ke-hoach-kiem-tra-htqlcl-{year}-{plan_id}"
    if fmt == "xlsx":
        return download(exports.plan_to_xlsx(stored), f"{name}.xlsx")
    if wants_machine(request.args):
        return download(exports.plan_to_csv(stored), f"{name}-machine.csv")
    return download(exports.plan_to_report_csv(stored), f"{name}.csv")
