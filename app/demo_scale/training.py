"""Synthetic completions of one person: the obligations (often on time, sometimes late or never)
and other courses for volume. Each one is credited to the agency of the segment covering its day."""
from __future__ import annotations

import random
from datetime import date

from app.demo_scale.careers import NEW_ERA_O, PLATFORM_O, Career, Context

LEGACY_END_O = date(2024, 12, 31).toordinal()
#: courses taken beyond the obligations, by how often they are picked
EXTRA_STAFF = ["ISO-06"] * 9 + ["ISO-05"] * 7 + ["ISO-07"] * 2 + ["ISO-04"] * 2
EXTRA_ROLE = ["ISO-06"] * 6 + ["ISO-07"] * 3 + ["ISO-03"] * 1


def training_level(rng: random.Random) -> float:
    """How seriously an agency trains: a few not at all, some half-heartedly, most normally."""
    draw = rng.random()
    return 0.0 if draw < 0.03 else 0.45 if draw < 0.15 else 1.0


def _agency_on(segments: list[list], day: int) -> int | None:
    for segment in segments:
        if segment[1] <= day and (segment[2] is None or day <= segment[2]):
            return segment[0]
    return None


def _due(rng: random.Random, start: int, window: int, level: float) -> int | None:
    """Day an obligation due `window` days after `start` was met: on time, late, or never (None)."""
    draw = rng.random()
    if draw < 0.7 * level:
        return start + rng.randint(0 if window <= 30 else 3, window)
    if draw < 0.85 * level:
        return start + rng.randint(window + 1, window * 4)
    return None


def person_completions(career: Career, rng: random.Random, level: float, ctx: Context,
                       extra_per_year: float, dost: set[int]) -> list[tuple[int, str, int, str]]:
    """(day, course code, agency id, source) for every completion of this person, in no order."""
    if not level:
        return []
    segments, today = career.segments, ctx.today
    out: list[tuple[int, str, int, str]] = []

    def add(day: int | None, code: str, source: str = "online") -> None:
        if day is not None and PLATFORM_O <= day <= today:
            agency = _agency_on(segments, day)
            if agency is not None:
                out.append((day, code, agency, source))

    first = segments[0][1]
    if first >= PLATFORM_O:
        add(_due(rng, first, 60, level), "ISO-01")
    elif rng.random() < 0.5 * level:  # veterans' onboarding, recorded when the platform opened
        add(rng.randint(PLATFORM_O, LEGACY_END_O), "ISO-01", "offline")
    tenure_end = None
    for segment in segments:
        if segment[4] and tenure_end != segment[1] - 1:  # a new spell as ISO secretary
            if segment[1] >= PLATFORM_O:
                add(_due(rng, segment[1], 30, level), "ISO-02")
            elif rng.random() < 0.6 * level:
                add(rng.randint(PLATFORM_O, PLATFORM_O + 364), "ISO-02", "offline")
        tenure_end = segment[2] if segment[4] else None
    _refreshers(rng, segments, level, ctx, add)
    for segment in segments:
        start, end = max(segment[1], PLATFORM_O), min(segment[2] or today, today)
        if end < start:
            continue
        span = end - start + 1
        if segment[3] and rng.random() < 0.6 * level:
            add(start + rng.randint(10, 300), "ISO-03")
        if segment[5] and rng.random() < 0.7 * level:
            add(start + int(rng.random() * span), "ISO-04")
        if (segment[3] or segment[4]) and end >= NEW_ERA_O and rng.random() < 0.4 * level:
            add(rng.randint(max(start, NEW_ERA_O), end), "ISO-07")
        if segment[0] in dost and rng.random() < 0.5 * level:
            add(start + int(rng.random() * span), "ISO-08")
        expected = span / 365.25 * extra_per_year * level
        pool = EXTRA_ROLE if segment[3] or segment[4] else EXTRA_STAFF
        for _ in range(int(expected) + (rng.random() < expected - int(expected))):
            out.append((start + int(rng.random() * span), pool[int(rng.random() * len(pool))], segment[0],
                        "online" if rng.random() < 0.85 else "offline"))
    return out


def _refreshers(rng: random.Random, segments: list[list], level: float, ctx: Context, add) -> None:
    """ISO-05 once in each calendar year a leader or secretary role was held; fewer this year."""
    current_year = date.fromordinal(ctx.today).year
    for year in range(2022, current_year + 1):
        first, last = date(year, 1, 1).toordinal(), min(date(year, 12, 31).toordinal(), ctx.today)
        held = [(max(s[1], first), min(s[2] or last, last)) for s in segments
                if (s[3] or s[4]) and s[1] <= last and (s[2] is None or s[2] >= first)]
        if held and rng.random() < (0.55 if year == current_year else 0.8) * level:
            start, end = rng.choice(held)
            add(rng.randint(start, end), "ISO-05")
