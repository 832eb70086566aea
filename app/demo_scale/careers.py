"""Synthetic people of one agency: their assignments since their first day, roles and departures.

Days are ordinals (date.toordinal()) here: this code runs for half a million people.
A segment is [agency_id, start, end or None, is_leader, is_iso_secretary, is_internal_auditor];
a person's segments never overlap, so one assignment at most covers any day.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date

from app.demo_scale.geography import LEAVER_SHARE, NEW_ERA, OLD_END, Geography, Unit
from app.demo_scale.names import person_name

NEW_ERA_O, OLD_END_O = NEW_ERA.toordinal(), OLD_END.toordinal()
PLATFORM_O = date(2022, 1, 1).toordinal()  # completions start with the platform
EARLIEST_O = date(1995, 1, 1).toordinal()
LEADERS = ([1, 2, 3], [35, 45, 20])


@dataclass
class Context:
    """What every agency's generator shares: today, the agencies, the hiring calendar."""

    today: int
    geo: Geography
    units: dict[int, Unit] = field(default_factory=dict)
    valid_from: dict[int, int] = field(default_factory=dict)
    hire_years: list[tuple[int, int]] = field(default_factory=list)
    hire_weights: list[float] = field(default_factory=list)

    @classmethod
    def build(cls, geo: Geography, today: date) -> Context:
        ctx = cls(today.toordinal(), geo, geo.by_id())
        ctx.valid_from = {u.id: u.valid_from.toordinal() for u in geo.units}
        for year in range(2022, today.year + 1):
            first = date(year, 1, 1).toordinal()
            last = min(date(year, 12, 31).toordinal(), ctx.today - 1)
            # hiring picked up after the reorganisation; the current year is not over yet
            weight = (1.3 if year >= 2025 else 1.0) * (last - first + 1) / 365
            ctx.hire_years.append((first, last))
            ctx.hire_weights.append(weight)
        return ctx


@dataclass(slots=True)
class Career:
    name: str
    active: bool
    segments: list[list]


def _first_start(rng: random.Random, ctx: Context) -> int:
    """First day of work: most people are veterans, a quarter were hired since 2022."""
    if rng.random() < 0.72:
        return rng.randint(EARLIEST_O, PLATFORM_O - 1)
    first, last = rng.choices(ctx.hire_years, ctx.hire_weights)[0]
    return rng.randint(first, last)


def _path(rng: random.Random, unit: Unit, ctx: Context) -> list[list]:
    """Assignments from the first day to today at `unit`, through an old agency it succeeded."""
    first = _first_start(rng, ctx)
    here = ctx.valid_from[unit.id]
    continuing = here < NEW_ERA_O
    if first >= NEW_ERA_O or not unit.pool or (continuing and rng.random() < 3 / (len(unit.pool) + 3)):
        return [[unit.id, max(first, here), None, False, False, False]]
    pred = rng.choice(unit.pool)
    if first < ctx.valid_from[pred]:  # joined when the agency was formed, or soon after
        first = ctx.valid_from[pred] + rng.randint(0, 700)
    segments = []
    if rng.random() < 0.1 and OLD_END_O - first > 1200:  # an earlier post elsewhere in the province
        other = rng.choice(ctx.geo.old[unit.province])
        if other != pred and ctx.valid_from[other] <= first:
            moved = rng.randint(first + 365, OLD_END_O - 400)
            segments.append([other, first, moved - 1, False, False, False])
            first = moved
    segments.append([pred, first, OLD_END_O, False, False, False])
    segments.append([unit.id, NEW_ERA_O, None, False, False, False])
    return segments


def _path_via(rng: random.Random, unit: Unit, ctx: Context) -> list[list]:
    """Like _path, but the person came from another current agency of the province after 1/7/2025."""
    source = ctx.units[rng.choice(ctx.geo.current[unit.province])]
    segments = _path(rng, source, ctx)
    start = max(segments[-1][1], NEW_ERA_O)
    if source is unit or start > ctx.today - 120:
        return _path(rng, unit, ctx)
    moved = rng.randint(start + 30, ctx.today - 10)
    segments[-1][2] = moved - 1
    segments.append([unit.id, moved, None, False, False, False])
    return segments


def _leave(rng: random.Random, segments: list[list], ctx: Context) -> bool:
    """Cut the career at a last working day since 2022; False if there is no room for it."""
    low = max(segments[0][1] + 30, PLATFORM_O)
    if low > ctx.today - 1:
        return False
    last_day = rng.randint(low, ctx.today - 1)
    segments[:] = [s for s in segments if s[1] <= last_day]
    if segments[-1][2] is None or segments[-1][2] > last_day:
        segments[-1][2] = last_day
    return True


def _roles(rng: random.Random, staff: list[Career], ctx: Context) -> None:
    """1–3 leaders; usually one ISO secretary, sometimes appointed months after the others started."""
    count = len(staff)
    if not count:
        return
    leaders = rng.sample(range(count), min(count, rng.choices(*LEADERS)[0]))
    for i in leaders:
        staff[i].segments[-1][3] = True
        if len(staff[i].segments) > 1 and staff[i].segments[-2][2] == OLD_END_O and rng.random() < 0.6:
            staff[i].segments[-2][3] = True
    if rng.random() < (0.9 if count > 1 else 0.5):
        others = [i for i in range(count) if i not in leaders] or leaders
        for i in rng.sample(others, 2 if len(others) > 1 and rng.random() < 0.03 else 1):
            segments = staff[i].segments
            start = segments[-1][1]
            if rng.random() < 0.4 and ctx.today - 5 > start + 15:
                appointed = rng.randint(start + 15, ctx.today - 5)
                segments[-1][2] = appointed - 1
                segments.append([segments[-1][0], appointed, None, segments[-1][3], False, False])
            segments[-1][4] = True
            if len(segments) > 1 and segments[-2][2] == OLD_END_O and rng.random() < 0.4:
                segments[-2][4] = True
    for person in staff:
        if rng.random() < 0.06:
            person.segments[-1][5] = True


def agency_people(unit: Unit, rng: random.Random, ctx: Context) -> list[Career]:
    """Today's staff of `unit` and the people who worked here (or at its predecessors) and left."""
    staff = []
    for _ in range(unit.staff):
        segments = _path_via(rng, unit, ctx) if rng.random() < 0.06 else _path(rng, unit, ctx)
        staff.append(Career(person_name(rng), True, segments))
    _roles(rng, staff, ctx)
    for person in staff:
        for segment in person.segments[:-1]:
            if segment[2] == OLD_END_O and not (segment[3] or segment[4]):
                segment[3], segment[4] = rng.random() < 0.04, rng.random() < 0.015
    leavers = []
    expected = unit.staff * LEAVER_SHARE
    for _ in range(int(expected) + (rng.random() < expected - int(expected))):
        segments = _path(rng, unit, ctx)
        if _leave(rng, segments, ctx):
            segments[-1][3], segments[-1][4] = rng.random() < 0.05, rng.random() < 0.02
            leavers.append(Career(person_name(rng), False, segments))
    return staff + leavers
