"""CLI commands, demo data, health check, language and dates."""
from datetime import date, datetime, timezone

import pytest
from sqlalchemy import func, select

from app.accounts.models import Assignment, Person
from app.completions.models import Completion
from app.core.dates import format_date, format_datetime, local_date
from tests.conftest import FIXTURE_COURSES, REAL_COURSES
from tests.factories import make_agency, make_person


def test_users_create_reads_the_password_from_stdin_and_assigns_the_agency(runner, db):
    make_agency("AG-1", name="UBND xã Một")
    db.session.commit()
    result = runner.invoke(args=["users", "create", "lan", "--role", "learner", "--agency", "AG-1",
                                 "--name", "Nguyễn Thị Lan"], input="mat-khau-dai\n")
    assert result.exit_code == 0, result.output
    person = db.session.scalar(select(Person).where(Person.username == "lan"))
    assert person.full_name == "Nguyễn Thị Lan" and person.check_password("mat-khau-dai")
    assert [a.agency.code for a in person.assignments] == ["AG-1"]


@pytest.mark.parametrize("args,message", [
    (["--role", "learner", "--agency", "NOPE"], "unknown agency code 'NOPE'"),
    (["--role", "boss"], "Invalid value for '--role'"),
])
def test_users_create_refuses_bad_input(runner, db, args, message):
    result = runner.invoke(args=["users", "create", "x", *args], input="mat-khau-dai\n")
    assert result.exit_code != 0
    assert message in result.output
    assert db.session.scalar(select(func.count(Person.id))) == 0


def test_users_create_refuses_a_taken_username(runner, db):
    make_person("lan")
    db.session.commit()
    result = runner.invoke(args=["users", "create", "LAN", "--role", "learner"], input="mat-khau-dai\n")
    assert result.exit_code == 1 and "username 'LAN' is taken" in result.output


def test_demo_is_idempotent(runner, db):
    runner.invoke(args=["courses", "sync", str(REAL_COURSES)])
    first = runner.invoke(args=["demo"])
    assert first.exit_code == 0, first.output
    counts = [db.session.scalar(select(func.count(m.id))) for m in (Person, Assignment, Completion)]
    second = runner.invoke(args=["demo"])
    assert second.exit_code == 0
    assert [db.session.scalar(select(func.count(m.id))) for m in (Person, Assignment, Completion)] == counts
    assert counts[2] > 0
    usernames = set(db.session.scalars(select(Person.username).where(Person.username.is_not(None))))
    assert usernames == {"hocvien", "thuky", "lanhdao", "sokhcn", "quantri"}


def test_demo_accounts_can_sign_in(runner, client, db):
    runner.invoke(args=["demo"])
    response = client.post("/login", data={"username": "sokhcn", "password": "demo-htqlcl-2026"})
    assert response.status_code == 302
    assert "UBND xã An Phú" in client.get("/reports/agencies").text


def test_healthz_is_503_when_the_database_is_unreachable(app):
    from app import create_app

    broken = create_app("testing", {"SQLALCHEMY_DATABASE_URI": "sqlite:////nonexistent/dir/db.sqlite3",
                                     "COURSES_DIR": str(FIXTURE_COURSES)})
    response = broken.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["status"] == "error"


def test_production_refuses_to_start_without_a_secret_key(monkeypatch):
    from app import create_app

    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app("production")


@pytest.mark.parametrize("key", ["aaaaaaaaaaaaaaaa", "abababababababababababab", "1234567812345678",
                                 "dev-insecure-key", "short"])
def test_production_refuses_a_guessable_secret_key(monkeypatch, key):
    from app import create_app

    monkeypatch.setenv("SECRET_KEY", key)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app("production")


def test_production_starts_with_a_random_secret_key(monkeypatch):
    import secrets

    from app import create_app

    monkeypatch.setenv("SECRET_KEY", secrets.token_hex(32))
    assert create_app("production").config["SESSION_COOKIE_SECURE"] in (True, False)


def test_an_unknown_configuration_name_lists_the_valid_ones():
    from app import create_app

    with pytest.raises(RuntimeError, match="development, production, testing"):
        create_app("prod")


def test_pages_are_vietnamese_by_default_and_english_on_request(client, db):
    page = client.get("/login")
    assert '<html lang="vi">' in page.text and "Đăng nhập" in page.text
    client.get("/lang/en?next=/login")
    page = client.get("/login")
    assert '<html lang="en">' in page.text and "Sign in" in page.text


def test_dates_are_dd_mm_yyyy_in_vietnam_time():
    late_evening_utc = datetime(2026, 12, 31, 18, 30, tzinfo=timezone.utc)  # 01:30 on 1/1/2027 in Hà Nội
    assert local_date(late_evening_utc) == date(2027, 1, 1)
    assert format_date(late_evening_utc) == "01/01/2027"
    assert format_datetime(late_evening_utc) == "01/01/2027 01:30"
    assert format_date(date(2026, 7, 5)) == "05/07/2026"


def test_sqlite_file_is_in_wal_mode_after_migrating(db):
    from sqlalchemy import text

    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite only")
    assert db.session.execute(text("PRAGMA journal_mode")).scalar() == "wal"
    assert db.session.execute(text("PRAGMA foreign_keys")).scalar() == 1


def test_the_demo_has_a_2026_plan_with_a_closed_class_counted_and_an_open_one_with_invitations(runner, db):
    from app.training.models import ClassSeat, TrainingClass

    runner.invoke(args=["courses", "sync", str(REAL_COURSES)])
    assert runner.invoke(args=["demo"]).exit_code == 0
    closed, open_ = db.session.scalars(select(TrainingClass).order_by(TrainingClass.start_date)).all()
    assert (closed.status, open_.status) == ("closed", "open")
    from_class = db.session.scalars(select(Completion).where(Completion.class_id == closed.id)).all()
    present = db.session.scalar(select(func.count()).select_from(ClassSeat).where(
        ClassSeat.class_id == closed.id, ClassSeat.attendance == "present"))
    assert len(from_class) == present > 0
    assert {(c.source, c.completed_on) for c in from_class} == {("offline", closed.end_date)}
    seats = db.session.scalars(select(ClassSeat.status).where(ClassSeat.class_id == open_.id)).all()
    assert seats.count("invited") == open_.capacity and "waiting" in seats
    assert "training plan kept" in runner.invoke(args=["demo"]).output


def test_healthz_and_the_start_up_warning_name_an_unmigrated_database(tmp_path, caplog):
    from app import create_app
    from app.core.health import warn_about_schema

    empty = create_app("testing", {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'empty.sqlite3'}",
                                   "COURSES_DIR": str(FIXTURE_COURSES)})
    response = empty.test_client().get("/healthz")
    assert response.status_code == 503 and response.get_json()["schema"] == "unmigrated"
    with caplog.at_level("WARNING"):
        assert warn_about_schema(empty) == "unmigrated"
    assert "flask --app wsgi db upgrade" in caplog.text


def test_a_failure_gives_a_vietnamese_page_with_the_request_id_that_the_log_names(tmp_path, caplog):
    from app import create_app

    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.sqlite3'}",
                                 "COURSES_DIR": str(FIXTURE_COURSES), "PROPAGATE_EXCEPTIONS": False})

    def boom():
        raise RuntimeError("hỏng")

    app.add_url_rule("/boom", "boom", boom)
    with caplog.at_level("ERROR"):
        response = app.test_client().get("/boom")
    rid = response.headers["X-Request-ID"]
    assert response.status_code == 500 and "Đã có lỗi trong hệ thống" in response.text and rid in response.text
    assert f"id={rid}" in caplog.text and "RuntimeError: hỏng" in caplog.text


def test_every_response_carries_a_request_id_and_a_trusted_proxy_may_set_it(app, client):
    from app import create_app

    first, second = client.get("/login"), client.get("/login")
    assert first.headers["X-Request-ID"] != second.headers["X-Request-ID"]
    assert client.get("/login", headers={"X-Request-ID": "abcdef123456"}).headers["X-Request-ID"] != "abcdef123456"
    proxied = create_app("testing", {"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
                                     "TRUSTED_PROXIES": 1})
    assert proxied.test_client().get("/login", headers={"X-Request-ID": "abcdef123456"}).headers["X-Request-ID"] \
        == "abcdef123456"


def test_one_log_line_per_request_names_the_route_status_and_id(tmp_path, capfd):
    import logging

    from app import create_app
    from app.core import request_log

    request_log.logger.handlers.clear()
    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'y.sqlite3'}",
                                 "COURSES_DIR": str(FIXTURE_COURSES), "REQUEST_LOG": True})
    try:
        response = app.test_client().get("/verify/AAAA-BBBB")
        err = capfd.readouterr().err
        assert f"GET /verify/<path:code> {response.status_code} " in err
        assert f"id={response.headers['X-Request-ID']}" in err
    finally:
        request_log.logger.handlers.clear()
        request_log.logger.setLevel(logging.NOTSET)
