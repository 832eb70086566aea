"""Recording completions against the agency the person belongs to at that moment."""
from __future__ import annotations

from datetime import date

from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError

from app.accounts.models import Assignment
from app.agencies.models import Agency
from app.certificates.services import issue_for
from app.completions.models import Completion
from app.courses.models import CourseVersion
from app.extensions import db


def agency_on(person_id: int, day: date) -> Agency | None:
    """The agency a person was assigned to on a day.

    With two assignments covering the day, the one that started first wins (then the lower id), so
    the answer is stable.
    """
    return db.session.scalar(
        select(Agency)
        .join(Assignment, Assignment.agency_id == Agency.id)
        .where(
            Assignment.person_id == person_id,
            Assignment.start_date <= day,
            or_(Assignment.end_date.is_(None), Assignment.end_date >= day),
        )
        .order_by(Assignment.start_date, Assignment.id)
        .limit(1)
    )


def agency_from_assignments(assignments, day: date) -> Agency | None:
    """agency_on for a person whose assignments (with their agencies) are loaded already: the same
    rule, the earliest-started assignment covering the day, then the lower id."""
    covering = [a for a in assignments if a.start_date <= day and (a.end_date is None or a.end_date >= day)]
    if not covering:
        return None
    return min(covering, key=lambda a: (a.start_date, a.id)).agency


def record_completion(person_id: int, version: CourseVersion, completed_on: date, *, score: int | None,
                      source: str = "online", attempt_id: int | None = None,
                      agency: Agency | None = ..., savepoint: bool = True  # type: ignore[assignment]
                      ) -> Completion | None:
    """Insert a completion with a snapshot of the person's agency (id, code, name as they are today),
    and its certificate. `agency` is that agency when the caller has already looked it up (None: the
    person had none).

    Returns the new completion, or None when this attempt already has one (a replayed submit).
    Flushes inside a savepoint so a lost race leaves the caller's transaction usable; a caller that
    has already made sure no other request can record this completion (the quiz's conditional
    update) passes savepoint=False and saves the two statements.
    """
    if agency is ...:
        agency = agency_on(person_id, completed_on)
    completion = Completion(
        person_id=person_id, course_id=version.course_id, course_version_id=version.id,
        completed_on=completed_on, score=score, source=source, attempt_id=attempt_id,
        agency_id=agency.id if agency else None,
        agency_code=agency.code if agency else None,
        agency_name=agency.name if agency else None,
    )
    if savepoint:
        try:
            with db.session.begin_nested():
                db.session.add(completion)
        except IntegrityError:
            return None
    else:
        db.session.add(completion)
        db.session.flush()
    issue_for(completion, version.code)
    return completion
