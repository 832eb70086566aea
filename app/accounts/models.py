"""People (who are also the accounts) and their dated assignments to agencies."""
from __future__ import annotations

from datetime import date, datetime

from flask import current_app
from flask_login import UserMixin
from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Index, String, Text
from sqlalchemy import false as sa_false
from sqlalchemy import true as sa_true
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from app.core.dates import utcnow
from app.extensions import db

ACCESS_ROLES = ("learner", "agency_manager", "dost", "admin")
ASSIGNMENT_ROLES = ("leader", "iso_secretary", "internal_auditor")


class Person(UserMixin, db.Model):
    """A civil servant. Only the personal data the training record needs: no ID number, no birth date."""

    __tablename__ = "person"
    __table_args__ = (
        CheckConstraint(
            "access_role IN ('learner', 'agency_manager', 'dost', 'admin')", name="access_role"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_code: Mapped[str] = mapped_column(String(40), unique=True)
    full_name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(254))
    #: login name; empty for people who were imported but never given an account
    username: Mapped[str | None] = mapped_column(String(80), unique=True)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    #: what the account may see beyond the person's own data (see app.policy)
    access_role: Mapped[str] = mapped_column(String(20), default="learner")
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: the language of the mail and notifications the person gets (the last one chosen when signed in)
    language: Mapped[str] = mapped_column(String(5), default="vi", server_default="vi")
    #: weekly digests by mail; the person may turn them off
    digest_mail: Mapped[bool] = mapped_column(default=True, server_default=sa_true())
    #: reminders of what the person owes cannot be turned off, only reduced to one a week
    reminders_weekly: Mapped[bool] = mapped_column(default=False, server_default=sa_false())

    #: a session is valid only while it carries this number: changing the password, being
    #: deactivated or signing out raises it, which ends every session of the person at once
    session_generation: Mapped[int] = mapped_column(default=0, server_default="0")
    #: full name, username, staff code and email folded (lower case, no diacritics, đ as d), so that
    #: "nguyen" finds "Nguyễn"; filled on every write by app.people.naming
    search_name: Mapped[str] = mapped_column(Text, default="", server_default="", index=True)
    #: the Vietnamese sort key of the full name, given name first (app.core.vnsort.name_key), compared
    #: by code point (collation "C" on PostgreSQL, see migration 0012)
    sort_name: Mapped[str] = mapped_column(Text, default="", server_default="", index=True)

    assignments: Mapped[list[Assignment]] = relationship(
        back_populates="person", order_by="Assignment.start_date"
    )

    def set_password(self, password: str) -> None:
        """A new password; the sessions opened with the old one end."""
        method = current_app.config.get("PASSWORD_HASH_METHOD", "scrypt")
        self.password_hash = generate_password_hash(password, method=method)
        self.end_sessions()

    def end_sessions(self) -> None:
        """Every session of this person ends at its next request."""
        self.session_generation = (self.session_generation or 0) + 1

    def check_password(self, password: str) -> bool:
        return bool(self.password_hash) and check_password_hash(self.password_hash, password)

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive accounts
        return self.active

    @property
    def label(self) -> str:
        """Name and staff code, as the audit log and messages name a person."""
        return f"{self.full_name} ({self.staff_code})"

    def current_assignments(self, day: date) -> list[Assignment]:
        return [a for a in self.assignments if a.covers(day)]

    def __repr__(self) -> str:
        return f"<Person {self.staff_code}>"


class Assignment(db.Model):
    """A period during which a person works at an agency, with the QMS roles held there."""

    __tablename__ = "assignment"
    __table_args__ = (
        CheckConstraint("end_date IS NULL OR end_date >= start_date", name="period"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), index=True)
    is_leader: Mapped[bool] = mapped_column(default=False)
    is_iso_secretary: Mapped[bool] = mapped_column(default=False)
    is_internal_auditor: Mapped[bool] = mapped_column(default=False)
    start_date: Mapped[date]
    #: last working day at the agency; empty while current
    end_date: Mapped[date | None]

    person: Mapped[Person] = relationship(back_populates="assignments")
    agency: Mapped["Agency"] = relationship(back_populates="assignments")  # noqa: F821

    @property
    def roles(self) -> list[str]:
        flags = (self.is_leader, self.is_iso_secretary, self.is_internal_auditor)
        return [role for role, held in zip(ASSIGNMENT_ROLES, flags) if held]

    def covers(self, day: date) -> bool:
        return self.start_date <= day and (self.end_date is None or day <= self.end_date)

    def __repr__(self) -> str:
        return f"<Assignment {self.person_id}@{self.agency_id} {self.start_date}..{self.end_date}>"


class Invite(db.Model):
    """A one-time link to set a password: the first one (invite) or a new one (reset by an admin).

    Only a hash of the token is stored; the link is shown once, to whoever created it.
    """

    __tablename__ = "invite"
    __table_args__ = (CheckConstraint("purpose IN ('invite', 'reset')", name="purpose"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    purpose: Mapped[str] = mapped_column(String(10), default="invite")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), index=True)

    person: Mapped[Person] = relationship(foreign_keys=[person_id])

    def __repr__(self) -> str:
        return f"<Invite {self.purpose} person={self.person_id}>"


class LoginFailure(db.Model):
    """One refused sign-in for a username (typed, folded to lower case; it need not exist).

    Kept in the database so that every worker and host counts the same failures; rows older than
    the throttling window are deleted as new ones come in, and a successful sign-in clears them."""

    __tablename__ = "login_failure"
    __table_args__ = (Index("ix_login_failure_username_failed_at", "username", "failed_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80))
    failed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    #: the client address the failure came from, for the administrator who lifts a lock
    address: Mapped[str | None] = mapped_column(String(64))
