"""Upload → preview → confirm pages, who may use them, and the `flask import` command."""
import io
import os
import re
from datetime import date

import pytest
from sqlalchemy import func, select

from app.agencies.models import Agency
from app.audit.models import AuditEvent
from app.extensions import db as _db
from app.imports.models import ImportUpload
from tests.factories import make_agency, make_assignment, make_person
from tests.imports_support import IMPORT_FIXTURES, csv_bytes, table_counts

ROLES = ("anonymous", "learner", "secretary", "manager", "dost", "admin")


@pytest.fixture
def province(db):
    a = make_agency("A", name="UBND xã A", valid_from=date(2010, 1, 1))
    make_agency("A-PVHCC", name="Trung tâm PVHCC xã A", type="TT_PVHCC_XA", parent=a, valid_from=date(2010, 1, 1))
    make_agency("B", name="UBND xã B", valid_from=date(2010, 1, 1))
    make_person("learner", agency=a)
    make_person("secretary", agency=a, roles=("iso_secretary",))
    make_person("manager", agency=a, access_role="agency_manager")
    make_person("dost", access_role="dost")
    make_person("admin", access_role="admin")
    db.session.commit()


def upload(client, kind: str, data: bytes, filename: str = "tep.csv"):
    return client.post("/imports/", data={"kind": kind, "file": (io.BytesIO(data), filename)},
                       content_type="multipart/form-data")


def last_upload() -> ImportUpload:
    return _db.session.scalar(select(ImportUpload).order_by(ImportUpload.id.desc()))


STAFF_OK = csv_bytes("staff", "S1,Nguyễn Văn An,,A,leader,2020-01-01,", "S2,Lê Thị Bình,,A-PVHCC,,01/02/2021,")

ACCESS = {
    # the ISO secretary keeps the agency's staff list, as its manager does (README, Roles)
    "GET /imports/": {"learner": 403, "secretary": 200, "manager": 200, "dost": 200, "admin": 200},
    "GET /imports/templates/staff.csv": {"learner": 403, "secretary": 200, "manager": 200, "dost": 200, "admin": 200},
    "GET /imports/templates/agencies.csv": {"learner": 403, "secretary": 403, "manager": 403, "dost": 200, "admin": 200},
    "POST agencies": {"learner": 403, "secretary": 403, "manager": 403, "dost": 302, "admin": 302},
    "POST staff": {"learner": 403, "secretary": 302, "manager": 302, "dost": 302, "admin": 302},
}


@pytest.mark.parametrize("route", ACCESS.keys())
@pytest.mark.parametrize("role", ROLES)
def test_who_may_use_the_import_pages(client, login, province, route, role):
    if role != "anonymous":
        login(role)
    if route == "POST agencies":
        response = upload(client, "agencies", csv_bytes("agencies", "C,UBND xã C,UBND_XA,,2025-07-01,,1"))
    elif route == "POST staff":
        response = upload(client, "staff", STAFF_OK)
    else:
        response = client.get(route.split(" ")[1])
    if role == "anonymous":
        assert response.status_code == 302 and "/login" in response.headers["Location"]
    else:
        assert response.status_code == ACCESS[route][role]


def test_the_menu_shows_imports_only_to_those_who_may_import(client, login, province):
    login("manager")
    assert "Nhập dữ liệu" in client.get("/imports/").text
    client.post("/logout")
    login("learner")
    assert "Nhập dữ liệu" not in client.get("/").text


def test_upload_preview_confirm_and_a_second_confirm_changes_nothing(client, login, province, db):
    login("admin")
    response = upload(client, "staff", STAFF_OK, "danh-sach.csv")
    assert response.status_code == 302
    preview = client.get(response.headers["Location"]).text
    assert "danh-sach.csv" in preview and "Xác nhận nhập dữ liệu" in preview
    assert "S1 · Nguyễn Văn An · A · leader · 01/01/2020 – …" in preview
    assert table_counts()["person"] == 5  # nothing written by the preview

    item = last_upload()
    confirmed = client.post(f"/imports/{item.id}/confirm", follow_redirects=True)
    assert "Đã nhập xong 2 dòng." in confirmed.text and "Đã nhập lúc" in confirmed.text
    after = table_counts()
    assert after["person"] == 7 and after["assignment"] == 3 + 2

    again = client.post(f"/imports/{item.id}/confirm", follow_redirects=True)
    assert "Tệp này đã được nhập rồi; lần xác nhận này không thay đổi gì." in again.text
    assert table_counts() == after
    assert db.session.scalar(select(func.count()).where(AuditEvent.action == "import.staff")) == 1
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "import.staff"))
    assert (event.target_type, event.target_id, event.target_label) == ("import", item.id, "danh-sach.csv")
    assert event.details["created"] == 2 and event.details["people_created"] == 2


def test_a_file_with_problems_shows_every_problem_and_no_confirm_button(client, login, province):
    login("admin")
    data = csv_bytes("staff", "S1,Nguyễn Văn An,,A,leader,2020-01-01,", "S2,<b>Bình</b>,,KHONG,,2021-02-30,")
    page = client.get(upload(client, "staff", data).headers["Location"]).text
    assert "Tệp có 3 lỗi nên chưa có gì được ghi." in page
    assert "mã cơ quan không tồn tại: KHONG" in page and "không được chứa ký tự &lt; hoặc &gt;" in page
    assert "<b>Bình</b>" not in page
    assert "Xác nhận nhập dữ liệu" not in page


def test_more_than_500_problems_shows_500_and_the_count(client, login, province):
    login("admin")
    data = csv_bytes("staff", *[f"S{i},Người {i},,KHONG,,2020-01-01," for i in range(600)])
    page = client.get(upload(client, "staff", data).headers["Location"]).text
    assert "Chỉ hiện 500 lỗi đầu tiên trên tổng số 600." in page
    assert len(re.findall(r"mã cơ quan không tồn tại", page)) == 500


def test_random_bytes_are_refused_with_a_clear_message(client, login, province):
    login("admin")
    page = client.get(upload(client, "staff", os.urandom(64 * 1024), "du-lieu.csv").headers["Location"]).text
    assert "Tệp không phải" in page and "Xác nhận nhập dữ liệu" not in page


def test_an_upload_over_the_limit_is_refused_kindly(app, client, login, province, monkeypatch):
    login("admin")
    monkeypatch.setitem(app.config, "IMPORT_MAX_UPLOAD_BYTES", 2000)
    form_error = upload(client, "staff", b"x" * 3000)
    assert form_error.status_code == 200 and "Tệp lớn hơn 0 MB" in form_error.text
    refused = upload(client, "staff", b"x" * (2000 + 2**20 + 1))  # over the limit and the form's 1 MB
    assert refused.status_code == 413 and "Tệp quá lớn" in refused.text


def test_a_manager_cannot_see_or_confirm_someone_elses_upload(client, login, province):
    login("admin")
    upload(client, "staff", STAFF_OK)
    item = last_upload()
    client.post("/logout")
    login("manager")
    assert client.get(f"/imports/{item.id}").status_code == 403
    assert client.post(f"/imports/{item.id}/confirm").status_code == 403


def test_a_manager_uploading_another_agencys_people_gets_row_errors(client, login, province):
    login("manager")
    before = table_counts()
    data = csv_bytes("staff", "S1,Nguyễn Văn An,,A-PVHCC,,2020-01-01,", "S2,Lê Thị Bình,,B,,2020-01-01,")
    page = client.get(upload(client, "staff", data).headers["Location"]).text
    assert "cơ quan ngoài phạm vi quản lý" in page and ">3<" in page
    assert client.post(f"/imports/{last_upload().id}/confirm").status_code == 302
    assert table_counts() == before


def test_confirming_checks_again_and_writes_nothing_when_the_data_changed(client, login, province, db):
    login("admin")
    upload(client, "staff", csv_bytes("staff", "S9,Nguyễn Văn Chín,,A,,2020-01-01,"))
    agency_a = db.session.scalar(select(Agency).where(Agency.code == "A"))
    person = make_person(full_name="Nguyễn Văn Chín")
    person.staff_code = "S9"
    make_assignment(person, agency_a, start=date(2019, 1, 1))  # meanwhile someone entered an overlapping period
    db.session.commit()
    before = table_counts()
    page = client.post(f"/imports/{last_upload().id}/confirm", follow_redirects=True).text
    assert "Chưa nhập" in page and "thời gian trùng với giai đoạn đã lưu 01/01/2019 – …" in page
    assert "đã thay đổi từ lúc kiểm tra" in page
    assert table_counts() == before
    assert last_upload().applied_at is None


def test_confirming_a_file_that_had_errors_says_so_not_that_the_data_changed(client, login, province, db):
    login("admin")
    upload(client, "staff", csv_bytes("staff", "S2,Trần Bình,,KHONG,,2021-01-01,"))
    before = table_counts()
    page = client.post(f"/imports/{last_upload().id}/confirm", follow_redirects=True).text  # a replayed form
    assert "Chưa nhập: tệp có 1 lỗi" in page and "đã thay đổi từ lúc kiểm tra" not in page
    assert table_counts() == before


def test_the_sample_file_has_the_exact_header(client, login, province):
    login("admin")
    response = client.get("/imports/templates/completions.csv")
    assert response.data.startswith(b"\xef\xbb\xbfstaff_code,course_code,completed_on,score,source\r\n")
    assert "attachment" in response.headers["Content-Disposition"]


# --- the command line ---

def test_cli_imports_a_file_and_prints_a_summary(runner, db):
    make_agency("XA-CU-A", valid_from=date(2010, 1, 1), type="UBND_XA_CU")
    make_agency("XA-CU-B", valid_from=date(2010, 1, 1), type="UBND_XA_CU")
    make_agency("XA-CU-B-MC", valid_from=date(2010, 1, 1), valid_to=date(2025, 6, 30), type="MOT_CUA_XA_CU")
    db.session.commit()
    path = str(IMPORT_FIXTURES / "staff.csv")
    dry = runner.invoke(args=["import", "staff", path, "--dry-run"])
    assert dry.exit_code == 0 and "dry run, nothing written: rows: 5, created: 5" in dry.output
    assert table_counts()["person"] == 0
    result = runner.invoke(args=["import", "staff", path])
    assert result.exit_code == 0, result.output
    assert re.search(r"imported staff: rows: 5, created: 5, updated: 0, unchanged: 0, people_created: 4 "
                     r"\(checked in [\d.]+ s, applied in [\d.]+ s\)", result.output)
    assert table_counts()["person"] == 4


def test_cli_prints_every_problem_and_exits_1(runner, db, tmp_path):
    make_agency("A", valid_from=date(2010, 1, 1))
    db.session.commit()
    path = tmp_path / "loi.csv"
    path.write_bytes(csv_bytes("staff", "S1,An,,A,,2020-01-01,", "S2,Bình,,Z,boss,2020-01-01,"))
    result = runner.invoke(args=["import", "staff", str(path)])
    assert result.exit_code == 1
    assert "row 3, column agency_code: mã cơ quan không tồn tại: Z\n" in result.stdout
    assert "row 3, column roles: vai trò không hợp lệ “boss”" in result.stdout
    assert "2 problem(s) in 2 row(s): nothing written" in result.stderr
    assert table_counts()["person"] == 0


def test_cli_refuses_a_file_in_the_wrong_encoding(runner, db, tmp_path):
    path = tmp_path / "cp1258.csv"
    path.write_bytes(csv_bytes("agencies", "X,Sở Lê,SO,,2025-07-01,,1").decode().replace("ở", "o").encode("cp1258"))
    result = runner.invoke(args=["import", "agencies", str(path)])
    assert result.exit_code == 1 and result.stdout.startswith("file: Tệp không phải UTF-8 (dòng 2, byte ")


def test_cli_shows_a_progress_bar_on_stderr_for_big_files(runner, db, tmp_path, monkeypatch):
    monkeypatch.setattr("app.imports.cli.PROGRESS_FROM_BYTES", 0)
    make_agency("A", valid_from=date(2010, 1, 1))
    db.session.commit()
    path = tmp_path / "s.csv"
    path.write_bytes(csv_bytes("staff", "S1,An,,A,,2020-01-01,"))
    result = runner.invoke(args=["import", "staff", str(path)])
    assert result.exit_code == 0 and "checking" in result.stderr and "applying" in result.stderr
