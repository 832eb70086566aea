"""Each person's obligations — what to complete, why, by when — by the same rules as the coverage table."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import contains_eager

from app.accounts.models import Assignment, Person
from app.agencies.models import Agency
from app.completions.models import Completion
from app.courses.models import Course
from app.coverage.rules import Rules
from app.extensions import db
from app.reports.queries import covers

#: overdue first, then what is still open, then what is done
STATUS_ORDER = {"overdue": 0, "open": 1, "late": 2, "done": 3}


@dataclass(slots=True)
class Obligation:
    #: onboarding | secretary | refresher (the rule in courses/obligations.yml)
    rule: str
    course_code: str
    #: the day the obligation started (first assignment, the secretary assignment, 1 January)
    since: date
    due: date
    completed_on: date | None
    #: done (in time) | late (done after the deadline) | overdue | open (not done, deadline not passed)
    status: str
    #: the agency whose role created it (secretary, refresher), else None
    agency_name: str | None = None

    @property
    def met(self) -> bool:
        return self.status in ("done", "late")


def _status(completed_on: date | None, due: date, day: date) -> str:
    if completed_on is None:
        return "overdue" if due < day else "open"
    return "done" if completed_on <= due else "late"


@dataclass
class PersonObligations:
    person: Person
    #: roles held on the day at the agency looked at (or anywhere, for one's own page)
    roles: list[str]
    obligations: list[Obligation]

    @property
    def overdue(self) -> int:
        return sum(o.status == "overdue" for o in self.obligations)


def people_obligations(people: list[tuple[Person, list[Assignment]]], year: int, day: date,
                       rules: Rules) -> list[PersonObligations]:
    """The obligations of each person on `day` in `year`, from the assignments given (those covering
    the day that should count: at one agency for the agency page, all of them for one's own page).

    Two queries whatever the number of people: the first-ever in-scope start per person, and their
    completions of the three obligation courses up to `day`.
    """
    ids = [p.id for p, _a in people]
    firsts = dict(db.session.execute(
        select(Assignment.person_id, func.min(Assignment.start_date))
        .join(Agency, Agency.id == Assignment.agency_id)
        .where(Assignment.person_id.in_(ids), Agency.in_iso_scope.is_(True))
        .group_by(Assignment.person_id)
    ).all()) if ids else {}
    done: dict[tuple[int, str], list[date]] = {}
    if ids:
        for person_id, code, completed_on in db.session.execute(
            select(Completion.person_id, Course.code, Completion.completed_on)
            .join(Course, Course.id == Completion.course_id)
            .where(Completion.person_id.in_(ids), Course.code.in_(rules.course_codes),
                   Completion.completed_on <= day)
            .order_by(Completion.completed_on)
        ):
            done.setdefault((person_id, code), []).append(completed_on)

    return [person_obligations(person, assignments, firsts.get(person.id),
                               {code: done[(person.id, code)] for code in rules.course_codes if (person.id, code) in done},
                               year, day, rules)
            for person, assignments in people]


def person_obligations(person: Person, assignments: list[Assignment], first_start: date | None,
                       done: dict[str, list[date]], year: int, day: date, rules: Rules) -> PersonObligations:
    """One person's obligations on `day`, from the start of their first in-scope assignment ever and
    the dates (in order) they completed each obligation course up to `day`. No query."""
    jan1, dec31 = date(year, 1, 1), date(year, 12, 31)
    items: list[Obligation] = []
    if first_start is not None:
        first_done = (done.get(rules.onboarding_course) or [None])[0]
        due = first_start + timedelta(days=rules.onboarding_days)
        items.append(Obligation("onboarding", rules.onboarding_course, first_start, due, first_done,
                                _status(first_done, due, day)))
    secretary_done = (done.get(rules.secretary_course) or [None])[0]
    for a in assignments:
        if a.is_iso_secretary:
            due = a.start_date + timedelta(days=rules.secretary_days)
            items.append(Obligation("secretary", rules.secretary_course, a.start_date, due, secretary_done,
                                    _status(secretary_done, due, day), a.agency.name))
    refresher_roles = [a for a in assignments if set(a.roles) & set(rules.refresher_roles)]
    if refresher_roles:
        in_year = [d for d in done.get(rules.refresher_course, []) if jan1 <= d <= day]
        completed = in_year[0] if in_year else None
        status = "done" if completed else ("overdue" if day >= dec31 else "open")
        items.append(Obligation("refresher", rules.refresher_course, jan1, dec31, completed, status,
                                refresher_roles[0].agency.name))
    items.sort(key=lambda o: (STATUS_ORDER[o.status], o.due))
    roles = sorted({r for a in assignments for r in a.roles})
    return PersonObligations(person, roles, items)


def agency_obligations(agency_id: int, year: int, day: date, rules: Rules) -> list[PersonObligations]:
    """Everyone assigned to the agency on `day`, with their obligations there, overdue first, then
    in Vietnamese name order. Three queries."""
    rows = db.session.execute(
        select(Person, Assignment).join(Assignment, Assignment.person_id == Person.id)
        .join(Agency, Agency.id == Assignment.agency_id)
        .where(Assignment.agency_id == agency_id, covers(day))
        .options(contains_eager(Assignment.agency))
        .order_by(Person.sort_name, Person.id, Assignment.start_date)
    ).all()
    grouped: dict[int, tuple[Person, list[Assignment]]] = {}
    for person, assignment in rows:
        grouped.setdefault(person.id, (person, []))[1].append(assignment)
    people = people_obligations(list(grouped.values()), year, day, rules)
    return sorted(people, key=lambda p: (-p.overdue, p.person.sort_name))


def my_obligations(person: Person, day: date, rules: Rules,
                   completions: list[tuple[str, date]] | None = None) -> list[Obligation]:
    """The signed-in person's obligations today, over every in-scope agency they are assigned to.

    From the person's assignments as loaded with them (their agencies too) and their completions as
    (course code, date) in date order: no query when the caller passes those it already has, else
    one."""
    if completions is None:
        completions = db.session.execute(
            select(Course.code, Completion.completed_on).join(Course, Course.id == Completion.course_id)
            .where(Completion.person_id == person.id, Course.code.in_(rules.course_codes))
            .order_by(Completion.completed_on)).tuples().all()
    done: dict[str, list[date]] = {}
    for code, completed_on in completions:
        if code in rules.course_codes and completed_on <= day:
            done.setdefault(code, []).append(completed_on)
    first_start = min((a.start_date for a in person.assignments if a.agency.in_iso_scope), default=None)
    assignments = [a for a in person.current_assignments(day)
                   if a.agency.in_iso_scope and a.agency.is_active_on(day)]
    return person_obligations(person, assignments, first_start, done, day.year, day, rules).obligations
