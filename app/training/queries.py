"""Who owes a class's course, by the obligation rules of the coverage report; rosters and counts.

A class is for the people assigned to its invited agencies who have not met the obligation its
course answers this year: the refresher course for holders of a refresher role (not done in the
plan's year), the secretary course for ISO secretaries (never done), any other course, the
onboarding course included, for everyone who has never completed it. People are counted where
they are assigned on the class's reference day: today, or the first day of a class already held.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, case, exists, func, literal, or_, select

from app.accounts.models import Assignment, Person
from app.agencies.models import Agency
from app.completions.models import Completion
from app.core.dates import today
from app.courses.models import Course
from app.coverage.rules import Rules, current_rules
from app.extensions import db
from app.reports.queries import active_on, covers
from app.training.models import ClassSeat, TrainingClass, class_agency


def reference_day(klass_start, day: date):
    """SQL: the day whose assignments count for a class (today, or its first day once held)."""
    return case((klass_start < day, klass_start), else_=literal(day))


def owes(rules: Rules, course_code, course_id, year: int):
    """SQL condition on the Assignment row: its person owes the course (see the module docstring)."""
    flags = {"leader": Assignment.is_leader, "iso_secretary": Assignment.is_iso_secretary,
             "internal_auditor": Assignment.is_internal_auditor}
    refresher, secretary = rules.refresher_course, rules.secretary_course
    concerned = or_(and_(course_code == refresher, or_(*[flags[r] for r in rules.refresher_roles])),
                    and_(course_code == secretary, Assignment.is_iso_secretary),
                    course_code.not_in((refresher, secretary)))
    done = exists().where(Completion.person_id == Assignment.person_id, Completion.course_id == course_id,
                          or_(course_code != refresher,
                              Completion.completed_on.between(date(year, 1, 1), date(year, 12, 31))))
    return and_(concerned, ~done)


def _owing(klass: TrainingClass, rules: Rules, day: date):
    """select() of (person id, agency id) of the people the class is for, one row per person (the
    first invited agency they are assigned to), with no seat in a class of the plan for the course."""
    ref = min(day, klass.start_date)
    other_seat = (select(ClassSeat.id).join(TrainingClass, TrainingClass.id == ClassSeat.class_id)
                  .where(ClassSeat.person_id == Assignment.person_id, TrainingClass.plan_id == klass.plan_id,
                         TrainingClass.course_id == klass.course_id).exists())
    return (select(Assignment.person_id, func.min(Assignment.agency_id).label("agency_id"))
            .join(class_agency, and_(class_agency.c.agency_id == Assignment.agency_id,
                                     class_agency.c.class_id == klass.id))
            .join(Agency, Agency.id == Assignment.agency_id)
            .join(Person, Person.id == Assignment.person_id)
            .where(covers(ref), active_on(ref), Agency.in_iso_scope.is_(True), Person.active.is_(True),
                   owes(rules, literal(klass.course.code), klass.course_id, klass.plan.year), ~other_seat)
            .group_by(Assignment.person_id))


def owing_to_invite(klass: TrainingClass, rules: Rules | None = None, day: date | None = None):
    """The people "mời những người còn nợ" would add, as a sub-query (person_id, agency_id)."""
    return _owing(klass, rules or current_rules(), day or today()).subquery("owing")


@dataclass
class ClassCounts:
    #: people in the invited agencies who owe the course this year (seated or not)
    reach: int = 0
    invited: int = 0
    waiting: int = 0
    present: int = 0
    absent: int = 0
    excused: int = 0


def plan_counts(plan_id: int, year: int, rules: Rules | None = None, day: date | None = None) -> dict[int, ClassCounts]:
    """class id -> ClassCounts for every class of a plan. Two queries whatever the number of classes
    and people: the reach (one aggregate over the invited agencies) and the seats by status."""
    rules, day = rules or current_rules(), day or today()
    ref = reference_day(TrainingClass.start_date, day)
    reach = db.session.execute(
        select(TrainingClass.id, func.count(func.distinct(Assignment.person_id)))
        .join(Course, Course.id == TrainingClass.course_id)
        .join(class_agency, class_agency.c.class_id == TrainingClass.id)
        .join(Assignment, Assignment.agency_id == class_agency.c.agency_id)
        .join(Agency, Agency.id == Assignment.agency_id)
        .join(Person, Person.id == Assignment.person_id)
        .where(TrainingClass.plan_id == plan_id, covers(ref), active_on(ref), Agency.in_iso_scope.is_(True),
               Person.active.is_(True), owes(rules, Course.code, TrainingClass.course_id, year))
        .group_by(TrainingClass.id))
    counts = seat_counts(plan_id)
    for class_id, n in reach:
        counts.setdefault(class_id, ClassCounts()).reach = n
    return counts


def seat_counts(plan_id: int) -> dict[int, ClassCounts]:
    """class id -> ClassCounts of the seats only (reach 0), for every class of a plan. One query."""
    counts: dict[int, ClassCounts] = {}
    seats = db.session.execute(
        select(ClassSeat.class_id, ClassSeat.status, ClassSeat.attendance, func.count())
        .join(TrainingClass, TrainingClass.id == ClassSeat.class_id)
        .where(TrainingClass.plan_id == plan_id)
        .group_by(ClassSeat.class_id, ClassSeat.status, ClassSeat.attendance))
    for class_id, status, attendance, n in seats:
        row = counts.setdefault(class_id, ClassCounts())
        setattr(row, status, getattr(row, status) + n)
        if attendance:
            setattr(row, attendance, getattr(row, attendance) + n)
    return counts


def roles_at_seats(class_id: int, day: date) -> dict[int, list[str]]:
    """person id -> the QMS roles held on `day` at the agency of their seat (for the roster's
    position column; empty: a civil servant). One query."""
    rows = db.session.execute(
        select(Assignment.person_id, Assignment.is_leader, Assignment.is_iso_secretary, Assignment.is_internal_auditor)
        .join(ClassSeat, and_(ClassSeat.person_id == Assignment.person_id, ClassSeat.agency_id == Assignment.agency_id))
        .where(ClassSeat.class_id == class_id, covers(day)))
    roles: dict[int, list[str]] = {}
    for person_id, *flags in rows:
        held = roles.setdefault(person_id, [])
        held.extend(r for r, f in zip(("leader", "iso_secretary", "internal_auditor"), flags) if f and r not in held)
    return roles


def roster(class_id: int, agency_ids: set[int] | None = None) -> list[ClassSeat]:
    """The seats of a class (invited first, in roster order, then the waiting list), with each
    person and agency loaded; `agency_ids` limits them to those agencies (None: all). One query."""
    from sqlalchemy.orm import joinedload

    query = (select(ClassSeat).where(ClassSeat.class_id == class_id)
             .options(joinedload(ClassSeat.person), joinedload(ClassSeat.agency))
             .join(Person, Person.id == ClassSeat.person_id)
             .order_by(ClassSeat.status, ClassSeat.position, Person.sort_name, ClassSeat.id))
    if agency_ids is not None:
        query = query.where(ClassSeat.agency_id.in_(agency_ids))
    return list(db.session.scalars(query))
