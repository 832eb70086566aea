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
COMMIT_EVERY = 20


class MailServerDown(RuntimeError):
    """The SMTP server could not be reached at all; nothing was sent in this run."""


@dataclass
class SendReport:
    sent: int = 0
    failed: int = 0  # failed this time, to be tried again
    given_up: int = 0  # failed for the last time
    errors: list[str] = field(default_factory=list)


def build_message(n) -> EmailMessage:
    """The mail for a notification (or a row with its columns): plain text and HTML, UTF-8 headers,
    an unsubscribe link."""
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


_COLUMNS = (Notification.id, Notification.person_id, Notification.email, Notification.title,
            Notification.body_text, Notification.body_html, Notification.optional, Notification.attachment,
            Notification.attachment_name, Notification.attempts)


def _claim(now: datetime, limit: int | None) -> list:
    """Mark the mail that is due as this run's (one UPDATE, so two runs never take the same row) and
    return it as plain rows: no ORM objects for commits to expire, whatever the number of messages."""
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
    return db.session.execute(select(*_COLUMNS).where(Notification.claim == token).order_by(Notification.id)).all()


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


def _record(row_id: int, **values) -> None:
    db.session.execute(update(Notification).where(Notification.id == row_id).values(claim=None, **values)
                       .execution_options(synchronize_session=False))


def _failed(n, error: str, now: datetime) -> bool:
    """Record a failed try; True if it was the last one allowed."""
    attempts = n.attempts + 1
    if attempts >= current_app.config["MAIL_MAX_ATTEMPTS"]:
        _record(n.id, attempts=attempts, last_error=error[:500], mail_status="failed", next_attempt_at=None)
        return True
    _record(n.id, attempts=attempts, last_error=error[:500], mail_status="pending",
            next_attempt_at=now + FIRST_RETRY * 2 ** (attempts - 1))  # 30 min, 1 h, 2 h, 4 h …
    return False


def send_pending(now: datetime | None = None, limit: int | None = None) -> SendReport:
    """Send every queued message that is due, over one connection. What was sent is committed every
    COMMIT_EVERY messages (a run that dies re-sends at most that many once its claim goes stale).
    Raises MailServerDown (after recording the failed try on the messages it had taken) when the
    server cannot be reached or the connection breaks."""
    now = now or utcnow()
    report = SendReport()
    rows = _claim(now, limit)
    if not rows:
        return report
    try:
        smtp = _connect()
    except MailServerDown as exc:
        for n in rows:
            report.given_up += _failed(n, str(exc), now)
        db.session.commit()
        raise
    sent: list[int] = []

    def flush_sent() -> None:
        """Record the messages sent since the last commit (one UPDATE) and commit."""
        if sent:
            db.session.execute(update(Notification).where(Notification.id.in_(sent)).values(
                mail_status="sent", sent_at=now, last_error=None, claim=None, attempts=Notification.attempts + 1,
            ).execution_options(synchronize_session=False))
            sent.clear()
        db.session.commit()

    try:
        for index, n in enumerate(rows, start=1):
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
                for rest in rows[index - 1:]:
                    report.given_up += _failed(rest, error, now)
                flush_sent()
                raise MailServerDown(error) from exc
            else:
                sent.append(n.id)
                report.sent += 1
            if index % COMMIT_EVERY == 0:
                flush_sent()
        flush_sent()
    finally:
        try:
            smtp.quit()
        except (OSError, smtplib.SMTPException, socket.timeout):
            pass
    return report
