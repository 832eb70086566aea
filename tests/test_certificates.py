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
