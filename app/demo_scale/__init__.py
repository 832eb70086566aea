"""Synthetic data at province and national scale, for the coverage report and its benchmark."""
from __future__ import annotations

import random
import time
from dataclasses import dataclass, field
from datetime import date, datetime, time as clock, timedelta, timezone
from typing import Callable

from sqlalchemy import select

from app.agencies.models import Agency
from app.core.dates import today as local_today
from app.courses.services import current_version, current_versions_query, sync_courses
from app.demo_scale.careers import PLATFORM_O, Context, agency_people
from app.demo_scale.geography import CODE_PREFIX, build_geography
from app.demo_scale.tiers import TIERS
from app.demo_scale.training import person_completions, training_level
from app.demo_scale.writer import BulkWriter, vacuum_analyze
from app.extensions import db
from app.people.naming import name_columns
from app.quiz_stats import synthetic
from app.quizzes.services import is_pass

__all__ = ["ScaleDataError", "ScaleSummary", "load_scale", "scale_data_present", "vacuum_analyze"]

REQUIRED_COURSES = ("ISO-01", "ISO-02", "ISO-05")
#: completions buffered before people, assignments and completions are written out
FLUSH_EVERY = {"postgresql": 300_000, "sqlite": 50_000}


class ScaleDataError(Exception):
    """The synthetic data cannot be loaded; the message says why."""


@dataclass
class ScaleSummary:
    scale: str
    seed: int
    counts: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)

    def __str__(self) -> str:
        sizes = ", ".join(f"{name} {value:,}" for name, value in self.counts.items())
        timings = ", ".join(f"{name} {value:.1f}s" for name, value in self.seconds.items())
        return f"scale data '{self.scale}' (seed {self.seed}): {sizes}\ntimings: {timings}"


def scale_data_present() -> bool:
    return db.session.scalar(select(Agency.id).where(Agency.code.startswith(CODE_PREFIX)).limit(1)) is not None


def _catalogue(courses_dir: str) -> tuple[dict[str, tuple[int, int]], dict[str, _Quiz]]:
    """Course code -> (course id, current version id), and code -> its quiz, syncing the catalogue
    first if need be."""
    if current_version("ISO-01") is None:
        sync_courses(courses_dir)
    current = list(db.session.scalars(current_versions_query()))
    versions = {v.course.code: (v.course_id, v.id) for v in current}
    missing = [code for code in REQUIRED_COURSES if code not in versions]
    if missing:
        raise ScaleDataError(f"courses {', '.join(missing)} are missing: run 'flask courses sync' first")
    quizzes = {v.course.code: _Quiz(v.course_id, v.id, v.pass_mark, v.questions_per_attempt, v.attempts_allowed or 3,
                                    [synthetic.Item.of(q) for q in v.questions]) for v in current if v.questions}
    return versions, quizzes


@dataclass
class _Quiz:
    course_id: int
    version_id: int
    pass_mark: int
    count: int
    allowed: int
    pool: list


def _stamp(cache: dict[int, datetime], day: int) -> datetime:
    """09:00 in Vietnam on that day, as a UTC timestamp (one object per day, shared)."""
    if day not in cache:
        cache[day] = datetime.combine(date.fromordinal(day), clock(2, 0), tzinfo=timezone.utc)
    return cache[day]


def load_scale(scale: str, seed: int = 2026, *, courses_dir: str, factor: float = 1.0,
               echo: Callable[[str], None] = lambda _line: None) -> ScaleSummary:
    """Write the synthetic agencies, lineage, people, assignments and completions of a tier, with the
    quiz attempts and answers behind the online completions of this year and last.

    `factor` shrinks the tier (tests use 0.02). The same seed on the same day gives the same data.
    Flushes through the session's connection; the caller commits (then may call vacuum_analyze()).
    Raises ScaleDataError when scale data is already loaded or the core courses are missing.
    """
    if scale_data_present():
        raise ScaleDataError("scale data is already loaded (agency codes starting with "
                             f"'{CODE_PREFIX}'); use a fresh database to load it again")
    started = time.perf_counter()
    courses, quizzes = _catalogue(courses_dir)
    writer = BulkWriter(db.session.connection())
    ids = writer.next_ids()
    day = local_today()
    geo = build_geography(TIERS[scale], seed, factor, ids["agency"], ids["agency_lineage"])
    writer.write("agency", (u.row() for u in geo.units))
    stamp = datetime(2025, 7, 1, 1, 0, tzinfo=timezone.utc)
    writer.write("agency_lineage", (edge + (stamp,) for edge in geo.lineage))
    echo(f"agencies {len(geo.units):,} and lineage edges {len(geo.lineage):,} written "
         f"in {writer.seconds['agency'] + writer.seconds['agency_lineage']:.1f}s")
    people = _People(writer, ids, courses, Context.build(geo, day), TIERS[scale].extra_per_year,
                     FLUSH_EVERY.get(writer.connection.dialect.name, 50_000), quizzes,
                     attempts_from=date(day.year - 1, 1, 1).toordinal())
    current = [u for u in geo.units if u.valid_to is None]
    with writer.foreign_keys_checked_at_the_end(("assignment", "quiz_attempt", "completion", "quiz_response")):
        for number, unit in enumerate(current, 1):
            people.add_agency(unit, random.Random(f"{seed}/{unit.code}"), random.Random(f"{seed}/{unit.code}/quiz"))
            if people.buffered() or number == len(current):
                people.flush()
                echo(f"  {number:,}/{len(current):,} agencies: {writer.rows['person']:,} people, "
                     f"{writer.rows['completion']:,} completions, {writer.rows['quiz_response']:,} quiz answers, "
                     f"{time.perf_counter() - started:.0f}s")
    writer.fix_sequences()
    db.session.flush()
    historical = sum(1 for u in geo.units if u.valid_to is not None)
    return ScaleSummary(scale, seed, counts={
        "current agencies": len(current), "historical agencies": historical,
        "lineage edges": len(geo.lineage), "people": writer.rows["person"],
        "assignments": writer.rows["assignment"], "completions": writer.rows["completion"],
        "quiz attempts": writer.rows["quiz_attempt"], "quiz answers": writer.rows["quiz_response"],
    }, seconds={
        "generate": people.generating, **{f"write {t}": s for t, s in writer.seconds.items()},
        "total": time.perf_counter() - started,
    })


class _People:
    """Generates people agency by agency and writes them out in batches (memory stays bounded)."""

    def __init__(self, writer: BulkWriter, ids: dict[str, int], courses: dict, ctx: Context,
                 extra_per_year: float, flush_every: int, quizzes: dict[str, _Quiz], attempts_from: int):
        self.writer, self.ids, self.courses, self.ctx = writer, ids, courses, ctx
        self.extra_per_year, self.flush_every = extra_per_year, flush_every
        self.dost = {u.id for u in ctx.geo.units if u.type == "OVERSIGHT_DOST"}
        self.persons: list[tuple] = []
        self.assignments: list[tuple] = []
        self.completions: list[tuple] = []
        self.attempts: list[tuple] = []
        self.responses: list[tuple] = []
        #: online completions from this day (ordinal) on have quiz attempts behind them: the two years
        #: the statistics pages compare
        self.quizzes, self.attempts_from = quizzes, attempts_from
        self.dates: dict[int, date] = {}
        self.stamps: dict[int, datetime] = {}
        self.serial = 0
        self.generating = 0.0

    def _date(self, day: int | None) -> date | None:
        if day is None:
            return None
        if day not in self.dates:
            self.dates[day] = date.fromordinal(day)
        return self.dates[day]

    def buffered(self) -> bool:
        return len(self.completions) >= self.flush_every or len(self.responses) >= 4 * self.flush_every

    def add_agency(self, unit, rng: random.Random, quiz_rng: random.Random) -> None:
        """People of one agency, their careers and completions from `rng`; the quiz attempts from
        `quiz_rng`, a stream of their own so that the other data do not depend on the quizzes."""
        started = time.perf_counter()
        level = training_level(rng)
        units, courses, to_date = self.ctx.units, self.courses, self._date
        for career in agency_people(unit, rng, self.ctx):
            ability = quiz_rng.gauss(0.4, 0.9) + (level - 0.8)
            person_id = self.ids["person"]
            self.ids["person"] += 1
            self.serial += 1
            first = career.segments[0][1]
            staff_code = f"{CODE_PREFIX}{self.serial:07d}"
            names = name_columns(career.name, None, staff_code)
            self.persons.append((person_id, staff_code, career.name, "learner", career.active,
                                 _stamp(self.stamps, max(first, PLATFORM_O)), names["search_name"], names["sort_name"]))
            for agency_id, start, end, leader, secretary, auditor in career.segments:
                self.assignments.append((self.ids["assignment"], person_id, agency_id, leader, secretary, auditor,
                                         to_date(start), to_date(end)))
                self.ids["assignment"] += 1
            for day, code, agency_id, source in person_completions(
                    career, rng, level, self.ctx, self.extra_per_year, self.dost):
                course = courses.get(code)
                if course is None:
                    continue
                agency = units[agency_id]
                score, attempt_id = 70 + int(rng.random() * 31), None
                if source == "online" and day >= self.attempts_from and code in self.quizzes:
                    attempt_id, score = self._attempts(person_id, self.quizzes[code], agency_id, day, ability,
                                                       quiz_rng)
                self.completions.append((self.ids["completion"], person_id, course[0], course[1], to_date(day),
                                         score, source, agency_id, agency.code, agency.name,
                                         _stamp(self.stamps, day), attempt_id))
                self.ids["completion"] += 1
        self.generating += time.perf_counter() - started

    def _attempts(self, person_id: int, quiz: _Quiz, agency_id: int, day: int, ability: float,
                  rng: random.Random) -> tuple[int, int]:
        """The graded attempts behind an online completion: failed ones while attempts are left, then
        the pass (the last allowed one mended if need be). Returns (passing attempt id, its score)."""
        stamp, year = _stamp(self.stamps, day), date.fromordinal(day).year
        for number in range(quiz.allowed):
            drawn, answers, right, marks = synthetic.attempt(quiz.pool, quiz.count, ability + 0.5 * number, rng)
            passed = is_pass(right, len(marks), quiz.pass_mark)
            if not passed and number == quiz.allowed - 1:
                right, passed = synthetic.mend(marks, answers, quiz.pass_mark), True
            attempt_id = self.ids["quiz_attempt"]
            self.ids["quiz_attempt"] += 1
            score = round(100 * right / len(marks))
            at = stamp + timedelta(minutes=20 * number)
            self.attempts.append((attempt_id, person_id, quiz.version_id, at, at + timedelta(minutes=12), drawn,
                                  answers, right, score, passed))
            self.responses.extend((attempt_id, item.id, quiz.course_id, person_id, agency_id, year,
                                   ",".join(chosen), ok, right - ok) for item, chosen, ok in marks)
            if passed:
                return attempt_id, score
        raise AssertionError("unreachable: the last attempt is mended to a pass")

    def flush(self) -> None:
        self.writer.write("person", self.persons)
        self.writer.write("assignment", self.assignments)
        self.writer.write("quiz_attempt", self.attempts)
        self.writer.write("completion", self.completions)
        self.writer.write("quiz_response", self.responses)
        self.persons, self.assignments, self.completions, self.attempts, self.responses = [], [], [], [], []
