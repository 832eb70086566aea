"""Issuing certificates for completions, and what a certificate prints."""
from __future__ import annotations

import unicodedata
from datetime import date
from functools import lru_cache

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import Date, Integer, String, and_, bindparam, func, insert, select
from sqlalchemy.orm import aliased

from app.accounts.models import Person
from app.agencies.lineage import credited_sources, lineage_graph
from app.audit.services import record
from app.certificates.archive import unique_names
from app.certificates.codes import new_code
from app.certificates.models import Certificate
from app.certificates.pdf import Printed
from app.completions.models import Completion
from app.core.dates import today, utcnow
from app.courses.models import Course, CourseVersion
from app.coverage.rules import current_rules
from app.extensions import db

BATCH = 5_000


def _missing(condition, after_id: int = 0, limit: int | None = None):
    """select() of what a certificate prints, for completions matching `condition` that have none,
    by completion id from `after_id` on. The course title is the completed version's, else the
    course's current one (an imported completion names no version)."""
    done, current = aliased(CourseVersion), aliased(CourseVersion)
    query = (
        select(Completion.id, Completion.person_id, Completion.agency_id, Completion.agency_name,
               Completion.completed_on, Completion.score, Person.full_name, Course.code,
               func.coalesce(done.title, current.title, Course.code).label("title"))
        .join(Person, Person.id == Completion.person_id).join(Course, Course.id == Completion.course_id)
        .outerjoin(done, done.id == Completion.course_version_id)
        .outerjoin(current, and_(current.course_id == Completion.course_id, current.is_current.is_(True)))
        .outerjoin(Certificate, Certificate.completion_id == Completion.id)
        .where(Certificate.id.is_(None), Completion.id > after_id).order_by(Completion.id)
    )
    if condition is not None:
        query = query.where(condition)
    return query.limit(limit) if limit else query


def valid_until(course_code: str, completed_on: date, refresher_course: str) -> date | None:
    """The last valid day: the yearly refresher is valid to the end of its year; the other courses
    are owed once, so their certificates do not expire."""
    return date(completed_on.year, 12, 31) if course_code == refresher_course else None


def issue_missing(condition=None) -> int:
    """Issue a certificate to every completion matching `condition` (None: all) that has none, in
    batches by completion id. Returns how many were issued. Flushes; the caller commits.

    Idempotent: a completion never gets a second certificate (unique completion_id)."""
    body, parent = current_app.config["ISSUING_BODY"], current_app.config["ISSUING_PARENT"]
    refresher = current_rules().refresher_course  # read once, not per row
    day, now, issued, after = today(), utcnow(), 0, 0
    while True:
        rows = db.session.execute(_missing(condition, after, BATCH)).all()
        if not rows:
            return issued
        db.session.execute(insert(Certificate), [
            {"code": new_code(), "completion_id": r.id, "person_id": r.person_id, "agency_id": r.agency_id,
             "full_name": r.full_name, "agency_name": r.agency_name, "course_code": r.code, "course_title": r.title,
             "completed_on": r.completed_on, "score": r.score,
             "valid_until": valid_until(r.code, r.completed_on, refresher),
             "issuing_body": body, "issuing_parent": parent, "issued_on": day, "issued_at": now} for r in rows])
        issued += len(rows)
        after = rows[-1].id
        if len(rows) < BATCH:
            return issued


def issue_for(completion: Completion, course_code: str) -> None:
    """Issue the certificate of one just-recorded completion of the course `course_code`: what
    issue_missing would write for it, in one INSERT … SELECT (the title and the holder's name are
    read where they are stored). Flushes."""
    db.session.execute(_issue_for_statement(), {
        "completion_id": completion.id, "code": new_code(),
        "valid_until": valid_until(course_code, completion.completed_on, current_rules().refresher_course),
        "body": current_app.config["ISSUING_BODY"], "parent": current_app.config["ISSUING_PARENT"],
        "issued_on": today(), "issued_at": utcnow()})


@lru_cache(maxsize=1)
def _issue_for_statement():
    """issue_for's statement, built once with its values as parameters (compiled once per process)."""
    row = _missing(Completion.id == bindparam("completion_id", type_=Integer())).subquery()
    values = select(
        bindparam("code", type_=String()), row.c.id, row.c.person_id, row.c.agency_id, row.c.full_name,
        row.c.agency_name, row.c.code, row.c.title, row.c.completed_on, row.c.score,
        bindparam("valid_until", type_=Date()), bindparam("body", type_=String()),
        bindparam("parent", type_=String()), bindparam("issued_on", type_=Date()),
        bindparam("issued_at", type_=Certificate.issued_at.type))
    table = Certificate.__table__  # a Core insert: with parameters, an ORM one would be a bulk insert
    return insert(table).from_select(
        ["code", "completion_id", "person_id", "agency_id", "full_name", "agency_name", "course_code",
         "course_title", "completed_on", "score", "valid_until", "issuing_body", "issuing_parent", "issued_on",
         "issued_at"], values)


def verify_url(code: str) -> str:
    """The public link a certificate prints (and its QR code carries)."""
    return f"{current_app.config['PUBLIC_BASE_URL'].rstrip('/')}/verify/{code}"


def printed(certificate: Certificate) -> Printed:
    """The facts the PDF shows, from the stored certificate only (a later rename changes nothing)."""
    return Printed(code=certificate.code, full_name=certificate.full_name, agency_name=certificate.agency_name,
                   course_code=certificate.course_code, course_title=certificate.course_title,
                   completed_on=certificate.completed_on, score=certificate.score,
                   valid_until=certificate.valid_until, issued_on=certificate.issued_on,
                   verify_url=verify_url(certificate.code), issuing_body=certificate.issuing_body,
                   issuing_parent=certificate.issuing_parent)


def certificates_of(person_id: int):
    """select() of a person's certificates, newest first."""
    return (select(Certificate).where(Certificate.person_id == person_id)
            .order_by(Certificate.completed_on.desc(), Certificate.id.desc()))


def agency_sources(agency_id: int, day: date) -> list[int]:
    """The agency and every agency that has since become it (merged, renamed): where its
    certificates were earned. One query (the lineage graph)."""
    return credited_sources({agency_id}, day, lineage_graph(day))


def of_agency(sources: list[int], year: int):
    """select() of the certificates earned in `year` at these agencies (agency_sources), in
    Vietnamese name order."""
    return (select(Certificate).join(Person, Person.id == Certificate.person_id)
            .where(Certificate.agency_id.in_(sources),
                   Certificate.completed_on.between(date(year, 1, 1), date(year, 12, 31)))
            .order_by(Person.sort_name, Certificate.course_code, Certificate.completed_on, Certificate.id))


def years_of_agency(sources: list[int], day: date) -> list[int]:
    """The years with certificates at these agencies (agency_sources), and this year, newest first."""
    year = func.extract("year", Certificate.completed_on)
    found = db.session.scalars(select(year).where(Certificate.agency_id.in_(sources)).distinct())
    return sorted({int(y) for y in found} | {day.year}, reverse=True)


def archive_items(certificates) -> list[tuple[str, Printed]]:
    """(file name, printed facts) for the ZIP of these certificates, the revoked ones left out;
    a name met twice gets '_2'."""
    kept = [c for c in certificates if c.revoked_at is None]
    return list(zip(unique_names(file_name(c) for c in kept), (printed(c) for c in kept)))


def file_name(certificate: Certificate) -> str:
    """'NguyenThiLan_ISO-01_2026.pdf': the name without diacritics or spaces, the course, the year."""
    plain = unicodedata.normalize("NFKD", certificate.full_name.replace("đ", "d").replace("Đ", "D"))
    name = "".join(ch for ch in plain if ch.isascii() and ch.isalnum())
    return f"{name or 'ChungNhan'}_{certificate.course_code}_{certificate.completed_on.year}.pdf"


class CertificateError(ValueError):
    """The certificate cannot be changed so; the message is shown to the user."""


def revoke(certificate: Certificate, actor, reason: str) -> None:
    """Revoke a certificate with a reason, in the audit log. The completion is kept: training done
    stays done; only the paper stops being valid. Raises CertificateError when already revoked or
    without a reason. Flushes."""
    if certificate.revoked_at is not None:
        raise CertificateError(_("Giấy chứng nhận này đã bị thu hồi."))
    if not reason.strip():
        raise CertificateError(_("Hãy ghi lý do thu hồi."))
    certificate.revoked_at, certificate.revoked_reason, certificate.revoked_by_id = utcnow(), reason.strip(), actor.id
    db.session.flush()
    record("certificate.revoke", actor=actor, target_type="certificate", target_id=certificate.id,
           target_label=f"{certificate.code} · {certificate.full_name} · {certificate.course_code}",
           details={"code": certificate.code, "reason": certificate.revoked_reason})
