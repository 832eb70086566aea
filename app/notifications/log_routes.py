"""The administrator's mail log: what was sent to whom, when and how it went; pages of 50 and XLSX."""
from __future__ import annotations

from flask import Blueprint, Response, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from wtforms import SelectField, StringField
from wtforms.validators import Length, Optional

from app.core.dates import today
from app.core.forms import Form
from app.extensions import db
from app.notifications import log
from app.people.forms import DateText, options
from app.policy import can_view_mail_log, require

bp = Blueprint("notifications_log", __name__, url_prefix="/admin/notifications")
PER_PAGE = 50


class LogFilterForm(Form):
    class Meta:
        csrf = False  # a GET search form

    kind = SelectField(_l("Loại"), default="", choices=options([("", _l("Tất cả")), *log.KIND_LABELS.items()]))
    status = SelectField(_l("Trạng thái"), default="",
                         choices=options([("", _l("Tất cả")), *log.STATUS_LABELS.items()]))
    recipient = StringField(_l("Người nhận"), validators=[Optional(), Length(max=100)])
    date_from = DateText(_l("Từ ngày"), validators=[Optional()])
    date_to = DateText(_l("Đến ngày"), validators=[Optional()])


def _read_filters() -> tuple[LogFilterForm, dict, dict]:
    """The filter form from the query string, the filters for log.log_query (a bad date is left out,
    the form shows why) and the non-empty query arguments that page and export links carry on."""
    form = LogFilterForm(formdata=request.args)
    valid = form.validate()
    filters = {"kind": form.kind.data or "", "status": form.status.data or "",
               "recipient": form.recipient.data or "", "date_from": form.date_from.data if valid else None,
               "date_to": form.date_to.data if valid else None}
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    return form, filters, args


@bp.get("/")
@require(can_view_mail_log)
def index():
    form, filters, args = _read_filters()
    page = db.paginate(log.log_query(**filters), per_page=PER_PAGE, error_out=False)
    return render_template("notifications/log.html", form=form, page=page, filters=args,
                           max_export=log.MAX_EXPORT_ROWS, kind_label=log.kind_label,
                           status_label=log.status_label)


@bp.get("/log.xlsx")
@require(can_view_mail_log)
def export():
    form, filters, args = _read_filters()
    if form.errors:  # never hand over a file that silently ignored a mistyped date
        return redirect(url_for(".index", **args))
    name = f"nhat-ky-gui-thu-{today().isoformat()}.xlsx"
    return Response(log.to_xlsx(log.export_rows(**filters)), mimetype=log.XLSX_TYPE,
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
