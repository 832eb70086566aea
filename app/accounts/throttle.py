"""Throttling sign-in per account: after LOGIN_FAILURE_LIMIT refusals for one username within
LOGIN_FAILURE_WINDOW_MINUTES, that username cannot sign in, even with the right password, until the
oldest of those failures leaves the window or an administrator lifts the lock.

The failures are rows in the database, so every worker and host counts the same ones. A username is
counted as typed (folded to lower case) whether or not an account has it: a lock on an unknown name
looks exactly like a lock on a real one, so the answers tell nobody which accounts exist."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import delete, func, select

from app.accounts.models import LoginFailure, Person
from app.audit.services import record
from app.core.dates import as_utc, utcnow
from app.extensions import db


def _key(username: str) -> str:
    return username.strip().lower()[:80]


def _window() -> timedelta:
    return timedelta(minutes=current_app.config["LOGIN_FAILURE_WINDOW_MINUTES"])


@dataclass(frozen=True)
class Lock:
    failures: int
    #: when the username may try again (the oldest counted failure leaves the window)
    until: datetime


def lock_of(username: str, now: datetime | None = None) -> Lock | None:
    """The lock on this username now, or None while it may try to sign in (one statement)."""
    now = now or utcnow()
    count, oldest = db.session.execute(
        select(func.count(LoginFailure.id), func.min(LoginFailure.failed_at))
        .where(LoginFailure.username == _key(username), LoginFailure.failed_at > now - _window())
    ).one()
    if count < current_app.config["LOGIN_FAILURE_LIMIT"]:
        return None
    return Lock(failures=count, until=as_utc(oldest) + _window())


def record_failure(username: str, address: str | None) -> None:
    """Count one refused sign-in; forget this username's failures that have left the window. Flushes."""
    now = utcnow()
    key = _key(username)
    db.session.execute(delete(LoginFailure).where(LoginFailure.username == key,
                                                  LoginFailure.failed_at <= now - _window()))
    db.session.add(LoginFailure(username=key, failed_at=now, address=(address or "")[:64] or None))
    db.session.flush()


def clear(username: str) -> None:
    """A successful sign-in starts the count again. Flushes."""
    db.session.execute(delete(LoginFailure).where(LoginFailure.username == _key(username)))
    db.session.flush()


def lift(person: Person, actor: Person | None) -> int:
    """An administrator lifts the lock on a person's username; returns how many failures were
    forgotten (0: there was nothing to lift, and nothing is logged). Flushes."""
    if not person.username:
        return 0
    forgotten = db.session.execute(
        delete(LoginFailure).where(LoginFailure.username == _key(person.username))).rowcount or 0
    if forgotten:
        record("login.unlock", actor=actor, target_type="person", target_id=person.id,
               target_label=person.label, details={"failures": forgotten})
    db.session.flush()
    return forgotten
