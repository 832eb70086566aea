"""The mail and notification log for administrators: labels, the filtered query and its XLSX export."""
from __future__ import annotations

import io
from collections.abc import Iterable
from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import contains_eager

from app.accounts.models import Person
from app.core.dates import format_datetime, local_day_range
from app.core.spreadsheets import neutralise
from app.core.vnsort import fold
from app.extensions import db
from app.notifications.models import Notification

KIND_LABELS = {
    "start": _l("Bắt đầu nghĩa vụ"),
    "due_soon": _l("Sắp đến hạn"),
    "due_today": _l("Đến hạn hôm nay"),
    "overdue": _l("Quá hạn"),
    "agency_digest": _l("Bản tin tuần của cơ quan"),
    "province_digest": _l("Bản tin tháng của Sở KH&CN"),
    "failures": _l("Báo cáo gửi lỗi"),
    "class_invite": _l("Mời dự lớp tập huấn"),
}
STATUS_LABELS = {
    "none": _l("Chỉ trong ứng dụng"),
    "pending": _l("Chờ gửi"),
    "sending": _l("Đang gửi"),
    "sent": _l("Đã gửi"),
    "failed": _l("Gửi lỗi"),
}
IN_APP_ONLY = _l("chỉ trong ứng dụng")
#: a larger export is cut to the newest rows; the page says so when the filters match more
MAX_EXPORT_ROWS = 100_000
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_WIDTHS = (17, 28, 12, 30, 24, 50, 18, 9, 17, 50)


def kind_label(code: str) -> str:
    return str(KIND_LABELS.get(code, code))


def status_label(code: str) -> str:
    return str(STATUS_LABELS.get(code, code))


def _filtered(query: Select, *, kind: str = "", status: str = "", recipient: str = "",
              date_from: date | None = None, date_to: date | None = None) -> Select:
    query = query.join(Notification.person).order_by(Notification.created_at.desc(), Notification.id.desc())
    if kind:
        query = query.where(Notification.kind == kind)
    if status:
        query = query.where(Notification.mail_status == status)
    if needle := recipient.strip():
        # the person's name, staff code and address through their folded search column
        query = query.where(or_(Person.search_name.contains(fold(needle), autoescape=True),
                                func.lower(Notification.email).contains(needle.lower(), autoescape=True)))
    return query.where(*local_day_range(Notification.created_at, date_from, date_to))


def log_query(**filters) -> Select:
    """Notifications matching the filters, newest first, each with its person loaded in the same query.

    Filters: `kind` and `status` (mail_status) exact; `recipient` contained, in any letter case and
    with or without diacritics, in the person's name, staff code or current address or in the
    address the message was mailed to;
    `date_from` and `date_to` whole days in Vietnam's time zone, both included.
    """
    return _filtered(select(Notification).options(contains_eager(Notification.person)), **filters)


def export_rows(**filters) -> Iterable[tuple]:
    """The rows of the XLSX export (filters as in log_query), newest first, at most MAX_EXPORT_ROWS;
    only the columns the file shows, fetched a thousand at a time."""
    query = _filtered(select(
        Notification.created_at, Person.full_name, Person.staff_code, Notification.email, Notification.kind,
        Notification.title, Notification.mail_status, Notification.attempts, Notification.sent_at,
        Notification.last_error), **filters)
    return db.session.execute(query.limit(MAX_EXPORT_ROWS).execution_options(yield_per=1000))


def to_xlsx(rows: Iterable[tuple]) -> bytes:
    """One sheet: a bold header row, then one line per export row with the page's labels; times are
    dd/mm/yyyy HH:MM text in Vietnam time; text cells are neutralised against formula injection."""
    book = Workbook(write_only=True)  # rows are written out as they come, not held as a sheet in memory
    ws = book.create_sheet(_("Nhật ký gửi thư"))
    for col, width in enumerate(_WIDTHS, start=1):
        ws.column_dimensions[get_column_letter(col)].width = width
    ws.freeze_panes = "A2"
    header = (_("Thời điểm tạo"), _("Người nhận"), _("Mã công chức"), _("Địa chỉ thư"), _("Loại"),
              _("Tiêu đề"), _("Trạng thái"), _("Số lần gửi"), _("Thời điểm gửi"), _("Lỗi gần nhất"))
    ws.append([_bold(ws, text) for text in header])
    in_app_only = str(IN_APP_ONLY)
    for created, name, code, email, kind, title, status, attempts, sent, error in rows:
        ws.append([neutralise(value) for value in (
            format_datetime(created), name, code, email or in_app_only, kind_label(kind), title,
            status_label(status), attempts, format_datetime(sent) or None, error)])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _bold(ws, value) -> WriteOnlyCell:
    cell = WriteOnlyCell(ws, value=value)
    cell.font = Font(bold=True)
    return cell
