"""Read-only queries of the people pages; each is one query whatever the number of rows."""
from __future__ import annotations

from datetime import date

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import joinedload

from app.accounts.models import Assignment, Invite, Person
from app.agencies.models import Agency
from app.audit.models import AuditEvent
from app.completions.models import Completion
from app.core.dates import utcnow
from app.courses.models import Course, CourseVersion
from app.extensions import db
from app.people.naming import matches_search
from app.policy import editable_agency_ids, editable_people_clause, home_agency_clause, home_assignments


def people_query(viewer: Person, *, text: str = "", agency_id: int | None = None, status: str = "",
                 day: date) -> Select:
    """People the viewer may manage, filtered by `text` (words found in the name, username, staff
    code or e-mail, without regard to case or diacritics), home agency and status; in Vietnamese
    order of names, given name first."""
    query = select(Person).order_by(Person.sort_name, Person.staff_code)
    scope = editable_people_clause(viewer)
    if scope is not None:
        query = query.where(scope)
    found = matches_search(text)
    if found is not None:
        query = query.where(found)
    if agency_id:
        query = query.where(home_agency_clause({agency_id}, day))
    if status == "active":
        query = query.where(Person.active.is_(True))
    elif status == "inactive":
        query = query.where(Person.active.is_(False))
    return query


def home_assignments_of(person_ids: list[int], day: date) -> dict[int, list[Assignment]]:
    """Each person's home assignments (policy.home_assignments) with their agencies, in one query."""
    rows = db.session.scalars(
        select(Assignment).options(joinedload(Assignment.agency))
        .where(Assignment.person_id.in_(person_ids)).order_by(Assignment.start_date, Assignment.id)
    ).all()
    by_person: dict[int, list[Assignment]] = {pid: [] for pid in person_ids}
    for row in rows:
        by_person[row.person_id].append(row)
    return {pid: home_assignments(mine, day) for pid, mine in by_person.items()}


def agency_choices(viewer: Person, day: date | None = None) -> list[tuple[int, str]]:
    """Agencies the viewer may place people in (active on `day` when given), by name."""
    query = select(Agency.id, Agency.name, Agency.code).order_by(Agency.name, Agency.code)
    ids = editable_agency_ids(viewer)
    if ids is not None:
        query = query.where(Agency.id.in_(ids))
    if day is not None:
        query = query.where(Agency.valid_from <= day, or_(Agency.valid_to.is_(None), Agency.valid_to >= day))
    return [(row.id, f"{row.name} ({row.code})") for row in db.session.execute(query)]


def open_invite(person_id: int) -> Invite | None:
    """The person's unused, unexpired link, if any (to say that one is waiting)."""
    return db.session.scalar(
        select(Invite).where(Invite.person_id == person_id, Invite.used_at.is_(None), Invite.expires_at > utcnow())
        .order_by(Invite.id.desc()).limit(1)
    )


def recent_events(person_id: int, limit: int = 10) -> list[AuditEvent]:
    """The latest audit events whose target is the person, newest first."""
    return list(db.session.scalars(
        select(AuditEvent).where(AuditEvent.target_type == "person", AuditEvent.target_id == person_id)
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc()).limit(limit)
    ))


def completion_history(person_id: int) -> list[dict]:
    """The person's completions, oldest first, with the agency as recorded (None when the day fell
    outside every assignment of theirs); one query."""
    rows = db.session.execute(
        select(Completion, Course.code, CourseVersion.number, CourseVersion.title)
        .join(Course, Course.id == Completion.course_id)
        .outerjoin(CourseVersion, CourseVersion.id == Completion.course_version_id)
        .where(Completion.person_id == person_id).order_by(Completion.completed_on, Completion.id)
    ).all()
    return [{"course_code": code, "course_version": number, "course_title": title, "completed_on": c.completed_on,
             "score": c.score, "source": c.source, "agency_code": c.agency_code, "agency_name": c.agency_name}
            for c, code, number, title in rows]
