"""The audit log viewer: order, filters, Vietnamese labels, readable and escaped details."""
from datetime import datetime, timezone

import pytest

from app.audit.labels import ACTION_LABELS, action_label, detail_lines
from app.audit.models import AuditEvent
from tests.factories import make_person


def event(db, action, at, actor="Võ Quốc Bảo", target="Nguyễn Thị Lan (S1)", details=None):
    db.session.add(AuditEvent(action=action, at=at, actor_label=actor, target_type="person",
                              target_label=target, details=details or {}))


@pytest.fixture
def log(db):
    make_person("admin", access_role="admin")
    make_person("dost", access_role="dost")
    utc = timezone.utc
    # 17:30 UTC on 1 March is 00:30 on 2 March in Vietnam (UTC+7).
    event(db, "person.transfer", datetime(2026, 3, 1, 17, 30, tzinfo=utc),
          details={"agency": ["UBND xã A (A)", "UBND xã B (B)"], "roles": [["leader"], []], "effective_date": "2026-03-01"})
    event(db, "person.roles", datetime(2026, 3, 1, 16, 30, tzinfo=utc), actor="Phạm Thị Hoa",
          target="Trần Văn Hùng (S2)")  # 23:30 on 1 March in Vietnam
    event(db, "import.staff", datetime(2026, 2, 10, 2, 0, tzinfo=utc), actor="CLI", target="staff.csv",
          details={"created": 12, "updated": 3})
    db.session.commit()


def rows(page: str) -> list[str]:
    """The action labels in table order."""
    import re

    return re.findall(r'data-label="Hành động"><strong>([^<]+)</strong>', page)


def test_newest_first_with_vietnamese_labels(client, login, log):
    login("dost")
    page = client.get("/audit/").text
    assert rows(page) == ["Chuyển công tác", "Đổi vai trò", "Nhập danh sách công chức"]
    assert "02/03/2026 00:30" in page  # shown in Vietnam time


def test_details_read_as_before_and_after(client, login, log):
    login("admin")
    page = client.get("/audit/?action=person.transfer").text
    assert "UBND xã A (A) → UBND xã B (B)" in page
    assert "Lãnh đạo → Công chức" in page
    assert "Ngày hiệu lực:</span> 01/03/2026" in page


@pytest.mark.parametrize("query,expected", [
    ("action=person.roles", ["Đổi vai trò"]),
    ("actor=phạm", ["Đổi vai trò"]),
    ("actor=cli", ["Nhập danh sách công chức"]),
    ("target=S1", ["Chuyển công tác"]),
    ("date_from=02/03/2026", ["Chuyển công tác"]),
    ("date_to=2026-03-01", ["Đổi vai trò", "Nhập danh sách công chức"]),
    ("date_from=01/03/2026&date_to=01/03/2026", ["Đổi vai trò"]),
    ("date_from=10/02/2026&date_to=10/02/2026", ["Nhập danh sách công chức"]),
])
def test_filters(client, login, log, query, expected):
    login("admin")
    assert rows(client.get(f"/audit/?{query}").text) == expected


def test_a_bad_date_is_reported_not_ignored_silently(client, login, log):
    login("admin")
    page = client.get("/audit/?date_from=31/02/2026").text
    assert "Ngày không hợp lệ" in page


def test_pages_of_fifty(client, login, db, log):
    for i in range(52):
        event(db, "person.create", datetime(2025, 8, 1, tzinfo=timezone.utc), target=f"Người {i}")
    db.session.commit()
    login("admin")
    first, second = client.get("/audit/").text, client.get("/audit/?page=2").text
    assert len(rows(first)) == 50 and len(rows(second)) == 5
    assert "55 sự kiện" in first and "Trang 2/2" in second


def test_page_links_keep_the_filters(client, login, db, log):
    for i in range(51):
        event(db, "person.create", datetime(2025, 8, 1, tzinfo=timezone.utc))
    db.session.commit()
    login("admin")
    page = client.get("/audit/?action=person.create").text
    assert "/audit/?page=2&amp;action=person.create" in page


def test_user_text_in_the_log_is_escaped(client, login, db, log):
    event(db, "person.update", datetime(2026, 4, 1, tzinfo=timezone.utc), target="<b>x</b>",
          details={"full_name": ["<script>alert(1)</script>", "Lan"]})
    db.session.commit()
    login("admin")
    page = client.get("/audit/").text
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt; → Lan" in page
    assert "<b>x</b>" not in page


def test_every_action_code_of_the_platform_has_a_label():
    codes = {"import.agencies", "import.staff", "import.completions", "import.lineage", "lineage.merge",
             "lineage.absorb", "lineage.split", "lineage.rename", "lineage.dissolve", "person.create",
             "person.transfer", "person.roles", "person.deactivate", "person.reactivate", "person.access_role",
             "invite.create", "password.reset", "account.activate", "coverage.freeze", "inspection.plan",
             "person.update", "person.export"}
    assert codes <= set(ACTION_LABELS)


def test_import_counts_read_with_the_import_pages_labels(app):
    with app.test_request_context():
        assert detail_lines({"file": "ds.csv", "created": 2, "people_created": 1}) == [
            ("Tệp", "ds.csv", None), ("Tạo mới", "2", None), ("Người mới (chưa có tài khoản)", "1", None)]


def test_unknown_codes_and_plain_facts_still_read(app):
    with app.test_request_context():
        assert action_label("something.new") == "something.new"
        assert detail_lines({"surprise": 12, "active": [True, False], "ended": "UBND xã A (A)"}) == [
            ("surprise", "12", None), ("Được đăng nhập", "có", "không"), ("Phân công đã kết thúc", "UBND xã A (A)", None)]


def test_a_creation_reads_as_what_it_starts_with_not_as_a_change(app):
    with app.test_request_context():
        assert detail_lines({"roles": [[], []], "start_date": "2025-07-01"}, "person.create") == [
            ("Vai trò", "Công chức", None), ("Ngày bắt đầu", "01/07/2025", None)]
        assert detail_lines({"roles": [[], ["leader"]]}, "person.create") == [("Vai trò", "Lãnh đạo", None)]
        # a transfer that kept no role changed nothing there: one value, no arrow
        assert detail_lines({"roles": [[], []]}, "person.transfer") == [("Vai trò", "Công chức", None)]
        assert detail_lines({"roles": [["leader"], []]}, "person.roles") == [("Vai trò", "Lãnh đạo", "Công chức")]


def test_inspection_plan_details_read_as_a_dost_officer_says_them(app):
    with app.test_request_context():
        assert detail_lines({"share": 0.3, "source": "live", "agencies": ["AG-A", "AG-B"], "seed": 7},
                            "inspection.plan") == [
            ("Tỷ lệ kiểm tra", "30 %", None), ("Nguồn số liệu", "số liệu tạm tính", None),
            ("Cơ quan", "AG-A, AG-B", None), ("Số khởi tạo", "7", None)]  # two codes are not a change
        assert detail_lines({"source": "frozen", "coverage_pct": 57.1, "as_of": "2025-12-31"}) == [
            ("Nguồn số liệu", "số liệu đã chốt", None), ("Tỷ lệ (%)", "57.1 %", None),
            ("Ngày tham chiếu", "31/12/2025", None)]


def test_the_log_page_shows_a_creation_without_an_arrow(client, login, db):
    make_person("admin", access_role="admin")
    event(db, "person.create", datetime(2026, 3, 1, 2, 0, tzinfo=timezone.utc),
          details={"agency": "UBND xã A (A)", "roles": [[], []], "start_date": "2026-03-01"})
    db.session.commit()
    login("admin")
    page = client.get("/audit/").text
    assert "Công chức → Công chức" not in page and "01/03/2026" in page
