"""Sending the queued mail over SMTP: claim, send, record; failures are retried with backoff."""
from __future__ import annotations

import smtplib
import socket
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import make_msgid

from flask import current_app
from sqlalchemy import or_, select, update

from app.core.dates import utcnow
from app.extensions import db
from app.notifications.models import Notification
from app.notifications.unsubscribe import unsubscribe_url

#: a claim older than this belongs to a run that died; its messages are sent again
STALE_CLAIM = timedelta(hours=1)
FIRST_RETRY = timedelta(minutes=30)


class MailServerDown(RuntimeError):
    """The SMTP server could not be reached at all; nothing was sent in this run."""


@dataclass
class SendReport:
    sent: int = 0
    failed: int = 0  # failed this time, to be tried again
    given_up: int = 0  # failed for the last time
    errors: list[str] = field(default_factory=list)


def build_message(n: Notification) -> EmailMessage:
    """The mail for a notification: plain text and HTML, UTF-8 headers, an unsubscribe link."""
    config = current_app.config
    message = EmailMessage()
    message["From"] = config["MAIL_DEFAULT_SENDER"]
    message["To"] = n.email
    message["Subject"] = n.title
    message["Message-ID"] = make_msgid(idstring=f"n{n.id}", domain="htqlcl")
    link = unsubscribe_url(n.person_id, "digest" if n.optional else "reminders")
    message["List-Unsubscribe"] = f"<{link}>"
    message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message.set_content(n.body_text)
    message.add_alternative(n.body_html, subtype="html")
    if n.attachment:
        message.add_attachment(n.attachment, maintype="application",
                               subtype="vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                               filename=n.attachment_name or "bao-cao.xlsx")
    return message


def _claim(now: datetime, limit: int | None) -> tuple[str, list[Notification]]:
    """Mark the mail that is due as this run's (one UPDATE, so two runs never take the same row)."""
    token = str(uuid.uuid4())
    due = select(Notification.id).where(
        or_(Notification.mail_status == "pending",
            (Notification.mail_status == "sending") & (Notification.claimed_at < now - STALE_CLAIM)),
        or_(Notification.next_attempt_at.is_(None), Notification.next_attempt_at <= now),
    ).order_by(Notification.id)
    if limit:
        due = due.limit(limit)
    db.session.execute(
        update(Notification)
        .where(Notification.id.in_(due.scalar_subquery()),
               or_(Notification.mail_status == "pending", Notification.claimed_at < now - STALE_CLAIM))
        .values(mail_status="sending", claim=token, claimed_at=now)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    rows = list(db.session.scalars(select(Notification).where(Notification.claim == token).order_by(Notification.id)))
    return token, rows


def _connect() -> smtplib.SMTP:
    config = current_app.config
    try:
        smtp = smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=config["MAIL_TIMEOUT"])
        if config["MAIL_USE_TLS"]:
            smtp.starttls()
        if config["MAIL_USERNAME"]:
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
    except (OSError, smtplib.SMTPException) as exc:
        raise MailServerDown(f"cannot reach the mail server {config['MAIL_SERVER']}:{config['MAIL_PORT']}: {exc}") from exc
    return smtp


def _failed(n: Notification, error: str, now: datetime) -> bool:
    """Record a failed try; True if it was the last one allowed."""
    n.attempts += 1
    n.last_error = error[:500]
    n.claim = None
    if n.attempts >= current_app.config["MAIL_MAX_ATTEMPTS"]:
        n.mail_status = "failed"
        n.next_attempt_at = None
        return True
    n.mail_status = "pending"
    n.next_attempt_at = now + FIRST_RETRY * 2 ** (n.attempts - 1)  # 30 min, 1 h, 2 h, 4 h …
    return False


def send_pending(now: datetime | None = None, limit: int | None = None) -> SendReport:
    """Send every queued message that is due. Commits after each message, so what was sent stays
    recorded if the run dies. Raises MailServerDown (after recording the failed try on the messages
    it had taken) when the server cannot be reached."""
    now = now or utcnow()
    report = SendReport()
    _token, rows = _claim(now, limit)
    if not rows:
        return report
    try:
        smtp = _connect()
    except MailServerDown as exc:
        for n in rows:
            report.given_up += _failed(n, str(exc), now)
        db.session.commit()
        raise
    try:
        for n in rows:
            try:
                smtp.send_message(build_message(n))
            except (smtplib.SMTPRecipientsRefused, smtplib.SMTPDataError, smtplib.SMTPSenderRefused) as exc:
                report.errors.append(f"{n.email}: {exc}")
                if _failed(n, str(exc), now):
                    report.given_up += 1
                else:
                    report.failed += 1
            except (OSError, smtplib.SMTPException) as exc:  # the connection broke: retry the rest later
                error = f"connection lost: {exc}"
                for rest in rows[rows.index(n):]:
                    report.given_up += _failed(rest, error, now)
                db.session.commit()
                raise MailServerDown(error) from exc
            else:
                n.mail_status, n.sent_at, n.claim, n.last_error = "sent", now, None, None
                n.attempts += 1
                report.sent += 1
            db.session.commit()
    finally:
        try:
            smtp.quit()
        except (OSError, smtplib.SMTPException, socket.timeout):
            pass
    return report
