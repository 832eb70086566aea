"""The yearly training plan: in-person or live-online classes, who is invited, who attended."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Column, ForeignKey, Index, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.dates import utcnow
from app.extensions import db

CLASS_STATUSES = ("open", "closed")
SEAT_STATUSES = ("invited", "waiting")
ATTENDANCE = ("present", "absent", "excused")

#: the agencies whose people a class is for
class_agency = Table(
    "training_class_agency", db.metadata,
    Column("class_id", ForeignKey("training_class.id", ondelete="CASCADE"), primary_key=True),
    Column("agency_id", ForeignKey("agency.id"), primary_key=True),
)


class TrainingPlan(db.Model):
    """A year's training plan (kế hoạch đào tạo năm YYYY) of the province, or of one large agency."""

    __tablename__ = "training_plan"

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(index=True)
    title: Mapped[str] = mapped_column(String(255))
    #: the agency whose plan it is; empty for the province's plan (DOST)
    owner_agency_id: Mapped[int | None] = mapped_column(ForeignKey("agency.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))

    classes: Mapped[list[TrainingClass]] = relationship(
        back_populates="plan", order_by="(TrainingClass.start_date, TrainingClass.id)")
    owner_agency: Mapped["Agency | None"] = relationship()  # noqa: F821

    def __repr__(self) -> str:
        return f"<TrainingPlan {self.year} {self.title!r}>"


class TrainingClass(db.Model):
    """One class (lớp tập huấn) of a plan: a course taught on given days to the invited agencies."""

    __tablename__ = "training_class"
    __table_args__ = (
        CheckConstraint("end_date >= start_date", name="days"),
        CheckConstraint("capacity > 0", name="capacity"),
        CheckConstraint("status IN ('open', 'closed')", name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("training_plan.id"), index=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id"), index=True)
    title: Mapped[str] = mapped_column(String(255))
    start_date: Mapped[date]
    end_date: Mapped[date]
    #: "08:00 - 11:30" as the invitation prints it
    hours: Mapped[str] = mapped_column(String(60), default="")
    place: Mapped[str] = mapped_column(String(255), default="")
    online_url: Mapped[str] = mapped_column(String(500), default="")
    trainer: Mapped[str] = mapped_column(String(200), default="")
    capacity: Mapped[int]
    #: the last day heads and secretaries may add or remove their people
    cutoff_date: Mapped[date]
    #: whether the class ends with a test, whose score is recorded with the attendance
    has_test: Mapped[bool] = mapped_column(default=False)
    status: Mapped[str] = mapped_column(String(10), default="open")
    closed_at: Mapped[datetime | None]
    notes: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    plan: Mapped[TrainingPlan] = relationship(back_populates="classes")
    course: Mapped["Course"] = relationship()  # noqa: F821
    agencies: Mapped[list["Agency"]] = relationship(secondary=class_agency, order_by="Agency.code")  # noqa: F821

    @property
    def closed(self) -> bool:
        return self.status == "closed"

    def __repr__(self) -> str:
        return f"<TrainingClass {self.id} {self.start_date}>"


class ClassSeat(db.Model):
    """A person invited to a class (or waiting for a place), and whether they came."""

    __tablename__ = "class_seat"
    __table_args__ = (
        UniqueConstraint("class_id", "person_id", name="uq_class_seat"),
        CheckConstraint("status IN ('invited', 'waiting')", name="status"),
        CheckConstraint("attendance IS NULL OR attendance IN ('present', 'absent', 'excused')", name="attendance"),
        CheckConstraint("score IS NULL OR (score >= 0 AND score <= 100)", name="score"),
        # "is this person already in a class of the plan for this course": by person
        Index("ix_class_seat_person", "person_id", "class_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    class_id: Mapped[int] = mapped_column(ForeignKey("training_class.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    #: the invited agency the person was invited from, as it was then (it may be merged later)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), index=True)
    status: Mapped[str] = mapped_column(String(10), default="invited")
    #: place on the waiting list, and the order of the roster (lower first)
    position: Mapped[int] = mapped_column(default=0)
    attendance: Mapped[str | None] = mapped_column(String(10))
    score: Mapped[int | None]
    invited_at: Mapped[datetime] = mapped_column(default=utcnow)
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))

    training_class: Mapped[TrainingClass] = relationship()
    person: Mapped["Person"] = relationship(foreign_keys=[person_id])  # noqa: F821
    agency: Mapped["Agency"] = relationship()  # noqa: F821

    def __repr__(self) -> str:
        return f"<ClassSeat class={self.class_id} person={self.person_id} {self.status}>"
