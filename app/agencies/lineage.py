"""Reorganisations (merge, absorb, split, rename, dissolve): end agencies, move their people, and
follow the lineage graph from an old agency to the one(s) it is today."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from flask_babel import gettext as _
from sqlalchemy import or_, select

from app.accounts.models import Assignment, Person
from app.agencies.models import LINEAGE_EVENTS, Agency, LineageEvent
from app.audit.services import record
from app.core.dates import format_date, today
from app.extensions import db

#: events whose successor takes the predecessor's people over
CARRY_OVER = ("merge", "absorb", "rename")


class LineageError(ValueError):
    """An event that cannot be applied as given; the message is shown to the user. `column` names
    the import column it concerns (event, predecessor_code, successor_code or effective_date)."""

    def __init__(self, message: str, column: str = "effective_date") -> None:
        super().__init__(message)
        self.column = column


@dataclass
class LineageOutcome:
    """What applying (or planning) one event does. `unchanged` when it was already applied."""

    event: str
    predecessor: Agency
    successors: list[Agency]
    effective_date: date
    predecessor_ended: bool = False
    #: people now at a successor (a new assignment, or one they already had)
    moved: list[Person] = field(default_factory=list)
    #: people whose assignment ended without a place at a successor (split, dissolve)
    not_placed: list[Person] = field(default_factory=list)
    #: ISO secretaries whose role was not carried over (merge, absorb)
    secretaries_dropped: int = 0
    #: successor ids (None for a dissolution) whose lineage edge is not stored yet
    missing_edges: list[int | None] = field(default_factory=list)

    @property
    def unchanged(self) -> bool:
        return not (self.missing_edges or self.predecessor_ended or self.moved or self.not_placed)


def check_event(event: str, predecessor: Agency, successors: list[Agency], effective_date: date,
                ends: dict[int, date | None] | None = None) -> None:
    """Raise LineageError unless the event makes sense on the agencies' dates. `ends` overrides
    valid_to per agency id (an import checks a file of events against the state they leave)."""
    ends = ends or {}

    def valid_to(agency: Agency) -> date | None:
        return ends.get(agency.id, agency.valid_to)

    if event not in LINEAGE_EVENTS:
        raise LineageError(_("loại sự kiện không hợp lệ (merge, absorb, split, rename, dissolve)"), "event")
    if event == "dissolve" and successors:
        raise LineageError(_("giải thể thì không có cơ quan kế thừa"), "successor_code")
    if event != "dissolve" and not successors:
        raise LineageError(_("thiếu cơ quan kế thừa"), "successor_code")
    if event not in ("split", "dissolve") and len(successors) > 1:
        raise LineageError(_("chỉ sự kiện chia tách (split) mới có nhiều cơ quan kế thừa"), "successor_code")
    if predecessor in successors:
        raise LineageError(_("cơ quan kế thừa trùng với cơ quan tiền thân"), "successor_code")
    if effective_date <= predecessor.valid_from:
        raise LineageError(_("ngày hiệu lực phải sau ngày bắt đầu của cơ quan tiền thân (%(d)s)",
                             d=format_date(predecessor.valid_from)))
    ended = valid_to(predecessor)
    if ended is not None and ended < effective_date - timedelta(days=1):
        raise LineageError(_("cơ quan tiền thân %(code)s đã kết thúc ngày %(d)s, trước ngày hiệu lực",
                             code=predecessor.code, d=format_date(ended)), "predecessor_code")
    for successor in successors:
        end = valid_to(successor)
        if successor.valid_from > effective_date or (end is not None and end < effective_date):
            raise LineageError(_("cơ quan kế thừa %(code)s không hoạt động vào ngày hiệu lực", code=successor.code),
                               "successor_code")
        if event == "absorb" and successor.valid_from >= effective_date:
            raise LineageError(_("sáp nhập (absorb) vào cơ quan đã có: %(code)s phải hoạt động từ trước ngày hiệu lực",
                                 code=successor.code), "successor_code")


def _open_assignments(predecessor: Agency, effective_date: date) -> list[tuple[Assignment, Person]]:
    """Assignments at the predecessor on its last day that run on past it (or stay open)."""
    last_day = effective_date - timedelta(days=1)
    return list(db.session.execute(
        select(Assignment, Person).join(Person, Person.id == Assignment.person_id)
        .where(Assignment.agency_id == predecessor.id, Assignment.start_date <= last_day,
               or_(Assignment.end_date.is_(None), Assignment.end_date >= effective_date))
        .order_by(Person.staff_code)).tuples())


def plan_event(event: str, predecessor: Agency, successors: list[Agency], effective_date: date,
               ends: dict[int, date | None] | None = None) -> tuple[LineageOutcome, list, set[int]]:
    """What apply_event would do, without writing: (outcome, open assignments, ids of people who
    already have an assignment at a successor on the effective date). Raises LineageError."""
    check_event(event, predecessor, successors, effective_date, ends)
    successor_ids = {s.id for s in successors}
    stored = list(db.session.execute(
        select(LineageEvent.event, LineageEvent.successor_id, LineageEvent.effective_date)
        .where(LineageEvent.predecessor_id == predecessor.id)).tuples())
    for stored_event, successor_id, day in stored:
        if stored_event != event or day != effective_date or (
                successor_id is not None and successor_id not in successor_ids):
            raise LineageError(_("cơ quan %(code)s đã có sự kiện tổ chức lại khác (%(event)s, %(d)s)",
                                 code=predecessor.code, event=stored_event, d=format_date(day)), "predecessor_code")
    later = db.session.scalar(select(Assignment.id).where(
        Assignment.agency_id == predecessor.id, Assignment.start_date >= effective_date).limit(1))
    if later is not None:
        raise LineageError(_("cơ quan %(code)s có phân công bắt đầu từ ngày hiệu lực trở đi; hãy sửa trước",
                             code=predecessor.code), "predecessor_code")
    open_ = _open_assignments(predecessor, effective_date)
    placed = set(db.session.scalars(select(Assignment.person_id).where(
        Assignment.agency_id.in_(successor_ids), Assignment.person_id.in_([p.id for _a, p in open_]),
        Assignment.start_date <= effective_date,
        or_(Assignment.end_date.is_(None), Assignment.end_date >= effective_date))))
    have = {successor_id for _e, successor_id, _d in stored}
    outcome = LineageOutcome(event, predecessor, successors, effective_date,
                             missing_edges=[s for s in [s.id for s in successors] or [None] if s not in have],
                             predecessor_ended=predecessor.valid_to is None
                             or predecessor.valid_to >= effective_date)
    people = {person.id: person for _a, person in open_}  # one person may hold two periods there
    for person in people.values():
        (outcome.moved if event in CARRY_OVER or person.id in placed else outcome.not_placed).append(person)
    if event in CARRY_OVER and event != "rename":
        outcome.secretaries_dropped = len({p.id for a, p in open_ if a.is_iso_secretary and p.id not in placed})
    return outcome, open_, placed


def apply_event(event: str, predecessor: Agency, successors: list[Agency], effective_date: date, *,
                actor: Person | None = None) -> LineageOutcome:
    """Apply one reorganisation event. Flushes; the caller commits. Raises LineageError.

    The predecessor ends the day before `effective_date`; each of its assignments still running then
    ends that day. For merge, absorb and rename a new assignment starts at the successor on
    `effective_date` with the same leader and internal-auditor roles; the ISO secretary role is kept
    only for a rename (a merged body must appoint and train its secretary again). For split, people
    who already have an assignment at a successor on that day are moved; the others are ended and
    reported as not placed. Past completions are never touched. Applying the same event twice
    changes nothing; nothing is deleted.
    """
    outcome, open_, placed = plan_event(event, predecessor, successors, effective_date)
    if outcome.unchanged:
        return outcome
    last_day = effective_date - timedelta(days=1)
    created: dict[int, Assignment] = {}
    for assignment, person in open_:
        until = assignment.end_date
        assignment.end_date = last_day
        if event not in CARRY_OVER or person.id in placed:
            continue
        new = created.get(person.id)
        if new is None:  # one new period per person, with every role any of their old ones had
            new = created[person.id] = Assignment(person_id=person.id, agency_id=successors[0].id,
                                                  start_date=effective_date, end_date=until, is_leader=False,
                                                  is_iso_secretary=False, is_internal_auditor=False)
            db.session.add(new)
        elif new.end_date is not None:
            new.end_date = None if until is None else max(new.end_date, until)
        new.is_leader |= assignment.is_leader
        new.is_internal_auditor |= assignment.is_internal_auditor
        new.is_iso_secretary |= assignment.is_iso_secretary and event == "rename"
    if outcome.predecessor_ended:
        predecessor.valid_to = last_day
    for successor_id in outcome.missing_edges:
        db.session.add(LineageEvent(event=event, predecessor_id=predecessor.id, successor_id=successor_id,
                                    effective_date=effective_date, created_by_id=actor.id if actor else None))
    record(f"lineage.{event}", actor=actor, target_type="agency", target_id=predecessor.id,
           target_label=f"{predecessor.code} · {predecessor.name}",
           details={"successors": [s.code for s in successors], "effective_date": effective_date.isoformat(),
                    "moved": len(outcome.moved), "not_placed": [p.staff_code for p in outcome.not_placed],
                    "secretaries_dropped": outcome.secretaries_dropped})
    db.session.flush()
    return outcome


def lineage_graph(day: date | None = None) -> dict[int, list[int | None]]:
    """Predecessor id -> successor ids (None for a dissolution) of the edges effective by `day`
    (default today). One query."""
    graph: dict[int, list[int | None]] = defaultdict(list)
    for predecessor_id, successor_id in db.session.execute(
            select(LineageEvent.predecessor_id, LineageEvent.successor_id)
            .where(LineageEvent.effective_date <= (day or today()))):
        graph[predecessor_id].append(successor_id)
    return graph


def resolve_current(agency_ids, day: date | None = None, graph: dict | None = None) -> dict[int, list[int]]:
    """Each agency id mapped to the agency id(s) it has become by `day` (default today), following
    lineage edges effective on or before that day: merge, absorb and rename lead to one successor,
    split to several, dissolve to none; an agency without edges maps to itself. One query, none when
    the caller passes the lineage_graph() it already has."""
    graph = lineage_graph(day) if graph is None else graph
    memo: dict[int, list[int]] = {}

    def walk(agency_id: int, path: frozenset) -> list[int]:
        if agency_id not in graph:
            return [agency_id]
        if agency_id not in memo:
            found: set[int] = set()
            for successor_id in graph[agency_id]:
                if successor_id is not None and successor_id not in path:
                    found.update(walk(successor_id, path | {successor_id}))
            memo[agency_id] = sorted(found)
        return memo[agency_id]

    return {agency_id: walk(agency_id, frozenset({agency_id})) for agency_id in agency_ids}


def predecessors(agency_ids, graph: dict[int, list[int | None]]) -> set[int]:
    """The agencies given and every agency that led to one of them through the lineage graph."""
    backward: dict[int, list[int]] = defaultdict(list)
    for predecessor_id, successor_ids in graph.items():
        for successor_id in successor_ids:
            if successor_id is not None:
                backward[successor_id].append(predecessor_id)
    found, todo = set(agency_ids), list(agency_ids)
    while todo:
        for predecessor_id in backward.get(todo.pop(), ()):
            if predecessor_id not in found:
                found.add(predecessor_id)
                todo.append(predecessor_id)
    return found


def credited_sources(agency_ids, day: date, graph: dict[int, list[int | None]]) -> list[int]:
    """The agencies whose records today count for the given ones: themselves, and every agency that
    led to them and has become exactly one of them (merged or renamed). An agency split into several,
    or dissolved, counts for none: its records stay in the province's totals only."""
    agency_ids = set(agency_ids)
    return [a for a, now in resolve_current(predecessors(agency_ids, graph), day, graph).items()
            if len(now) == 1 and now[0] in agency_ids]


def successor_chain(agency_id: int, day: date | None = None) -> list[LineageEvent]:
    """Every lineage edge reachable forward from an agency (by `day`, default today), oldest first.
    Two queries."""
    day = day or today()
    graph = lineage_graph(day)
    reached, todo = {agency_id}, [agency_id]
    while todo:
        for successor_id in graph.get(todo.pop(), []):
            if successor_id is not None and successor_id not in reached:
                reached.add(successor_id)
                todo.append(successor_id)
    return list(db.session.scalars(
        select(LineageEvent).where(LineageEvent.predecessor_id.in_(reached), LineageEvent.effective_date <= day)
        .order_by(LineageEvent.effective_date, LineageEvent.id)))
