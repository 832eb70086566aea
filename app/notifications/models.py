"""Notifications: what the platform told a person, in the app and by mail, and how the mail went."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, LargeBinary, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.dates import utcnow
from app.extensions import db

MAIL_STATUSES = ("none", "pending", "sending", "sent", "failed")
#: mail still to send (or being sent). Written as literal SQL so that the queue query carries the
#: partial index's own condition: SQLite uses a partial index only for a query that repeats it.
QUEUED = text("mail_status IN ('pending', 'sending')")
FAILED = text("last_error IS NOT NULL")


class Notification(db.Model):
    """One message to one person. The unique key (person, kind, subject, period) is the ledger that
    makes `notify run` safe to repeat: a second run, or a run on another host, inserts nothing new."""

    __tablename__ = "notification"
    __table_args__ = (
        UniqueConstraint("person_id", "kind", "subject", "period", name="uq_notification_once"),
        CheckConstraint("mail_status IN ('none', 'pending', 'sending', 'sent', 'failed')", name="mail_status"),
        Index("ix_notification_unread", "person_id", "read_at"),
        # the sender claims the next messages in id order: without this it walks past every message
        # already sent, each chunk (0.46 s a chunk once 50,000 of 227,000 were sent, on PostgreSQL)
        Index("ix_notification_mail_due", "id", postgresql_where=QUEUED, sqlite_where=QUEUED),
        # the administrators' daily summary of failures
        Index("ix_notification_mail_errors", "id", postgresql_where=FAILED, sqlite_where=FAILED),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    #: start | due_soon | due_today | overdue (learner reminders), agency_digest, province_digest, failures,
    #: class_invite
    kind: Mapped[str] = mapped_column(String(30))
    #: what it is about: "onboarding:ISO-01:2026-11-02" (rule, course, start), "agency:12", "province"
    subject: Mapped[str] = mapped_column(String(120))
    #: which occurrence: "once", an ISO week "2026-W49", a month "2026-12" or a day "2026-12-06"
    period: Mapped[str] = mapped_column(String(20))
    language: Mapped[str] = mapped_column(String(5), default="vi")
    title: Mapped[str] = mapped_column(String(255))
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    #: the page the notification leads to, relative to the site ("/courses/ISO-01/")
    link: Mapped[str] = mapped_column(String(255), default="/")
    #: digests may be turned off; learner reminders may only be reduced to weekly
    optional: Mapped[bool] = mapped_column(default=False)
    #: the day (in Vietnam) the run that created it planned for
    planned_for: Mapped[date]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[datetime | None]

    #: the address it is mailed to; empty: shown in the app only
    email: Mapped[str | None] = mapped_column(String(254))
    mail_status: Mapped[str] = mapped_column(String(10), default="none")
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime | None]
    #: the run that is sending it now (two hosts never send the same message)
    claim: Mapped[str | None] = mapped_column(String(36))
    claimed_at: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(String(500))
    attachment: Mapped[bytes | None] = mapped_column(LargeBinary)
    attachment_name: Mapped[str | None] = mapped_column(String(120))

    person: Mapped["Person"] = relationship()  # noqa: F821

    def __repr__(self) -> str:
        return f"<Notification {self.kind} {self.subject} {self.period} → {self.person_id}>"
