"""Digests: weekly for each agency's head and ISO secretary, monthly for DOST, daily failures for admins."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from heapq import merge
from itertools import islice
from typing import NamedTuple

from sqlalchemy import func, select

from app.accounts.models import Assignment, Person
from app.agencies.models import Agency
from app.core.dates import format_date
from app.coverage import exports
from app.coverage.queries import coverage_table, sum_rows
from app.coverage.rules import Rules
from app.extensions import db
from app.notifications.models import FAILED, Notification
from app.notifications.reminders import RECIPIENT_COLUMNS, Draft, Recipient
from app.reports.queries import active_on, covers

#: a digest lists at most this many people and agencies by name (overdue first); the page has the rest
DIGEST_ROWS = 100


class OwedItem(NamedTuple):
    """One open obligation of one person at one agency, as a digest lists it; its fields are in the
    digest's order: overdue first, then by due date, then by name."""

    not_overdue: bool
    due: date
    full_name: str
    course_code: str
    agency_id: int

    @property
    def overdue(self) -> bool:
        return not self.not_overdue


@dataclass(slots=True)
class _AgencyOwed:
    #: the first DIGEST_ROWS items in digest order (kept sorted, trimmed as it grows)
    first: list = field(default_factory=list)
    items: int = 0
    overdue: int = 0
    people: int = 0


class OwedIndex:
    """What the agency digests need of the open obligations that planning the reminders walks
    through, in memory that does not grow with the number of people: for each agency its first
    DIGEST_ROWS items and its counts. People counted at two agencies of one subtree are the
    exception (someone holding two posts); they alone are remembered by id, so that a digest counts
    each person once."""

    def __init__(self) -> None:
        self.agencies: dict[int, _AgencyOwed] = {}
        #: agency id -> ids of the people with open obligations there and at another agency too
        self.shared: dict[int, list[int]] = {}

    def add(self, person_id: int, full_name: str, agency_ids: set[int], open_obligations: list) -> None:
        if not open_obligations or not agency_ids:
            return
        if len(agency_ids) > 1:
            for agency_id in agency_ids:
                self.shared.setdefault(agency_id, []).append(person_id)
        overdue = sum(o.status == "overdue" for o in open_obligations)
        for agency_id in agency_ids:
            owed = self.agencies.get(agency_id) or self.agencies.setdefault(agency_id, _AgencyOwed())
            owed.items += len(open_obligations)
            owed.overdue += overdue
            owed.people += 1
            owed.first.extend(OwedItem(o.status != "overdue", o.due, full_name, o.course_code, agency_id)
                              for o in open_obligations)
            if len(owed.first) >= 2 * DIGEST_ROWS:
                owed.first.sort()
                del owed.first[DIGEST_ROWS:]

    def summary(self, tree: list[int]) -> tuple[list[OwedItem], int, int, int]:
        """(first DIGEST_ROWS items, items, people, overdue) over the agencies of a subtree."""
        owed = [self.agencies[a] for a in tree if a in self.agencies]
        if not owed:
            return [], 0, 0, 0
        for o in owed:  # once cut, a list stays sorted: the next subtree that reads it sorts nothing
            o.first.sort()
            del o.first[DIGEST_ROWS:]
        first = list(islice(merge(*(o.first for o in owed)), DIGEST_ROWS))
        counted = Counter(person for a in tree for person in self.shared.get(a, ()))
        people = sum(o.people for o in owed) - sum(n - 1 for n in counted.values())
        return first, sum(o.items for o in owed), people, sum(o.overdue for o in owed)


def _ledger(kind: str, period: str | None = None) -> set[tuple[int, str]]:
    """(person id, subject) of the notifications of this kind (and period) already in the ledger."""
    query = select(Notification.person_id, Notification.subject).where(Notification.kind == kind)
    if period is not None:
        query = query.where(Notification.period == period)
    return set(db.session.execute(query).all())


def _subtrees(day: date) -> tuple[dict[int, Agency], dict[int, list[int]]]:
    """The in-scope agencies active on `day`, and each one's id with those of every agency under it."""
    agencies = {a.id: a for a in db.session.scalars(
        select(Agency).where(Agency.in_iso_scope.is_(True), active_on(day)).order_by(Agency.code))}
    children: dict[int, list[int]] = {}
    for a in agencies.values():
        if a.parent_id in agencies:
            children.setdefault(a.parent_id, []).append(a.id)
    trees = {}
    for root in agencies:
        ids, stack = [], [root]
        while stack:
            current = stack.pop()
            ids.append(current)
            stack.extend(children.get(current, []))
        trees[root] = ids
    return agencies, trees


def agency_digests(day: date, rules: Rules, owed: OwedIndex) -> list[Draft]:
    """Each leader and ISO secretary of an agency, once an ISO week: who in the agency (and under it)
    owes what, the coverage this year against last year, and a warning when the agency has no trained
    ISO secretary. Nothing for an agency with nothing open."""
    iso = day.isocalendar()
    period = f"{iso.year}-W{iso.week:02d}"
    agencies, trees = _subtrees(day)
    heads = db.session.execute(
        select(*RECIPIENT_COLUMNS, Assignment.agency_id).join(Assignment, Assignment.person_id == Person.id)
        .where(Person.active.is_(True), covers(day), Assignment.agency_id.in_(list(agencies)),
               (Assignment.is_leader.is_(True)) | (Assignment.is_iso_secretary.is_(True)))
        .order_by(Person.id, Assignment.agency_id)
    ).all()
    if not heads:
        return []
    done = _ledger("agency_digest", period)
    this_year = {r.agency_code: r for r in coverage_table(day.year, day, rules=rules).rows}
    last_year = {r.agency_code: r for r in coverage_table(day.year - 1, date(day.year - 1, 12, 31), rules=rules).rows}
    contexts: dict[int, dict | None] = {}  # the head and the secretary of an agency get the same digest

    def context_of(agency_id: int) -> dict | None:
        tree = trees[agency_id]
        first, items_total, people_total, overdue_total = owed.summary(tree)
        if not items_total:
            return None
        agency = agencies[agency_id]
        codes = [agencies[a].code for a in tree]
        now_row = sum_rows([this_year[c] for c in codes if c in this_year])
        before = [last_year[c] for c in codes if c in last_year]
        no_secretary = [agencies[a] for a in tree if agencies[a].code in this_year
                        and not this_year[agencies[a].code].has_trained_secretary]
        return dict(
            template="agency_digest", title_args={"agency": agency.name}, agency=agency,
            items=[(agencies[item.agency_id], item) for item in first], items_total=items_total,
            people_total=people_total, overdue_total=overdue_total,
            coverage=now_row.coverage_pct, coverage_last=sum_rows(before).coverage_pct if before else None,
            no_secretary=no_secretary[:DIGEST_ROWS], no_secretary_total=len(no_secretary),
            own_no_secretary=agency in no_secretary, year=day.year,
            link=f"/agencies/{agency.code}", day=day)

    drafts = []
    for *columns, agency_id in heads:
        subject = f"agency:{agency_id}"
        if (columns[0], subject) in done:
            continue
        if agency_id not in contexts:
            contexts[agency_id] = context_of(agency_id)
        if contexts[agency_id] is not None:
            drafts.append(Draft(Recipient(*columns), "agency_digest", subject, period, contexts[agency_id]))
    return drafts


def _zero_and_no_secretary(table) -> dict:
    return dict(zero=[r for r in table.rows if r.coverage_pct == 0],
                no_secretary=[r for r in table.rows if not r.has_trained_secretary])


def _previous_digest(day: date, period: str, rules: Rules) -> dict | None:
    """The figures of the last province digest (the coverage table as of the day it was planned), to
    show what changed; None before the first. Across 1 January the previous figures are those of the
    year before, which the digest says: the new year's obligations start again from zero."""
    previous_day: date | None = db.session.scalar(
        select(func.max(Notification.planned_for)).where(Notification.kind == "province_digest",
                                                         Notification.period != period,
                                                         Notification.planned_for < day))
    if previous_day is None:
        return None
    table = coverage_table(previous_day.year, previous_day, rules=rules)
    lists = _zero_and_no_secretary(table)
    return dict(day=previous_day, year=previous_day.year, other_year=previous_day.year != day.year,
                coverage_pct=table.totals.coverage_pct, zero=len(lists["zero"]),
                no_secretary=len(lists["no_secretary"]))


def province_digests(day: date, rules: Rules) -> list[Draft]:
    """Each DOST account, once a month: coverage by agency type, agencies at 0 % and without a trained
    secretary, the change since the previous digest, and the per-agency table as XLSX."""
    period = f"{day.year}-{day.month:02d}"
    people = [Recipient(*row) for row in db.session.execute(
        select(*RECIPIENT_COLUMNS).where(Person.active.is_(True), Person.access_role == "dost").order_by(Person.id))]
    done = _ledger("province_digest", period)
    people = [p for p in people if (p.id, "province") not in done]
    if not people:
        return []
    table = coverage_table(day.year, day, rules=rules)
    previous = _previous_digest(day, period, rules)
    totals = table.totals
    context = dict(
        template="province_digest", title_args={"month": f"{day.month:02d}/{day.year}"}, table=table,
        totals=totals, by_type=table.by_type(), previous=previous, **_zero_and_no_secretary(table),
        link=f"/reports/coverage?year={day.year}", day=day,
        attachment=exports.to_xlsx(table), attachment_name=f"do-phu-dao-tao-{day.isoformat()}.xlsx")
    return [Draft(p, "province_digest", "province", period, dict(context)) for p in people]


def failure_summaries(day: date) -> list[Draft]:
    """Each administrator, once a day while mail is failing: the messages given up and those being
    retried. Nothing on a day without failures."""
    period = day.isoformat()
    failing = list(db.session.scalars(
        select(Notification).where(Notification.kind != "failures", FAILED,
                                   Notification.mail_status.in_(("failed", "pending")))
        .order_by(Notification.mail_status, Notification.id).limit(200)))
    if not failing:
        return []
    done = _ledger("failures", period)
    admins = [Recipient(*row) for row in db.session.execute(
        select(*RECIPIENT_COLUMNS).where(Person.active.is_(True), Person.access_role == "admin").order_by(Person.id))
        if (row[0], "mail") not in done]
    given_up = [n for n in failing if n.mail_status == "failed"]
    retrying = [n for n in failing if n.mail_status == "pending"]
    return [Draft(p, "failures", "mail", period, dict(
        template="failures", title_args={"n": len(failing)}, given_up=given_up, retrying=retrying,
        link="/admin/notifications/?status=failed", day=day)) for p in admins]


def class_invitations(day: date) -> list[Draft]:
    """Each person invited to a class still to come, once per class: when, where, what to bring up.
    Someone moved up from the waiting list is told on the next run. One query for the seats."""
    from app.training.models import ClassSeat, TrainingClass

    done = _ledger("class_invite")
    rows = db.session.execute(
        select(*RECIPIENT_COLUMNS, TrainingClass.id).join(ClassSeat, ClassSeat.person_id == Person.id)
        .join(TrainingClass, TrainingClass.id == ClassSeat.class_id)
        .where(ClassSeat.status == "invited", TrainingClass.status == "open", TrainingClass.start_date >= day,
               Person.active.is_(True))
        .order_by(TrainingClass.id, Person.id)).all()
    classes = {c.id: c for c in db.session.scalars(
        select(TrainingClass).where(TrainingClass.id.in_({row[-1] for row in rows})))} if rows else {}
    drafts = []
    for *columns, class_id in rows:
        subject = f"class:{class_id}"
        if (columns[0], subject) in done:
            continue
        klass = classes[class_id]
        drafts.append(Draft(Recipient(*columns), "class_invite", subject, "once", dict(
            template="class_invite", title_args={"course": klass.course.code, "day": format_date(klass.start_date)},
            klass=klass, link="/training/mine", day=day)))
    return drafts


def digest_drafts(day: date, rules: Rules, owed: OwedIndex) -> list[Draft]:
    return (agency_digests(day, rules, owed) + province_digests(day, rules) + failure_summaries(day)
            + class_invitations(day))
