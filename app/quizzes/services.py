"""Drawing, grading and limiting quiz attempts."""
from __future__ import annotations

import random
from datetime import date, datetime
from functools import lru_cache

from flask_babel import lazy_gettext as _l
from sqlalchemy import Date, Integer, bindparam, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import contains_eager, make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value

from app.completions.models import Completion
from app.completions.services import agency_from_assignments, agency_on, record_completion
from app.core.dates import local_date, local_midnight, today, utcnow
from app.courses.content import QuestionKey, question_keys
from app.courses.models import CourseVersion, Module, ModuleRead
from app.extensions import db
from app.quizzes.models import QuizAttempt, QuizResponse
from app.quizzes.standing import completions_in_cycle, cycle_attempts, cycle_start, standing


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

    Every check is part of the one INSERT that opens the attempt (_insert_if_allowed), so a start
    costs that statement alone; only when it is refused are the reasons looked up, to say which.
    """
    day = day or today()
    pool = list(question_keys(version).values())
    if not pool:
        raise QuizError(_l("Khóa học này chưa có câu hỏi."))
    rng = rng or random.SystemRandom()
    drawn = rng.sample(pool, min(version.questions_per_attempt, len(pool)))
    order = []
    for q in drawn:
        keys = [o["key"] for o in q.options]
        if q.kind != "truefalse":  # "Đúng" before "Sai" reads naturally; shuffling it helps no one
            rng.shuffle(keys)
        order.append([q.id, keys])
    since = cycle_start(version.code, day)
    started_at = utcnow()
    new_id = _insert_if_allowed(person_id, version, order, since, started_at)
    if new_id is None:
        return _refused(person_id, version, day)
    attempt = QuizAttempt(id=new_id, person_id=person_id, course_version_id=version.id, started_at=started_at,
                          drawn=order, submitted_at=None, answers=None, correct_count=None, score=None,
                          passed=None)
    make_transient_to_detached(attempt)  # the row as just written: no need to read it back
    db.session.add(attempt)
    return attempt


def _refused(person_id: int, version: CourseVersion, day: date) -> QuizAttempt:
    """Why no attempt was opened: the open one is returned, or QuizError says what stands in the way."""
    existing = open_attempt(person_id, version)
    if existing is not None:
        return existing
    state = standing(person_id, version, day)
    if state.completed:
        raise QuizError(_l("Bạn đã hoàn thành khóa học này trong kỳ hiện tại; không cần làm bài lại."))
    if state.left != 0 and version.require_reading and modules_left_to_read(person_id, version):
        raise QuizError(_l("Hãy đọc hết các mô-đun và đánh dấu đã đọc trước khi làm bài kiểm tra."))
    # no attempt left, or another request used the last one since this one drew its questions
    raise QuizError(_l("Bạn đã dùng hết số lần làm bài cho khóa học này."))


def modules_left_to_read(person_id: int, version: CourseVersion) -> list[tuple[str, str]]:
    """(slug, title) of the version's modules the person has not marked read, in course order. One
    query."""
    read = select(ModuleRead.slug).where(ModuleRead.person_id == person_id, ModuleRead.course_id == version.course_id)
    return list(db.session.execute(select(Module.slug, Module.title)
                                   .where(Module.version_id == version.id, Module.slug.not_in(read))
                                   .order_by(Module.position)).tuples())


def _insert_if_allowed(person_id: int, version, order: list, since: date | None,
                       started_at: datetime) -> int | None:
    """Open an attempt only if, when the row is written, none is open, the course is not completed in
    the cycle that began on `since`, attempts are left in it and, where the course requires it,
    every module is marked read: one INSERT … SELECT … WHERE, so the checks and the write are one
    statement; and the partial unique index (one open attempt per person and version) refuses the
    loser of two racing inserts. Returns the new id, or None."""
    statement = _insert_statement(bool(version.attempts_allowed), version.require_reading, since is not None)
    parameters = {"person_id": person_id, "version_id": version.id, "course_id": version.course_id,
                  "allowed": version.attempts_allowed, "since": since,
                  "since_at": local_midnight(since) if since is not None else None,
                  "started_at": started_at, "drawn": order}
    try:
        with db.session.begin_nested():
            return db.session.scalar(statement, parameters)
    except IntegrityError:  # a concurrent request's attempt is open now
        return None


@lru_cache(maxsize=32)
def _insert_statement(limited: bool, reading: bool, cyclic: bool):
    """_insert_if_allowed's statement, built once per shape with its values as parameters, so it is
    compiled once per process, not on every start. (A dialect's INSERT … ON CONFLICT would save the
    savepoint, but SQLAlchemy 2.0 does not cache its compiled form: 2.6 ms a start here.)"""
    person, version_id = bindparam("person_id", type_=Integer()), bindparam("version_id", type_=Integer())
    course_id = bindparam("course_id", type_=Integer())
    open_now = select(QuizAttempt.id).where(QuizAttempt.person_id == person,
                                            QuizAttempt.course_version_id == version_id,
                                            QuizAttempt.submitted_at.is_(None))
    done = completions_in_cycle(person, course_id, None)
    used_conditions = cycle_attempts(person, version_id, None)
    if cyclic:  # as cycle_attempts and completions_in_cycle do for a cycle that began on `since`
        done = done.where(Completion.completed_on >= bindparam("since", type_=Date()))
        used_conditions.append(QuizAttempt.submitted_at >= bindparam("since_at", type_=QuizAttempt.submitted_at.type))
    allowed = ~open_now.exists() & ~done.exists()
    if limited:
        used = select(func.count(QuizAttempt.id)).where(*used_conditions)
        allowed = allowed & (used.scalar_subquery() < bindparam("allowed", type_=Integer()))
    if reading:
        read = select(ModuleRead.slug).where(ModuleRead.person_id == person,
                                             ModuleRead.course_id == course_id)
        allowed = allowed & ~select(Module.id).where(Module.version_id == version_id,
                                                     Module.slug.not_in(read)).exists()
    values = select(person, version_id, bindparam("started_at", type_=QuizAttempt.started_at.type),
                    bindparam("drawn", type_=QuizAttempt.drawn.type)).where(allowed)
    table = QuizAttempt.__table__  # a Core insert: with parameters, an ORM one would be a bulk insert
    return (insert(table)
            .from_select(["person_id", "course_version_id", "started_at", "drawn"], values, include_defaults=False)
            .returning(table.c.id))


def is_pass(correct: int, total: int, pass_mark: int) -> bool:
    """At least pass_mark per cent right, compared exactly, not on the rounded score."""
    return correct * 100 >= pass_mark * total


def grade(questions: dict[int, QuestionKey], answers: dict[str, list[str]]) -> int:
    """Number of questions whose chosen options are exactly the correct set."""
    return sum(1 for qid, q in questions.items() if set(answers.get(str(qid), [])) == q.correct_keys)


def clean_answers(questions: dict[int, QuestionKey], raw_answers: dict[str, list[str]]) -> dict[str, list[str]]:
    """Per question of the attempt, the sorted chosen keys that the question has (one at most for a
    single choice); answers to other questions are dropped."""
    answers: dict[str, list[str]] = {}
    for qid, q in questions.items():
        valid = {o["key"] for o in q.options}
        chosen = sorted(set(raw_answers.get(str(qid), [])) & valid)
        answers[str(qid)] = chosen if q.kind == "multiple" else chosen[:1]
    return answers


def _own_attempt(attempt_id: int, person_id: int) -> tuple[QuizAttempt, dict[int, QuestionKey]]:
    """The attempt with its version and course (one statement) and its questions' keys."""
    attempt = db.session.scalar(select(QuizAttempt).join(QuizAttempt.version).join(CourseVersion.course)
                                .options(contains_eager(QuizAttempt.version).contains_eager(CourseVersion.course))
                                .where(QuizAttempt.id == attempt_id))
    if attempt is None or attempt.person_id != person_id:
        raise QuizError(_l("Không tìm thấy bài làm."))
    pool = question_keys(attempt.version)
    questions = {qid: pool[qid] for qid in attempt.question_ids if qid in pool}
    return attempt, questions


def unanswered(attempt: QuizAttempt, answers: dict[str, list[str]]) -> list[int]:
    """Positions (1-based, as the attempt shows them) of the questions left without an answer."""
    return [i for i, qid in enumerate(attempt.question_ids, start=1) if not answers.get(str(qid))]


def submit_attempt(attempt_id: int, person_id: int, raw_answers: dict[str, list[str]],
                   confirmed: bool = True, assignments=None) -> QuizAttempt:
    """Grade an open attempt once and, on a pass, record the completion once.

    Unless `confirmed`, an attempt with questions left unanswered is not graded: its answers are
    kept (the learner is asked to confirm, and finds them again on the attempt page) and it stays
    open. Answers to questions outside the attempt, or naming options a question does not have, are
    dropped. A second submit of the same attempt (double click, replayed form, another worker)
    returns the attempt unchanged. Raises QuizError for an attempt that is not the person's.
    `assignments`, when the caller has the person's assignments loaded already (the signed-in
    user), gives the agency of the day without another query. Flushes.

    Statements: the attempt with its version, the conditional update, the answers and, on a pass,
    the completion and its certificate (the questions' keys are kept per process).
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
    values = dict(submitted_at=now, answers=answers, correct_count=correct, score=score, passed=passed)
    # Conditional update: of two racing submits only one finds the attempt still open.
    result = db.session.execute(
        update(QuizAttempt).where(QuizAttempt.id == attempt.id, QuizAttempt.submitted_at.is_(None))
        .values(**values).execution_options(synchronize_session=False))
    if result.rowcount != 1:  # another request graded it first: show what that one stored
        db.session.refresh(attempt)
        return attempt
    for name, value in values.items():  # what the row now holds, without reading it back
        set_committed_value(attempt, name, value)
    day = local_date(now)
    agency = agency_on(person_id, day) if assignments is None else agency_from_assignments(assignments, day)
    record_responses(attempt, questions, answers, agency.id if agency else None, day.year)
    if passed:
        # the update above let only this request through, so no savepoint is needed for the race
        record_completion(person_id, version, day, score=score, attempt_id=attempt.id, agency=agency,
                          savepoint=False)
    return attempt


def response_rows(attempt_id: int, person_id: int, course_id: int, agency_id: int | None, year: int,
                  questions: dict[int, QuestionKey], answers: dict[str, list[str]]) -> list[dict]:
    """The quiz_response rows of one graded attempt: per question the sorted chosen keys, whether
    they are exactly the key, and the number right on the attempt's other questions."""
    right = {qid: set(answers.get(str(qid), [])) == q.correct_keys for qid, q in questions.items()}
    total = sum(right.values())
    return [{"attempt_id": attempt_id, "question_id": qid, "course_id": course_id, "person_id": person_id,
             "agency_id": agency_id, "year": year, "chosen": ",".join(sorted(answers.get(str(qid), []))),
             "correct": ok, "rest": total - ok} for qid, ok in right.items()]


def record_responses(attempt: QuizAttempt, questions: dict[int, QuestionKey], answers: dict[str, list[str]],
                     agency_id: int | None, year: int) -> None:
    """Write the answers of a just-graded attempt as rows, in one statement. Flushes."""
    rows = response_rows(attempt.id, attempt.person_id, attempt.version.course_id, agency_id, year,
                         questions, answers)
    if rows:
        db.session.execute(insert(QuizResponse), rows)
