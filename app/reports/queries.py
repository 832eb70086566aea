"""Named aggregate queries behind the agency and DOST pages. Each is a fixed number of queries."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import aliased

from app.accounts.models import Assignment, Person
from app.agencies.models import Agency
from app.completions.models import Completion
from app.courses.models import Course, CourseVersion, Module, ModuleRead
from app.courses.services import current_versions_query
from app.extensions import db


def covers(day: date):
    """SQL condition: the assignment covers the day."""
    return and_(Assignment.start_date <= day, or_(Assignment.end_date.is_(None), Assignment.end_date >= day))


def active_on(day: date):
    """SQL condition: the agency exists on the day."""
    return and_(Agency.valid_from <= day, or_(Agency.valid_to.is_(None), Agency.valid_to >= day))


def subtree(root_ids):
    """select() of the ids of these agencies and of every agency under them (a recursive query)."""
    tree = select(Agency.id).where(Agency.id.in_(root_ids)).cte("subtree", recursive=True)
    tree = tree.union_all(select(Agency.id).where(Agency.parent_id == tree.c.id))
    return select(tree.c.id)


@dataclass
class AgencyRow:
    id: int
    code: str
    name: str
    type: str
    parent_code: str | None
    headcount: int
    done: dict[str, int] = field(default_factory=dict)  # course code -> people done


def agency_completion_table(day: date, agency_ids: set[int] | None = None) -> tuple[list[str], list[AgencyRow]]:
    """Per agency active on `day`: people assigned on that day, and how many of them have completed
    each listed course on or before that day (a completion counts wherever it was earned).

    Agencies with nobody or nothing done appear with zeros. `agency_ids` limits the rows (None = all).
    Three queries: courses, agencies with headcount, done counts grouped by agency and course.
    Returns (course codes, rows ordered by agency code).
    """
    codes = [v.course.code for v in db.session.scalars(current_versions_query())]
    parent = aliased(Agency)
    headcount = (
        select(Agency.id, Agency.code, Agency.name, Agency.type, parent.code.label("parent_code"),
               func.count(func.distinct(Assignment.person_id)).label("headcount"))
        .outerjoin(parent, parent.id == Agency.parent_id)
        .outerjoin(Assignment, and_(Assignment.agency_id == Agency.id, covers(day)))
        .where(active_on(day))
        .group_by(Agency.id, Agency.code, Agency.name, Agency.type, parent.code)
        .order_by(Agency.code)
    )
    if agency_ids is not None:
        headcount = headcount.where(Agency.id.in_(agency_ids))
    rows = {r.id: AgencyRow(r.id, r.code, r.name, r.type, r.parent_code, r.headcount)
            for r in db.session.execute(headcount)}
    done = (
        select(Assignment.agency_id, Course.code, func.count(func.distinct(Assignment.person_id)).label("people"))
        .join(Completion, and_(Completion.person_id == Assignment.person_id, Completion.completed_on <= day))
        .join(Course, Course.id == Completion.course_id)
        .where(covers(day), Assignment.agency_id.in_(list(rows)))
        .group_by(Assignment.agency_id, Course.code)
    )
    for agency_id, code, people in db.session.execute(done):
        rows[agency_id].done[code] = people
    return codes, list(rows.values())


@dataclass
class PersonStatus:
    person: Person
    roles: list[str]
    since: date
    #: course code -> (completed_on, score) of the latest completion, or None
    completions: dict[str, tuple | None]
    #: course code -> modules read in the current version
    read: dict[str, int]


def agency_people_status(agency_id: int, day: date) -> tuple[list[CourseVersion], dict[str, int], list[PersonStatus]]:
    """The people assigned to an agency on `day` and, per listed course, their latest completion and
    how many modules they have read. Five queries whatever the number of people.

    Returns (current course versions, modules per course code, people in Vietnamese name order).
    """
    versions = list(db.session.scalars(current_versions_query()))
    module_count = dict(db.session.execute(
        select(Course.code, func.count(Module.id)).join(CourseVersion, CourseVersion.course_id == Course.id)
        .join(Module, Module.version_id == CourseVersion.id)
        .where(CourseVersion.is_current.is_(True)).group_by(Course.code)
    ).all())
    people = db.session.execute(
        select(Person, Assignment).join(Assignment, Assignment.person_id == Person.id)
        .where(Assignment.agency_id == agency_id, covers(day)).order_by(Person.sort_name, Person.id)
    ).all()
    ids = [p.id for p, _a in people]
    latest: dict[int, dict[str, tuple]] = {pid: {} for pid in ids}
    for pid, code, completed_on, score in db.session.execute(
        select(Completion.person_id, Course.code, Completion.completed_on, Completion.score)
        .join(Course, Course.id == Completion.course_id)
        .where(Completion.person_id.in_(ids), Completion.completed_on <= day)
        .order_by(Completion.completed_on, Completion.id)
    ):
        latest[pid][code] = (completed_on, score)
    current_slugs = (
        select(Module.slug, CourseVersion.course_id).join(CourseVersion, CourseVersion.id == Module.version_id)
        .where(CourseVersion.is_current.is_(True)).subquery()
    )
    reads: dict[int, dict[str, int]] = {pid: {} for pid in ids}
    for pid, code, count in db.session.execute(
        select(ModuleRead.person_id, Course.code, func.count(ModuleRead.id))
        .join(current_slugs, and_(current_slugs.c.slug == ModuleRead.slug, current_slugs.c.course_id == ModuleRead.course_id))
        .join(Course, Course.id == ModuleRead.course_id)
        .where(ModuleRead.person_id.in_(ids)).group_by(ModuleRead.person_id, Course.code)
    ):
        reads[pid][code] = count
    statuses = [
        PersonStatus(person=p, roles=a.roles, since=a.start_date,
                     completions={v.course.code: latest[p.id].get(v.course.code) for v in versions},
                     read=reads[p.id])
        for p, a in people
    ]
    return versions, module_count, statuses
