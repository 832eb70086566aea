"""A certificate: one per completion, keeping what it printed so that later renames change nothing."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.dates import utcnow
from app.extensions import db


class Certificate(db.Model):
    __tablename__ = "certificate"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: the verification code, as printed ('K7QX-M2PD-9HTW-ZR4C')
    code: Mapped[str] = mapped_column(String(19), unique=True)
    completion_id: Mapped[int] = mapped_column(ForeignKey("completion.id"), unique=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    #: the agency of the completion (who may download it), and the printed facts as of issue
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agency.id"), index=True)
    full_name: Mapped[str] = mapped_column(String(255))
    agency_name: Mapped[str | None] = mapped_column(String(255))
    course_code: Mapped[str] = mapped_column(String(40))
    course_title: Mapped[str] = mapped_column(String(255))
    completed_on: Mapped[date]
    score: Mapped[int | None]
    #: last day it is valid, when the course's obligation recurs (the yearly refresher: 31/12)
    valid_until: Mapped[date | None]
    issuing_body: Mapped[str] = mapped_column(String(255))
    issuing_parent: Mapped[str] = mapped_column(String(255))
    issued_on: Mapped[date]
    issued_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None]
    revoked_reason: Mapped[str | None] = mapped_column(Text)
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), index=True)

    completion: Mapped["Completion"] = relationship()  # noqa: F821

    def status(self, day: date) -> str:
        """revoked, expired (its validity ended before `day`) or valid."""
        if self.revoked_at is not None:
            return "revoked"
        if self.valid_until is not None and self.valid_until < day:
            return "expired"
        return "valid"

    def __repr__(self) -> str:
        return f"<Certificate {self.code}>"
