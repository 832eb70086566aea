"""Who may see what. Every access rule of the application lives in this module."""
from __future__ import annotations

from functools import wraps

from flask import abort, g, has_request_context
from flask_login import current_user, login_required
from sqlalchemy import select

from app.accounts.models import Person
from app.agencies.models import Agency
from app.core.dates import today
from app.extensions import db

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
    tree = select(Agency.id).where(Agency.id.in_(roots)).cte("managed", recursive=True)
    tree = tree.union_all(select(Agency.id).where(Agency.parent_id == tree.c.id))
    return set(db.session.scalars(select(tree.c.id)))


def can_view_agency(person: Person, agency_id: int) -> bool:
    ids = managed_agency_ids(person)
    return ids is None or agency_id in ids


def sees_agencies(person: Person) -> bool:
    """Whether the person may look into at least one agency (menu, agency and report pages)."""
    return managed_agency_ids(person) != set()


def can_view_reports(person: Person) -> bool:
    """DOST and admins see the province; managers see their own part of it."""
    return sees_agencies(person)


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
