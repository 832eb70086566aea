"""Everything the platform keeps about one person, for the person's own page and JSON download."""
from __future__ import annotations

import json
import re
from datetime import date, datetime

from flask import Response
from sqlalchemy import select

from app.accounts.models import Assignment, Invite, Person
from app.agencies.models import Agency
from app.audit.models import AuditEvent
from app.core.dates import as_utc, utcnow
from app.courses.models import Course, CourseVersion, ModuleRead
from app.extensions import db
from app.people.queries import completion_history
from app.quizzes.models import QuizAttempt


def personal_record(person: Person) -> dict:
    """The person's data as plain values (dates stay date/datetime objects), one query per section.

    Left out on purpose: the password hash, invite tokens and their hashes, and quiz answers in detail.
    """
    pid = person.id
    assignments = db.session.execute(
        select(Assignment, Agency.code, Agency.name).join(Agency, Agency.id == Assignment.agency_id)
        .where(Assignment.person_id == pid).order_by(Assignment.start_date, Assignment.id)
    ).all()
    attempts = db.session.execute(
        select(QuizAttempt, Course.code, CourseVersion.number, CourseVersion.title)
        .join(CourseVersion, CourseVersion.id == QuizAttempt.course_version_id)
        .join(Course, Course.id == CourseVersion.course_id)
        .where(QuizAttempt.person_id == pid).order_by(QuizAttempt.started_at, QuizAttempt.id)
    ).all()
    reads = db.session.execute(
        select(ModuleRead, Course.code).join(Course, Course.id == ModuleRead.course_id)
        .where(ModuleRead.person_id == pid).order_by(ModuleRead.read_at, ModuleRead.id)
    ).all()
    invites = db.session.scalars(select(Invite).where(Invite.person_id == pid).order_by(Invite.id)).all()
    events = db.session.scalars(
        select(AuditEvent).where(AuditEvent.target_type == "person", AuditEvent.target_id == pid)
        .order_by(AuditEvent.at, AuditEvent.id)
    ).all()
    return {
        "person": {"staff_code": person.staff_code, "full_name": person.full_name, "email": person.email,
                   "username": person.username, "access_role": person.access_role, "active": person.active,
                   "created_at": person.created_at},
        "assignments": [
            {"agency_code": code, "agency_name": name, "roles": a.roles, "start_date": a.start_date,
             "end_date": a.end_date} for a, code, name in assignments],
        "completions": completion_history(pid),
        "quiz_attempts": [
            {"course_code": code, "course_version": number, "course_title": title, "started_at": q.started_at,
             "submitted_at": q.submitted_at, "score": q.score, "passed": q.passed}
            for q, code, number, title in attempts],
        "module_reads": [{"course_code": code, "module": r.slug, "read_at": r.read_at} for r, code in reads],
        "invites": [{"purpose": i.purpose, "created_at": i.created_at, "expires_at": i.expires_at,
                     "used_at": i.used_at} for i in invites],
        "audit_events": [{"at": e.at, "action": e.action, "actor": e.actor_label, "details": e.details}
                         for e in events],
    }


def _plain(value):
    if isinstance(value, datetime):
        return as_utc(value).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def json_download(person: Person) -> Response:
    """The personal record as a UTF-8 JSON attachment (Vietnamese kept readable, not \\u-escaped)."""
    data = {"exported_at": utcnow(), **personal_record(person)}
    body = json.dumps(data, ensure_ascii=False, indent=2, default=_plain)
    safe_code = re.sub(r"[^A-Za-z0-9_.-]", "_", person.staff_code)
    response = Response(body.encode("utf-8"), content_type="application/json; charset=utf-8")
    response.headers["Content-Disposition"] = f'attachment; filename="du-lieu-{safe_code}.json"'
    response.headers["Cache-Control"] = "no-store"
    return response
