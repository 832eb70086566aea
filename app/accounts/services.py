"""Account operations shared by the views and the CLI."""
from __future__ import annotations

import secrets
from datetime import date

from flask import current_app
from sqlalchemy import func, select
from werkzeug.security import check_password_hash, generate_password_hash

from app.accounts.models import ACCESS_ROLES, Assignment, Person
from app.agencies.models import Agency
from app.core.dates import today
from app.core.text import text_problem
from app.extensions import db


class AccountError(ValueError):
    """A request that cannot be carried out; the message is shown to the user."""


_DUMMY_HASHES: dict[str, str] = {}


def _dummy_hash() -> str:
    """A hash of nothing anyone types, made with the configured method (once per process)."""
    method = current_app.config.get("PASSWORD_HASH_METHOD", "scrypt")
    if method not in _DUMMY_HASHES:
        _DUMMY_HASHES[method] = generate_password_hash(secrets.token_hex(16), method=method)
    return _DUMMY_HASHES[method]


def authenticate(username: str, password: str) -> Person | None:
    """The active person with this username and password, or None.

    A password is always checked against a hash, the person's or a dummy one, so that an unknown
    username takes as long to refuse as a wrong password: the timing tells nobody who has an account."""
    person = db.session.scalar(select(Person).where(func.lower(Person.username) == username.strip().lower()))
    stored = person.password_hash if person is not None and person.password_hash else None
    matches = check_password_hash(stored or _dummy_hash(), password)
    if stored is None or not matches or not person.active:
        return None
    return person


def create_account(username: str, password: str, role: str, *, full_name: str | None = None,
                   staff_code: str | None = None, agency_code: str | None = None,
                   start: date | None = None) -> Person:
    """Create an account (and, with agency_code, a current assignment there). Flushes.

    Raises AccountError for an unknown role or agency, a taken username or staff code, or a short
    password.
    """
    if role not in ACCESS_ROLES:
        raise AccountError(f"unknown role '{role}' (use {', '.join(ACCESS_ROLES)})")
    if len(password) < 8:
        raise AccountError("the password needs at least 8 characters")
    if full_name is not None:
        full_name = " ".join(full_name.split())
        problem = text_problem(full_name, 200)
        if problem:
            raise AccountError(f"--name: {problem}")
    if db.session.scalar(select(Person.id).where(func.lower(Person.username) == username.lower())):
        raise AccountError(f"username '{username}' is taken")
    staff_code = staff_code or username.upper()
    if db.session.scalar(select(Person.id).where(Person.staff_code == staff_code)):
        raise AccountError(f"staff code '{staff_code}' is taken")
    agency = None
    if agency_code:
        agency = db.session.scalar(select(Agency).where(Agency.code == agency_code))
        if agency is None:
            raise AccountError(f"unknown agency code '{agency_code}'")
    person = Person(staff_code=staff_code, full_name=full_name or username, username=username,
                    access_role=role, active=True)
    person.set_password(password)
    db.session.add(person)
    if agency is not None:
        db.session.add(Assignment(person=person, agency=agency, start_date=start or today()))
    db.session.flush()
    return person
