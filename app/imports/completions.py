"""Completions import: training done outside the platform, credited to the agency of that day."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.accounts.models import Assignment, Person
from app.agencies.models import Agency
from app.certificates.services import issue_missing
from app.completions.models import SOURCES, Completion
from app.core.dates import format_date, today
from app.courses.models import Course, CourseVersion
from app.extensions import db
from app.imports.base import BaseImport
from app.imports.bulk import among

BAD_SOURCE = _l("nguồn không hợp lệ (chỉ nhận online hoặc offline)")
SCHEMA = "CREATE TABLE keys (row INTEGER PRIMARY KEY, person_id INTEGER, course_id INTEGER, day INTEGER);"
COMPLETION = Completion.__table__
#: a completion dated outside every assignment of the person: stored with no agency
OUTSIDE_ASSIGNMENT = "outside_assignment"


@dataclass(slots=True)
class Done:
    row: int
    staff_code: str
    course_code: str
    completed_on: date
    score: int | None
    source: str

    def text(self, agency_code: str | None) -> str:
        where = agency_code or _("ngoài thời gian công tác")
        return f"{self.staff_code} · {self.course_code} · {format_date(self.completed_on)} · {where}"


class CompletionImport(BaseImport):
    kind = "completions"
    columns = ("staff_code", "course_code", "completed_on", "score", "source")
    batch_size = 5000
    ledger_schema = SCHEMA
    reads = (Person.__table__, Assignment.__table__, COMPLETION)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        current = (select(CourseVersion.course_id, CourseVersion.id)
                   .where(CourseVersion.is_current.is_(True)).subquery())
        #: course code -> (course id, current version id or None)
        self.courses = {code: (cid, vid) for code, cid, vid in db.session.execute(
            select(Course.code, Course.id, current.c.id).outerjoin(current, current.c.course_id == Course.id))}
        self.today = today()

    def parse(self, number: int, values: dict[str, str]) -> Done | None:
        c = self.cells(number, values)
        staff_code = c.text("staff_code", max_len=40)
        course_code = c.text("course_code", max_len=40)
        completed_on = c.date("completed_on")
        score = c.score("score")
        source = c.choice("source", SOURCES, BAD_SOURCE, default="offline")
        if course_code and course_code not in self.courses:
            c.fail("course_code", _("mã khóa học không tồn tại: %(code)s", code=course_code))
        if completed_on and completed_on > self.today:
            c.fail("completed_on", _("ngày hoàn thành ở tương lai"))
        return Done(number, staff_code, course_code, completed_on, score, source) if c.ok else None

    def _resolve(self, batch) -> list[tuple[Done, int, tuple | None, bool]]:
        """Per good row: (row, person id, agency (id, code, name) of that day or None when the day falls
        outside every assignment, already stored).
        Three queries per batch: people, their assignments, their completions of these courses."""
        rows = [d for d in (self.parse(n, v) for n, v in batch) if d]
        people = dict(db.session.execute(
            select(Person.staff_code, Person.id).where(among(Person.staff_code, {d.staff_code for d in rows}))).all())
        ids = list(people.values())
        periods: dict[int, list] = {}
        for a in db.session.execute(
                select(Assignment.person_id, Assignment.start_date, Assignment.end_date,
                       Agency.id, Agency.code, Agency.name)
                .join(Agency, Agency.id == Assignment.agency_id).where(among(Assignment.person_id, ids))
                .order_by(Assignment.start_date, Assignment.id)):
            periods.setdefault(a.person_id, []).append(a)
        course_ids = {self.courses[d.course_code][0] for d in rows}
        stored = set(db.session.execute(
            select(Completion.person_id, Completion.course_id, Completion.completed_on)
            .where(among(Completion.person_id, ids), among(Completion.course_id, course_ids))).tuples())
        resolved = []
        for d in rows:
            person_id = people.get(d.staff_code)
            if person_id is None:
                self.problems.add(d.row, "staff_code", _("mã công chức không tồn tại: %(code)s", code=d.staff_code))
                continue
            # the same rule as app.completions.services.agency_on: the earliest-started covering period
            agency = next(((a.id, a.code, a.name) for a in periods.get(person_id, ())
                           if a.start_date <= d.completed_on
                           and (a.end_date is None or d.completed_on <= a.end_date)), None)
            key = (person_id, self.courses[d.course_code][0], d.completed_on)
            resolved.append((d, person_id, agency, key in stored))
        return resolved

    def check(self, batch) -> None:
        keys = []
        for d, person_id, agency, stored in self._resolve(batch):
            if agency is None:
                # before the first posting, between two, or at a previous employer: it still counts for
                # the person's obligations, but it belongs to no agency of the province
                self.warn(OUTSIDE_ASSIGNMENT, d.row)
            keys.append((d.row, person_id, self.courses[d.course_code][0], d.completed_on.toordinal()))
            code = agency[1] if agency else None
            self.count("unchanged" if stored else "created", d.row, lambda d=d, code=code: d.text(code))
        self.ledger.insert("keys", keys)

    def finish_check(self) -> None:
        for row, first in self.ledger.query(
                "WITH firsts AS (SELECT person_id, course_id, day, MIN(row) AS first FROM keys "
                "GROUP BY person_id, course_id, day HAVING COUNT(*) > 1) "
                "SELECT k.row, f.first FROM keys k JOIN firsts f USING (person_id, course_id, day) "
                "WHERE k.row > f.first ORDER BY k.row"):
            self.problems.add(row, "completed_on",
                              _("trùng với dòng %(n)d (cùng công chức, khóa học và ngày)", n=first))

    def apply(self, batch) -> None:
        resolved = self._resolve(batch)
        inserts = []
        for d, person_id, agency, stored in resolved:
            if not stored:
                course_id, version_id = self.courses[d.course_code]
                inserts.append({"person_id": person_id, "course_id": course_id, "course_version_id": version_id,
                                "completed_on": d.completed_on, "score": d.score, "source": d.source,
                                "agency_id": agency and agency[0], "agency_code": agency and agency[1],
                                "agency_name": agency and agency[2]})
        self.report.counts["created"] += len(inserts)
        self.report.counts["unchanged"] += len(resolved) - len(inserts)
        self.insert(COMPLETION, inserts)
        if inserts:  # the certificates of what was just recorded (and of these people's older ones)
            issue_missing(Completion.person_id.in_({row["person_id"] for row in inserts}))
