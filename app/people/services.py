"""People and their assignments: add, transfer, change roles, deactivate, change access. All audited.

A period's last day is the day before the next one starts. Roles belong to an assignment (an agency),
so they do not follow a person who moves. Every function flushes; the caller commits.
"""
from __future__ import annotations

from datetime import date, timedelta

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from app.accounts.models import ACCESS_ROLES, ASSIGNMENT_ROLES, Assignment, Person
from app.agencies.models import Agency
from app.audit.services import record
from app.core.dates import format_date
from app.core.text import text_problem
from app.extensions import db


class PeopleError(ValueError):
    """A change that cannot be made; the message is shown to the user."""


def agency_label(agency: Agency) -> str:
    return f"{agency.name} ({agency.code})"


def open_assignments(person: Person) -> list[Assignment]:
    """Assignments with no end date, oldest first (usually one)."""
    return [a for a in person.assignments if a.end_date is None]


def _clean_roles(roles) -> list[str]:
    unknown = set(roles) - set(ASSIGNMENT_ROLES)
    if unknown:
        raise PeopleError(_("Vai trò không hợp lệ: %(r)s.", r=", ".join(sorted(unknown))))
    return [r for r in ASSIGNMENT_ROLES if r in roles]


def _set_roles(assignment: Assignment, roles: list[str]) -> None:
    assignment.is_leader = "leader" in roles
    assignment.is_iso_secretary = "iso_secretary" in roles
    assignment.is_internal_auditor = "internal_auditor" in roles


def _open_agency(agency_id: int | None, day: date) -> Agency:
    agency = db.session.get(Agency, agency_id) if agency_id else None
    if agency is None:
        raise PeopleError(_("Không tìm thấy cơ quan đã chọn."))
    if not agency.is_active_on(day):
        raise PeopleError(_("%(a)s không hoạt động vào ngày %(d)s.", a=agency.name, d=format_date(day)))
    return agency


def _current_period(person: Person, assignment_id: int | None) -> Assignment:
    """The open assignment to change: the one chosen, or the only one."""
    periods = open_assignments(person)
    if assignment_id is not None:
        chosen = next((a for a in periods if a.id == assignment_id), None)
        if chosen is None:
            raise PeopleError(_("Phân công đã chọn không còn hiệu lực."))
        return chosen
    if not periods:
        raise PeopleError(_("%(p)s không có phân công nào đang hiệu lực.", p=person.full_name))
    if len(periods) > 1:
        raise PeopleError(_("%(p)s đang có nhiều phân công; hãy chọn phân công cần thay đổi.",
                            p=person.full_name))
    return periods[0]


def _not_before_start(period: Assignment, effective: date) -> None:
    if effective < period.start_date:
        raise PeopleError(_("Ngày hiệu lực %(d)s trước ngày bắt đầu của giai đoạn hiện tại (%(s)s).",
                            d=format_date(effective), s=format_date(period.start_date)))


def _successor(period: Assignment, agency: Agency, roles: list[str], effective: date) -> tuple[Assignment, bool]:
    """End `period` the day before `effective` and open the next one; on its first day, change it in
    place instead (a same-day correction leaves no one-day-long period behind). Returns (period, in_place)."""
    if effective == period.start_date:
        period.agency = agency
        _set_roles(period, roles)
        return period, True
    period.end_date = effective - timedelta(days=1)
    new = Assignment(person=period.person, agency=agency, start_date=effective)
    _set_roles(new, roles)
    db.session.add(new)
    return new, False


def _check_text(label: str, value: str, max_len: int = 255) -> None:
    """The rule import files follow, for what the people pages write (app/core/text.py)."""
    problem = text_problem(value, max_len)
    if problem:
        raise PeopleError(f"{label}: {problem}.")


def add_person(staff_code: str, full_name: str, *, email: str | None, agency_id: int, roles,
               start_date: date, actor: Person | None) -> Person:
    """A person without an account, assigned to an agency from `start_date`.

    Raises PeopleError for a taken staff code (in any letter case), an empty name, or an agency
    that is unknown or not active on the start date.
    """
    staff_code, full_name = staff_code.strip(), " ".join(full_name.split())
    if not staff_code or not full_name:
        raise PeopleError(_("Cần có mã công chức và họ tên."))
    _check_text(_("Họ và tên"), full_name, 200)
    _check_text(_("Mã công chức"), staff_code, 40)
    taken = db.session.scalar(select(Person).where(func.upper(Person.staff_code) == staff_code.upper()))
    if taken is not None:
        raise PeopleError(_("Mã công chức %(c)s đã được dùng cho %(p)s.", c=staff_code, p=taken.full_name))
    roles = _clean_roles(roles)
    agency = _open_agency(agency_id, start_date)
    person = Person(staff_code=staff_code, full_name=full_name, email=(email or "").strip() or None,
                    access_role="learner", active=True)
    try:
        with db.session.begin_nested():  # a concurrent insert of the same code loses kindly
            db.session.add(person)
            assignment = Assignment(person=person, agency=agency, start_date=start_date)
            _set_roles(assignment, roles)
            db.session.add(assignment)
    except IntegrityError as exc:
        raise PeopleError(_("Mã công chức %(c)s đã được dùng.", c=staff_code)) from exc
    record("person.create", actor=actor, target_type="person", target_id=person.id,
           target_label=person.label,
           details={"agency": agency_label(agency), "roles": [[], roles], "start_date": start_date.isoformat()})
    return person


def update_details(person: Person, *, full_name: str, email: str | None, actor: Person | None) -> None:
    """Correct the name or e-mail (a data-subject correction, for instance). Raises PeopleError if
    nothing changes."""
    full_name, email = " ".join(full_name.split()), (email or "").strip() or None
    if not full_name:
        raise PeopleError(_("Cần có họ tên."))
    _check_text(_("Họ và tên"), full_name, 200)
    changes = {key: [old, new] for key, old, new in
               (("full_name", person.full_name, full_name), ("email", person.email, email)) if old != new}
    if not changes:
        raise PeopleError(_("Không có gì thay đổi."))
    person.full_name, person.email = full_name, email
    db.session.flush()
    record("person.update", actor=actor, target_type="person", target_id=person.id,
           target_label=person.label, details=changes)


def transfer(person: Person, agency_id: int, effective_date: date, *, roles=(), actor: Person | None,
             assignment_id: int | None = None) -> Assignment:
    """Move a person to another agency from `effective_date`: the current period ends the day before
    and a new one starts there, with only the roles given (leader, ISO secretary… stay behind).

    A person with no open assignment (after reactivation) simply starts at the destination.
    Raises PeopleError for an inactive person, the same agency, a destination not active on that day,
    or an effective date before the current period's start (or inside an earlier period).
    Returns the new (or, on the period's first day, the corrected) assignment.
    """
    if not person.active:
        raise PeopleError(_("Tài khoản của %(p)s đang bị khóa; hãy mở lại trước.", p=person.full_name))
    roles = _clean_roles(roles)
    if not open_assignments(person) and assignment_id is None:
        destination = _open_agency(agency_id, effective_date)
        last_end = max((a.end_date for a in person.assignments), default=None)
        if last_end is not None and effective_date <= last_end:
            raise PeopleError(_("Ngày hiệu lực phải sau ngày kết thúc công tác gần nhất (%(d)s).",
                                d=format_date(last_end)))
        new = Assignment(person=person, agency=destination, start_date=effective_date)
        _set_roles(new, roles)
        db.session.add(new)
        db.session.flush()
        record("person.transfer", actor=actor, target_type="person", target_id=person.id,
               target_label=person.label,
               details={"agency": [None, agency_label(destination)], "roles": [[], roles],
                        "effective_date": effective_date.isoformat()})
        return new
    period = _current_period(person, assignment_id)
    if period.agency_id == agency_id:
        raise PeopleError(_("%(p)s đang công tác tại %(a)s.", p=person.full_name, a=period.agency.name))
    _not_before_start(period, effective_date)
    destination = _open_agency(agency_id, effective_date)
    before = {"agency": agency_label(period.agency), "roles": period.roles}
    new, in_place = _successor(period, destination, roles, effective_date)
    db.session.flush()
    details = {"agency": [before["agency"], agency_label(destination)], "roles": [before["roles"], roles],
               "effective_date": effective_date.isoformat()}
    if in_place:
        details["in_place"] = True
    record("person.transfer", actor=actor, target_type="person", target_id=person.id,
           target_label=person.label, details=details)
    return new


def change_roles(person: Person, roles, effective_date: date, *, actor: Person | None,
                 assignment_id: int | None = None) -> Assignment:
    """New QMS roles at the person's current agency from `effective_date` (the period before ends the
    day before; on the period's first day it is updated in place).

    Raises PeopleError for unchanged roles, no open assignment, an agency not active on that day, or
    an effective date before the current period's start. Returns the period now holding the roles.
    """
    roles = _clean_roles(roles)
    period = _current_period(person, assignment_id)
    if roles == period.roles:
        raise PeopleError(_("Vai trò không thay đổi."))
    _not_before_start(period, effective_date)
    agency = _open_agency(period.agency_id, effective_date)
    before = period.roles
    new, in_place = _successor(period, agency, roles, effective_date)
    db.session.flush()
    details = {"roles": [before, roles], "agency": agency_label(agency),
               "effective_date": effective_date.isoformat()}
    if in_place:
        details["in_place"] = True
    record("person.roles", actor=actor, target_type="person", target_id=person.id,
           target_label=person.label, details=details)
    return new


def deactivate(person: Person, end_date: date, *, actor: Person | None) -> int:
    """End every open assignment on `end_date` (its last working day) and lock the account.

    Unused invite links die with it. Raises PeopleError if the person is already inactive or an
    open assignment starts after `end_date`. Returns how many assignments were ended.
    """
    from app.accounts.invites import revoke_open_invites

    if not person.active:
        raise PeopleError(_("%(p)s đã bị khóa.", p=person.full_name))
    periods = open_assignments(person)
    for period in periods:
        if end_date < period.start_date:
            raise PeopleError(_("Ngày kết thúc %(d)s trước ngày bắt đầu công tác tại %(a)s (%(s)s).",
                                d=format_date(end_date), a=period.agency.name, s=format_date(period.start_date)))
    for period in periods:
        period.end_date = end_date
    person.active = False
    person.end_sessions()
    revoke_open_invites(person)
    db.session.flush()
    record("person.deactivate", actor=actor, target_type="person", target_id=person.id,
           target_label=person.label,
           details={"active": [True, False], "end_date": end_date.isoformat(),
                    "ended": "; ".join(agency_label(p.agency) for p in periods)})
    return len(periods)


def reactivate(person: Person, *, actor: Person | None) -> None:
    """Let the person sign in again (a new assignment is given with `transfer`). Raises PeopleError
    if already active."""
    if person.active:
        raise PeopleError(_("%(p)s đang hoạt động.", p=person.full_name))
    person.active = True
    db.session.flush()
    record("person.reactivate", actor=actor, target_type="person", target_id=person.id,
           target_label=person.label, details={"active": [False, True]})


def change_access_role(person: Person, role: str, *, actor: Person) -> None:
    """Set what the account may see (learner, agency_manager, dost, admin).

    Raises PeopleError for an unknown or unchanged role, or for changing one's own role (so the last
    administrator cannot lock everyone out by mistake).
    """
    if role not in ACCESS_ROLES:
        raise PeopleError(_("Quyền truy cập không hợp lệ."))
    if actor is not None and actor.id == person.id:
        raise PeopleError(_("Bạn không thể đổi quyền truy cập của chính mình."))
    if role == person.access_role:
        raise PeopleError(_("Quyền truy cập không thay đổi."))
    before = person.access_role
    person.access_role = role
    db.session.flush()
    record("person.access_role", actor=actor, target_type="person", target_id=person.id,
           target_label=person.label, details={"access_role": [before, role]})
