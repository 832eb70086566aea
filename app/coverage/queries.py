"""The yearly coverage table: who had to be trained, who was, agency by agency (five queries)."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import and_, case, func, literal, or_, select
from sqlalchemy.orm import aliased

from app.accounts.models import Assignment
from app.agencies.models import Agency
from app.completions.models import Completion
from app.core.dates import today
from app.courses.models import Course
from app.coverage.rules import Rules, current_rules
from app.coverage.sql import add_days
from app.extensions import db
from app.reports.queries import active_on, covers

#: the columns of the coverage table, in the order of every export
COLUMNS = (
    "agency_code", "agency_name", "agency_type", "parent_code", "headcount",
    "new_staff", "new_staff_done", "new_staff_on_time", "new_staff_overdue",
    "refresher_required", "refresher_done", "secretaries", "secretaries_trained",
    "has_trained_secretary", "obligations_due", "obligations_met", "coverage_pct",
)
COUNTS = COLUMNS[4:14]


class YearError(ValueError):
    """A year the coverage cannot be computed for (in the future)."""


def reference_date(year: int, as_of: date | None = None) -> date:
    """R: `as_of` if given, today for the current year, 31 December for a past year."""
    if as_of is not None:
        return as_of
    now = today()
    if year > now.year:
        raise YearError(f"{year} is in the future")
    return now if year == now.year else date(year, 12, 31)


def percent(met: int, due: int) -> float | None:
    """100 × met / due to one decimal; None when nothing was due (never shown as 0 % or 100 %)."""
    return round(100 * met / due, 1) if due else None


@dataclass
class CoverageRow:
    agency_code: str
    agency_name: str
    agency_type: str
    parent_code: str | None
    headcount: int = 0
    new_staff: int = 0
    new_staff_done: int = 0
    new_staff_on_time: int = 0
    new_staff_overdue: int = 0
    refresher_required: int = 0
    refresher_done: int = 0
    secretaries: int = 0
    secretaries_trained: int = 0
    has_trained_secretary: int = 0
    #: secretaries not trained and past their deadline on R (part of obligations_due)
    secretaries_overdue: int = field(default=0, repr=False)
    #: due, met and percentage as stored in a frozen year: served as they were, whatever the formula
    stored: dict | None = field(default=None, repr=False, compare=False)
    #: on a summed row (sum_rows): how many agency rows it adds up
    agencies: int = field(default=1, repr=False, compare=False)

    @property
    def obligations_due(self) -> int:
        if self.stored:
            return self.stored["obligations_due"]
        return (self.new_staff_done + self.new_staff_overdue + self.refresher_required
                + self.secretaries_trained + self.secretaries_overdue)

    @property
    def obligations_met(self) -> int:
        if self.stored:
            return self.stored["obligations_met"]
        return self.new_staff_done + self.refresher_done + self.secretaries_trained

    @property
    def coverage_pct(self) -> float | None:
        if self.stored:
            return self.stored["coverage_pct"]
        return percent(self.obligations_met, self.obligations_due)

    @property
    def gap(self) -> int:
        return self.obligations_due - self.obligations_met

    def as_dict(self) -> dict:
        """Exactly COLUMNS, in order (the shape of every export and of a frozen year)."""
        return {name: getattr(self, name) for name in COLUMNS} | {"secretaries_overdue": self.secretaries_overdue}

    @classmethod
    def from_dict(cls, data: dict) -> CoverageRow:
        """A row as stored by as_dict(), its due/met/percentage kept as stored."""
        return cls(**{k: data[k] for k in COLUMNS[:14]}, secretaries_overdue=data.get("secretaries_overdue", 0),
                   stored={k: data[k] for k in ("obligations_due", "obligations_met", "coverage_pct")})


def sum_rows(rows: list[CoverageRow], code: str = "", name: str = "", type_: str = "") -> CoverageRow:
    """Column sums (has_trained_secretary becomes the number of agencies with one)."""
    total = CoverageRow(code, name, type_, None, agencies=len(rows))
    for row in rows:
        for column in (*COUNTS, "secretaries_overdue"):
            setattr(total, column, getattr(total, column) + getattr(row, column))
    return total


@dataclass
class CoverageTable:
    year: int
    as_of: date
    rules: Rules
    rows: list[CoverageRow]

    @property
    def totals(self) -> CoverageRow:
        return sum_rows(self.rows)

    def by_type(self) -> list[CoverageRow]:
        """One summed row per agency type, in the order types first appear."""
        groups: dict[str, list[CoverageRow]] = {}
        for row in self.rows:
            groups.setdefault(row.agency_type, []).append(row)
        return [sum_rows(rows, type_=type_) for type_, rows in groups.items()]


def _course_ids(rules: Rules) -> dict[str, int]:
    return dict(db.session.execute(
        select(Course.code, Course.id).where(Course.code.in_(rules.course_codes))).all())


def materialized(query, name: str):
    """A sub-query the database must not merge into the query around it (OFFSET 0 stops PostgreSQL
    and SQLite from flattening it), so its per-person look-ups run once per row instead of once for
    every aggregate that reads them."""
    return query.offset(0).subquery(name)


def coverage_table(year: int, as_of: date | None = None, agency_ids: set[int] | None = None,
                   rules: Rules | None = None) -> CoverageTable:
    """The coverage of year `year` on reference date R (see reference_date), one row per agency
    active on R and in ISO scope, agencies with nobody included. `agency_ids` limits the rows.

    People count where they are assigned on R (in each agency when in two). Each obligation is looked
    up only for the people it concerns, so the work follows the people assigned on R rather than the
    whole history: new staff are people whose first-ever assignment in an in-scope agency starts
    within [1 January, R] (their first onboarding completion up to R is looked up); role holders are
    people whose assignment covering R carries a refresher role or the secretary role (their first
    secretary-course completion up to R, and whether they did the refresher within [1 January, R]).
    Five queries whatever the number of agencies: the course ids, three per-agency aggregates
    (headcount, new staff, role holders) and the agencies.
    """
    rules = rules or current_rules()
    day = reference_date(year, as_of)
    jan1 = date(year, 1, 1)
    ids = _course_ids(rules)
    no_course = -1  # a course not loaded yet: no completions can match it

    def assigned_on_day(*columns):
        """Assignments covering R at agencies active on R and in ISO scope (limited to agency_ids)."""
        query = (select(*columns).join(Agency, Agency.id == Assignment.agency_id)
                 .where(covers(day), active_on(day), Agency.in_iso_scope.is_(True)))
        return query.where(Assignment.agency_id.in_(agency_ids)) if agency_ids is not None else query

    def first_completion_on(code: str, person_id):
        return (select(func.min(Completion.completed_on))
                .where(Completion.course_id == ids.get(code, no_course), Completion.person_id == person_id,
                       Completion.completed_on <= day)
                .scalar_subquery())

    def count(condition):
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    headcount = (assigned_on_day(Assignment.agency_id, func.count(func.distinct(Assignment.person_id)).label("n"))
                 .group_by(Assignment.agency_id).subquery())

    # New staff: assigned on R, with no in-scope assignment starting before 1 January; their first
    # start is then the earliest start among their in-scope assignments.
    earlier, earlier_agency = aliased(Assignment), aliased(Agency)
    started_before = (select(earlier.id).join(earlier_agency, earlier_agency.id == earlier.agency_id)
                      .where(earlier.person_id == Assignment.person_id, earlier.start_date < jan1,
                             earlier_agency.in_iso_scope.is_(True)).exists())
    # A newcomer's assignment covering R cannot have started before 1 January (it is in scope), so
    # only those are checked: in an ordinary year a few percent of the people assigned on R.
    newcomers = (assigned_on_day(Assignment.agency_id, Assignment.person_id)
                 .where(Assignment.start_date >= jan1, ~started_before).distinct().subquery())
    first_start = (select(func.min(earlier.start_date)).join(earlier_agency, earlier_agency.id == earlier.agency_id)
                   .where(earlier.person_id == newcomers.c.person_id, earlier_agency.in_iso_scope.is_(True))
                   .scalar_subquery())
    new_rows = materialized(select(newcomers.c.agency_id, first_start.label("start"),
                                   first_completion_on(rules.onboarding_course, newcomers.c.person_id).label("done_on")),
                            "new_rows")
    deadline = add_days(new_rows.c.start, rules.onboarding_days)
    new_staff = (select(new_rows.c.agency_id,
                        func.count().label("new_staff"),
                        count(new_rows.c.done_on.is_not(None)).label("new_staff_done"),
                        count(new_rows.c.done_on <= deadline).label("new_staff_on_time"),
                        count(and_(new_rows.c.done_on.is_(None), deadline < literal(day))).label("new_staff_overdue"))
                 .group_by(new_rows.c.agency_id).subquery())

    # Role holders on R: the refresher for some roles, the secretary course for secretaries.
    flags = {"leader": Assignment.is_leader, "iso_secretary": Assignment.is_iso_secretary,
             "internal_auditor": Assignment.is_internal_auditor}
    needs_refresher = or_(*[flags[r] for r in rules.refresher_roles])
    holders = (assigned_on_day(
                   Assignment.agency_id, Assignment.person_id,
                   func.max(case((needs_refresher, 1), else_=0)).label("refresher"),
                   func.max(case((Assignment.is_iso_secretary, 1), else_=0)).label("secretary"),
                   func.min(case((Assignment.is_iso_secretary, Assignment.start_date))).label("sec_start"))
               .where(or_(needs_refresher, Assignment.is_iso_secretary))
               .group_by(Assignment.agency_id, Assignment.person_id).subquery())
    refreshed = (select(Completion.id).where(
        Completion.course_id == ids.get(rules.refresher_course, no_course),
        Completion.person_id == holders.c.person_id, Completion.completed_on.between(jan1, day)).exists())
    holder_facts = materialized(select(holders, first_completion_on(rules.secretary_course, holders.c.person_id)
                                       .label("sec_on"), case((refreshed, 1), else_=0).label("refreshed")),
                                "holder_facts")
    is_secretary = holder_facts.c.secretary == 1
    roles = (select(holder_facts.c.agency_id,
                    count(holder_facts.c.refresher == 1).label("refresher_required"),
                    count(and_(holder_facts.c.refresher == 1, holder_facts.c.refreshed == 1)).label("refresher_done"),
                    count(is_secretary).label("secretaries"),
                    count(and_(is_secretary, holder_facts.c.sec_on.is_not(None))).label("secretaries_trained"),
                    count(and_(is_secretary, holder_facts.c.sec_on.is_(None),
                               add_days(holder_facts.c.sec_start, rules.secretary_days) < literal(day)))
                    .label("secretaries_overdue"))
             .group_by(holder_facts.c.agency_id).subquery())

    # Each aggregate is its own statement, joined here by agency id: one statement joining them made
    # PostgreSQL misjudge sizes and re-run aggregates per agency.
    counts: dict[int, dict] = {}
    for aggregate in (headcount, new_staff, roles):
        for r in db.session.execute(select(aggregate)).mappings():
            counts.setdefault(r["agency_id"], {}).update(r)
    parent = aliased(Agency)
    agencies = (select(Agency.id, Agency.code, Agency.name, Agency.type, parent.code.label("parent_code"))
                .outerjoin(parent, parent.id == Agency.parent_id)
                .where(active_on(day), Agency.in_iso_scope.is_(True))
                .order_by(Agency.code))
    if agency_ids is not None:
        agencies = agencies.where(Agency.id.in_(agency_ids))
    rows = []
    for agency in db.session.execute(agencies):
        found = counts.get(agency.id, {})
        row = CoverageRow(agency.code, agency.name, agency.type, agency.parent_code, headcount=found.get("n", 0))
        for column in ("new_staff", "new_staff_done", "new_staff_on_time", "new_staff_overdue",
                       "refresher_required", "refresher_done", "secretaries", "secretaries_trained",
                       "secretaries_overdue"):
            setattr(row, column, int(found.get(column) or 0))
        row.has_trained_secretary = 1 if row.secretaries_trained else 0
        rows.append(row)
    return CoverageTable(year=year, as_of=day, rules=rules, rows=rows)
