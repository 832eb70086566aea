"""Vietnamese labels for audit actions and detail fields. In `details`, [before, after] is a change."""
from __future__ import annotations

import re
from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.core.dates import format_date
from app.core.labels import format_pct, role_label
from app.imports.formats import COUNT_LABELS

ACTION_LABELS = {
    "import.agencies": _l("Nhập danh sách cơ quan"),
    "import.staff": _l("Nhập danh sách công chức"),
    "import.completions": _l("Nhập kết quả đào tạo"),
    "import.lineage": _l("Nhập lịch sử sắp xếp cơ quan"),
    "lineage.merge": _l("Hợp nhất cơ quan"),
    "lineage.absorb": _l("Sáp nhập cơ quan"),
    "lineage.split": _l("Chia tách cơ quan"),
    "lineage.rename": _l("Đổi tên cơ quan"),
    "lineage.dissolve": _l("Giải thể cơ quan"),
    "person.create": _l("Thêm công chức"),
    "person.update": _l("Sửa thông tin công chức"),
    "person.transfer": _l("Chuyển công tác"),
    "person.roles": _l("Đổi vai trò"),
    "person.deactivate": _l("Kết thúc công tác, khóa tài khoản"),
    "person.reactivate": _l("Mở lại tài khoản"),
    "person.access_role": _l("Đổi quyền truy cập"),
    "person.export": _l("Tải dữ liệu cá nhân của người khác"),
    "invite.create": _l("Tạo liên kết mời"),
    "password.reset": _l("Tạo liên kết đặt lại mật khẩu"),
    "account.activate": _l("Đặt mật khẩu qua liên kết"),
    "coverage.freeze": _l("Chốt số liệu báo cáo năm"),
    "inspection.plan": _l("Lập kế hoạch kiểm tra"),
    "training.plan_create": _l("Lập kế hoạch đào tạo năm"),
    "training.class_create": _l("Thêm lớp tập huấn"),
    "training.class_update": _l("Sửa lớp tập huấn"),
    "training.invite_owing": _l("Mời những người còn nợ vào lớp"),
    "training.seat_add": _l("Thêm người vào lớp"),
    "training.seat_remove": _l("Bớt người khỏi lớp"),
    "training.attendance": _l("Điểm danh lớp"),
    "training.attendance_correct": _l("Sửa điểm danh sau khi mở lại lớp"),
    "training.class_close": _l("Đóng lớp, ghi nhận hoàn thành"),
    "training.class_reopen": _l("Mở lại lớp đã đóng"),
    "certificate.revoke": _l("Thu hồi giấy chứng nhận"),
    "course.remove": _l("Gỡ khóa học khỏi danh mục"),
    "course.restore": _l("Đưa khóa học trở lại danh mục"),
    "login.unlock": _l("Mở khóa đăng nhập"),
    "backup.restore": _l("Khôi phục dữ liệu từ bản sao lưu"),
}

#: labels of the keys services put in `details`
FIELD_LABELS = {
    "agency": _l("Cơ quan"),
    "roles": _l("Vai trò"),
    "effective_date": _l("Ngày hiệu lực"),
    "start_date": _l("Ngày bắt đầu"),
    "end_date": _l("Ngày kết thúc"),
    "active": _l("Được đăng nhập"),
    "access_role": _l("Quyền truy cập"),
    "staff_code": _l("Mã công chức"),
    "full_name": _l("Họ và tên"),
    "email": _l("Thư điện tử"),
    "username": _l("Tên đăng nhập"),
    "purpose": _l("Loại liên kết"),
    "expires_at": _l("Hết hạn"),
    "ended": _l("Phân công đã kết thúc"),
    "in_place": _l("Sửa ngay trên giai đoạn hiện tại"),
    # imports and lineage (the counts share the import pages' labels)
    "file": _l("Tệp"),
    "rows": _l("Số dòng"),
    "moved": _l("Người chuyển sang cơ quan kế thừa"),
    "not_placed": _l("Người chưa được xếp vào cơ quan mới"),
    "successors": _l("Cơ quan kế thừa"),
    # coverage freeze and inspection plans
    "year": _l("Năm"),
    "reason": _l("Lý do"),
    "code": _l("Mã xác thực"),
    "as_of": _l("Ngày tham chiếu"),
    "agencies": _l("Cơ quan"),
    "obligations_due": _l("Nghĩa vụ đến hạn"),
    "obligations_met": _l("Đã hoàn thành"),
    "coverage_pct": _l("Tỷ lệ (%)"),
    "seed": _l("Số khởi tạo"),
    "share": _l("Tỷ lệ kiểm tra"),
    "source": _l("Nguồn số liệu"),
    # training plans and classes
    "plan_id": _l("Kế hoạch"),
    "owner_agency_id": _l("Cơ quan lập kế hoạch"),
    "capacity": _l("Số chỗ"),
    "invited": _l("Được mời"),
    "waiting": _l("Danh sách chờ"),
    "person": _l("Người"),
    "status": _l("Trạng thái"),
    "promoted": _l("Chuyển từ danh sách chờ"),
    "changed": _l("Số người thay đổi"),
    "attendance": _l("Điểm danh"),
    "score": _l("Điểm"),
    "completions": _l("Kết quả đào tạo được ghi nhận"),
    # sign-in locks and backups
    "failures": _l("Số lần nhập sai"),
    "created_at_utc": _l("Thời điểm sao lưu (UTC)"),
    "revision": _l("Phiên bản cơ sở dữ liệu"),
    "forced": _l("Ghi đè dữ liệu đang có"),
    "counts_match": _l("Số dòng khớp với bản sao lưu"),
}

ATTENDANCE_LABELS = {"present": _l("có mặt"), "absent": _l("vắng"), "excused": _l("vắng có phép"),
                     "invited": _l("được mời"), "waiting": _l("danh sách chờ")}

SOURCE_LABELS = {"live": _l("số liệu tạm tính"), "frozen": _l("số liệu đã chốt")}

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ROLE_KEYS = ("roles", "access_role")
#: keys whose value is a list of things (agency codes), never a [before, after] change
_LIST_KEYS = frozenset({"agencies", "successors"})
#: actions that bring something into being: a [before, after] there shows what it starts with
_CREATIONS = frozenset({"person.create"})


def action_label(code: str) -> str:
    return str(ACTION_LABELS.get(code, code))


def _text(key: str, value) -> str:
    """One value of a detail as a person reads it: dates dd/mm/yyyy, roles by name, — for nothing."""
    if key == "roles" and value == []:
        return role_label("staff")  # no QMS role: an ordinary civil servant
    if value is None or value == [] or value == "":
        return "—"
    if isinstance(value, bool):
        return _("có") if value else _("không")
    if isinstance(value, list):
        return ", ".join(_text(key, v) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{k}: {_text(k, v)}" for k, v in value.items())
    if isinstance(value, str) and _ISO_DATE.match(value):
        return format_date(date.fromisoformat(value))
    if key == "share" and isinstance(value, (int, float)):
        return f"{value * 100:g} %"  # the share of agencies inspected, stored as 0.3
    if key == "coverage_pct" and isinstance(value, (int, float)):
        return format_pct(value)
    if key == "source" and value in SOURCE_LABELS:
        return str(SOURCE_LABELS[value])
    if key in _ROLE_KEYS and isinstance(value, str):
        return role_label(value)
    if key in ("attendance", "status") and value in ATTENDANCE_LABELS:
        return str(ATTENDANCE_LABELS[value])
    if key == "purpose":
        return _("đặt lại mật khẩu") if value == "reset" else _("mời tạo tài khoản")
    return str(value)


def _is_change(key: str, value) -> bool:
    """A [before, after] pair: two items, not a list of codes; for roles, two lists of roles."""
    if not (isinstance(value, list) and len(value) == 2) or key in _LIST_KEYS:
        return False
    return key != "roles" or all(isinstance(v, list) for v in value)


def detail_lines(details: dict | None, action: str | None = None) -> list[tuple[str, str, str | None]]:
    """(label, before, after) for a change, stored as a two-item list [before, after];
    (label, value, None) for anything else (a date, a count, a name), and for a change that
    changed nothing or belongs to a creation (`action`), where only the value it ends with reads."""
    lines = []
    for key, value in (details or {}).items():
        label = str(FIELD_LABELS.get(key) or COUNT_LABELS.get(key, key))
        if _is_change(key, value):
            before, after = _text(key, value[0]), _text(key, value[1])
            lines.append((label, after, None) if action in _CREATIONS or before == after else (label, before, after))
        else:
            lines.append((label, _text(key, value), None))
    return lines
