"""Completions: immutable facts of training done, with the agency as it was at that moment."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.dates import utcnow
from app.extensions import db

SOURCES = ("online", "offline")


class Completion(db.Model):
    __tablename__ = "completion"
    __table_args__ = (
        CheckConstraint("source IN ('online', 'offline')", name="source"),
        CheckConstraint("score IS NULL OR (score >= 0 AND score <= 100)", name="score"),
        # the coverage report reads (course, person, day) for a few courses over every person
        Index("ix_completion_course_person_day", "course_id", "person_id", "completed_on"),
        # closing a class (again) records each person present once
        Index("uq_completion_class_person", "class_id", "person_id", unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id"), index=True)
    course_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("course_version.id"), index=True
    )
    #: local date (Asia/Ho_Chi_Minh) the course was completed
    completed_on: Mapped[date] = mapped_column(index=True)
    score: Mapped[int | None]
    source: Mapped[str] = mapped_column(String(10), default="online")
    #: the agency the person was assigned to at that moment, and its code and name as they were then
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agency.id"), index=True)
    agency_code: Mapped[str | None] = mapped_column(String(40))
    agency_name: Mapped[str | None] = mapped_column(String(255))
    #: the passing attempt; unique so a double submit cannot record a second completion
    attempt_id: Mapped[int | None] = mapped_column(ForeignKey("quiz_attempt.id"), unique=True)
    #: the class whose attendance it records (source offline), if any
    class_id: Mapped[int | None] = mapped_column(ForeignKey("training_class.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    person: Mapped["Person"] = relationship()  # noqa: F821
    course: Mapped["Course"] = relationship()  # noqa: F821
    agency: Mapped["Agency | None"] = relationship()  # noqa: F821

    def __repr__(self) -> str:
        return f"<Completion person={self.person_id} course={self.course_id} {self.completed_on}>"


class CompletionIsImmutable(Exception):
    """Raised when code tries to change or delete a recorded completion."""


@event.listens_for(Completion, "before_update")
def _refuse_update(_mapper, _connection, target: Completion) -> None:
    raise CompletionIsImmutable(f"completion {target.id} cannot be changed")


@event.listens_for(Completion, "before_delete")
def _refuse_delete(_mapper, _connection, target: Completion) -> None:
    raise CompletionIsImmutable(f"completion {target.id} cannot be deleted")
