"""The shipped catalogue in courses/: it loads, it is big enough, and every quiz can be passed."""
import random
from collections import Counter

import pytest
from sqlalchemy import select

from app.courses.clauses import top_clause
from app.courses.loader import read_tree
from app.courses.models import Question
from app.courses.services import current_version, mark_read, sync_courses
from app.quizzes.services import start_attempt, submit_attempt
from tests.conftest import REAL_COURSES
from tests.factories import make_person

CODES = [f"ISO-0{i}" for i in range(1, 9)]


@pytest.fixture(scope="module")
def catalogue():
    courses, problems = read_tree(REAL_COURSES)
    return {c.code: c for c in courses}, problems


def test_catalogue_has_the_eight_courses_and_no_problems(catalogue):
    courses, problems = catalogue
    assert [str(p) for p in problems] == []
    assert sorted(courses) == CODES


@pytest.mark.parametrize("code", CODES)
def test_each_course_has_enough_modules_questions_and_words(catalogue, code):
    from app.courses.loader import count_words

    course = catalogue[0][code]
    assert 4 <= len(course.modules) <= 10
    assert len(course.questions) >= (10 if code == "ISO-05" else 15)
    for module in course.modules:
        assert 600 <= count_words(module.text) <= 1500, module.slug
        assert "## Ghi nhớ" in module.text, module.slug
    assert course.meta["standard"] == "TCVN ISO 9001:2015"
    kinds = Counter(q.kind for q in course.questions)
    assert set(kinds) == {"single", "multiple", "truefalse"}


def test_catalogue_has_200_questions_and_every_main_clause_five_times(catalogue):
    questions = [q for c in catalogue[0].values() for q in c.questions]
    assert len(questions) >= 200
    per_clause = Counter(top for q in questions for top in {top_clause(c) for c in q.clauses})
    assert all(per_clause[str(n)] >= 5 for n in range(4, 11)), per_clause
    assert all(q.explanation.strip() and q.clauses for q in questions)


def test_every_quiz_can_be_passed_from_the_answer_key(db):
    report = sync_courses(REAL_COURSES)
    assert sorted(report.created) == CODES
    person = make_person()
    for code in CODES:
        version = current_version(code)
        for module in version.modules:  # ISO-01 and ISO-02 open their quiz once every module is read
            mark_read(person.id, version.course_id, module.slug)
        attempt = start_attempt(person.id, version, rng=random.Random(code))
        questions = {q.id: q for q in db.session.scalars(select(Question).where(Question.id.in_(attempt.question_ids)))}
        answers = {str(qid): sorted(q.correct_keys) for qid, q in questions.items()}
        submit_attempt(attempt.id, person.id, answers)
        assert (attempt.score, attempt.passed) == (100, True), code
