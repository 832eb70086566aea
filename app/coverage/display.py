"""What the coverage pages show: frozen or live tables, filters and sorting, the trend, as-was/as-is."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask import abort
from sqlalchemy import func, select

from app.agencies.models import Agency
from app.completions.models import Completion
from app.core.dates import today
from app.courses.models import Course
from app.coverage.freeze import year_table
from app.coverage.models import CoverageFreeze
from app.coverage.queries import COLUMNS, CoverageRow, CoverageTable
from app.extensions import db


@dataclass
class Shown:
    table: CoverageTable
    #: the freeze the table comes from, or None when the table is live
    freeze: CoverageFreeze | None
    #: whether the year has a frozen table (shown or not)
    frozen_exists: bool


def requested_year(args) -> int:
    """?year= of a report page, this year by default; 404 for a year before 2000 or to come."""
    year = args.get("year", type=int) or today().year
    if not 2000 <= year <= today().year:
        abort(404)
    return year


def year_choices() -> list[int]:
    """The years a report's selector offers, this year first."""
    return list(range(today().year, today().year - 6, -1))


def _is_frozen(year: int) -> bool:
    return db.session.scalar(select(CoverageFreeze.id).where(CoverageFreeze.year == year)) is not None


def coverage_for(year: int, scope: set[int] | None, live: bool = False) -> Shown:
    """The year's frozen table when there is one (unless `live`), else the live one; limited to the
    agencies in `scope` (None = all)."""
    table, freeze = year_table(year, live=live, agency_ids=scope)
    frozen_exists = freeze is not None or (live and _is_frozen(year))
    return Shown(table, freeze, frozen_exists)


def filter_and_sort(rows: list[CoverageRow], args) -> list[CoverageRow]:
    """Rows filtered by ?type= and ?parent=, sorted by ?sort=<column> (?order=desc); rows without a
    value (no percentage) stay last either way, ties in agency-code order."""
    if args.get("type"):
        rows = [r for r in rows if r.agency_type == args["type"]]
    if args.get("parent"):
        rows = [r for r in rows if r.parent_code == args["parent"]]
    column = args.get("sort")
    if column not in COLUMNS:
        return rows
    valued = [r for r in rows if getattr(r, column) is not None]
    empty = [r for r in rows if getattr(r, column) is None]
    valued.sort(key=lambda r: r.agency_code)
    valued.sort(key=lambda r: getattr(r, column), reverse=args.get("order") == "desc")
    return valued + empty


@dataclass
class TrendPoint:
    year: int
    pct: float | None
    due: int
    met: int
    frozen: bool


def trend(shown: Shown, scope: set[int] | None, live_limit: int, years: int = 5) -> list[TrendPoint]:
    """Coverage of the province (or scope) in the `years` years up to the one shown: the frozen figure
    where a year was frozen, else a live one — computed only when the table shown has at most
    `live_limit` agencies (a province takes milliseconds a year; the whole country about a second,
    so there the other years appear once frozen). `pct` is None for a year without a figure."""
    year = shown.table.year
    points = []
    for y in range(year - years + 1, year):
        totals, frozen = None, False
        if len(shown.table.rows) <= live_limit or _is_frozen(y):
            other = coverage_for(y, scope)
            totals, frozen = other.table.totals, other.freeze is not None
        points.append(TrendPoint(y, totals.coverage_pct if totals else None,
                                 totals.obligations_due if totals else 0,
                                 totals.obligations_met if totals else 0, frozen))
    totals = shown.table.totals
    points.append(TrendPoint(year, totals.coverage_pct, totals.obligations_due, totals.obligations_met,
                             shown.freeze is not None))
    return points


@dataclass
class CompletionRow:
    agency_code: str
    agency_name: str
    by_course: dict[str, int]
    #: as-is view: the agency codes (as recorded) whose completions were rolled into this row
    merged_from: list[str]

    @property
    def total(self) -> int:
        return sum(self.by_course.values())


def completions_by_agency(year: int, scope: set[int] | None, rolled_up: bool) -> tuple[list[str], list[CompletionRow]]:
    """Completions dated in `year`, per agency and course.

    As it was (default): grouped by the agency recorded on each completion, with its code and name at
    that moment. As it is (`rolled_up`): each recorded agency is followed through the lineage graph
    to the agency or agencies that carry it on today; a predecessor split between several successors
    stays on its own row (its training cannot be divided between them). Completions recorded with no
    agency (dated outside every assignment of the person) make one row of their own, last, with an
    empty code; only viewers of the whole province see it. `scope` limits rows to agencies one may see
    (after rolling up). Two queries plus the lineage walk.
    """
    from app.agencies.lineage import resolve_current

    grouped = db.session.execute(
        select(Completion.agency_id, Completion.agency_code, Completion.agency_name, Course.code,
               func.count(Completion.id))
        .join(Course, Course.id == Completion.course_id)
        .where(Completion.completed_on.between(date(year, 1, 1), date(year, 12, 31)))
        .group_by(Completion.agency_id, Completion.agency_code, Completion.agency_name, Course.code)
    ).all()
    courses = sorted({code for *_a, code, _n in grouped})
    successors = resolve_current({r[0] for r in grouped if r[0] is not None}, today()) if rolled_up else {}
    target_ids = {ids[0] for ids in successors.values() if len(ids) == 1}
    current = {a.id: a for a in db.session.scalars(select(Agency).where(Agency.id.in_(target_ids)))} if target_ids else {}
    rows: dict[tuple, CompletionRow] = {}
    for agency_id, code, name, course, count in grouped:
        if scope is not None and agency_id not in scope and not (
                rolled_up and len(successors.get(agency_id, [])) == 1 and successors[agency_id][0] in scope):
            continue
        key, label = (agency_id, code), (code or "", name or "")
        if rolled_up and len(successors.get(agency_id, [])) == 1 and successors[agency_id][0] in current:
            target = current[successors[agency_id][0]]
            key, label = (target.id, target.code), (target.code, target.name)
        row = rows.setdefault(key, CompletionRow(label[0], label[1], {}, []))
        row.by_course[course] = row.by_course.get(course, 0) + count
        if code and code != row.agency_code and code not in row.merged_from:
            row.merged_from.append(code)
    # completions dated outside every assignment belong to no agency: their own row, last
    return courses, sorted(rows.values(), key=lambda r: (not r.agency_code, r.agency_code))
