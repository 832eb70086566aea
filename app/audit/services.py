"""Writing to the audit log. Every service that changes people, agencies or records calls `record`."""
from __future__ import annotations

from app.audit.models import AuditEvent
from app.extensions import db


def record(action: str, *, actor=None, target_type: str, target_id: int | None = None,
           target_label: str = "", details: dict | None = None) -> AuditEvent:
    """Add an audit event in the caller's transaction (it is committed, or rolled back, with the change).

    `actor` is the Person who acted, or None for a server command (logged as "CLI").
    """
    event = AuditEvent(actor_id=actor.id if actor is not None else None,
                       actor_label=actor.full_name if actor is not None else "CLI",
                       action=action, target_type=target_type, target_id=target_id,
                       target_label=target_label[:255], details=details or {})
    db.session.add(event)
    return event
