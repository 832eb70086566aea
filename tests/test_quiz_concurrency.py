"""The attempt limit holds against concurrent requests from one session: real parallel HTTP requests
to a threaded server, on SQLite and on PostgreSQL."""
import threading
from urllib.error import HTTPError
from urllib.parse import urlencode
from urllib.request import Request, urlopen

from sqlalchemy import func, select

from app.quizzes.models import QuizAttempt
from tests.browser_support import server  # noqa: F401  (fixture)
from tests.factories import make_agency, make_person

BURST = 10


def session_cookie(app, username: str) -> str:
    client = app.test_client()
    assert client.post("/login", data={"username": username, "password": "mat-khau-123"}).status_code == 302
    return f"session={client.get_cookie('session').value}"


def post(url: str, cookie: str, data: dict | None = None) -> int:
    request = Request(url, data=urlencode(data or {}).encode(), headers={"Cookie": cookie}, method="POST")
    try:
        with urlopen(request, timeout=30) as response:
            return response.status
    except HTTPError as exc:
        return exc.code


def at_once(n: int, action) -> list:
    """Run `action()` in n threads released together."""
    barrier, results = threading.Barrier(n), []

    def run():
        barrier.wait()
        results.append(action())

    threads = [threading.Thread(target=run) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return results


def attempts(db, **where) -> int:
    db.session.expire_all()
    query = select(func.count(QuizAttempt.id))
    for column, value in where.items():
        query = query.where(getattr(QuizAttempt, column).is_(None) if value is None else
                            getattr(QuizAttempt, column).is_not(None))
    return db.session.scalar(query)


def test_a_burst_of_starts_opens_one_attempt(app, db, courses, server):
    make_person("lan", agency=make_agency("A"))
    db.session.commit()
    cookie = session_cookie(app, "lan")
    statuses = at_once(BURST, lambda: post(f"{server}/courses/FX-01/quiz", cookie))
    assert all(s in (200, 302) for s in statuses), statuses
    assert attempts(db, submitted_at=None) == 1


def test_start_and_submit_bursts_never_grade_more_than_the_limit(app, db, courses, server):
    """FX-01 allows 2 attempts. Ten rounds of ten concurrent starts, each followed by a submit of
    whatever attempt is open: at most 2 are ever graded."""
    make_person("lan", agency=make_agency("A"))
    db.session.commit()
    cookie = session_cookie(app, "lan")

    def start_then_submit():
        post(f"{server}/courses/FX-01/quiz", cookie)
        open_ids = [a.id for a in app_session_open_attempts(app)]
        return [post(f"{server}/attempts/{attempt_id}", cookie, {"q0": "a", "confirm": "1"}) for attempt_id in open_ids]

    for _ in range(4):
        at_once(BURST, start_then_submit)
    assert attempts(db, submitted_at="graded") == 2


def app_session_open_attempts(app):
    from app.extensions import db as _db

    with app.app_context():
        rows = _db.session.scalars(select(QuizAttempt).where(QuizAttempt.submitted_at.is_(None))).all()
        _db.session.remove()
        return rows
