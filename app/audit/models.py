"""Audit events: append-only records of changes to people, agencies and imported data."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.dates import utcnow
from app.extensions import db


class AuditEvent(db.Model):
    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    #: the signed-in person who did it; empty for a command run on the server
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), index=True)
    #: the actor's name (or "CLI") as it was, so the log reads the same after renames
    actor_label: Mapped[str] = mapped_column(String(200))
    #: what happened, e.g. import.staff, lineage.merge, person.transfer, person.roles, password.reset
    action: Mapped[str] = mapped_column(String(40), index=True)
    target_type: Mapped[str] = mapped_column(String(40))
    target_id: Mapped[int | None]
    target_label: Mapped[str] = mapped_column(String(255), default="")
    #: what changed: {"field": [before, after], ...} or counts for an import
    details: Mapped[dict] = mapped_column(JSON, default=dict)

    actor: Mapped["Person | None"] = relationship()  # noqa: F821

    def __repr__(self) -> str:
        return f"<AuditEvent {self.action} {self.target_type}:{self.target_id}>"
