"""Which reminder each learner is owed today, by the same obligation rules as the coverage table."""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from itertools import groupby

from sqlalchemy import func, select

from app.accounts.models import ASSIGNMENT_ROLES, Assignment, Person
from app.agencies.models import Agency
from app.completions.models import Completion
from app.courses.models import Course
from app.coverage.obligations import Obligation, person_obligations
from app.coverage.rules import Rules
from app.extensions import db
from app.notifications.models import Notification
from app.reports.queries import active_on, covers

LEARNER_KINDS = ("start", "due_soon", "due_today", "overdue")
#: the "due soon" reminder goes this many days before the due date
SOON_DAYS = 14
STREAM_BATCH = 5000


@dataclass(slots=True)
class Recipient:
    """What planning and rendering need of a person: read as plain columns, so that planning for
    the whole country holds no ORM objects."""

    id: int
    full_name: str
    email: str | None
    language: str
    reminders_weekly: bool
    digest_mail: bool


RECIPIENT_COLUMNS = (Person.id, Person.full_name, Person.email, Person.language, Person.reminders_weekly,
                     Person.digest_mail)


@dataclass(slots=True, frozen=True)
class _AgencyName:
    name: str


@dataclass(slots=True, frozen=True)
class _Seat:
    """An assignment of the day, as person_obligations reads it (the same attributes as Assignment)."""

    agency_id: int
    start_date: date
    is_iso_secretary: bool
    roles: tuple[str, ...]
    agency: _AgencyName


@dataclass
class Draft:
    """A notification to create, before it is rendered: who, which kind, about what, which occurrence."""

    person: Recipient
    kind: str
    subject: str
    period: str
    context: dict = field(default_factory=dict)


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


class _Ahead:
    """The rows of a query ordered by person id, handed out person by person as the main stream goes."""

    def __init__(self, rows):
        self.rows = iter(rows)
        self.row = next(self.rows, None)

    def take(self, person_id: int) -> list:
        while self.row is not None and self.row[0] < person_id:
            self.row = next(self.rows, None)
        out = []
        while self.row is not None and self.row[0] == person_id:
            out.append(self.row)
            self.row = next(self.rows, None)
        return out


def _streamed(statement):
    return db.session.execute(statement.execution_options(yield_per=STREAM_BATCH))


def _people_today(day: date) -> Iterator[tuple[Recipient, list[_Seat]]]:
    """(person, their assignments covering `day` at in-scope agencies active that day), by person id,
    from plain rows; the agency names are shared, one object per agency."""
    rows = _streamed(
        select(*RECIPIENT_COLUMNS, Assignment.agency_id, Assignment.start_date, Assignment.is_leader,
               Assignment.is_iso_secretary, Assignment.is_internal_auditor, Agency.name)
        .join(Assignment, Assignment.person_id == Person.id)
        .join(Agency, Agency.id == Assignment.agency_id)
        .where(Person.active.is_(True), covers(day), Agency.in_iso_scope.is_(True), active_on(day))
        .order_by(Person.id, Assignment.start_date))
    names: dict[int, _AgencyName] = {}
    for _person_id, group in groupby(rows, key=lambda row: row[0]):
        group = list(group)
        seats = []
        for row in group:
            agency_id, start, *flags, agency_name = row[len(RECIPIENT_COLUMNS):]
            agency = names.get(agency_id) or names.setdefault(agency_id, _AgencyName(agency_name))
            roles = tuple(role for role, held in zip(ASSIGNMENT_ROLES, flags) if held)
            seats.append(_Seat(agency_id, start, flags[1], roles, agency))
        yield Recipient(*group[0][:len(RECIPIENT_COLUMNS)]), seats


def learner_drafts(day: date, rules: Rules, owed=None) -> Iterator[Draft]:
    """The reminders owed today and not yet in the ledger, for every active person assigned to an
    in-scope agency today. A person who asked for weekly reminders gets none within 7 days of the last.

    Four queries whatever the number of people, read side by side in person order: the people with
    their assignments of the day, each one's first in-scope start, their completions of the obligation
    courses up to `day`, and the reminders already in the ledger.

    `owed`, if given (an OwedIndex), is told on the way of every obligation not yet met, under each
    agency the person is assigned to today: the digests read it.
    """
    firsts = _Ahead(_streamed(
        select(Assignment.person_id, func.min(Assignment.start_date)).join(Agency, Agency.id == Assignment.agency_id)
        .where(Agency.in_iso_scope.is_(True)).group_by(Assignment.person_id).order_by(Assignment.person_id)))
    completions = _Ahead(_streamed(
        select(Completion.person_id, Course.code, Completion.completed_on).join(Course, Course.id == Completion.course_id)
        .where(Course.code.in_(rules.course_codes), Completion.completed_on <= day)
        .order_by(Completion.person_id, Completion.completed_on)))
    ledger_rows = _Ahead(_streamed(
        select(Notification.person_id, Notification.kind, Notification.subject, Notification.period,
               Notification.planned_for)
        .where(Notification.kind.in_(LEARNER_KINDS)).order_by(Notification.person_id)))
    for person, assignments in _people_today(day):
        first = firsts.take(person.id)
        done: dict[str, list[date]] = {}
        for _pid, code, completed_on in completions.take(person.id):
            done.setdefault(code, []).append(completed_on)
        ledger = ledger_rows.take(person.id)
        obligations = person_obligations(person, assignments, first[0][1] if first else None, done,
                                         day.year, day, rules).obligations
        if owed is not None:
            owed.add(person.id, person.full_name, {a.agency_id for a in assignments},
                     [o for o in obligations if not o.met])
        if person.reminders_weekly and ledger and (day - max(row[4] for row in ledger)).days < 7:
            continue
        sent = {tuple(row[1:4]) for row in ledger}
        for o in obligations:
            due = reminder_for(o, day)
            if due is not None and (due[0], obligation_subject(o), due[1]) not in sent:
                yield Draft(person, due[0], obligation_subject(o), due[1], {"obligation": o, "day": day})
