"""The administrator's mail log: who may see it, order, labels, filters, the Vietnam day, XLSX, queries."""
import html
import io
import re
from datetime import datetime, timezone

import pytest
from openpyxl import load_workbook

from app.notifications.log import KIND_LABELS, STATUS_LABELS
from app.notifications.models import MAIL_STATUSES, Notification
from tests.factories import make_person

UTC = timezone.utc
LOG = "/admin/notifications/"
XLSX = "/admin/notifications/log.xlsx"
REMIND = "Bạn cần hoàn thành ISO-01 trước 01/01/2027"
OVERDUE = "ISO-01 đã quá hạn từ 01/03/2026"
DIGEST = "Bản tin đào tạo HTQLCL tuần này: UBND xã B"
PROVINCE = "Bản tin tháng 11/2026 của Sở KH&CN"


def notify(db, person, title, at, *, kind="start", status="sent", email=None, attempts=0, sent_at=None,
           error=None) -> Notification:
    row = Notification(person_id=person.id, kind=kind, subject=title[:120], period="once", title=title,
                       body_text=title, body_html=f"<p>{title}</p>", planned_for=at.date(), created_at=at,
                       email=email, mail_status=status, attempts=attempts, sent_at=sent_at, last_error=error)
    db.session.add(row)
    return row


def person(full_name, staff_code, **kwargs):
    someone = make_person(full_name=full_name, **kwargs)
    someone.staff_code = staff_code
    return someone


@pytest.fixture
def log(db):
    make_person("quantri", access_role="admin")
    make_person("sokhcn", access_role="dost")
    make_person("hocvien")
    lan, binh, ha = person("Nguyễn Thị Lan", "XA-01"), person("Trần Văn Bình", "XB-02"), person("Đỗ Thị Hà", "SO-03")
    notify(db, lan, REMIND, datetime(2026, 12, 3, 2, 0, tzinfo=UTC), email="Lan.Nguyen@xa-a.example",
           attempts=1, sent_at=datetime(2026, 12, 3, 2, 5, tzinfo=UTC))
    notify(db, ha, PROVINCE, datetime(2026, 12, 4, 10, 0, tzinfo=UTC), kind="province_digest", status="pending",
           email="ha@sokhcn.example")
    # 16:30 UTC on 5 December is 23:30 that day in Vietnam; 17:30 UTC is already 00:30 on the 6th.
    notify(db, binh, DIGEST, datetime(2026, 12, 5, 16, 30, tzinfo=UTC), kind="agency_digest", status="none")
    notify(db, binh, OVERDUE, datetime(2026, 12, 5, 17, 30, tzinfo=UTC), kind="overdue", status="failed",
           email="binh.tran@xa-b.example", attempts=3, error="550 5.1.1 mailbox unavailable")
    db.session.commit()


def table(page: str) -> list[list[str]]:
    """The log table's body rows as lists of cell texts (tags dropped, spaces collapsed)."""
    if "<tbody>" not in page:
        return []
    body = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return [[html.unescape(" ".join(re.sub(r"<[^>]+>", " ", cell).split()))
             for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
            for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)]


def titles(page: str) -> list[str]:
    return [row[4] for row in table(page)]


@pytest.mark.parametrize("url", [LOG, XLSX])
@pytest.mark.parametrize("username,status", [("quantri", 200), ("sokhcn", 403), ("hocvien", 403)])
def test_only_administrators_see_the_mail_log(client, login, log, url, username, status):
    login(username)
    assert client.get(url).status_code == status


@pytest.mark.parametrize("url", [LOG, XLSX])
def test_anonymous_visitors_are_sent_to_sign_in(client, log, url):
    response = client.get(url)
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_newest_first_in_vietnam_time_with_vietnamese_labels(client, login, log):
    login("quantri")
    page = client.get(LOG).text
    assert table(page) == [
        ["06/12/2026 00:30", "Trần Văn Bình XB-02", "binh.tran@xa-b.example", "Quá hạn", OVERDUE, "Gửi lỗi",
         "3", "—", "550 5.1.1 mailbox unavailable"],
        ["05/12/2026 23:30", "Trần Văn Bình XB-02", "chỉ trong ứng dụng", "Bản tin tuần của cơ quan", DIGEST,
         "Chỉ trong ứng dụng", "0", "—", ""],
        ["04/12/2026 17:00", "Đỗ Thị Hà SO-03", "ha@sokhcn.example", "Bản tin tháng của Sở KH&CN", PROVINCE,
         "Chờ gửi", "0", "—", ""],
        ["03/12/2026 09:00", "Nguyễn Thị Lan XA-01", "Lan.Nguyen@xa-a.example", "Bắt đầu nghĩa vụ", REMIND,
         "Đã gửi", "1", "03/12/2026 09:05", ""],
    ]
    assert "4 thông báo" in page
    assert 'role="region" aria-label="Nhật ký gửi thư"' in page


@pytest.mark.parametrize("query,expected", [
    ("kind=overdue", [OVERDUE]),
    ("kind=due_today", []),
    ("status=pending", [PROVINCE]),
    ("status=none", [DIGEST]),
    ("recipient=BÌNH", [OVERDUE, DIGEST]),  # the name, any letter case, Vietnamese letters included
    ("recipient=binh", [OVERDUE, DIGEST]),  # without diacritics too
    ("recipient=do thi", [PROVINCE]),  # Đỗ Thị Hà: đ found as d, each word
    ("recipient=xb-02", [OVERDUE, DIGEST]),  # the staff code
    ("recipient=lan.nguyen@XA", [REMIND]),  # the address mailed to
    ("recipient=%25", []),  # a percent sign is a character to find, not a wildcard
    ("date_from=06/12/2026", [OVERDUE]),
    ("date_to=05/12/2026", [DIGEST, PROVINCE, REMIND]),
    ("date_from=05/12/2026&date_to=2026-12-05", [DIGEST]),
    ("recipient=bình&date_from=06/12/2026", [OVERDUE]),
])
def test_each_filter_narrows_the_rows(client, login, log, query, expected):
    login("quantri")
    assert titles(client.get(f"{LOG}?{query}").text) == expected


def test_a_bad_date_is_reported_and_not_exported(client, login, log):
    login("quantri")
    assert "Ngày không hợp lệ" in client.get(f"{LOG}?date_from=31/02/2026").text
    response = client.get(f"{XLSX}?date_from=31/02/2026&kind=overdue")
    assert response.status_code == 302
    assert response.headers["Location"] == f"{LOG}?date_from=31/02/2026&kind=overdue"


def test_the_export_link_carries_the_filters(client, login, log):
    login("quantri")
    page = client.get(f"{LOG}?status=failed&recipient=b%C3%ACnh").text
    assert f'href="{XLSX}?status=failed&amp;recipient=b%C3%ACnh"' in page


def sheet_rows(response) -> list[tuple]:
    return list(load_workbook(io.BytesIO(response.data)).active.iter_rows(values_only=True))


def test_the_xlsx_holds_a_header_and_exactly_the_filtered_rows(client, login, log):
    login("quantri")
    response = client.get(f"{XLSX}?recipient=b%C3%ACnh")
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response.headers["Content-Disposition"].startswith('attachment; filename="nhat-ky-gui-thu-')
    assert sheet_rows(response) == [
        ("Thời điểm tạo", "Người nhận", "Mã công chức", "Địa chỉ thư", "Loại", "Tiêu đề", "Trạng thái",
         "Số lần gửi", "Thời điểm gửi", "Lỗi gần nhất"),
        ("06/12/2026 00:30", "Trần Văn Bình", "XB-02", "binh.tran@xa-b.example", "Quá hạn", OVERDUE, "Gửi lỗi",
         3, None, "550 5.1.1 mailbox unavailable"),
        ("05/12/2026 23:30", "Trần Văn Bình", "XB-02", "chỉ trong ứng dụng", "Bản tin tuần của cơ quan", DIGEST,
         "Chỉ trong ứng dụng", 0, None, None),
    ]


def test_the_xlsx_has_every_page_not_only_the_first(client, login, db, log):
    many = make_person(full_name="Lê Văn Nhiều")
    for i in range(55):
        notify(db, many, f"Nhắc lần {i}", datetime(2026, 11, 1, 1, i, tzinfo=UTC))
    db.session.commit()
    login("quantri")
    rows = sheet_rows(client.get(XLSX))
    assert len(rows) == 1 + 4 + 55
    assert rows[5][0] == "01/11/2026 08:54" and rows[-1][0] == "01/11/2026 08:00"
    assert rows[4][8] == "03/12/2026 09:05"  # the one mail sent: dd/mm/yyyy HH:MM text in Vietnam time


def test_pages_of_fifty_keep_the_filters(client, login, db, log):
    many = make_person(full_name="Lê Văn Nhiều")
    for i in range(51):
        notify(db, many, f"Nhắc lần {i}", datetime(2026, 11, 1, 1, i, tzinfo=UTC), kind="due_soon")
    db.session.commit()
    login("quantri")
    first = client.get(f"{LOG}?kind=due_soon").text
    second = client.get(f"{LOG}?kind=due_soon&page=2").text
    assert len(table(first)) == 50 and titles(second) == ["Nhắc lần 0"]
    assert "51 thông báo" in first and "Trang 2/2" in second
    assert f"{LOG}?page=2&amp;kind=due_soon" in first


def test_the_page_takes_the_same_queries_for_4_rows_or_30(client, login, db, log, count_queries):
    login("quantri")
    with count_queries() as few:
        assert len(table(client.get(LOG).text)) == 4
    for i in range(26):  # each row for someone else, so a query per recipient would show
        notify(db, make_person(), f"Nhắc lần {i}", datetime(2026, 11, 1, 1, i, tzinfo=UTC))
    db.session.commit()
    with count_queries() as many:
        assert len(table(client.get(LOG).text)) == 30
    # the signed-in user with the header's unread count, the page's count, the page's rows with their people
    assert len(few) == len(many) == 3


def test_every_kind_and_mail_status_has_a_label():
    kinds = {"start", "due_soon", "due_today", "overdue", "agency_digest", "province_digest", "failures", "class_invite"}
    assert set(KIND_LABELS) == kinds and set(STATUS_LABELS) == set(MAIL_STATUSES)
