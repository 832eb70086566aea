"""Drawing, grading and limiting quiz attempts."""
from __future__ import annotations

import random
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, insert, literal, select, update
from sqlalchemy.exc import IntegrityError

from app.completions.services import agency_on, record_completion
from app.core.dates import local_date, today, utcnow
from app.courses.models import CourseVersion, Module, ModuleRead, Question
from app.extensions import db
from app.quizzes.models import QuizAttempt, QuizResponse
from app.quizzes.standing import completions_in_cycle, cycle_attempts, standing


class QuizError(ValueError):
    """The attempt cannot be started or submitted; the message is shown to the learner."""


def open_attempt(person_id: int, version: CourseVersion) -> QuizAttempt | None:
    return db.session.scalar(
        select(QuizAttempt).where(
            QuizAttempt.person_id == person_id,
            QuizAttempt.course_version_id == version.id,
            QuizAttempt.submitted_at.is_(None),
        ).order_by(QuizAttempt.id.desc()).limit(1)
    )


def start_attempt(person_id: int, version: CourseVersion, rng: random.Random | None = None,
                  day: date | None = None) -> QuizAttempt:
    """Return the person's open attempt on this version, or draw a new one.

    Questions are drawn from the version's pool and shuffled, and so are the options of each.
    Raises QuizError when the course is completed in this cycle, when no attempts are left, or when
    the course requires reading and modules are left to read. Flushes.
    """
    existing = open_attempt(person_id, version)
    if existing is not None:
        return existing
    day = day or today()
    state = standing(person_id, version, day)
    if state.completed:
        raise QuizError(_l("Bạn đã hoàn thành khóa học này trong kỳ hiện tại; không cần làm bài lại."))
    if state.left == 0:
        raise QuizError(_l("Bạn đã dùng hết số lần làm bài cho khóa học này."))
    if version.require_reading and modules_left_to_read(person_id, version):
        raise QuizError(_l("Hãy đọc hết các mô-đun và đánh dấu đã đọc trước khi làm bài kiểm tra."))
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
    new_id = _insert_if_allowed(person_id, version, order, state.since)
    if new_id is None:  # another request opened one, or used the last attempt, since the checks above
        existing = open_attempt(person_id, version)
        if existing is not None:
            return existing
        raise QuizError(_l("Bạn đã dùng hết số lần làm bài cho khóa học này."))
    return db.session.get(QuizAttempt, new_id)


def modules_left_to_read(person_id: int, version: CourseVersion) -> list[tuple[str, str]]:
    """(slug, title) of the version's modules the person has not marked read, in course order. One
    query."""
    read = select(ModuleRead.slug).where(ModuleRead.person_id == person_id, ModuleRead.course_id == version.course_id)
    return list(db.session.execute(select(Module.slug, Module.title)
                                   .where(Module.version_id == version.id, Module.slug.not_in(read))
                                   .order_by(Module.position)).tuples())


def _insert_if_allowed(person_id: int, version, order: list, since: date | None) -> int | None:
    """Open an attempt only if, when the row is written, none is open, the course is not completed in
    the cycle that began on `since` and attempts are left in it: one INSERT … SELECT … WHERE, so the
    checks and the write are one statement; and the partial unique index (one open attempt per person
    and version) refuses the loser of two racing inserts. Returns the new id, or None."""
    open_now = select(QuizAttempt.id).where(QuizAttempt.person_id == person_id,
                                            QuizAttempt.course_version_id == version.id,
                                            QuizAttempt.submitted_at.is_(None))
    allowed = ~open_now.exists() & ~completions_in_cycle(person_id, version.course_id, since).exists()
    if version.attempts_allowed:
        used = select(func.count(QuizAttempt.id)).where(*cycle_attempts(person_id, version.id, since))
        allowed = allowed & (used.scalar_subquery() < version.attempts_allowed)
    values = select(literal(person_id), literal(version.id), literal(utcnow(), QuizAttempt.started_at.type),
                    literal(order, QuizAttempt.drawn.type)).where(allowed)
    statement = (insert(QuizAttempt)
                 .from_select(["person_id", "course_version_id", "started_at", "drawn"], values, include_defaults=False)
                 .returning(QuizAttempt.id))
    try:
        with db.session.begin_nested():
            return db.session.scalar(statement)
    except IntegrityError:  # a concurrent request's attempt is open now
        return None


def is_pass(correct: int, total: int, pass_mark: int) -> bool:
    """At least pass_mark per cent right, compared exactly, not on the rounded score."""
    return correct * 100 >= pass_mark * total


def grade(questions: dict[int, Question], answers: dict[str, list[str]]) -> int:
    """Number of questions whose chosen options are exactly the correct set."""
    return sum(1 for qid, q in questions.items() if set(answers.get(str(qid), [])) == q.correct_keys)


def clean_answers(questions: dict[int, Question], raw_answers: dict[str, list[str]]) -> dict[str, list[str]]:
    """Per question of the attempt, the sorted chosen keys that the question has (one at most for a
    single choice); answers to other questions are dropped."""
    answers: dict[str, list[str]] = {}
    for qid, q in questions.items():
        valid = {o["key"] for o in q.options}
        chosen = sorted(set(raw_answers.get(str(qid), [])) & valid)
        answers[str(qid)] = chosen if q.kind == "multiple" else chosen[:1]
    return answers


def _own_attempt(attempt_id: int, person_id: int) -> tuple[QuizAttempt, dict[int, Question]]:
    attempt = db.session.get(QuizAttempt, attempt_id)
    if attempt is None or attempt.person_id != person_id:
        raise QuizError(_l("Không tìm thấy bài làm."))
    questions = {q.id: q for q in db.session.scalars(select(Question).where(Question.id.in_(attempt.question_ids)))}
    return attempt, questions


def unanswered(attempt: QuizAttempt, answers: dict[str, list[str]]) -> list[int]:
    """Positions (1-based, as the attempt shows them) of the questions left without an answer."""
    return [i for i, qid in enumerate(attempt.question_ids, start=1) if not answers.get(str(qid))]


def submit_attempt(attempt_id: int, person_id: int, raw_answers: dict[str, list[str]],
                   confirmed: bool = True) -> QuizAttempt:
    """Grade an open attempt once and, on a pass, record the completion once.

    Unless `confirmed`, an attempt with questions left unanswered is not graded: its answers are
    kept (the learner is asked to confirm, and finds them again on the attempt page) and it stays
    open. Answers to questions outside the attempt, or naming options a question does not have, are
    dropped. A second submit of the same attempt (double click, replayed form, another worker)
    returns the attempt unchanged. Raises QuizError for an attempt that is not the person's. Flushes.
    """
    attempt, questions = _own_attempt(attempt_id, person_id)
    if attempt.submitted_at is not None:
        return attempt
    answers = clean_answers(questions, raw_answers)
    if not confirmed and unanswered(attempt, answers):
        db.session.execute(update(QuizAttempt)
                           .where(QuizAttempt.id == attempt.id, QuizAttempt.submitted_at.is_(None))
                           .values(answers=answers).execution_options(synchronize_session=False))
        db.session.refresh(attempt)
        return attempt
    correct = grade(questions, answers)
    total = len(attempt.question_ids)
    score = round(100 * correct / total) if total else 0
    version = attempt.version
    passed = is_pass(correct, total, version.pass_mark)
    now = utcnow()
    # Conditional update: of two racing submits only one finds the attempt still open.
    result = db.session.execute(
        update(QuizAttempt)
        .where(QuizAttempt.id == attempt.id, QuizAttempt.submitted_at.is_(None))
        .values(submitted_at=now, answers=answers, correct_count=correct, score=score, passed=passed)
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(attempt)
    if result.rowcount == 1:
        day = local_date(now)
        agency = agency_on(person_id, day)
        record_responses(attempt, questions, answers, agency.id if agency else None, day.year)
        if passed:
            record_completion(person_id, version, day, score=score, attempt_id=attempt.id, agency=agency)
    return attempt


def response_rows(attempt_id: int, person_id: int, course_id: int, agency_id: int | None, year: int,
                  questions: dict[int, Question], answers: dict[str, list[str]]) -> list[dict]:
    """The quiz_response rows of one graded attempt: per question the sorted chosen keys, whether
    they are exactly the key, and the number right on the attempt's other questions."""
    right = {qid: set(answers.get(str(qid), [])) == q.correct_keys for qid, q in questions.items()}
    total = sum(right.values())
    return [{"attempt_id": attempt_id, "question_id": qid, "course_id": course_id, "person_id": person_id,
             "agency_id": agency_id, "year": year, "chosen": ",".join(sorted(answers.get(str(qid), []))),
             "correct": ok, "rest": total - ok} for qid, ok in right.items()]


def record_responses(attempt: QuizAttempt, questions: dict[int, Question], answers: dict[str, list[str]],
                     agency_id: int | None, year: int) -> None:
    """Write the answers of a just-graded attempt as rows, in one statement. Flushes."""
    rows = response_rows(attempt.id, attempt.person_id, attempt.version.course_id, agency_id, year,
                         questions, answers)
    if rows:
        db.session.execute(insert(QuizResponse), rows)
