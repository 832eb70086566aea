"""Closing a year's coverage ("chốt số liệu"), reading it back as stored, and what moved since."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.agencies.models import Agency
from app.audit.services import record
from app.core.dates import today
from app.coverage.models import CoverageFreeze
from app.coverage.queries import COLUMNS, CoverageRow, CoverageTable, coverage_table
from app.coverage.rules import Rules
from app.extensions import db
from app.training.report import year_reports


class FreezeError(ValueError):
    """A year that cannot be frozen (not over yet) or compared (not frozen); the message is for the user."""


class AlreadyFrozen(FreezeError):
    """The year was frozen before; a frozen year is never frozen again."""


def _already(year: int) -> AlreadyFrozen:
    return AlreadyFrozen(_("Số liệu năm %(year)s đã được chốt trước đó.", year=year))


def freeze_year(year: int, actor) -> CoverageFreeze:
    """Store the coverage of a past year on 31 December (rows, rules, who and when, and the report
    of each of the year's training plans) and audit it.

    Only a year that has ended can be frozen: DOST closes a year once it is over, so there is no
    freeze "as of" another day (an interim snapshot is an export with --as-of). Raises FreezeError for
    the current or a future year and AlreadyFrozen when frozen before; after AlreadyFrozen from a
    concurrent freeze the caller must roll the session back.
    """
    if year >= today().year:
        raise FreezeError(_("Năm %(year)s chưa kết thúc: chỉ chốt được số liệu của năm đã qua.", year=year))
    if db.session.scalar(select(CoverageFreeze.id).where(CoverageFreeze.year == year)) is not None:
        raise _already(year)
    table = coverage_table(year)
    freeze = CoverageFreeze(year=year, as_of=table.as_of, rules=table.rules.as_dict(),
                            rows=[row.as_dict() for row in table.rows], training=year_reports(year),
                            frozen_by_id=actor.id if actor is not None else None,
                            frozen_by_label=actor.full_name if actor is not None else "CLI")
    db.session.add(freeze)
    try:
        db.session.flush()
    except IntegrityError as exc:  # someone else froze the year between the check and the insert
        raise _already(year) from exc
    totals = table.totals
    record("coverage.freeze", actor=actor, target_type="coverage_freeze", target_id=freeze.id,
           target_label=str(year),
           details={"year": year, "as_of": table.as_of.isoformat(), "agencies": len(table.rows),
                    "obligations_due": totals.obligations_due, "obligations_met": totals.obligations_met,
                    "coverage_pct": totals.coverage_pct})
    return freeze


def frozen_table(year: int) -> tuple[CoverageTable, CoverageFreeze] | None:
    """The year's table rebuilt from what was stored when it was frozen (one query), or None."""
    freeze = db.session.scalar(select(CoverageFreeze).where(CoverageFreeze.year == year))
    if freeze is None:
        return None
    rows = [CoverageRow.from_dict(data) for data in freeze.rows]
    return CoverageTable(year=year, as_of=freeze.as_of, rules=Rules.from_dict(freeze.rules), rows=rows), freeze


def year_table(year: int, *, as_of: date | None = None, live: bool = False,
               agency_ids: set[int] | None = None) -> tuple[CoverageTable, CoverageFreeze | None]:
    """What a page or an export shows for a year: the frozen table when the year is frozen, unless
    `live` or an explicit `as_of` asks for a fresh computation. `agency_ids` limits the rows.
    Raises YearError for a future year."""
    frozen = None if live or as_of is not None else frozen_table(year)
    if frozen is None:
        return coverage_table(year, as_of, agency_ids=agency_ids), None
    table, freeze = frozen
    if agency_ids is not None:
        codes = set(db.session.scalars(select(Agency.code).where(Agency.id.in_(agency_ids))))
        table.rows = [row for row in table.rows if row.agency_code in codes]
    return table, freeze


@dataclass
class Change:
    column: str
    frozen: object
    live: object

    @property
    def differs(self) -> bool:
        return self.frozen != self.live


@dataclass
class Difference:
    """One agency whose row moved since the freeze (kind added, removed or changed), or the totals."""

    kind: str
    agency_code: str | None
    agency_name: str
    changes: list[Change] = field(default_factory=list)


COMPARED = COLUMNS[1:]  # a renamed agency shows up as a changed name


def compare_tables(frozen: CoverageTable, live: CoverageTable) -> list[Difference]:
    """Agencies added, removed or changed (only the columns that differ), then the totals (every
    column, so they can be shown side by side)."""
    before = {row.agency_code: row.as_dict() for row in frozen.rows}
    after = {row.agency_code: row.as_dict() for row in live.rows}
    differences = []
    for code in sorted(before.keys() | after.keys()):
        old, new = before.get(code), after.get(code)
        if old is None or new is None:
            kind, shown = ("added", new) if old is None else ("removed", old)
            changes = [Change(c, (old or {}).get(c), (new or {}).get(c)) for c in COLUMNS[2:]]
            differences.append(Difference(kind, code, shown["agency_name"], changes))
            continue
        changes = [Change(c, old[c], new[c]) for c in COMPARED if old[c] != new[c]]
        if changes:
            differences.append(Difference("changed", code, new["agency_name"], changes))
    old_totals, new_totals = frozen.totals.as_dict(), live.totals.as_dict()
    differences.append(Difference("totals", None, "", [Change(c, old_totals[c], new_totals[c])
                                                        for c in COLUMNS[4:]]))
    return differences


def compare(year: int) -> list[Difference]:
    """Per-agency differences between the frozen table and a fresh computation on the same
    reference date with the rules frozen with it (so only changed data shows, never changed rules).
    Raises FreezeError when the year is not frozen."""
    frozen = frozen_table(year)
    if frozen is None:
        raise FreezeError(_("Số liệu năm %(year)s chưa được chốt.", year=year))
    table, freeze = frozen
    return compare_tables(table, coverage_table(year, freeze.as_of, rules=table.rules))
