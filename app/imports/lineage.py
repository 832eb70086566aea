"""Lineage import: reorganisation events, checked in date order and applied through the lineage service."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.agencies.lineage import LineageError, LineageOutcome, apply_event, plan_event
from app.agencies.models import LINEAGE_EVENTS, Agency
from app.core.dates import format_date
from app.extensions import db
from app.imports.base import BaseImport, RowError


BAD_EVENT = _l("loại sự kiện không hợp lệ (merge, absorb, split, rename, dissolve)")


@dataclass(slots=True)
class EventRow:
    row: int
    event: str
    predecessor_code: str
    successor_code: str | None
    effective_date: date

    def text(self) -> str:
        successor = self.successor_code or "∅"
        return f"{self.event} · {self.predecessor_code} → {successor} · {format_date(self.effective_date)}"


@dataclass
class Group:
    """The rows of one event: one predecessor on one date (several rows for a split)."""

    rows: list[EventRow]
    predecessor: Agency
    successors: list[Agency]


class LineageImport(BaseImport):
    """Lineage files are small (one row per edge), so their rows are kept; no second pass."""

    kind = "lineage"
    columns = ("event", "predecessor_code", "successor_code", "effective_date")
    second_pass = False

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.rows: list[EventRow] = []
        self.groups: list[Group] = []

    def parse(self, number: int, values: dict[str, str]) -> EventRow | None:
        c = self.cells(number, values)
        event = c.choice("event", LINEAGE_EVENTS, BAD_EVENT)
        predecessor = c.text("predecessor_code", max_len=40)
        successor = c.text("successor_code", required=False, max_len=40)
        effective_date = c.date("effective_date")
        if event == "dissolve" and successor:
            c.fail("successor_code", _("giải thể thì không có cơ quan kế thừa"))
        elif event and event != "dissolve" and not c.values.get("successor_code"):
            c.fail("successor_code", _("thiếu cơ quan kế thừa"))
        elif predecessor and predecessor == successor:
            c.fail("successor_code", _("cơ quan kế thừa trùng với cơ quan tiền thân"))
        return EventRow(number, event, predecessor, successor, effective_date) if c.ok else None

    def check(self, batch) -> None:
        self.rows.extend(r for r in (self.parse(n, v) for n, v in batch) if r)

    def finish_check(self) -> None:
        codes = {r.predecessor_code for r in self.rows} | {r.successor_code for r in self.rows if r.successor_code}
        agencies = {a.code: a for a in db.session.scalars(select(Agency).where(Agency.code.in_(codes)))}
        seen: dict[tuple, int] = {}
        groups: dict[tuple, list[EventRow]] = {}
        for r in self.rows:
            key = (r.event, r.predecessor_code, r.successor_code, r.effective_date)
            if key in seen:
                self.problems.add(r.row, "predecessor_code", _("trùng với dòng %(n)d", n=seen[key]))
                continue
            seen[key] = r.row
            unknown = [(col, code) for col, code in (("predecessor_code", r.predecessor_code),
                                                     ("successor_code", r.successor_code))
                       if code and code not in agencies]
            for col, code in unknown:
                self.problems.add(r.row, col, _("mã cơ quan không tồn tại: %(code)s", code=code))
            if not unknown:
                groups.setdefault((r.predecessor_code, r.effective_date), []).append(r)
        ends: dict[int, date | None] = {}  # valid_to of each agency once the earlier events of the file apply
        for (code, day), rows in sorted(groups.items(), key=lambda item: (item[0][1], item[1][0].row)):
            other = next((r for r in rows if r.event != rows[0].event), None)
            if other is not None:
                self.problems.add(other.row, "event", _("cơ quan tiền thân đã có sự kiện khác cùng ngày ở dòng %(n)d",
                                                        n=rows[0].row))
                continue
            group = Group(rows, agencies[code], [agencies[r.successor_code] for r in rows if r.successor_code])
            try:
                outcome, _open, _placed = plan_event(rows[0].event, group.predecessor, group.successors, day, ends)
            except LineageError as exc:
                self.problems.add(rows[0].row, exc.column, str(exc))
                continue
            ends[group.predecessor.id] = day - timedelta(days=1)
            self.groups.append(group)
            self._count(group, outcome)

    def _count(self, group: Group, outcome: LineageOutcome) -> None:
        action = "unchanged" if outcome.unchanged else "created"
        for r in group.rows:
            self.count(action, r.row, r.text)
        counts = self.report.counts
        counts["people_moved"] += len(outcome.moved)
        counts["people_not_placed"] += len(outcome.not_placed)
        counts["secretaries_dropped"] += outcome.secretaries_dropped
        last_day = format_date(group.rows[0].effective_date - timedelta(days=1))
        for person in outcome.not_placed:
            self.report.notes.append(_(
                "%(code)s %(name)s: phân công tại %(agency)s kết thúc ngày %(d)s, chưa được xếp vào cơ quan mới",
                code=person.staff_code, name=person.full_name, agency=group.predecessor.code, d=last_day))

    def apply(self, batch) -> None:
        """Nothing per batch: the events were gathered and ordered in the first pass."""

    def finish_apply(self) -> None:
        for group in self.groups:
            first = group.rows[0]
            try:
                outcome = apply_event(first.event, group.predecessor, group.successors, first.effective_date,
                                      actor=self.actor)
            except LineageError as exc:
                raise RowError(first.row, exc.column, str(exc)) from exc
            self._count(group, outcome)
