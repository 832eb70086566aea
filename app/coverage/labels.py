"""Vietnamese headings of the coverage table columns (exports and the DOST dashboard)."""
from flask_babel import lazy_gettext as _l

#: column name (app.coverage.queries.COLUMNS) -> heading
COLUMN_LABELS = {
    "agency_code": _l("Mã cơ quan"),
    "agency_name": _l("Tên cơ quan"),
    "agency_type": _l("Loại"),
    "parent_code": _l("Mã cơ quan cấp trên"),
    "headcount": _l("Số người"),
    "new_staff": _l("Công chức mới"),
    "new_staff_done": _l("Mới – đã học"),
    "new_staff_on_time": _l("Mới – đúng hạn"),
    "new_staff_overdue": _l("Mới – quá hạn"),
    "refresher_required": _l("Phải bồi dưỡng hằng năm"),
    "refresher_done": _l("Đã bồi dưỡng"),
    "secretaries": _l("Thư ký ISO"),
    "secretaries_trained": _l("Thư ký đã học"),
    "has_trained_secretary": _l("Có thư ký đã học"),
    "obligations_due": _l("Nghĩa vụ đến hạn"),
    "obligations_met": _l("Đã hoàn thành"),
    "coverage_pct": _l("Tỷ lệ (%)"),
}


def column_label(name: str) -> str:
    return str(COLUMN_LABELS.get(name, name))

#: the dashboard's tables under two-row headings, so that they fit a 1366 px screen: per group, its
#: heading (None: a column of its own) and its columns with a short heading
_NEW = _l("Công chức mới")
_REFRESHER = _l("Bồi dưỡng hằng năm")
_DUE = _l("Nghĩa vụ")
AGENCY_GROUPS = [
    (None, [("headcount", _l("Số người"))]),
    (_NEW, [("new_staff", _l("Số người")), ("new_staff_done", _l("Đã học")), ("new_staff_on_time", _l("Đúng hạn")),
            ("new_staff_overdue", _l("Quá hạn"))]),
    (_REFRESHER, [("refresher_required", _l("Phải học")), ("refresher_done", _l("Đã học"))]),
    (_l("Thư ký ISO"), [("secretaries", _l("Số người")), ("secretaries_trained", _l("Đã học"))]),
    (_DUE, [("obligations_due", _l("Đến hạn")), ("obligations_met", _l("Đã xong")), ("coverage_pct", _l("Tỷ lệ %"))]),
]
TYPE_GROUPS = [
    (None, [("agencies", _l("Số cơ quan")), ("headcount", _l("Số người"))]),
    (_NEW, [("new_staff", _l("Số người")), ("new_staff_done", _l("Đã học")), ("new_staff_overdue", _l("Quá hạn"))]),
    (_REFRESHER, [("refresher_required", _l("Phải học")), ("refresher_done", _l("Đã học"))]),
    (None, [("has_trained_secretary", _l("Cơ quan có thư ký đã học"))]),
    (_DUE, [("obligations_due", _l("Đến hạn")), ("obligations_met", _l("Đã xong")), ("coverage_pct", _l("Tỷ lệ %"))]),
]
