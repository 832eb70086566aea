"""Translatable labels for the codes stored in the database."""
from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.core.dates import today

ROLE_LABELS = {
    "leader": _l("Lãnh đạo"),
    "iso_secretary": _l("Thư ký ISO"),
    "internal_auditor": _l("Chuyên gia đánh giá nội bộ"),
    "staff": _l("Công chức"),
    "dost": _l("Sở KH&CN, đoàn kiểm tra"),
    "learner": _l("Học viên"),
    "agency_manager": _l("Quản lý cơ quan"),
    "admin": _l("Quản trị hệ thống"),
}


def role_label(code: str) -> str:
    return str(ROLE_LABELS.get(code, code))


def audience_label(code: str) -> str:
    return role_label(code)

OBLIGATION_RULE_LABELS = {
    "onboarding": _l("Nhập môn cho công chức mới"),
    "secretary": _l("Bắt buộc với thư ký ISO"),
    "refresher": _l("Cập nhật hằng năm"),
}

OBLIGATION_STATUS_LABELS = {
    "done": _l("Đã hoàn thành"),
    "late": _l("Hoàn thành trễ hạn"),
    "overdue": _l("Quá hạn"),
    "open": _l("Chưa hoàn thành"),
}


def obligation_rule_label(code: str) -> str:
    return str(OBLIGATION_RULE_LABELS.get(code, code))


def obligation_status_label(code: str) -> str:
    return str(OBLIGATION_STATUS_LABELS.get(code, code))


def format_pct(value: float | None) -> str:
    """A coverage percentage as the pages show it (one decimal), or a dash when nothing was due."""
    return "—" if value is None else f"{value:.1f} %"


def due_label(due: date, day: date | None = None) -> str:
    """How far a deadline is from `day` (today in Vietnam): "còn 12 ngày", "hạn hôm nay", "quá hạn 3 ngày"."""
    left = (due - (day or today())).days
    if left == 0:
        return _("hạn hôm nay")
    if left == 1:
        return _("còn 1 ngày")
    if left == -1:
        return _("quá hạn 1 ngày")
    return _("còn %(n)d ngày", n=left) if left > 0 else _("quá hạn %(n)d ngày", n=-left)
