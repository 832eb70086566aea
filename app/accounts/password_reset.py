"""“Quên mật khẩu”: a person asks, by username or email, for a link to set a new password, and it is
mailed to the address on their record. Whoever asks gets the same answer whether or not the account
exists, and the same wait: the lookup and the link are made in the request, the mail goes out from a
thread after the answer (the plain link is kept nowhere but in the mail). One link per person per
RESET_MAIL_INTERVAL_MINUTES: asking again meanwhile sends nothing, so nobody can flood an inbox."""
from __future__ import annotations

import threading
from datetime import timedelta
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from flask import Flask, current_app, render_template
from flask_babel import force_locale
from sqlalchemy import func, or_, select

from app.accounts.invites import create_invite, invite_url
from app.accounts.models import Invite, Person
from app.core.dates import utcnow
from app.extensions import db
from app.notifications.mail import _connect, _quit


def mail_configured() -> bool:
    return bool(current_app.config["MAIL_SERVER"])


def _asked_recently(person: Person) -> bool:
    since = utcnow() - timedelta(minutes=current_app.config["RESET_MAIL_INTERVAL_MINUTES"])
    return db.session.scalar(select(func.count(Invite.id)).where(
        Invite.person_id == person.id, Invite.purpose == "reset", Invite.created_by_id == person.id,
        Invite.created_at > since)) > 0


def request_reset(identifier: str) -> tuple[Person, str] | None:
    """The person and a fresh reset token when `identifier` (a username, or the email on the record)
    names exactly one active account with an email that has not asked in the last interval; else
    None. Flushes (the link and its audit event, with the person as actor)."""
    key = identifier.strip().lower()
    if not key:
        return None
    people = db.session.scalars(select(Person).where(
        Person.active.is_(True), Person.password_hash.is_not(None), Person.email.is_not(None),
        or_(func.lower(Person.username) == key, func.lower(Person.email) == key))).all()
    if len(people) != 1 or _asked_recently(people[0]):  # an email shared by two people names nobody
        return None
    person = people[0]
    return person, create_invite(person, "reset", actor=person)


def _message(person: Person, url: str) -> EmailMessage:
    config = current_app.config
    with force_locale(person.language or "vi"):
        values = {"person": person, "url": url, "days": config["INVITE_VALID_DAYS"]}
        subject = render_template("accounts/mail/reset_subject.txt", **values).strip()
        text = render_template("accounts/mail/reset.txt", **values)
        html = render_template("accounts/mail/reset.html", **values)
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = config["MAIL_DEFAULT_SENDER"]
    message["To"] = person.email
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain="htqlcl")
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    return message


def send_later(app: Flask, person: Person, token: str) -> threading.Thread:
    """Mail the link from a thread, after the answer has gone; a failure is logged (the person can ask
    again). Returns the thread (tests wait for it)."""
    message = _message(person, invite_url(token))

    def send() -> None:
        with app.app_context():
            try:
                smtp = _connect(app.config)
                try:
                    smtp.send_message(message)
                finally:
                    _quit(smtp)
            except Exception:  # noqa: BLE001 (nothing to answer to: the request is over)
                app.logger.exception("password reset mail to person %s not sent", person.id)

    thread = threading.Thread(target=send, name="reset-mail", daemon=True)
    thread.start()
    return thread
