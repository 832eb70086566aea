"""Personal data: the profile page, the JSON download, the admin export and the public privacy notice."""
import json
from datetime import date

import pytest
from sqlalchemy import select

from app.accounts.invites import create_invite
from app.accounts.models import Invite
from app.audit.models import AuditEvent
from app.completions.services import record_completion
from app.courses.services import mark_read
from app.people import services
from app.quizzes.services import start_attempt
from tests.factories import make_agency, make_person


@pytest.fixture
def lan(db, courses):
    """Lan finished FX-01 at xã Cũ, then moved to xã Mới; she has a quiz attempt open on FX-02."""
    old, new = make_agency("OLD", name="UBND xã Cũ"), make_agency("NEW", name="UBND xã Mới")
    admin = make_person("admin", access_role="admin", agency=new)
    person = make_person("lan", agency=old, full_name="Nguyễn Thị Lan", start=date(2025, 7, 1))
    make_person("other", agency=new)
    record_completion(person.id, courses["FX-01"], date(2026, 1, 15), score=90)
    services.transfer(person, new.id, date(2026, 3, 1), actor=admin)
    start_attempt(person.id, courses["FX-02"])
    mark_read(person.id, courses["FX-02"].course_id, "01-duy-nhat")
    db.session.commit()
    return person


def download(client, url="/me/data.json"):
    response = client.get(url)
    assert response.status_code == 200
    return response, json.loads(response.data.decode("utf-8"))


def test_my_data_is_an_attachment_in_readable_utf8(client, login, lan):
    login("lan")
    response, _data = download(client)
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert response.headers["Content-Type"] == "application/json; charset=utf-8"
    assert "Nguyễn Thị Lan".encode() in response.data  # not \u-escaped


def test_my_data_holds_my_completions_with_the_agency_as_recorded(client, login, lan):
    login("lan")
    _response, data = download(client)
    assert data["person"]["full_name"] == "Nguyễn Thị Lan" and data["person"]["username"] == "lan"
    assert [(c["course_code"], c["completed_on"], c["score"], c["agency_name"]) for c in data["completions"]] == [
        ("FX-01", "2026-01-15", 90, "UBND xã Cũ")]
    assert [(a["agency_code"], a["start_date"], a["end_date"]) for a in data["assignments"]] == [
        ("OLD", "2025-07-01", "2026-02-28"), ("NEW", "2026-03-01", None)]
    assert [(q["course_code"], q["submitted_at"], q["passed"]) for q in data["quiz_attempts"]] == [("FX-02", None, None)]
    assert [(r["course_code"], r["module"]) for r in data["module_reads"]] == [("FX-02", "01-duy-nhat")]
    assert [e["action"] for e in data["audit_events"]] == ["person.transfer"]


def test_my_data_never_holds_secrets(client, login, db, lan):
    create_invite(lan, "reset", None)
    db.session.commit()
    login("lan")
    response, data = download(client)
    body = response.data.decode("utf-8")
    assert "password_hash" not in body and lan.password_hash not in body
    token_hash = db.session.scalar(select(Invite.token_hash))
    assert token_hash not in body and "token" not in body
    assert [i["purpose"] for i in data["invites"]] == ["reset"]


def test_profile_page_shows_history_completions_and_attempts(client, login, lan):
    login("lan")
    page = client.get("/me").text
    assert "UBND xã Cũ" in page and "15/01/2026" in page and "90%" in page
    assert "01/03/2026" in page and "FX-02" in page
    assert "Tải dữ liệu của tôi (JSON)" in page


def test_a_learner_cannot_download_someone_elses_data(client, login, lan):
    login("other")
    assert client.get(f"/people/{lan.id}/data.json").status_code == 403


def test_an_admin_download_of_someone_elses_data_is_audited(client, login, db, lan):
    login("admin")
    _response, data = download(client, f"/people/{lan.id}/data.json")
    assert data["person"]["staff_code"] == lan.staff_code
    export = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "person.export")).one()
    assert export.target_id == lan.id and export.actor_label != "CLI"


def test_privacy_notice_is_public_and_in_vietnamese(client):
    response = client.get("/privacy")
    assert response.status_code == 200
    page = response.text
    assert '<html lang="vi">' in page
    for phrase in ("91/2025/QH15", "356/2025/NĐ-CP", "01/01/2026", "2 ngày làm việc", "Tải dữ liệu của tôi (JSON)",
                   "ngày sinh", "dân tộc", "tôn giáo", "sức khỏe", "nhật ký", "Sở Khoa học và Công nghệ"):
        assert phrase in page, phrase


def test_privacy_notice_is_linked_from_the_login_page_and_the_footer(client, login, lan):
    assert 'href="/privacy"' in client.get("/login").text
    login("lan")
    assert 'href="/privacy"' in client.get("/").text
