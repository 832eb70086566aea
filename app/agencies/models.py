"""Agencies: effective-dated, never deleted; they end (valid_to) when merged, split or dissolved."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.dates import utcnow
from app.extensions import db

LINEAGE_EVENTS = ("merge", "absorb", "split", "rename", "dissolve")


class Agency(db.Model):
    __tablename__ = "agency"
    __table_args__ = (
        CheckConstraint("valid_to IS NULL OR valid_to >= valid_from", name="valid_period"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(255))
    #: a code of app.agencies.types.AGENCY_TYPES
    type: Mapped[str] = mapped_column(String(40))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("agency.id"), index=True)
    valid_from: Mapped[date]
    #: last day the agency existed; empty while it still exists
    valid_to: Mapped[date | None]
    in_iso_scope: Mapped[bool] = mapped_column(default=True)

    parent: Mapped[Agency | None] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list[Agency]] = relationship(back_populates="parent")
    assignments: Mapped[list["Assignment"]] = relationship(back_populates="agency")  # noqa: F821

    def is_active_on(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)

    def __repr__(self) -> str:
        return f"<Agency {self.code}>"


class LineageEvent(db.Model):
    """One edge of the agency lineage graph: a predecessor ended on the day before `effective_date`
    and (except for a dissolution) a successor took over its people from that day."""

    __tablename__ = "agency_lineage"
    __table_args__ = (
        CheckConstraint("event IN ('merge', 'absorb', 'split', 'rename', 'dissolve')", name="event"),
        CheckConstraint("(event = 'dissolve') = (successor_id IS NULL)", name="successor"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event: Mapped[str] = mapped_column(String(10))
    predecessor_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), index=True)
    successor_id: Mapped[int | None] = mapped_column(ForeignKey("agency.id"), index=True)
    #: first day of the successor; the predecessor's last day is the day before
    effective_date: Mapped[date]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), index=True)

    predecessor: Mapped[Agency] = relationship(foreign_keys=[predecessor_id])
    successor: Mapped[Agency | None] = relationship(foreign_keys=[successor_id])

    def __repr__(self) -> str:
        return f"<LineageEvent {self.event} {self.predecessor_id}->{self.successor_id} {self.effective_date}>"
