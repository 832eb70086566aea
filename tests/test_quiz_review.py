"""What a learner sees around the quiz: a submission with questions left unanswered is confirmed
first; a failed result hides the key while attempts are left; a completed course says so; a course
that requires reading opens its quiz once every module is read."""
import re

import pytest
from sqlalchemy import func, select

from app.core.dates import format_date, today
from app.courses.content import forget
from app.courses.models import CourseVersion, Question
from app.extensions import db as _db
from app.quizzes.models import QuizAttempt
from tests.factories import make_agency, make_person
from tests.test_quiz import key_answers


@pytest.fixture
def lan(db, courses):
    person = make_person("lan", agency=make_agency("XA-AP"))
    db.session.commit()
    return person


def start(client, code: str = "FX-01") -> QuizAttempt:
    response = client.post(f"/courses/{code}/quiz")
    assert response.status_code == 302 and "/attempts/" in response.headers["Location"], response.text
    return _db.session.get(QuizAttempt, int(response.headers["Location"].rsplit("/", 1)[1]))


def form(answers: dict[str, list[str]], **extra) -> dict:
    return {f"q{qid}": keys for qid, keys in answers.items()} | extra


def graded(db) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count(QuizAttempt.id)).where(QuizAttempt.submitted_at.is_not(None)))


def set_course(db, code: str, **settings) -> None:
    """Change a stored version's settings in place (and drop the cached copy of it)."""
    version = db.session.scalar(select(CourseVersion).join(CourseVersion.course)
                                .where(CourseVersion.is_current.is_(True)).filter_by(code=code))
    for name, value in settings.items():
        setattr(version, name, value)
    db.session.commit()
    forget()


# The confirmation of an incomplete submission

def test_a_submission_with_unanswered_questions_is_not_graded_before_it_is_confirmed(client, login, lan, db):
    login("lan")
    attempt = start(client)
    answers = key_answers(attempt, db)
    first, *_rest = attempt.question_ids
    partial = {str(first): answers[str(first)]}  # one question of four answered

    response = client.post(f"/attempts/{attempt.id}", data=form(partial))
    assert response.headers["Location"].endswith(f"/attempts/{attempt.id}/confirm")
    page = client.get(response.headers["Location"]).text
    assert "Bạn còn 3 câu chưa trả lời — nộp bài?" in page
    assert "Câu 2" in page and "Câu 4" in page and "Câu 1<" not in page
    assert graded(db) == 0

    again = client.get(f"/attempts/{attempt.id}").text  # back to the attempt: the answer is still there
    chosen = answers[str(first)][0]
    assert re.search(rf'name="q{first}" value="{chosen}"\s+checked', again)

    result = client.post(f"/attempts/{attempt.id}", data=form(partial, confirm="1"), follow_redirects=True).text
    assert graded(db) == 1
    assert "Đúng 1/4 câu" in result and "Chưa trả lời" in result


def test_an_empty_submission_asks_about_every_question(client, login, lan, db):
    login("lan")
    attempt = start(client)
    response = client.post(f"/attempts/{attempt.id}", data={}, follow_redirects=True)
    assert "Bạn còn 4 câu chưa trả lời — nộp bài?" in response.text
    assert graded(db) == 0


def test_a_complete_submission_is_graded_at_once(client, login, lan, db):
    login("lan")
    attempt = start(client)
    response = client.post(f"/attempts/{attempt.id}", data=form(key_answers(attempt, db)))
    assert response.headers["Location"].endswith(f"/attempts/{attempt.id}")
    assert graded(db) == 1


def test_the_confirmation_page_of_a_graded_attempt_leads_to_its_result(client, login, lan, db):
    login("lan")
    attempt = start(client)
    client.post(f"/attempts/{attempt.id}", data=form(key_answers(attempt, db)))
    assert client.get(f"/attempts/{attempt.id}/confirm").headers["Location"].endswith(f"/attempts/{attempt.id}")


# The review rule (course.md `review`, default after_pass)

KEY = ">Đáp án đúng<"  # the mark on the keyed option

def explanations(db, attempt) -> list[str]:
    return [db.session.get(Question, qid).explanation_html for qid in attempt.question_ids]


def failed_attempt(client, db):
    attempt = start(client)
    client.post(f"/attempts/{attempt.id}", data=form(key_answers(attempt, db, wrong=4)))
    return attempt, client.get(f"/attempts/{attempt.id}").text


def test_a_failed_attempt_with_attempts_left_shows_what_was_wrong_but_not_the_key(client, login, lan, db):
    login("lan")
    attempt, page = failed_attempt(client, db)
    assert "Chưa đạt" in page and page.count(">Sai<") == 4
    assert KEY not in page
    assert not [e for e in explanations(db, attempt) if e.replace("<p>", "").replace("</p>", "")[:30] in page]
    assert "Còn 1 lần làm bài." in page
    assert "Đáp án đúng và lời giải thích hiện ra khi bạn đạt" in page


def test_the_key_shows_once_no_attempt_is_left(client, login, lan, db):
    login("lan")
    first, _page = failed_attempt(client, db)
    _second, last = failed_attempt(client, db)  # FX-01 allows two
    assert KEY in last and "Giải thích" in last
    assert KEY in client.get(f"/attempts/{first.id}").text  # the earlier result too, now


def test_a_passed_attempt_shows_the_key(client, login, lan, db):
    login("lan")
    attempt = start(client)
    client.post(f"/attempts/{attempt.id}", data=form(key_answers(attempt, db, wrong=1)))
    page = client.get(f"/attempts/{attempt.id}").text
    assert "Đạt." in page and page.count(KEY) >= 4 and "Giải thích" in page


@pytest.mark.parametrize("review, failed_shows_key, passed_shows_key", [("always", True, True),
                                                                        ("never", False, False)])
def test_the_review_setting_of_the_course_decides(client, login, lan, db, review, failed_shows_key,
                                                  passed_shows_key):
    set_course(db, "FX-01", review=review, attempts_allowed=0)
    login("lan")
    _attempt, failed = failed_attempt(client, db)
    assert (KEY in failed) is failed_shows_key
    attempt = start(client)
    client.post(f"/attempts/{attempt.id}", data=form(key_answers(attempt, db)))
    assert (KEY in client.get(f"/attempts/{attempt.id}").text) is passed_shows_key


def test_an_admin_reviewing_someone_s_failed_attempt_sees_the_key(client, login, lan, db):
    make_person("quantri", access_role="admin")
    db.session.commit()
    login("lan")
    attempt, _page = failed_attempt(client, db)
    client.post("/logout")
    login("quantri")
    assert KEY in client.get(f"/attempts/{attempt.id}").text


# The completed state

def test_after_passing_the_course_and_quiz_pages_say_completed_with_the_date_and_score(client, login, lan, db):
    login("lan")
    failed_attempt(client, db)
    attempt = start(client)
    client.post(f"/attempts/{attempt.id}", data=form(key_answers(attempt, db, wrong=1)))

    course = client.get("/courses/FX-01/").text
    assert f"Đã hoàn thành ngày {format_date(today())}" in course and "điểm 75/100" in course
    assert "Đến bài kiểm tra" not in course and "lần làm bài" not in course

    quiz = client.get("/courses/FX-01/quiz").text
    assert f"Đã hoàn thành ngày {format_date(today())}" in quiz
    assert "đã làm 2/2, còn 0" in quiz  # the two attempts the history lists
    assert quiz.count(f"/attempts/") == 2
    assert "Bắt đầu làm bài" not in quiz


def test_a_completed_course_opens_no_new_attempt(client, login, lan, db):
    set_course(db, "FX-01", attempts_allowed=0)
    login("lan")
    attempt = start(client)
    client.post(f"/attempts/{attempt.id}", data=form(key_answers(attempt, db)))
    response = client.post("/courses/FX-01/quiz", follow_redirects=True)
    assert "Bạn đã hoàn thành khóa học này" in response.text
    assert db.session.scalar(select(func.count(QuizAttempt.id))) == 1


def test_the_yearly_course_explains_its_cycle_in_words(app, client, login, lan, db, tmp_path):
    rules = (app.config["OBLIGATIONS_FILE"])
    yearly = tmp_path / "obligations.yml"
    text = open(rules, encoding="utf-8").read()
    yearly.write_text(re.sub(r"(refresher:\n  course: )\S+", r"\1FX-01", text), encoding="utf-8")
    app.config["OBLIGATIONS_FILE"] = str(yearly)
    try:
        login("lan")
        year = today().year
        page = client.get("/courses/FX-01/").text
        assert (f"Khóa học này phải hoàn thành lại mỗi năm. Số lần làm bài tính trong năm {year}; từ ngày "
                f"01/01/{year + 1} bạn học và làm bài cho năm mới.") in page
        assert f"Các lần đã làm năm {year}" not in client.get("/courses/FX-01/quiz").text  # none yet
        attempt = start(client)
        client.post(f"/attempts/{attempt.id}", data=form(key_answers(attempt, db, wrong=4)))
        assert f"Các lần đã làm năm {year}" in client.get("/courses/FX-01/quiz").text
    finally:
        app.config["OBLIGATIONS_FILE"] = rules


# The reading rule (course.md `require_reading`)

def test_a_course_that_requires_reading_opens_its_quiz_once_every_module_is_read(client, login, lan, db):
    set_course(db, "FX-01", require_reading=True)
    login("lan")
    client.post("/courses/FX-01/01-mo-dau/read")

    course = client.get("/courses/FX-01/").text
    assert "Còn 1 mô-đun chưa đọc" in course and "/courses/FX-01/02-tiep-theo" in course
    assert "Đến bài kiểm tra" not in course
    quiz = client.get("/courses/FX-01/quiz").text
    assert "Bạn còn 1 mô-đun chưa đánh dấu đã đọc" in quiz and "Bắt đầu làm bài" not in quiz
    refused = client.post("/courses/FX-01/quiz", follow_redirects=True).text
    assert "Hãy đọc hết các mô-đun" in refused
    assert db.session.scalar(select(func.count(QuizAttempt.id))) == 0

    client.post("/courses/FX-01/02-tiep-theo/read")
    assert "Đến bài kiểm tra" in client.get("/courses/FX-01/").text
    assert start(client).id


def test_a_course_without_the_rule_opens_its_quiz_unread(client, login, lan, db):
    login("lan")
    assert "Đến bài kiểm tra" in client.get("/courses/FX-01/").text
    assert start(client).id


def test_iso_01_and_iso_02_require_reading():
    from tests.conftest import REAL_COURSES
    for code in ("ISO-01", "ISO-02"):
        assert "\nrequire_reading: true\n" in (REAL_COURSES / code / "course.md").read_text(encoding="utf-8")


# Marking a module read

def test_marking_a_module_read_names_it_and_stays_on_it_with_the_way_on(client, login, lan, db):
    login("lan")
    response = client.post("/courses/FX-01/01-mo-dau/read")
    assert response.headers["Location"].endswith("/courses/FX-01/01-mo-dau#module-actions")
    page = client.get("/courses/FX-01/01-mo-dau").text
    title = re.search(r"<h1[^>]*>(.*?)</h1>", page, re.S).group(1).strip()
    assert f"Đã ghi nhận: bạn đã đọc mô-đun “{title}”." in page
    assert "Bạn đã đọc mô-đun này" in page and "Đánh dấu đã đọc" not in page
    assert 'href="/courses/FX-01/02-tiep-theo">Đọc tiếp:' in page

    client.post("/courses/FX-01/02-tiep-theo/read")
    last = client.get("/courses/FX-01/02-tiep-theo").text
    assert "Đến bài kiểm tra" in last
