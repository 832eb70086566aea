"""Staff import: one row per assignment period; new people get no account (invites come later)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import bindparam, select, update

from app.accounts.models import ASSIGNMENT_ROLES, Assignment, Person
from app.agencies.models import Agency
from app.core.dates import format_date
from app.extensions import db
from app.imports.base import BaseImport, out_of_scope_message
from app.imports.bulk import among
from app.imports.fields import period_text
from app.imports.ledger import OPEN_END
from app.people.naming import name_columns

SCHEMA = """
CREATE TABLE periods (row INTEGER PRIMARY KEY, staff_code TEXT, agency_id INTEGER, start INTEGER,
                      end INTEGER, name TEXT, email TEXT);
CREATE TABLE stored (id INTEGER PRIMARY KEY, staff_code TEXT, agency_id INTEGER, start INTEGER, end INTEGER);
CREATE TABLE new_people (staff_code TEXT PRIMARY KEY);
CREATE TABLE changed_people (staff_code TEXT PRIMARY KEY);
"""
PERSON = Person.__table__
ASSIGNMENT = Assignment.__table__


@dataclass(slots=True)
class Period:
    row: int
    staff_code: str
    full_name: str
    email: str | None
    agency_id: int
    agency_code: str
    flags: tuple[bool, bool, bool]  # leader, iso_secretary, internal_auditor
    start: date
    end: date | None

    def text(self) -> str:
        roles = ", ".join(r for r, held in zip(ASSIGNMENT_ROLES, self.flags) if held) or "staff"
        period = period_text(self.start, self.end)
        return f"{self.staff_code} · {self.full_name} · {self.agency_code} · {roles} · {period}"


def _end(day: date | None) -> int:
    return day.toordinal() if day else OPEN_END


class StaffImport(BaseImport):
    kind = "staff"
    columns = ("staff_code", "full_name", "email", "agency_code", "roles", "start_date", "end_date")
    ledger_schema = SCHEMA
    reads = (PERSON, ASSIGNMENT)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.agencies = {row.code: row for row in db.session.execute(
            select(Agency.id, Agency.code, Agency.valid_from, Agency.valid_to))}

    def parse(self, number: int, values: dict[str, str]) -> Period | None:
        c = self.cells(number, values)
        staff_code = c.text("staff_code", max_len=40, code=True)
        full_name = c.text("full_name", max_len=200)
        email = c.email("email")
        agency_code = c.text("agency_code", max_len=40)
        roles = c.text("roles", required=False, max_len=200) or ""
        flags = self._flags(c, roles)
        start, end = c.date("start_date"), c.date("end_date", required=False)
        agency = self.agencies.get(agency_code)
        if agency_code and agency is None:
            c.fail("agency_code", _("mã cơ quan không tồn tại: %(code)s", code=agency_code))
        elif agency and self.scope is not None and agency.id not in self.scope:
            c.fail("agency_code", out_of_scope_message())
        if start and end and end < start:
            c.fail("end_date", _("ngày kết thúc trước ngày bắt đầu"))
        elif agency and start and start < agency.valid_from:
            c.fail("start_date", _("trước ngày cơ quan bắt đầu hoạt động (%(d)s)", d=format_date(agency.valid_from)))
        elif agency and start and agency.valid_to and (end is None or end > agency.valid_to):
            c.fail("end_date", _("cơ quan đã kết thúc ngày %(d)s: ngày kết thúc phải từ ngày đó trở về trước",
                                 d=format_date(agency.valid_to)))
        if not c.ok:
            return None
        return Period(number, staff_code, full_name, email, agency.id, agency_code, flags, start, end)

    @staticmethod
    def _flags(c, roles: str) -> tuple[bool, bool, bool]:
        names = {r.strip().lower() for r in roles.split(";") if r.strip()}
        unknown = sorted(names - set(ASSIGNMENT_ROLES))
        if unknown:
            c.fail("roles", _("vai trò không hợp lệ “%(role)s” (chỉ nhận leader, iso_secretary, internal_auditor; "
                              "để trống nếu là công chức)", role=unknown[0][:40]))
        return tuple(role in names for role in ASSIGNMENT_ROLES)

    def _people(self, periods: list[Period]) -> dict[str, tuple]:
        codes = {p.staff_code for p in periods}
        return {r.staff_code: r for r in db.session.execute(
            select(Person.id, Person.staff_code, Person.full_name, Person.email, Person.username)
            .where(among(Person.staff_code, codes)))}

    @staticmethod
    def _stored(person_ids) -> list:
        return list(db.session.execute(select(
            Assignment.id, Assignment.person_id, Assignment.agency_id, Assignment.start_date, Assignment.end_date,
            Assignment.is_leader, Assignment.is_iso_secretary, Assignment.is_internal_auditor,
        ).where(among(Assignment.person_id, person_ids))))

    @staticmethod
    def _person_changes(person, p: Period) -> bool:
        # an empty email in the file leaves the stored one: the roster may not know it
        return person.full_name != p.full_name or bool(p.email and p.email != person.email)

    @staticmethod
    def _period_changes(stored, p: Period) -> bool:
        return (stored.is_leader, stored.is_iso_secretary, stored.is_internal_auditor) != p.flags \
            or stored.end_date != p.end

    def check(self, batch) -> None:
        periods = [p for p in (self.parse(n, v) for n, v in batch) if p]
        people = self._people(periods)
        code_of = {r.id: r.staff_code for r in people.values()}
        stored = self._stored(list(code_of))
        by_key = {(s.person_id, s.agency_id, s.start_date): s for s in stored}
        agencies_of: dict[int, set[int]] = {}
        for s in stored:
            agencies_of.setdefault(s.person_id, set()).add(s.agency_id)
        new_people, changed_people, rows = [], [], []
        for p in periods:
            person = people.get(p.staff_code)
            if person is None:
                new_people.append((p.staff_code,))
                action = "created"
            else:
                if self._person_changes(person, p):
                    if self.scope is not None and not agencies_of.get(person.id, set()) & self.scope:
                        self.problems.add(p.row, "full_name", _(
                            "công chức này thuộc cơ quan ngoài phạm vi quản lý: không được sửa họ tên, email"))
                        continue
                    changed_people.append((p.staff_code,))
                existing = by_key.get((person.id, p.agency_id, p.start))
                action = "created" if existing is None else (
                    "updated" if self._period_changes(existing, p) else "unchanged")
            self.count(action, p.row, p.text)
            rows.append((p.row, p.staff_code, p.agency_id, p.start.toordinal(), _end(p.end), p.full_name,
                         p.email or ""))
        self.ledger.insert("periods", rows)
        self.ledger.insert("stored", [(s.id, code_of[s.person_id], s.agency_id, s.start_date.toordinal(),
                                       _end(s.end_date)) for s in stored])
        self.ledger.insert("new_people", new_people)
        self.ledger.insert("changed_people", changed_people)

    def finish_check(self) -> None:
        ledger, add = self.ledger, self.problems.add
        ledger.conn.executescript("CREATE INDEX periods_key ON periods (staff_code, agency_id, start);"
                                  "CREATE INDEX stored_key ON stored (staff_code, agency_id, start);")
        for row, first in ledger.query(
                "SELECT p.row, MIN(q.row) FROM periods p JOIN periods q ON q.staff_code = p.staff_code "
                "AND q.agency_id = p.agency_id AND q.start = p.start AND q.row < p.row GROUP BY p.row"):
            add(row, "start_date", _("trùng với dòng %(n)d (cùng công chức, cơ quan và ngày bắt đầu)", n=first))
        for row, first in ledger.query(
                "SELECT p.row, MIN(q.row) FROM periods p JOIN periods q ON q.staff_code = p.staff_code "
                "AND q.agency_id = p.agency_id AND q.row < p.row AND q.start <> p.start "
                "AND q.start <= p.end AND p.start <= q.end GROUP BY p.row"):
            add(row, "start_date", _("thời gian trùng với dòng %(n)d (cùng công chức và cơ quan)", n=first))
        seen = set()
        for row, start, end in ledger.query(
                "SELECT p.row, s.start, s.end FROM periods p JOIN stored s ON s.staff_code = p.staff_code "
                "AND s.agency_id = p.agency_id AND s.start <> p.start AND s.start <= p.end AND p.start <= s.end "
                "WHERE NOT EXISTS (SELECT 1 FROM periods q WHERE q.staff_code = s.staff_code "
                "AND q.agency_id = s.agency_id AND q.start = s.start) ORDER BY p.row, s.start"):
            if row not in seen:
                seen.add(row)
                stored = period_text(date.fromordinal(start), None if end == OPEN_END else date.fromordinal(end))
                add(row, "start_date", _("thời gian trùng với giai đoạn đã lưu %(period)s tại cùng cơ quan",
                                         period=stored))
        for row, first, name in ledger.query(
                "WITH firsts AS (SELECT staff_code, MIN(row) AS row FROM periods GROUP BY staff_code) "
                "SELECT p.row, f.row, fp.name FROM periods p JOIN firsts f ON f.staff_code = p.staff_code "
                "JOIN periods fp ON fp.row = f.row WHERE p.name <> fp.name"):
            add(row, "full_name", _("cùng mã công chức với dòng %(n)d nhưng khác họ tên (“%(name)s”)",
                                    n=first, name=name))
        for row, first in ledger.query(
                "WITH firsts AS (SELECT staff_code, MIN(row) AS row FROM periods WHERE email <> '' "
                "GROUP BY staff_code) SELECT p.row, f.row FROM periods p JOIN firsts f ON f.staff_code = p.staff_code "
                "JOIN periods fp ON fp.row = f.row WHERE p.email <> '' AND p.email <> fp.email"):
            add(row, "email", _("cùng mã công chức với dòng %(n)d nhưng khác email", n=first))
        self.report.counts["people_created"] = ledger.scalar("SELECT COUNT(*) FROM new_people")
        self.report.counts["people_updated"] = ledger.scalar("SELECT COUNT(*) FROM changed_people")

    def apply(self, batch) -> None:
        periods = [p for p in (self.parse(n, v) for n, v in batch) if p]
        people = self._people(periods)
        self._write_people(periods, people)
        person_ids = [r.id for r in people.values()]
        stored = {(s.person_id, s.agency_id, s.start_date): s for s in self._stored(person_ids)}
        inserts, updates = [], []
        for p in periods:
            person_id = people[p.staff_code].id
            existing = stored.get((person_id, p.agency_id, p.start))
            if existing is None:
                inserts.append({"person_id": person_id, "agency_id": p.agency_id, "start_date": p.start,
                                "end_date": p.end, "is_leader": p.flags[0], "is_iso_secretary": p.flags[1],
                                "is_internal_auditor": p.flags[2]})
            elif self._period_changes(existing, p):
                updates.append({"b_id": existing.id, "b_leader": p.flags[0], "b_secretary": p.flags[1],
                                "b_auditor": p.flags[2], "b_end": p.end})
        counts = self.report.counts
        counts["created"] += len(inserts)
        counts["updated"] += len(updates)
        counts["unchanged"] += len(periods) - len(inserts) - len(updates)
        self.insert(ASSIGNMENT, inserts)
        if updates:
            db.session.execute(
                update(ASSIGNMENT).where(ASSIGNMENT.c.id == bindparam("b_id")).values(
                    is_leader=bindparam("b_leader"), is_iso_secretary=bindparam("b_secretary"),
                    is_internal_auditor=bindparam("b_auditor"), end_date=bindparam("b_end")),
                updates)

    def _write_people(self, periods: list[Period], people: dict) -> None:
        """Create the people this batch names for the first time, update changed names and emails."""
        new = {p.staff_code: p for p in periods if p.staff_code not in people}
        if new:
            self.insert(PERSON, [{"staff_code": p.staff_code, "full_name": p.full_name, "email": p.email,
                                  "access_role": "learner", "active": True,
                                  **name_columns(p.full_name, None, p.staff_code, p.email)} for p in new.values()])
            people.update(self._people(list(new.values())))
            self.report.counts["people_created"] += len(new)
        changed = {}
        for p in periods:
            person = people[p.staff_code]
            if p.staff_code not in new and self._person_changes(person, p):
                email = p.email or person.email
                names = name_columns(p.full_name, person.username, p.staff_code, email)
                changed[person.id] = {"b_id": person.id, "b_name": p.full_name, "b_email": email,
                                      "b_search": names["search_name"], "b_sort": names["sort_name"]}
        if changed:
            db.session.execute(update(PERSON).where(PERSON.c.id == bindparam("b_id")).values(
                full_name=bindparam("b_name"), email=bindparam("b_email"), search_name=bindparam("b_search"),
                sort_name=bindparam("b_sort")), list(changed.values()))
            self.report.counts["people_updated"] += len(changed)
