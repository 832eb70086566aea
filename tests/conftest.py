"""Fixtures: one app and schema per session (built by the migrations), clean tables per test."""
from __future__ import annotations

import os
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import event, text

from app import create_app
from app.extensions import db as _db
from app.extensions import limiter
from app.courses.content import forget as forget_content

FIXTURES = Path(__file__).parent / "fixtures"
FIXTURE_COURSES = FIXTURES / "courses"
REAL_COURSES = Path(__file__).parent.parent / "courses"


def pytest_configure(config):
    """TEST_CLOCK=<ISO instant> runs the whole suite as if started at that moment, clock ticking.

    CI uses it to start just after midnight in Vietnam while UTC and the machine's own zone are still
    on the day before, which is when a test that mixes the two days fails.
    """
    instant = os.environ.get("TEST_CLOCK")
    if instant:
        import time_machine

        traveller = time_machine.travel(instant, tick=True)
        traveller.start()
        config.add_cleanup(traveller.stop)


def pytest_report_header(config):
    return f"clock: {os.environ.get('TEST_CLOCK') or 'real'}; TZ: {os.environ.get('TZ') or 'machine default'}"


class IsolatedClient(FlaskClient):
    """Each request gets its own application context, as in production.

    Without this, a request made while a test holds an app context (the `db` fixture) would share
    that context's `g` and session: Flask-Login and Flask-Babel cache per-request values there.
    """

    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)


@pytest.fixture(scope="session")
def app(tmp_path_factory):
    url = os.environ.get("TEST_DATABASE_URL") or f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": url, "COURSES_DIR": str(FIXTURE_COURSES)})
    app.test_client_class = IsolatedClient
    with app.app_context():
        if _db.engine.dialect.name == "postgresql":
            with _db.engine.begin() as conn:  # a fresh schema each session
                conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        upgrade(directory=str(Path(__file__).parent.parent / "migrations"))
    yield app


@pytest.fixture(autouse=True)
def _clean_tables(app):
    yield
    with app.app_context():
        limiter.reset()  # rate-limit counts belong to one test
        forget_content()  # ids start again at 1 in the next test
        _db.session.remove()
        with _db.engine.begin() as conn:
            tables = [t.name for t in reversed(_db.metadata.sorted_tables)]
            if conn.dialect.name == "postgresql":
                conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
            else:
                for name in tables:
                    conn.execute(text(f"DELETE FROM {name}"))


@pytest.fixture
def ctx(app):
    """An application context for tests that call services directly."""
    with app.app_context():
        yield
        _db.session.remove()


@pytest.fixture
def db(ctx):
    return _db


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def courses(db):
    """The two fixture courses, synced; returns {code: current version}."""
    from app.courses.services import current_version, sync_courses

    sync_courses(FIXTURE_COURSES)
    db.session.commit()
    return {code: current_version(code) for code in ("FX-01", "FX-02")}


@pytest.fixture
def count_queries(app):
    """Counts the SQL statements run inside a `with count_queries() as counter:` block."""
    from contextlib import contextmanager

    @contextmanager
    def counter():
        seen = []

        def listener(_conn, _cursor, statement, *_args):
            seen.append(statement)

        with app.app_context():
            engine = _db.engine
        event.listen(engine, "before_cursor_execute", listener)
        try:
            yield seen
        finally:
            event.remove(engine, "before_cursor_execute", listener)

    return counter


@pytest.fixture
def login(client):
    def do(username: str, password: str = "mat-khau-123"):
        return client.post("/login", data={"username": username, "password": password})

    return do

