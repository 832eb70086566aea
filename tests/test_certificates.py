"""Certificates: issued for every completion, once; the public verify page; who may download."""
from datetime import date, datetime, timezone

import pytest
from sqlalchemy import func, select

from app.certificates.models import Certificate
from app.certificates.services import file_name
from app.core.dates import today
from app.quizzes.services import start_attempt, submit_attempt
from tests.factories import make_agency, make_completion, make_iso_courses, make_person
from tests.test_quiz import key_answers


def count(db) -> int:
    return db.session.scalar(select(func.count(Certificate.id)))


@pytest.fixture
def passed(db, courses):
    """Lan passed FX-01 online at commune A."""
    agency = make_agency("A", name="UBND xã A")
    lan = make_person("lan", agency=agency, full_name="Nguyễn Thị Lan")
    attempt = start_attempt(lan.id, courses["FX-01"])
    submit_attempt(attempt.id, lan.id, key_answers(attempt, db))
    db.session.commit()
    return {"agency": agency, "lan": lan, "attempt": attempt}


def test_passing_a_quiz_issues_one_certificate_with_what_it_prints(db, passed):
    certificate = db.session.scalar(select(Certificate))
    assert (certificate.full_name, certificate.agency_name, certificate.course_code, certificate.score) == (
        "Nguyễn Thị Lan", "UBND xã A", "FX-01", 100)
    assert certificate.course_title == "Khóa thử nghiệm một" and certificate.valid_until is None
    assert certificate.completed_on == today() == certificate.issued_on
    submit_attempt(passed["attempt"].id, passed["lan"].id, {})  # replayed
    db.session.commit()
    assert count(db) == 1


def test_a_later_rename_does_not_change_an_issued_certificate(db, passed):
    passed["lan"].full_name = "Nguyễn Thị Lan Anh"
    passed["agency"].name = "UBND phường A"
    db.session.commit()
    certificate = db.session.scalar(select(Certificate))
    assert (certificate.full_name, certificate.agency_name) == ("Nguyễn Thị Lan", "UBND xã A")


def test_backfill_issues_the_stored_completions_once(db, runner):
    courses = make_iso_courses()
    person = make_person(full_name="Trần Văn Hùng")
    make_completion(person, courses["ISO-01"], date(2024, 3, 5))
    make_completion(person, courses["ISO-05"], date(2025, 6, 1))
    db.session.commit()
    db.session.execute(Certificate.__table__.delete())
    db.session.commit()
    assert "2 certificate(s) issued" in runner.invoke(args=["certificates", "backfill"]).output
    assert "0 certificate(s) issued" in runner.invoke(args=["certificates", "backfill"]).output
    by_course = {c.course_code: c for c in db.session.scalars(select(Certificate))}
    assert by_course["ISO-05"].valid_until == date(2025, 12, 31)  # the yearly refresher
    assert by_course["ISO-01"].valid_until is None
    assert by_course["ISO-01"].course_title == "ISO-01"  # no version loaded: the code stands in


def test_the_file_name_has_no_diacritics():
    certificate = Certificate(full_name="Đặng Thị Ngọc Ánh", course_code="ISO-01", completed_on=date(2026, 3, 1))
    assert file_name(certificate) == "DangThiNgocAnh_ISO-01_2026.pdf"


def test_the_verify_page_shows_a_valid_certificate_and_nothing_else_about_the_person(client, db, passed):
    passed["lan"].email = "lan@example.vn"
    db.session.commit()
    certificate = db.session.scalar(select(Certificate))
    page = client.get(f"/verify/{certificate.code.lower().replace('-', ' ')}")
    assert page.status_code == 200
    assert "Còn hiệu lực" in page.text and "Nguyễn Thị Lan" in page.text and "Khóa thử nghiệm một" in page.text
    for private in (passed["lan"].staff_code, "lan@example.vn", "UBND xã A"):
        assert private not in page.text


def test_an_expired_and_a_revoked_certificate_say_so(client, db, passed):
    certificate = db.session.scalar(select(Certificate))
    certificate.valid_until = date(today().year - 1, 12, 31)
    db.session.commit()
    assert "Đã hết hiệu lực" in client.get(f"/verify/{certificate.code}").text
    certificate.revoked_at = datetime(2026, 3, 2, 3, 0, tzinfo=timezone.utc)
    certificate.revoked_reason = "Nhập nhầm"
    db.session.commit()
    page = client.get(f"/verify/{certificate.code}").text
    assert "Đã thu hồi" in page and "02/03/2026" in page and "Nhập nhầm" not in page


@pytest.mark.parametrize("code", ["K7QX-M2PD-9HTW-ZR4C", "not-a-code", "1111-1111-1111-1111"])
def test_an_unknown_code_gives_a_404_in_vietnamese(client, db, code):
    page = client.get(f"/verify/{code}")
    assert page.status_code == 404 and "Không tìm thấy giấy chứng nhận" in page.text


@pytest.mark.parametrize("who,status", [("lan", 200), ("other", 403), ("head_a", 200), ("head_b", 403),
                                        ("dost", 200)])
def test_a_certificate_is_downloaded_by_its_owner_and_whoever_covers_its_agency(client, login, db, passed, who,
                                                                               status):
    make_person("other", agency=passed["agency"])
    make_person("head_a", agency=passed["agency"], roles=("leader",))
    make_person("head_b", agency=make_agency("B"), roles=("leader",))
    make_person("dost", access_role="dost")
    db.session.commit()
    code = db.session.scalar(select(Certificate.code))
    login(who)
    response = client.get(f"/certificates/{code}.pdf")
    assert response.status_code == status
    if status == 200:
        assert response.data.startswith(b"%PDF") and "NguyenThiLan_FX-01_" in response.headers["Content-Disposition"]


def test_the_profile_lists_the_certificate(client, login, passed):
    login("lan")
    page = client.get("/me").text
    assert "Tải giấy chứng nhận (PDF)" in page


def test_an_admin_revokes_with_a_reason_in_the_audit_log_and_the_completion_stays(client, login, db, passed):
    from app.audit.models import AuditEvent
    from app.completions.models import Completion

    make_person("admin", access_role="admin")
    db.session.commit()
    code = db.session.scalar(select(Certificate.code))
    login("admin")
    assert "Thu hồi giấy chứng nhận" in client.get(f"/verify/{code}").text
    client.post(f"/certificates/{code}/revoke", data={"reason": "  "})
    assert db.session.scalar(select(Certificate.revoked_at)) is None  # no reason, nothing changed
    response = client.post(f"/certificates/{code}/revoke", data={"reason": "Cấp nhầm người"})
    assert response.status_code == 302
    certificate = db.session.scalar(select(Certificate))
    assert certificate.revoked_reason == "Cấp nhầm người" and certificate.revoked_at is not None
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "certificate.revoke"))
    assert event.details == {"code": code, "reason": "Cấp nhầm người"} and event.actor_label
    assert db.session.scalar(select(func.count(Completion.id))) == 1
    client.post(f"/certificates/{code}/revoke", data={"reason": "lần nữa"})  # revoking twice changes nothing
    assert db.session.scalar(select(Certificate.revoked_reason)) == "Cấp nhầm người"
    client.post("/logout")
    page = client.get(f"/verify/{code}").text
    assert "Đã thu hồi" in page and "Cấp nhầm người" not in page


@pytest.mark.parametrize("who", ["lan", "dost"])
def test_only_an_admin_may_revoke(client, login, db, passed, who):
    make_person("dost", access_role="dost")
    db.session.commit()
    code = db.session.scalar(select(Certificate.code))
    login(who)
    assert client.post(f"/certificates/{code}/revoke", data={"reason": "x"}).status_code == 403
    assert db.session.scalar(select(Certificate.revoked_at)) is None


@pytest.fixture
def last_year(db, courses):
    """Last year's certificates around commune A: three earned at A (two by people of the same name),
    one at OLD, merged into A on 01/07, one revoked, one at B, and one of the year before."""
    from app.agencies.models import LineageEvent
    from app.certificates.services import issue_missing
    from app.courses.models import Course

    y = today().year - 1
    a = make_agency("A", name="UBND xã A", valid_from=date(2020, 1, 1))
    old = make_agency("OLD", name="UBND xã Cũ", valid_from=date(2020, 1, 1), valid_to=date(y, 6, 30))
    b = make_agency("B", name="UBND xã B", valid_from=date(2020, 1, 1))
    db.session.add(LineageEvent(event="merge", predecessor_id=old.id, successor_id=a.id, effective_date=date(y, 7, 1)))
    fx1, fx2 = (db.session.scalar(select(Course).where(Course.code == code)) for code in ("FX-01", "FX-02"))
    people = {key: make_person(key, agency=agency, full_name=name) for key, agency, name in (
        ("lan", a, "Nguyễn Thị Lan"), ("lan2", a, "Nguyễn Thị Lan"), ("binh", a, "Trần Văn Bình"),
        ("cuong", a, "Lê Cường"), ("dung", b, "Phạm Dũng"), ("em", a, "Hồ Thị Em"))}
    for key, course, day, agency in (
            ("lan", fx1, date(y, 3, 2), a), ("lan2", fx1, date(y, 4, 5), a), ("binh", fx2, date(y, 9, 9), a),
            ("binh", fx1, date(y, 2, 1), old), ("cuong", fx1, date(y - 1, 5, 5), a), ("dung", fx1, date(y, 5, 5), b),
            ("em", fx2, date(y, 10, 1), a)):
        make_completion(people[key], course, day, agency)
    issue_missing()
    revoked = db.session.scalar(select(Certificate).where(Certificate.full_name == "Hồ Thị Em"))
    revoked.revoked_at = datetime(y, 11, 1, tzinfo=timezone.utc)
    make_person("head_a", agency=a, roles=("leader",))
    make_person("secretary_b", agency=b, roles=("iso_secretary",))
    make_person("dost", access_role="dost")
    db.session.commit()
    return y


def test_the_agency_zip_holds_one_pdf_per_certificate_of_the_year_without_diacritics(client, login, db, last_year,
                                                                                    tmp_path):
    import io
    import subprocess
    import zipfile

    login("head_a")
    response = client.get(f"/certificates/agency/A/{last_year}.zip")
    assert response.status_code == 200 and response.is_streamed
    assert f'GiayChungNhan_A_{last_year}.zip' in response.headers["Content-Disposition"]
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    assert archive.testzip() is None
    y = last_year
    # Lan twice by name (two people), Bình at A and at OLD (merged into A); not Em (revoked), not
    # Dũng (B), not Cường (the year before)
    assert sorted(archive.namelist()) == sorted([f"NguyenThiLan_FX-01_{y}.pdf", f"NguyenThiLan_FX-01_{y}_2.pdf",
                                                 f"TranVanBinh_FX-01_{y}.pdf", f"TranVanBinh_FX-02_{y}.pdf"])
    (tmp_path / "c.pdf").write_bytes(archive.read(f"TranVanBinh_FX-01_{y}.pdf"))
    text = subprocess.run(["pdftotext", str(tmp_path / "c.pdf"), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "Trần Văn Bình" in text and "UBND xã Cũ" in text and f"01/02/{y}" in text


def test_the_agency_page_lists_the_year_with_the_revoked_one_marked(client, login, last_year):
    login("head_a")
    page = client.get(f"/certificates/agency/A?year={last_year}").text
    assert page.count("<td>Nguyễn Thị Lan") == 2 and "Trần Văn Bình" in page and "Phạm Dũng" not in page
    assert "Đã thu hồi" in page and "Tải tất cả (ZIP, 4 tệp PDF)" in page
    assert "Lê Cường" in client.get(f"/certificates/agency/A?year={last_year - 1}").text
    this_year = client.get("/certificates/agency/A").text
    assert "Chưa có giấy chứng nhận nào" in this_year and ".zip" not in this_year


@pytest.mark.parametrize("who,status", [("head_a", 200), ("secretary_b", 403), ("dost", 200), ("lan", 403)])
def test_only_those_who_cover_the_agency_get_its_zip(client, login, last_year, who, status):
    login(who)
    assert client.get(f"/certificates/agency/A/{last_year}.zip").status_code == status
    assert client.get(f"/certificates/agency/A?year={last_year}").status_code == status


def test_a_year_without_certificates_has_no_zip(client, login, last_year):
    login("dost")
    assert client.get(f"/certificates/agency/B/{last_year - 1}.zip").status_code == 404
    assert client.get("/certificates/agency/NOPE/2025.zip").status_code == 404


def test_the_head_of_the_merged_agency_downloads_a_certificate_earned_before_the_merger(client, login, db,
                                                                                      last_year):
    code = db.session.scalar(select(Certificate.code).where(Certificate.agency_name == "UBND xã Cũ"))
    login("head_a")
    assert client.get(f"/certificates/{code}.pdf").status_code == 200
    client.post("/logout")
    login("secretary_b")
    assert client.get(f"/certificates/{code}.pdf").status_code == 403


def test_the_zip_is_written_one_certificate_at_a_time(db, last_year):
    from app.certificates.archive import zip_stream
    from app.certificates.services import agency_sources, archive_items, of_agency

    a = db.session.scalar(select(Certificate.agency_id).where(Certificate.agency_name == "UBND xã A"))
    items = archive_items(db.session.scalars(of_agency(agency_sources(a, today()), last_year)))
    chunks = list(zip_stream(items))
    assert len(chunks) == len(items) + 1 == 5  # a chunk per PDF, then the central directory
    assert all(0 < len(c) < 100_000 for c in chunks[:-1])
    assert list(zip_stream(items)) == chunks  # the same certificates, the same bytes


def test_the_course_page_offers_the_certificate(client, login, passed):
    login("lan")
    page = client.get("/courses/FX-01/").text
    assert "Đã hoàn thành ngày" in page and "/certificates/" in page and ".pdf" in page
