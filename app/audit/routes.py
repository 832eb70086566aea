"""The audit log viewer: newest first, filtered by action, actor, target and dates (admins and DOST)."""
from __future__ import annotations

from datetime import date

from flask import Blueprint, render_template, request
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, func, select
from wtforms import SelectField, StringField
from wtforms.validators import Length, Optional

from app.audit.labels import ACTION_LABELS, action_label, detail_lines
from app.audit.models import AuditEvent
from app.core.dates import local_day_range
from app.core.forms import Form
from app.extensions import db
from app.people.forms import DateText, options
from app.policy import can_view_audit, require

bp = Blueprint("audit", __name__, url_prefix="/audit")
PER_PAGE = 50


@bp.app_context_processor
def audit_helpers() -> dict:
    """Labels for audit rows, used here and on the person page."""
    return {"audit_action_label": action_label, "audit_detail_lines": detail_lines}


class AuditFilterForm(Form):
    class Meta:
        csrf = False  # a GET search form

    action = SelectField(_l("Hành động"), default="",
                         choices=options([("", _l("Tất cả")), *ACTION_LABELS.items()]))
    actor = StringField(_l("Người thực hiện"), validators=[Optional(), Length(max=100)])
    target = StringField(_l("Đối tượng"), validators=[Optional(), Length(max=100)])
    date_from = DateText(_l("Từ ngày"), validators=[Optional()])
    date_to = DateText(_l("Đến ngày"), validators=[Optional()])


def events_query(*, action: str = "", actor: str = "", target: str = "", date_from: date | None = None,
                 date_to: date | None = None) -> Select:
    """Audit events matching the filters (text filters: contains, any letter case), newest first;
    the dates are whole days in Vietnam's time zone, both included."""
    query = select(AuditEvent).order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
    if action:
        query = query.where(AuditEvent.action == action)
    if actor.strip():
        query = query.where(func.lower(AuditEvent.actor_label).like(f"%{actor.strip().lower()}%"))
    if target.strip():
        query = query.where(func.lower(AuditEvent.target_label).like(f"%{target.strip().lower()}%"))
    return query.where(*local_day_range(AuditEvent.at, date_from, date_to))


@bp.get("/")
@require(can_view_audit)
def index():
    form = AuditFilterForm(formdata=request.args)
    valid = form.validate()
    query = events_query(
        action=form.action.data or "", actor=form.actor.data or "", target=form.target.data or "",
        date_from=form.date_from.data if valid else None, date_to=form.date_to.data if valid else None)
    page = db.paginate(query, per_page=PER_PAGE, error_out=False)
    filters = {k: v for k, v in request.args.items() if k != "page" and v}
    return render_template("audit/index.html", form=form, page=page, filters=filters)
