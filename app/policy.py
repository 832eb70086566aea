"""Who may see what. Every access rule of the application lives in this module."""
from __future__ import annotations

from datetime import date
from functools import wraps

from flask import abort, g, has_request_context
from flask_login import current_user, login_required
from sqlalchemy import and_, exists, false, or_, select
from sqlalchemy.orm import aliased

from app.accounts.models import Assignment, Person
from app.agencies.lineage import credited_sources, lineage_graph
from app.agencies.models import Agency
from app.core.dates import today
from app.extensions import db
from app.reports.queries import subtree

PROVINCE_WIDE = ("dost", "admin")


def sees_whole_province(person: Person) -> bool:
    return person.access_role in PROVINCE_WIDE


def managed_agency_ids(person: Person) -> set[int] | None:
    """Agencies whose people and records this person may see; None means every agency.

    A leader or ISO secretary (by their current assignment) and an account with the agency_manager
    role see the agency they are assigned to and every agency under it. A learner sees none.
    Within a request the answer is computed once (the menu, the guard and the view all ask).
    """
    if not has_request_context():
        return _managed_agency_ids(person)
    cache = g.setdefault("managed_agency_ids", {})
    if person.id not in cache:
        cache[person.id] = _managed_agency_ids(person)
    return cache[person.id]


def _managed_agency_ids(person: Person) -> set[int] | None:
    if sees_whole_province(person):
        return None
    day = today()
    roots = [
        a.agency_id
        for a in person.current_assignments(day)
        if person.access_role == "agency_manager" or a.is_leader or a.is_iso_secretary
    ]
    if not roots:
        return set()
    return set(db.session.scalars(subtree(roots)))


def can_view_agency(person: Person, agency_id: int) -> bool:
    ids = managed_agency_ids(person)
    return ids is None or agency_id in ids


def sees_agencies(person: Person) -> bool:
    """Whether the person may look into at least one agency (menu, agency and report pages)."""
    return managed_agency_ids(person) != set()


def can_view_reports(person: Person) -> bool:
    """DOST and admins see the province; managers see their own part of it."""
    return sees_agencies(person)


def editable_agency_ids(person: Person) -> set[int] | None:
    """Agencies whose people this person may add, transfer, give roles or deactivate; None = all.

    Admins and DOST work province-wide; an agency_manager account works in its own agency and the
    agencies under it; so does an ISO secretary (by a current assignment with that role), who keeps
    the QMS and the staff list of the agency day to day. A leader without either only looks.
    """
    if sees_whole_province(person):
        return None
    if person.access_role == "agency_manager":
        return managed_agency_ids(person)
    roots = [a.agency_id for a in person.current_assignments(today()) if a.is_iso_secretary]
    if not roots:
        return set()
    if not has_request_context():
        return set(db.session.scalars(subtree(roots)))
    cache = g.setdefault("secretary_agency_ids", {})
    if person.id not in cache:
        cache[person.id] = set(db.session.scalars(subtree(roots)))
    return cache[person.id]


def can_edit_agency_people(person: Person, agency_id: int) -> bool:
    ids = editable_agency_ids(person)
    return ids is None or agency_id in ids


def can_manage_people(person: Person) -> bool:
    """Whether the person may use the people pages and the staff import at all."""
    return editable_agency_ids(person) != set()


def can_import_province_data(person: Person) -> bool:
    """Agencies, lineage and offline completions change the whole province: admins and DOST only."""
    return sees_whole_province(person)


def import_kinds(person: Person) -> tuple[str, ...]:
    """The import kinds a person may upload: every kind province-wide; an agency manager only staff
    (each row within editable_agency_ids, checked row by row by the import)."""
    if can_import_province_data(person):
        return ("agencies", "staff", "completions", "lineage")
    return ("staff",) if can_manage_people(person) else ()


def can_import(person: Person) -> bool:
    return bool(import_kinds(person))


def can_view_import_upload(person: Person, uploaded_by_id: int) -> bool:
    """An upload's preview and result: whoever uploaded it, and admins and DOST."""
    return person.id == uploaded_by_id or can_import_province_data(person)


def can_view_audit(person: Person) -> bool:
    return sees_whole_province(person)


def can_view_mail_log(person: Person) -> bool:
    """What was mailed to whom is operations data: administrators only."""
    return person.access_role == "admin"


def can_freeze_coverage(person: Person) -> bool:
    """Closing a year's coverage (and comparing it with live data) is DOST's act: DOST and admins."""
    return sees_whole_province(person)


def can_plan_inspections(person: Person) -> bool:
    """Drawing and seeing on-site inspection plans: DOST and admins, never the inspected agencies."""
    return sees_whole_province(person)


def home_assignments(assignments: list, day: date) -> list:
    """The assignments that place a person in an agency for the people pages: those covering `day`,
    or, when none does, the one(s) that started last (someone who left, or who has not started yet)."""
    current = [a for a in assignments if a.covers(day)]
    if current or not assignments:
        return current
    latest = max(a.start_date for a in assignments)
    return [a for a in assignments if a.start_date == latest]


def can_edit_person(person: Person, other: Person) -> bool:
    """Admins and DOST: anyone. An agency_manager: people whose home assignment (see above) is in
    one of their editable agencies, so they can also reactivate someone who left their agency."""
    ids = editable_agency_ids(person)
    if ids is None:
        return True
    return any(a.agency_id in ids for a in home_assignments(other.assignments, today()))


def editable_people_clause(person: Person):
    """SQL condition on Person matching can_edit_person for every row (None = no condition)."""
    ids = editable_agency_ids(person)
    if ids is None:
        return None
    if not ids:
        return false()
    return home_agency_clause(ids, today())


def home_agency_clause(agency_ids: set[int], day: date):
    """SQL condition: the person's home assignment on `day` is at one of `agency_ids`."""
    here, anywhere, latest, later = (aliased(Assignment) for _ in range(4))

    def covers(a):
        return and_(a.person_id == Person.id, a.start_date <= day, or_(a.end_date.is_(None), a.end_date >= day))

    current_here = exists().where(covers(here), here.agency_id.in_(agency_ids))
    # Two levels down, `person` must still be the outer row: correlate everything but the alias itself.
    nothing_later = ~exists().where(later.person_id == Person.id, later.start_date > latest.start_date
                                    ).correlate_except(later)
    last_here = exists().where(latest.person_id == Person.id, latest.agency_id.in_(agency_ids), nothing_later)
    return or_(current_here, and_(~exists().where(covers(anywhere)), last_here))


def can_change_access_role(person: Person) -> bool:
    """Who may make someone a manager, DOST or admin: admins only."""
    return person.access_role == "admin"


def can_reset_password(person: Person) -> bool:
    return person.access_role == "admin"


def can_export_person_data(person: Person) -> bool:
    """Downloading someone else's whole record (a data-subject request handled for them): admins only."""
    return person.access_role == "admin"


def can_view_attempt(person: Person, attempt_person_id: int) -> bool:
    return person.id == attempt_person_id or person.access_role == "admin"


def require(predicate):
    """View decorator: sign-in required, then 403 unless predicate(current_user) is true."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if not predicate(current_user):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def ensure(allowed: bool) -> None:
    """Abort with 403 unless allowed; for checks that need the object a view has loaded."""
    if not allowed:
        abort(403)


# --- training plans and classes -------------------------------------------------------------

def can_plan_training(person: Person) -> bool:
    """Drawing up a yearly training plan: DOST and admins for the province, an agency manager for
    the agencies they edit (the plan is then that agency's)."""
    return sees_whole_province(person) or (person.access_role == "agency_manager"
                                           and bool(editable_agency_ids(person)))


def can_manage_plan(person: Person, plan) -> bool:
    """Classes, invitations, attendance and closing of a plan: DOST and admins for any plan; an
    agency manager for the plans of the agencies they edit."""
    if sees_whole_province(person):
        return True
    ids = editable_agency_ids(person)
    return person.access_role == "agency_manager" and plan.owner_agency_id is not None and plan.owner_agency_id in ids


def class_agency_ids(person: Person, klass) -> set[int] | None:
    """The invited agencies of a class whose seats this person may see (None: all of them): all for
    whoever manages the plan, else the invited agencies among those they manage as head or secretary."""
    if can_manage_plan(person, klass.plan):
        return None
    managed = managed_agency_ids(person)
    return {a.id for a in klass.agencies if managed is None or a.id in managed}


def can_view_class(person: Person, klass) -> bool:
    ids = class_agency_ids(person, klass)
    return ids is None or bool(ids)


def can_edit_class_seats(person: Person, klass) -> bool:
    """Adding and removing people: the plan's managers while the class is open; a head or secretary
    of an invited agency for their own people, until the class's cut-off date."""
    if klass.closed:
        return False
    if can_manage_plan(person, klass.plan):
        return True
    return bool(class_agency_ids(person, klass)) and today() <= klass.cutoff_date


def sees_training(person: Person) -> bool:
    """The training menu: whoever plans, or heads an agency (their invitations)."""
    return can_plan_training(person) or sees_agencies(person)


# --- quiz statistics ------------------------------------------------------------------------

def can_view_item_analysis(person: Person) -> bool:
    """Per-question statistics of every quiz (the content authors' tool): DOST and admins."""
    return sees_whole_province(person)


def can_view_clause_report(person: Person) -> bool:
    """Weakness by clause: DOST and admins for the province, a head or secretary for their agencies."""
    return sees_agencies(person)



# --- certificates ---------------------------------------------------------------------------

def can_download_certificate(person: Person, certificate) -> bool:
    """One's own; or as DOST or admin; or as head, secretary or manager of the agency it was earned
    at, or of the agency that agency has become (merged, renamed)."""
    if certificate.person_id == person.id or sees_whole_province(person):
        return True
    if certificate.agency_id is None or not sees_agencies(person):
        return False
    if can_view_agency(person, certificate.agency_id):
        return True
    day = today()
    return certificate.agency_id in credited_sources(managed_agency_ids(person), day, lineage_graph(day))


def can_revoke_certificate(person: Person) -> bool:
    """Revoking a certificate (its completion stays): admins only."""
    return person.access_role == "admin"
