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
