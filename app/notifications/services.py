"""`notify run`: plan what is owed today, record it once in the ledger, then send the mail."""
from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime

from flask import current_app
from sqlalchemy import func, select, update
from sqlalchemy.dialects import postgresql, sqlite

from app.core.dates import utcnow
from app.coverage.rules import current_rules
from app.extensions import db
from app.notifications.compose import Composer
from app.notifications.digests import OwedIndex, digest_drafts
from app.notifications.mail import MailServerDown, SendReport, send_pending
from app.notifications.models import Notification
from app.notifications.reminders import Draft, learner_drafts

BATCH = 500


@dataclass
class RunReport:
    #: notifications planned (not yet in the ledger), by kind
    planned: Counter = field(default_factory=Counter)
    created: int = 0
    mail: SendReport | None = None
    #: why no mail could be sent in this run (the server was down), if so
    mail_error: str | None = None


def _insert_once(rows: list[dict]) -> int:
    """Insert the rows the ledger does not hold yet; a row another run inserted first is skipped."""
    if not rows:
        return 0
    dialect = postgresql if db.engine.dialect.name == "postgresql" else sqlite
    statement = dialect.insert(Notification).on_conflict_do_nothing(
        index_elements=["person_id", "kind", "subject", "period"])
    return max(db.session.connection().execute(statement, rows).rowcount, 0)


def drafts_for(day: date) -> Iterator[Draft]:
    """Everything owed on `day` that the ledger does not hold: learner reminders, then digests (which
    read what the reminders found owed). A stream: nothing is kept once it has been handed out."""
    rules = current_rules()
    owed = OwedIndex()
    yield from learner_drafts(day, rules, owed)
    yield from digest_drafts(day, rules, owed)


def plan_and_record(day: date, dry_run: bool = False, on_draft: Callable[[Draft], None] | None = None) -> RunReport:
    """Plan the day's notifications and insert them (in-app at once, mail queued) BATCH at a time as
    they are planned, so memory does not grow with the number of people. `on_draft` sees each one
    planned. Commits once at the end (a dry run rolls back instead)."""
    report = RunReport()
    now = utcnow()
    compose = Composer()
    rows = []
    for draft in drafts_for(day):
        report.planned[draft.kind] += 1
        if on_draft is not None:
            on_draft(draft)
        if dry_run:
            continue
        rows.append(dict(compose(draft), created_at=now, planned_for=day))
        if len(rows) >= BATCH:
            report.created += _insert_once(rows)
            rows = []
    if dry_run:
        db.session.rollback()
        return report
    report.created += _insert_once(rows)
    db.session.commit()
    return report


def run(day: date, dry_run: bool = False, now: datetime | None = None,
        on_draft: Callable[[Draft], None] | None = None) -> RunReport:
    """The whole run: plan and record, then send what is queued if a mail server is configured.
    A mail server that is down is reported in `mail_error`; the notifications stay recorded."""
    report = plan_and_record(day, dry_run, on_draft)
    if dry_run or not current_app.config["MAIL_SERVER"]:
        return report
    try:
        report.mail = send_pending(now)
    except MailServerDown as exc:
        report.mail_error = str(exc)
    return report


def unread_count(person_id: int) -> int:
    return db.session.scalar(select(func.count()).select_from(Notification).where(
        Notification.person_id == person_id, Notification.read_at.is_(None))) or 0


def notifications_query(person_id: int):
    """select() of a person's notifications, newest first."""
    return (select(Notification).where(Notification.person_id == person_id)
            .order_by(Notification.created_at.desc(), Notification.id.desc()))


def mark_read(person_id: int, ids: list[int]) -> None:
    """Mark these notifications of the person as read (those already read keep their time). Flushes."""
    if ids:
        db.session.execute(update(Notification).where(
            Notification.person_id == person_id, Notification.id.in_(ids), Notification.read_at.is_(None)
        ).values(read_at=utcnow()).execution_options(synchronize_session=False))
