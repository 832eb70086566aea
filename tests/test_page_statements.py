"""What the learner's pages cost in SQL, pinned; and that the per-process content of a version
never outlives the version."""
import shutil
from datetime import date

import pytest
from sqlalchemy import select

from app.courses.services import sync_courses
from tests.conftest import FIXTURE_COURSES
from tests.factories import make_agency, make_person


@pytest.fixture
def lan(db, courses):
    make_person("lan", agency=make_agency("A"), full_name="Nguyễn Thị Lan")
    db.session.commit()


def statements(client, count_queries, url: str) -> list[str]:
    client.get(url)  # the first request of a process reads the version's content once
    with count_queries() as seen:
        assert client.get(url).status_code == 200
    return seen


def test_a_module_page_takes_two_statements_the_user_and_the_reading(client, login, lan, count_queries):
    login("lan")
    seen = statements(client, count_queries, "/courses/FX-01/01-mo-dau")
    assert len(seen) == 2
    assert "FROM person" in seen[0] and "module_read" in seen[1]


@pytest.mark.parametrize("url", ["/courses/FX-01/", "/"])
def test_the_course_page_and_the_home_take_at_most_four(client, login, lan, count_queries, url):
    login("lan")
    assert len(statements(client, count_queries, url)) <= 4


def test_the_bell_count_comes_with_the_user(client, login, db, lan, count_queries):
    from sqlalchemy import select

    from app.accounts.models import Person
    from app.notifications.models import Notification

    person = db.session.scalar(select(Person).where(Person.username == "lan"))
    db.session.add_all([Notification(person_id=person.id, kind="start", subject=f"Thông báo {i}", period=f"p{i}",
                                     title=f"Thông báo {i}", body_text="…", body_html="<p>…</p>",
                                     planned_for=date(2026, 11, 1)) for i in range(3)])
    db.session.commit()
    login("lan")
    seen = statements(client, count_queries, "/courses/FX-01/01-mo-dau")
    assert len(seen) == 2
    page = client.get("/courses/FX-01/01-mo-dau").text
    assert '<span class="count">3<' in page
    client.get("/notifications/")
    assert '<span class="count">' not in client.get("/courses/FX-01/01-mo-dau").text  # read now


def test_a_new_version_is_served_at_once_though_the_old_one_is_kept(client, login, db, lan, tmp_path):
    login("lan")
    assert "Mở đầu" in client.get("/courses/FX-01/01-mo-dau").text  # version 1, now in memory
    folder = tmp_path / "courses"
    shutil.copytree(FIXTURE_COURSES, folder)
    module = folder / "FX-01" / "01-mo-dau.md"
    module.write_text(module.read_text(encoding="utf-8") + "\nĐoạn mới của phiên bản hai.\n", encoding="utf-8")
    assert sync_courses(folder).updated == ["FX-01"]
    db.session.commit()
    page = client.get("/courses/FX-01/01-mo-dau").text
    assert "Đoạn mới của phiên bản hai." in page
    assert "phiên bản 2" in client.get("/courses/FX-01/").text


# The quiz POSTs: every check of a start is in the INSERT that opens the attempt (in a savepoint, for
# the race of two starts), and grading reads the questions' keys from the version's per-process content.

def _start(client) -> int:
    response = client.post("/courses/FX-01/quiz")
    assert response.status_code == 302 and "/attempts/" in response.headers["Location"]
    return int(response.headers["Location"].rsplit("/", 1)[1])


def _answers(db, attempt_id: int, right: bool) -> dict:
    from app.quizzes.models import QuizAttempt
    from tests.test_quiz import key_answers

    attempt = db.session.get(QuizAttempt, attempt_id)
    answers = key_answers(attempt, db, wrong=0 if right else 4)
    return {f"q{qid}": keys for qid, keys in answers.items()}


def test_a_quiz_start_takes_five_statements_the_user_the_version_and_the_insert_in_a_savepoint(client, login, lan, db,
                                                                                  count_queries):
    login("lan")
    first = _start(client)  # the first start of a process reads the version's questions once
    client.post(f"/attempts/{first}", data=_answers(db, first, right=False))
    with count_queries() as seen:
        second = _start(client)
    assert second != first
    assert len(seen) == 5
    assert "FROM person" in seen[0] and "course_version" in seen[1]
    assert seen[2].startswith("SAVEPOINT") and seen[3].startswith("INSERT INTO quiz_attempt")


def test_a_failed_submit_takes_four_statements_and_a_pass_six(client, login, lan, db, count_queries):
    from app.certificates.models import Certificate
    from app.completions.models import Completion

    login("lan")
    failing = _start(client)
    form = _answers(db, failing, right=False)
    with count_queries() as failed:
        assert client.post(f"/attempts/{failing}", data=form).status_code == 302
    # the user, the attempt with its version, the conditional update, the answers
    assert len(failed) == 4
    passing = _start(client)
    form = _answers(db, passing, right=True)
    with count_queries() as passed:
        assert client.post(f"/attempts/{passing}", data=form).status_code == 302
    # … and the completion and its certificate
    assert len(passed) == 6
    assert [s.split()[2] for s in passed[-2:]] == ["completion", "certificate"]
    db.session.expire_all()
    completion = db.session.scalar(select(Completion).where(Completion.attempt_id == passing))
    certificate = db.session.scalar(select(Certificate).where(Certificate.completion_id == completion.id))
    assert (certificate.full_name, certificate.course_code, certificate.course_title, certificate.score) == (
        "Nguyễn Thị Lan", "FX-01", "Khóa thử nghiệm một", 100)
    assert completion.agency_code == "A" and certificate.agency_name == completion.agency_name


def test_a_refused_start_still_says_why(client, login, lan, db):
    login("lan")
    for _ in range(2):  # FX-01 allows two attempts
        attempt_id = _start(client)
        client.post(f"/attempts/{attempt_id}", data=_answers(db, attempt_id, right=False))
    page = client.post("/courses/FX-01/quiz", follow_redirects=True).text
    assert "Bạn đã dùng hết số lần làm bài cho khóa học này." in page
