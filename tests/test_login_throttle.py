"""Sign-in throttling: ten wrong passwords for one username in 15 minutes lock that username, even
against the right password, for every worker alike (the count is in the database); an administrator
can lift the lock; an unknown username is answered exactly like a real one."""
from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import func, select

from app.accounts.models import LoginFailure
from app.audit.models import AuditEvent
from app.core.dates import utcnow
from tests.factories import make_agency, make_person

LOCKED = "tạm thời bị khóa"
WRONG = "Tên đăng nhập hoặc mật khẩu không đúng."


def attempt(client, username, password, address="10.0.0.1"):
    return client.post("/login", data={"username": username, "password": password},
                       environ_base={"REMOTE_ADDR": address})


def fail(client, username, times, address="10.0.0.1"):
    return [attempt(client, username, "sai-mat-khau", address).status_code for _ in range(times)]


@pytest.fixture
def lan(db):
    person = make_person("lan", agency=make_agency("XA-1"))
    db.session.commit()
    return person


def test_ten_wrong_passwords_lock_the_username_even_against_the_right_password(client, lan):
    assert fail(client, "lan", 10) == [200] * 10
    refused = attempt(client, "lan", "mat-khau-123")
    assert refused.status_code == 429
    assert LOCKED in refused.text and "15 phút" in refused.text
    assert client.get("/me").status_code == 302  # not signed in


def test_nine_wrong_passwords_still_let_the_right_one_in_and_that_starts_the_count_again(client, db, lan):
    fail(client, "lan", 9)
    assert attempt(client, "lan", "mat-khau-123").status_code == 302
    assert db.session.scalar(select(func.count(LoginFailure.id))) == 0
    client.post("/logout")


def test_the_lock_holds_for_another_worker_because_the_count_is_in_the_database(app, client, lan):
    fail(client, "lan", 10)
    other_worker = app.test_client()  # nothing shared with the first client but the database
    assert attempt(other_worker, "lan", "mat-khau-123", address="10.9.9.9").status_code == 429


def test_the_lock_ends_when_the_window_passes(client, lan):
    fail(client, "lan", 10)
    with time_machine.travel(utcnow() + timedelta(minutes=15, seconds=1), tick=False):
        assert attempt(client, "lan", "mat-khau-123").status_code == 302


def test_failures_older_than_the_window_do_not_count(client, lan):
    with time_machine.travel(utcnow() - timedelta(minutes=20), tick=False):
        fail(client, "lan", 9)
    fail(client, "lan", 9)
    assert attempt(client, "lan", "mat-khau-123").status_code == 302


def test_the_username_is_counted_whatever_its_case_and_spaces(client, lan):
    for spelling in ("lan", "LAN", " Lan ", "lAn", "lan", "LAN", "lan ", "Lan", "lan", "LAN"):
        attempt(client, spelling, "sai")
    assert attempt(client, "lan", "mat-khau-123").status_code == 429


def test_an_unknown_username_is_answered_and_locked_exactly_like_a_real_one(client, lan):
    real = [attempt(client, "lan", "sai") for _ in range(11)]
    ghost = [attempt(client, "khong-ai", "sai") for _ in range(11)]
    assert [r.status_code for r in real] == [r.status_code for r in ghost] == [200] * 10 + [429]
    assert WRONG in real[0].text and WRONG in ghost[0].text
    assert real[-1].text.count(LOCKED) == ghost[-1].text.count(LOCKED) == 1


def test_an_admin_lifts_the_lock_from_the_persons_page_and_it_is_audited(app, db, lan):
    make_person("quantri", access_role="admin")
    db.session.commit()
    learner, admin = app.test_client(), app.test_client()
    fail(learner, "lan", 10)
    attempt(admin, "quantri", "mat-khau-123", address="10.0.0.2")
    page = admin.get(f"/people/{lan.id}")
    assert "tạm khóa đăng nhập" in page.text and "Mở khóa đăng nhập" in page.text
    done = admin.post(f"/people/{lan.id}/unlock-login", follow_redirects=True)
    assert "Đã mở khóa đăng nhập" in done.text and "tạm khóa đăng nhập đến" not in done.text
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "login.unlock"))
    assert event.target_id == lan.id and event.details == {"failures": 10}
    assert attempt(learner, "lan", "mat-khau-123").status_code == 302


def test_only_an_admin_may_lift_a_lock(app, db, lan):
    agency = lan.assignments[0].agency
    make_person("thuky", agency=agency, access_role="agency_manager")
    db.session.commit()
    manager = app.test_client()
    attempt(manager, "thuky", "mat-khau-123", address="10.0.0.3")
    fail(app.test_client(), "lan", 10)
    assert manager.post(f"/people/{lan.id}/unlock-login").status_code == 403
    assert "Mở khóa đăng nhập" not in manager.get(f"/people/{lan.id}").text


def test_the_cli_lifts_a_lock(runner, client, db, lan):
    fail(client, "lan", 10)
    result = runner.invoke(args=["users", "unlock", "LAN"])
    assert result.exit_code == 0 and "10 failed sign-in(s) forgotten" in result.output
    assert attempt(client, "lan", "mat-khau-123").status_code == 302
    assert "was not locked" in runner.invoke(args=["users", "unlock", "lan"]).output
    assert runner.invoke(args=["users", "unlock", "nobody"]).exit_code == 1


def test_one_address_trying_many_usernames_is_refused_by_the_address_limit(app, client, lan, monkeypatch):
    monkeypatch.setitem(app.config, "LOGIN_RATE_LIMIT", "5 per minute")
    statuses = [attempt(client, f"user{n}", "sai", address="10.5.5.5").status_code for n in range(6)]
    assert statuses == [200] * 5 + [429]
    assert client.get("/login", environ_base={"REMOTE_ADDR": "10.5.5.5"}).status_code == 200  # GET is not counted
    assert attempt(client, "lan", "mat-khau-123", address="10.6.6.6").status_code == 302  # another address


def test_setting_a_password_through_a_link_is_limited_per_address(app, client, lan, monkeypatch):
    monkeypatch.setitem(app.config, "INVITE_RATE_LIMIT", "3 per minute")
    statuses = [client.post("/invite/not-a-token", data={}, environ_base={"REMOTE_ADDR": "10.7.7.7"}).status_code
                for _ in range(4)]
    assert statuses == [404, 404, 404, 429]
