"""Quiz attempts: drawing, grading, limits, and a pass recorded exactly once."""
import random

import pytest
from sqlalchemy import func, select

from app.core.dates import today
from app.completions.models import Completion, CompletionIsImmutable
from app.quizzes.models import QuizAttempt
from app.quizzes.services import QuizError, start_attempt, submit_attempt
from tests.factories import make_agency, make_person


def key_answers(attempt, db, wrong: int = 0) -> dict[str, list[str]]:
    """Answers from the answer key; the first `wrong` questions answered wrongly."""
    from app.courses.models import Question

    answers = {}
    for i, qid in enumerate(attempt.question_ids):
        q = db.session.get(Question, qid)
        keys = sorted(q.correct_keys)
        if i < wrong:
            keys = [o["key"] for o in q.options if not o["correct"]][:1]
        answers[str(qid)] = keys
    return answers


def test_attempt_draws_the_configured_number_of_questions_in_shuffled_order(db, courses):
    person = make_person()
    attempt = start_attempt(person.id, courses["FX-01"], rng=random.Random(1))
    assert len(attempt.question_ids) == 4
    assert len(set(attempt.question_ids)) == 4
    orders = {tuple(keys) for _qid, keys in attempt.drawn}
    assert any(list(o) != sorted(o) for o in orders) or len(orders) == len(attempt.drawn)


def test_reopening_the_quiz_resumes_the_open_attempt(db, courses):
    person = make_person()
    first = start_attempt(person.id, courses["FX-01"])
    assert start_attempt(person.id, courses["FX-01"]).id == first.id


def test_passing_records_one_completion_with_the_agency_as_it_was(db, courses):
    agency = make_agency("AG-X", name="UBND xã Thử")
    person = make_person(agency=agency)
    attempt = start_attempt(person.id, courses["FX-01"])
    submit_attempt(attempt.id, person.id, key_answers(attempt, db, wrong=1))  # 3/4 = 75 % = pass mark
    db.session.commit()
    assert (attempt.score, attempt.passed, attempt.correct_count) == (75, True, 3)
    completion = db.session.scalar(select(Completion))
    assert (completion.agency_id, completion.agency_code, completion.agency_name) == (agency.id, "AG-X", "UBND xã Thử")
    assert completion.course_version_id == courses["FX-01"].id
    assert completion.source == "online" and completion.score == 75

    agency.name = "UBND xã Đổi Tên"
    db.session.commit()
    assert db.session.scalar(select(Completion.agency_name)) == "UBND xã Thử"


def test_failing_below_the_pass_mark_records_nothing(db, courses):
    person = make_person()
    attempt = start_attempt(person.id, courses["FX-01"])
    submit_attempt(attempt.id, person.id, key_answers(attempt, db, wrong=2))  # 2/4 = 50 %
    assert (attempt.score, attempt.passed) == (50, False)
    assert db.session.scalar(select(func.count(Completion.id))) == 0


def test_double_submit_changes_nothing(db, courses):
    person = make_person()
    attempt = start_attempt(person.id, courses["FX-01"])
    good = key_answers(attempt, db)
    submit_attempt(attempt.id, person.id, good)
    db.session.commit()
    submit_attempt(attempt.id, person.id, key_answers(attempt, db, wrong=4))
    db.session.commit()
    db.session.refresh(attempt)
    assert attempt.score == 100
    assert db.session.scalar(select(func.count(Completion.id))) == 1


def test_answers_to_questions_outside_the_attempt_are_ignored(db, courses):
    person = make_person()
    attempt = start_attempt(person.id, courses["FX-01"])
    answers = key_answers(attempt, db, wrong=4)
    answers["999999"] = ["a"]
    answers[str(attempt.question_ids[0])] += ["z"]  # an option the question does not have
    submit_attempt(attempt.id, person.id, answers)
    assert "999999" not in attempt.answers
    assert attempt.correct_count == 0


def test_single_choice_counts_only_one_option(db, courses):
    from app.courses.models import Question

    person = make_person()
    attempt = start_attempt(person.id, courses["FX-02"])
    q = db.session.get(Question, attempt.question_ids[0])
    every_option = [o["key"] for o in q.options]
    submit_attempt(attempt.id, person.id, {str(q.id): every_option})
    assert attempt.answers[str(q.id)] == ["a"]


def test_someone_else_cannot_submit_my_attempt(db, courses):
    me, other = make_person(), make_person()
    attempt = start_attempt(me.id, courses["FX-01"])
    with pytest.raises(QuizError):
        submit_attempt(attempt.id, other.id, key_answers(attempt, db))
    assert attempt.submitted_at is None


def test_attempt_limit_is_enforced(db, courses):
    person = make_person()
    for _ in range(2):  # FX-01 allows two attempts
        attempt = start_attempt(person.id, courses["FX-01"])
        submit_attempt(attempt.id, person.id, {})
    with pytest.raises(QuizError):
        start_attempt(person.id, courses["FX-01"])


def test_a_completion_cannot_be_changed_or_deleted(db, courses):
    person = make_person()
    attempt = start_attempt(person.id, courses["FX-01"])
    submit_attempt(attempt.id, person.id, key_answers(attempt, db))
    db.session.commit()
    completion = db.session.scalar(select(Completion))
    completion.score = 10
    with pytest.raises(CompletionIsImmutable):
        db.session.flush()
    db.session.rollback()
    with pytest.raises(CompletionIsImmutable):
        db.session.delete(db.session.scalar(select(Completion)))
        db.session.flush()


def test_quiz_pages_show_explanations_only_after_submitting(client, login, db, courses):
    make_person("lan")
    db.session.commit()
    login("lan")
    response = client.post("/courses/FX-02/quiz")
    assert response.status_code == 302
    page = client.get(response.headers["Location"])
    assert "Phạm vi HTQLCL" in page.text
    assert "Phạm vi bao gồm các hoạt động giải quyết TTHC" not in page.text
    attempt = db.session.scalar(select(QuizAttempt))
    qid = attempt.question_ids[0]
    result = client.post(f"/attempts/{attempt.id}", data={f"q{qid}": "a"}, follow_redirects=True)
    assert "100%" in result.text
    assert "Phạm vi bao gồm các hoạt động giải quyết TTHC" in result.text
    again = client.post(f"/attempts/{attempt.id}", data={f"q{qid}": "b"}, follow_redirects=True)
    assert "100%" in again.text
    assert db.session.scalar(select(func.count(Completion.id))) == 1
    assert db.session.scalar(select(Completion.completed_on)) == today()  # Vietnam's day, not the machine's
