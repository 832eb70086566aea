"""Demo data: a small new-An-Giang-style province. Upserted by natural key, so it can run again."""
from __future__ import annotations

import random
from datetime import date, timedelta

from sqlalchemy import select

from app.accounts.models import Assignment, Person
from app.agencies.models import Agency
from app.completions.models import Completion
from app.completions.services import record_completion
from app.courses.services import current_version, sync_courses
from app.extensions import db

DEMO_PASSWORD = "demo-htqlcl-2026"
NEW_ERA = date(2025, 7, 1)

#: code, name, type, parent code, valid_from, valid_to, in ISO scope
AGENCIES = [
    ("AG-UBND", "UBND tỉnh An Giang", "UBND_TINH", None, NEW_ERA, None, True),
    ("AG-SKHCN", "Sở Khoa học và Công nghệ", "OVERSIGHT_DOST", "AG-UBND", NEW_ERA, None, True),
    ("AG-SNV", "Sở Nội vụ", "SO", "AG-UBND", NEW_ERA, None, True),
    ("AG-STP", "Sở Tư pháp", "SO", "AG-UBND", NEW_ERA, None, True),
    ("AG-STC", "Sở Tài chính", "SO", "AG-UBND", NEW_ERA, None, True),
    ("AG-SNNMT", "Sở Nông nghiệp và Môi trường", "SO", "AG-UBND", NEW_ERA, None, True),
    ("AG-CCTL", "Chi cục Thủy lợi", "CHI_CUC", "AG-SNNMT", NEW_ERA, None, True),
    ("AG-TTPVHCC", "Trung tâm Phục vụ hành chính công tỉnh An Giang", "TT_PVHCC_TINH", "AG-UBND", NEW_ERA, None, True),
    ("AG-XA-ANPHU", "UBND xã An Phú", "UBND_XA", None, NEW_ERA, None, True),
    ("AG-XA-ANPHU-PVHCC", "Trung tâm Phục vụ hành chính công xã An Phú", "TT_PVHCC_XA", "AG-XA-ANPHU", NEW_ERA, None, True),
    ("AG-XA-NHONHOI", "UBND xã Nhơn Hội", "UBND_XA", None, NEW_ERA, None, True),
    ("AG-XA-NHONHOI-PVHCC", "Trung tâm Phục vụ hành chính công xã Nhơn Hội", "TT_PVHCC_XA", "AG-XA-NHONHOI", NEW_ERA, None, True),
    ("AG-PH-RACHGIA", "UBND phường Rạch Giá", "UBND_XA", None, NEW_ERA, None, True),
    ("AG-PH-RACHGIA-PVHCC", "Trung tâm Phục vụ hành chính công phường Rạch Giá", "TT_PVHCC_XA", "AG-PH-RACHGIA", NEW_ERA, None, True),
    ("AG-XA-MYHOAHUNG", "UBND xã Mỹ Hòa Hưng", "UBND_XA", None, NEW_ERA, None, True),
    ("AG-DK-PHUQUOC", "UBND đặc khu Phú Quốc", "UBND_XA", None, NEW_ERA, None, True),
    # Before 1/7/2025: kept for history, no longer active.
    ("AG-OLD-TT-ANPHU", "UBND thị trấn An Phú", "UBND_XA_CU", None, date(2010, 1, 1), date(2025, 6, 30), True),
]

#: username, full name, access role, agency code, roles, start date
ACCOUNTS = [
    ("hocvien", "Nguyễn Thị Lan", "learner", "AG-XA-ANPHU-PVHCC", (), date(2026, 11, 2)),
    ("thuky", "Lê Minh Tâm", "learner", "AG-XA-ANPHU", ("iso_secretary",), date(2025, 7, 1)),
    ("lanhdao", "Trần Văn Hùng", "agency_manager", "AG-XA-ANPHU", ("leader",), date(2025, 7, 1)),
    ("sokhcn", "Phạm Thị Hoa", "dost", "AG-SKHCN", (), date(2025, 7, 1)),
    ("quantri", "Võ Quốc Bảo", "admin", "AG-SKHCN", (), date(2025, 7, 1)),
]

SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Huỳnh", "Võ", "Phan", "Trương", "Bùi", "Đặng", "Đỗ", "Ngô"]
MIDDLE = ["Văn", "Thị", "Minh", "Ngọc", "Thanh", "Hoàng", "Quốc", "Thu", "Kim", "Hữu"]
GIVEN = ["An", "Bình", "Châu", "Dũng", "Giang", "Hà", "Hải", "Khoa", "Linh", "Mai", "Nam", "Phúc",
         "Quang", "Sơn", "Thảo", "Trang", "Tuấn", "Vy", "Yến", "Đức"]


def _upsert_agencies() -> dict[str, Agency]:
    agencies = {a.code: a for a in db.session.scalars(select(Agency))}
    for code, name, type_, parent, start, end, scope in AGENCIES:
        agency = agencies.get(code) or Agency(code=code)
        agency.name, agency.type, agency.valid_from, agency.valid_to, agency.in_iso_scope = name, type_, start, end, scope
        agency.parent = agencies.get(parent) if parent else None
        db.session.add(agency)
        agencies[code] = agency
    db.session.flush()
    return agencies


def _upsert_person(staff_code: str, full_name: str, agency: Agency, roles: tuple, start: date,
                   username: str | None = None, access_role: str = "learner") -> Person:
    person = db.session.scalar(select(Person).where(Person.staff_code == staff_code))
    if person is None:
        person = Person(staff_code=staff_code, full_name=full_name)
        db.session.add(person)
    person.full_name, person.access_role, person.active = full_name, access_role, True
    if username:
        person.username = username
        person.set_password(DEMO_PASSWORD)
    db.session.flush()
    assignment = db.session.scalar(select(Assignment).where(
        Assignment.person_id == person.id, Assignment.agency_id == agency.id, Assignment.start_date == start))
    if assignment is None:
        assignment = Assignment(person=person, agency=agency, start_date=start)
        db.session.add(assignment)
    assignment.is_leader = "leader" in roles
    assignment.is_iso_secretary = "iso_secretary" in roles
    assignment.is_internal_auditor = "internal_auditor" in roles
    return person


def load_demo(courses_dir: str) -> str:
    """Create or refresh the demo data; returns a one-line summary. Flushes, the caller commits."""
    if current_version("ISO-01") is None:
        sync_courses(courses_dir)
    agencies = _upsert_agencies()
    for username, name, access_role, agency_code, roles, start in ACCOUNTS:
        _upsert_person(f"DEMO-{username.upper()}", name, agencies[agency_code], roles, start,
                       username=username, access_role=access_role)
    rng = random.Random(2026)  # the same province every time
    staff = []
    active_codes = [a[0] for a in AGENCIES if a[5] is None and a[0] != "AG-UBND"]
    for i in range(1, 61):
        agency_code = active_codes[i % len(active_codes)]
        name = f"{rng.choice(SURNAMES)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"
        roles = ("leader",) if i % 10 == 1 else ("iso_secretary",) if i % 10 == 2 else ()
        start = NEW_ERA + timedelta(days=rng.choice([0, 0, 0, 45, 120, 300, 480]))
        staff.append(_upsert_person(f"AG{i:05d}", name, agencies[agency_code], roles, start))
    db.session.flush()
    added = 0
    for person in staff[::2]:
        for code in ("ISO-01", "ISO-05"):
            version = current_version(code)
            if version is None or db.session.scalar(select(Completion.id).where(
                    Completion.person_id == person.id, Completion.course_id == version.course_id)):
                continue
            day = max(person.assignments[0].start_date + timedelta(days=rng.randint(5, 50)), date(2026, 1, 5))
            day = min(day, date(2026, 11, 20))
            if record_completion(person.id, version, day, score=rng.choice([80, 90, 100]),
                                 source=rng.choice(["online", "offline"])):
                added += 1
    return (f"demo: {len(agencies)} agencies, {len(ACCOUNTS) + len(staff)} people, "
            f"{added} new completions; demo password: {DEMO_PASSWORD}")
