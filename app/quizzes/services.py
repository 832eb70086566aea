"""Drawing, grading and limiting quiz attempts."""
from __future__ import annotations

import random

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update

from app.completions.models import Completion
from app.completions.services import record_completion
from app.core.dates import local_date, utcnow
from app.courses.models import CourseVersion, Question
from app.extensions import db
from app.quizzes.models import QuizAttempt


class QuizError(ValueError):
    """The attempt cannot be started or submitted; the message is shown to the learner."""


def attempts_used(person_id: int, version: CourseVersion) -> int:
    """Submitted attempts on this course version since the person last completed the course.

    A completion opens a new cycle, so a yearly refresher can be taken again next year.
    """
    last_done = db.session.scalar(
        select(func.max(Completion.created_at)).where(
            Completion.person_id == person_id, Completion.course_id == version.course_id
        )
    )
    query = select(func.count(QuizAttempt.id)).where(
        QuizAttempt.person_id == person_id,
        QuizAttempt.course_version_id == version.id,
        QuizAttempt.submitted_at.is_not(None),
    )
    if last_done is not None:
        query = query.where(QuizAttempt.submitted_at > last_done)
    return db.session.scalar(query) or 0


def attempts_left(person_id: int, version: CourseVersion) -> int | None:
    """How many attempts remain; None when the course allows unlimited attempts."""
    if not version.attempts_allowed:
        return None
    return max(version.attempts_allowed - attempts_used(person_id, version), 0)


def open_attempt(person_id: int, version: CourseVersion) -> QuizAttempt | None:
    return db.session.scalar(
        select(QuizAttempt).where(
            QuizAttempt.person_id == person_id,
            QuizAttempt.course_version_id == version.id,
            QuizAttempt.submitted_at.is_(None),
        ).order_by(QuizAttempt.id.desc()).limit(1)
    )


def start_attempt(person_id: int, version: CourseVersion, rng: random.Random | None = None) -> QuizAttempt:
    """Return the person's open attempt on this version, or draw a new one.

    Questions are drawn from the version's pool and shuffled, and so are the options of each.
    Raises QuizError when no attempts are left. Flushes.
    """
    existing = open_attempt(person_id, version)
    if existing is not None:
        return existing
    if attempts_left(person_id, version) == 0:
        raise QuizError(_l("Bạn đã dùng hết số lần làm bài cho khóa học này."))
    rng = rng or random.SystemRandom()
    pool = list(db.session.scalars(select(Question).where(Question.version_id == version.id)))
    if not pool:
        raise QuizError(_l("Khóa học này chưa có câu hỏi."))
    drawn = rng.sample(pool, min(version.questions_per_attempt, len(pool)))
    order = []
    for q in drawn:
        keys = [o["key"] for o in q.options]
        if q.kind != "truefalse":  # "Đúng" before "Sai" reads naturally; shuffling it helps no one
            rng.shuffle(keys)
        order.append([q.id, keys])
    attempt = QuizAttempt(person_id=person_id, course_version_id=version.id, drawn=order)
    db.session.add(attempt)
    db.session.flush()
    return attempt


def grade(questions: dict[int, Question], answers: dict[str, list[str]]) -> int:
    """Number of questions whose chosen options are exactly the correct set."""
    return sum(1 for qid, q in questions.items() if set(answers.get(str(qid), [])) == q.correct_keys)


def submit_attempt(attempt_id: int, person_id: int, raw_answers: dict[str, list[str]]) -> QuizAttempt:
    """Grade an open attempt once and, on a pass, record the completion once.

    Answers to questions outside the attempt, or naming options a question does not have, are
    dropped. A second submit of the same attempt (double click, replayed form, another worker)
    returns the attempt unchanged. Raises QuizError for an attempt that is not the person's.
    """
    attempt = db.session.get(QuizAttempt, attempt_id)
    if attempt is None or attempt.person_id != person_id:
        raise QuizError(_l("Không tìm thấy bài làm."))
    if attempt.submitted_at is not None:
        return attempt
    questions = {q.id: q for q in db.session.scalars(select(Question).where(Question.id.in_(attempt.question_ids)))}
    answers: dict[str, list[str]] = {}
    for qid, q in questions.items():
        valid = {o["key"] for o in q.options}
        chosen = sorted(set(raw_answers.get(str(qid), [])) & valid)
        if q.kind != "multiple":
            chosen = chosen[:1]
        answers[str(qid)] = chosen
    correct = grade(questions, answers)
    total = len(attempt.question_ids)
    score = round(100 * correct / total) if total else 0
    version = attempt.version
    passed = correct * 100 >= version.pass_mark * total  # exact, not the rounded score
    now = utcnow()
    # Conditional update: of two racing submits only one finds the attempt still open.
    result = db.session.execute(
        update(QuizAttempt)
        .where(QuizAttempt.id == attempt.id, QuizAttempt.submitted_at.is_(None))
        .values(submitted_at=now, answers=answers, correct_count=correct, score=score, passed=passed)
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(attempt)
    if result.rowcount == 1 and passed:
        record_completion(person_id, version, local_date(now), score=score, attempt_id=attempt.id)
    return attempt
