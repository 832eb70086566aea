"""The synthetic scale data, generated tiny: consistent snapshots, dates, validity, lineage, seeds."""
import hashlib
from datetime import date

import pytest
from sqlalchemy import delete, select
from sqlalchemy.orm import aliased

from app.accounts.models import Assignment, Person
from app.agencies.models import Agency, LineageEvent
from app.completions.models import Completion
from app.core.dates import today
from app.courses.models import Course, CourseVersion, Question
from app.quizzes.models import QuizAttempt, QuizResponse
from app.demo_scale import ScaleDataError, load_scale

TINY = 0.02  # about 8 current agencies, 160 people, 1,000 completions
CODES = [f"ISO-0{n}" for n in range(1, 9)]


@pytest.fixture
def catalogue(db):
    """The eight catalogue courses as bare current versions with three questions each (syncing the
    real ones takes a second)."""
    for code in CODES:
        course = Course(code=code)
        version = CourseVersion(course=course, number=1, content_hash=code, title=code,
                                standard_edition="TCVN ISO 9001:2015", minutes=30, pass_mark=80,
                                questions_per_attempt=10, attempts_allowed=3)
        db.session.add(version)
        for n, kind in enumerate(("single", "multiple", "truefalse"), start=1):
            options = [{"key": k, "html": k, "correct": k in ("a", "b" if kind == "multiple" else "a")}
                       for k in ("ab" if kind == "truefalse" else "abcd")]
            db.session.add(Question(version=version, qid=f"{code}-{n}", position=n, kind=kind, clause="7.5",
                                    stem_html="?", options=options, explanation_html=""))
    db.session.commit()


def generate(db, seed=7):
    summary = load_scale("province", seed, courses_dir="unused", factor=TINY)
    db.session.commit()
    return summary


def digest(db) -> str:
    """A hash of everything generated, by natural keys (ids depend on what was there before)."""
    parent, pred, succ = aliased(Agency), aliased(Agency), aliased(Agency)
    queries = [
        select(Agency.code, Agency.name, Agency.type, parent.code, Agency.valid_from, Agency.valid_to,
               Agency.in_iso_scope).outerjoin(parent, parent.id == Agency.parent_id),
        select(LineageEvent.event, pred.code, succ.code, LineageEvent.effective_date)
        .join(pred, pred.id == LineageEvent.predecessor_id).outerjoin(succ, succ.id == LineageEvent.successor_id),
        select(Person.staff_code, Person.full_name, Person.active),
        select(Person.staff_code, Agency.code, Assignment.is_leader, Assignment.is_iso_secretary,
               Assignment.is_internal_auditor, Assignment.start_date, Assignment.end_date)
        .join(Person, Person.id == Assignment.person_id).join(Agency, Agency.id == Assignment.agency_id),
        select(Person.staff_code, Course.code, Completion.completed_on, Completion.score, Completion.source,
               Completion.agency_code).join(Person, Person.id == Completion.person_id)
        .join(Course, Course.id == Completion.course_id),
    ]
    text = "\n".join(repr(sorted(tuple(row) for row in db.session.execute(q))) for q in queries)
    return hashlib.sha256(text.encode()).hexdigest()


def wipe(db):
    for model in (Completion, QuizResponse, QuizAttempt, Assignment, Person, LineageEvent, Agency):
        db.session.execute(delete(model.__table__))
    db.session.commit()


def test_the_tiny_tier_has_every_kind_of_row(db, catalogue):
    summary = generate(db)
    counts = summary.counts
    assert counts["current agencies"] >= 6 and counts["historical agencies"] > counts["current agencies"]
    assert counts["lineage edges"] > 0 and counts["people"] > 100 and counts["completions"] > 500
    assert db.session.scalar(select(Completion.id).order_by(Completion.id.desc()).limit(1)) \
        - db.session.scalar(select(Completion.id).order_by(Completion.id).limit(1)) + 1 == counts["completions"]


def test_online_completions_of_this_year_and_last_rest_on_a_passing_attempt_and_its_answers(db, catalogue):
    summary = generate(db)
    since = date(today().year - 1, 1, 1)
    rows = db.session.execute(select(Completion, QuizAttempt).outerjoin(
        QuizAttempt, QuizAttempt.id == Completion.attempt_id)).all()
    backed = [(c, a) for c, a in rows if a is not None]
    assert backed and summary.counts["quiz attempts"] >= len(backed)
    for completion, attempt in rows:
        assert (attempt is not None) == (completion.source == "online" and completion.completed_on >= since)
    for completion, attempt in backed:
        assert attempt.passed and attempt.score == completion.score and attempt.person_id == completion.person_id
        assert attempt.correct_count * 100 >= 80 * len(attempt.drawn)
    answers = db.session.execute(select(QuizResponse, QuizAttempt).join(QuizAttempt)).all()
    assert len(answers) == summary.counts["quiz answers"] == sum(len(a.drawn) for a in db.session.scalars(select(QuizAttempt)))
    for response, attempt in answers:
        chosen = attempt.answers[str(response.question_id)]
        assert response.chosen == ",".join(chosen) and response.rest == attempt.correct_count - response.correct
    assert any(not a.passed for a in db.session.scalars(select(QuizAttempt)))  # some failed before passing


def test_every_completion_is_credited_to_the_agency_of_the_assignment_covering_its_day(db, catalogue):
    generate(db)
    agencies = {a.id: (a.code, a.name) for a in db.session.scalars(select(Agency))}
    periods: dict[int, list] = {}
    for a in db.session.scalars(select(Assignment)):
        periods.setdefault(a.person_id, []).append(a)
    completions = list(db.session.scalars(select(Completion)))
    assert len(completions) > 500
    for c in completions:
        covering = [a for a in periods[c.person_id] if a.covers(c.completed_on)]
        assert len(covering) == 1, c
        assert (c.agency_id, c.agency_code, c.agency_name) == (covering[0].agency_id, *agencies[covering[0].agency_id])


def test_no_completion_is_dated_after_today_or_before_2022(db, catalogue):
    generate(db)
    days = list(db.session.scalars(select(Completion.completed_on)))
    assert max(days) <= today() and min(days) >= date(2022, 1, 1)
    assert {score for score in db.session.scalars(select(Completion.score))} <= set(range(70, 101))


def test_every_assignment_lies_within_its_agency_validity(db, catalogue):
    generate(db)
    rows = db.session.execute(select(Assignment, Agency).join(Agency, Agency.id == Assignment.agency_id)).all()
    assert rows
    for assignment, agency in rows:
        assert agency.is_active_on(assignment.start_date), (assignment, agency)
        assert agency.valid_to is None or (assignment.end_date is not None and assignment.end_date <= agency.valid_to)


def test_lineage_predecessors_end_the_day_before_their_successor_takes_over(db, catalogue):
    generate(db)
    edges = list(db.session.scalars(select(LineageEvent)))
    assert {e.event for e in edges} >= {"merge", "split"}
    for edge in edges:
        assert edge.predecessor.valid_to == date(2025, 6, 30) == date.fromordinal(edge.effective_date.toordinal() - 1)
        assert edge.successor.is_active_on(edge.effective_date)


def test_veterans_move_on_1_july_2025_to_a_successor_of_their_old_agency(db, catalogue):
    generate(db)
    successors = {(e.predecessor_id, e.successor_id) for e in db.session.scalars(select(LineageEvent))}
    parents = dict(db.session.execute(select(Agency.id, Agency.parent_id)).all())
    later = aliased(Assignment)
    moved = db.session.execute(
        select(Assignment.agency_id, later.agency_id).join(later, later.person_id == Assignment.person_id)
        .where(Assignment.end_date == date(2025, 6, 30), later.start_date == date(2025, 7, 1))
    ).all()
    assert len(moved) > 20
    for old, new in moved:  # a commune's service centre takes people from its commune or its predecessors
        assert (old, new) in successors or (old, parents[new]) in successors or old == parents[new]


def test_the_same_seed_gives_the_same_data_and_another_seed_does_not(db, catalogue):
    generate(db, seed=7)
    first = digest(db)
    wipe(db)
    generate(db, seed=7)
    assert digest(db) == first
    wipe(db)
    generate(db, seed=8)
    assert digest(db) != first


def test_loading_twice_is_refused(db, catalogue, runner):
    result = runner.invoke(args=["demo", "--scale", "province", "--factor", str(TINY)])
    assert result.exit_code == 0, result.output
    people = db.session.scalar(select(Person.id).order_by(Person.id.desc()).limit(1))
    again = runner.invoke(args=["demo", "--scale", "province", "--factor", str(TINY)])
    assert again.exit_code == 1 and "scale data is already loaded" in again.output
    with pytest.raises(ScaleDataError):
        load_scale("province", 1, courses_dir="unused", factor=TINY)
    assert db.session.scalar(select(Person.id).order_by(Person.id.desc()).limit(1)) == people
