"""make_* factories with sensible defaults; every call flushes so ids exist."""
from __future__ import annotations

import itertools
from datetime import date

from app.accounts.models import Assignment, Person
from app.agencies.models import Agency
from app.extensions import db

_seq = itertools.count(1)
PASSWORD = "mat-khau-123"


def make_agency(code: str | None = None, *, name: str | None = None, type: str = "UBND_XA",
                parent: Agency | None = None, valid_from: date = date(2025, 7, 1),
                valid_to: date | None = None, in_iso_scope: bool = True) -> Agency:
    n = next(_seq)
    agency = Agency(code=code or f"AG-{n}", name=name or f"UBND xã Thử {n}", type=type, parent=parent,
                    valid_from=valid_from, valid_to=valid_to, in_iso_scope=in_iso_scope)
    db.session.add(agency)
    db.session.flush()
    return agency


def make_person(username: str | None = None, *, agency: Agency | None = None, roles: tuple = (),
                access_role: str = "learner", start: date = date(2025, 7, 1), end: date | None = None,
                full_name: str | None = None, active: bool = True) -> Person:
    n = next(_seq)
    person = Person(staff_code=f"S{n:05d}", full_name=full_name or f"Nguyễn Văn {n}", username=username,
                    access_role=access_role, active=active)
    if username:
        person.set_password(PASSWORD)
    db.session.add(person)
    if agency is not None:
        make_assignment(person, agency, roles=roles, start=start, end=end)
    db.session.flush()
    return person


def make_assignment(person: Person, agency: Agency, *, roles: tuple = (), start: date = date(2025, 7, 1),
                    end: date | None = None) -> Assignment:
    assignment = Assignment(person=person, agency=agency, start_date=start, end_date=end,
                            is_leader="leader" in roles, is_iso_secretary="iso_secretary" in roles,
                            is_internal_auditor="internal_auditor" in roles)
    db.session.add(assignment)
    db.session.flush()
    return assignment


def make_iso_courses(codes: tuple = ("ISO-01", "ISO-02", "ISO-05")) -> dict:
    """Course rows for the obligation courses (completions need nothing more); {code: Course}."""
    from app.courses.models import Course

    courses = {code: Course(code=code) for code in codes}
    db.session.add_all(courses.values())
    db.session.flush()
    return courses


def make_completion(person: Person, course, day: date, agency: Agency | None = None):
    """An offline completion of `course` by `person` on `day`."""
    from app.completions.models import Completion

    completion = Completion(person_id=person.id, course_id=course.id, completed_on=day, source="offline",
                            agency_id=agency.id if agency else None, agency_name=agency.name if agency else None)
    db.session.add(completion)
    db.session.flush()
    return completion
