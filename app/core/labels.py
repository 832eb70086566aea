"""Translatable labels for the codes stored in the database."""
from flask_babel import lazy_gettext as _l

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
