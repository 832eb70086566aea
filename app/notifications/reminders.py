"""Which reminder each learner is owed today, by the same obligation rules as the coverage table."""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import contains_eager

from app.accounts.models import Assignment, Person
from app.agencies.models import Agency
from app.coverage.obligations import Obligation, people_obligations
from app.coverage.rules import Rules
from app.extensions import db
from app.notifications.models import Notification
from app.reports.queries import active_on, covers

LEARNER_KINDS = ("start", "due_soon", "due_today", "overdue")
#: the "due soon" reminder goes this many days before the due date
SOON_DAYS = 14
CHUNK = 2000


@dataclass
class Draft:
    """A notification to create, before it is rendered: who, which kind, about what, which occurrence."""

    person: Person
    kind: str
    subject: str
    period: str
    context: dict = field(default_factory=dict)

    @property
    def key(self) -> tuple[int, str, str, str]:
        return self.person.id, self.kind, self.subject, self.period


def reminder_for(obligation: Obligation, day: date) -> tuple[str, str] | None:
    """(kind, period) of the reminder an obligation calls for on `day`, or None once it is met.

    A first reminder when it starts, one 14 days before the due date, one on the due date, then one a
    week while it is overdue (period "week-0" is the first week after the due date)."""
    if obligation.met or obligation.since > day:
        return None
    if obligation.due < day:
        return "overdue", f"week-{((day - obligation.due).days - 1) // 7}"
    if obligation.due == day:
        return "due_today", "once"
    if (obligation.due - day).days <= SOON_DAYS:
        return "due_soon", "once"
    return "start", "once"


def obligation_subject(o: Obligation) -> str:
    return f"{o.rule}:{o.course_code}:{o.since.isoformat()}"


def _chunk_people(ids: list[int], day: date) -> list[tuple[Person, list[Assignment]]]:
    rows = db.session.execute(
        select(Person, Assignment).join(Assignment, Assignment.person_id == Person.id)
        .join(Agency, Agency.id == Assignment.agency_id)
        .where(Person.id.in_(ids), covers(day), Agency.in_iso_scope.is_(True), active_on(day))
        .options(contains_eager(Assignment.agency))
        .order_by(Person.id, Assignment.start_date)
    ).all()
    grouped: dict[int, tuple[Person, list[Assignment]]] = {}
    for person, assignment in rows:
        grouped.setdefault(person.id, (person, []))[1].append(assignment)
    return list(grouped.values())


def learner_drafts(day: date, rules: Rules, owed: dict[int, list] | None = None) -> Iterator[Draft]:
    """The reminders owed today and not yet in the ledger, for every active person assigned to an
    in-scope agency today. A person who asked for weekly reminders gets none within 7 days of the last.

    `owed`, if given, is filled on the way with agency id -> [(person, obligation), …] of every
    obligation not yet met, under each agency the person is assigned to today (the digests read it)."""
    ids = list(db.session.scalars(
        select(Assignment.person_id).distinct().join(Person, Person.id == Assignment.person_id)
        .join(Agency, Agency.id == Assignment.agency_id)
        .where(Person.active.is_(True), covers(day), Agency.in_iso_scope.is_(True), active_on(day))
        .order_by(Assignment.person_id)
    ))
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start:start + CHUNK]
        ledger: set[tuple] = set()
        last_sent: dict[int, date] = {}
        for person_id, kind, subject, period, planned_for in db.session.execute(
            select(Notification.person_id, Notification.kind, Notification.subject, Notification.period,
                   Notification.planned_for)
            .where(Notification.person_id.in_(chunk), Notification.kind.in_(LEARNER_KINDS))
        ):
            ledger.add((person_id, kind, subject, period))
            last_sent[person_id] = max(last_sent.get(person_id, date.min), planned_for)
        people = _chunk_people(chunk, day)
        for (person, assignments), person_obligations in zip(people, people_obligations(people, day.year, day, rules)):
            if owed is not None:
                open_items = [(person, o) for o in person_obligations.obligations if not o.met]
                for agency_id in {a.agency_id for a in assignments} if open_items else ():
                    owed.setdefault(agency_id, []).extend(open_items)
            if person.reminders_weekly and (day - last_sent.get(person.id, date.min)).days < 7:
                continue
            for o in person_obligations.obligations:
                due = reminder_for(o, day)
                if due is None:
                    continue
                draft = Draft(person, due[0], obligation_subject(o), due[1], {"obligation": o, "day": day})
                if draft.key not in ledger:
                    yield draft
