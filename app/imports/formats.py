"""How each import file is laid out: labels, column help and a sample file per kind."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.core.spreadsheets import csv_bytes
from app.imports.services import KINDS

KIND_LABELS = {
    "agencies": _l("Danh mục cơ quan"),
    "staff": _l("Danh sách công chức và phân công"),
    "completions": _l("Kết quả đào tạo ngoài nền tảng"),
    "lineage": _l("Sắp xếp, tổ chức lại cơ quan"),
}

KIND_HELP = {
    "agencies": _l("Thêm hoặc cập nhật cơ quan theo mã. Cơ quan cấp trên có thể nằm trong cùng tệp, thứ tự tùy ý."),
    "staff": _l("Mỗi dòng là một giai đoạn công tác của một người tại một cơ quan. Nhập lại cùng tệp không làm "
                "thay đổi gì; dòng đã sửa sẽ cập nhật giai đoạn đó. Người mới chưa có tài khoản: tài khoản "
                "được cấp sau qua thư mời."),
    "completions": _l("Khóa học đã hoàn thành bên ngoài nền tảng. Kết quả được ghi cho cơ quan mà người đó "
                      "công tác vào ngày hoàn thành và không bao giờ bị sửa hay xóa."),
    "lineage": _l("Hợp nhất, sáp nhập, chia tách, đổi tên, giải thể. Cơ quan tiền thân kết thúc vào ngày trước "
                  "ngày hiệu lực; công chức chuyển sang cơ quan kế thừa, riêng vai trò Thư ký ISO phải bổ nhiệm lại "
                  "(trừ khi chỉ đổi tên)."),
}

COLUMN_HELP = {
    "code": _l("mã cơ quan (chữ không dấu, số, . _ -), không trùng"),
    "name": _l("tên cơ quan"),
    "type": _l("mã loại cơ quan, ví dụ UBND_XA, SO, TT_PVHCC_XA"),
    "parent_code": _l("mã cơ quan cấp trên; để trống nếu không có"),
    "valid_from": _l("ngày bắt đầu hoạt động"),
    "valid_to": _l("ngày cuối cùng hoạt động; để trống nếu đang hoạt động"),
    "in_iso_scope": _l("thuộc phạm vi HTQLCL: 1/0, true/false hoặc có/không (trống = 1)"),
    "staff_code": _l("mã công chức"),
    "full_name": _l("họ và tên"),
    "email": _l("email công vụ; có thể để trống"),
    "agency_code": _l("mã cơ quan công tác"),
    "roles": _l("vai trò, cách nhau bởi dấu ;  leader, iso_secretary, internal_auditor; trống = công chức"),
    "start_date": _l("ngày bắt đầu công tác tại cơ quan"),
    "end_date": _l("ngày cuối cùng; để trống nếu đang công tác"),
    "course_code": _l("mã khóa học, ví dụ ISO-01"),
    "completed_on": _l("ngày hoàn thành (không được ở tương lai)"),
    "score": _l("điểm 0–100; có thể để trống"),
    "source": _l("offline (mặc định) hoặc online"),
    "event": _l("merge, absorb, split, rename hoặc dissolve"),
    "predecessor_code": _l("mã cơ quan tiền thân"),
    "successor_code": _l("mã cơ quan kế thừa (đã có trong danh mục); trống khi giải thể"),
    "effective_date": _l("ngày hiệu lực: ngày đầu tiên của cơ quan kế thừa"),
}

SAMPLE_ROWS = {
    "agencies": [
        ("XA-TANAN", "UBND xã Tân An", "UBND_XA", "", "2025-07-01", "", "1"),
        ("XA-TANAN-PVHCC", "Trung tâm Phục vụ hành chính công xã Tân An", "TT_PVHCC_XA", "XA-TANAN",
         "01/07/2025", "", "1"),
    ],
    "staff": [
        ("CC-000123", "Nguyễn Thị Lan", "lan.nt@tanan.gov.vn", "XA-TANAN", "leader", "2025-07-01", ""),
        ("CC-000124", "Trần Minh Tâm", "", "XA-TANAN", "iso_secretary;internal_auditor", "2025-07-01", ""),
    ],
    "completions": [
        ("CC-000123", "ISO-01", "2025-09-15", "85", "offline"),
        ("CC-000124", "ISO-01", "20/09/2025", "", "offline"),
    ],
    "lineage": [
        ("merge", "XA-CU-A", "XA-TANAN", "2025-07-01"),
        ("merge", "XA-CU-B", "XA-TANAN", "2025-07-01"),
        ("dissolve", "BP-MOTCUA-CU", "", "2025-07-01"),
    ],
}

COUNT_LABELS = {
    "created": _l("Tạo mới"),
    "updated": _l("Cập nhật"),
    "unchanged": _l("Không thay đổi"),
    "people_created": _l("Người mới (chưa có tài khoản)"),
    "people_updated": _l("Người được sửa họ tên hoặc email"),
    "people_moved": _l("Người chuyển sang cơ quan kế thừa"),
    "people_not_placed": _l("Người chưa được xếp vào cơ quan mới"),
    "secretaries_dropped": _l("Thư ký ISO cần được bổ nhiệm lại"),
}

#: rows accepted with a warning: what happened to them, in the importer's words
WARNING_LABELS = {
    "outside_assignment": _l("Ngoài thời gian công tác: ngày hoàn thành không thuộc giai đoạn công tác nào của "
                             "người đó (trước khi nhận việc, giữa hai nơi công tác hoặc ở nơi làm việc trước). "
                             "Vẫn được tính cho nghĩa vụ đào tạo của người đó, nhưng không tính cho cơ quan nào."),
}
#: past this many runs of consecutive rows, the list of rows is cut short
SHOWN_RANGES = 200


def row_ranges(rows: list[int]) -> str:
    """Row numbers as short runs: [2, 3, 4, 5, 9, 12, 13] -> "2–5, 9, 12–13"."""
    runs: list[list[int]] = []
    for row in sorted(set(rows)):
        if runs and row == runs[-1][1] + 1:
            runs[-1][1] = row
        else:
            runs.append([row, row])
    text = ", ".join(str(a) if a == b else f"{a}–{b}" for a, b in runs[:SHOWN_RANGES])
    return text + (", …" if len(runs) > SHOWN_RANGES else "")


def columns(kind: str) -> tuple[str, ...]:
    return KINDS[kind].columns


def sample_csv(kind: str) -> bytes:
    """A sample file with the exact header and two or three example rows."""
    return csv_bytes(columns(kind), SAMPLE_ROWS[kind])
