"""Demo data: a small new-An-Giang-style province. Upserted by natural key, so it can run again."""
from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy import select

from app.accounts.models import Assignment, Person
from app.agencies.models import Agency, LineageEvent
from app.completions.models import Completion
from app.completions.services import agency_on, record_completion
from app.courses.services import current_version, sync_courses
from app.extensions import db

DEMO_PASSWORD = "demo-htqlcl-2026"
NEW_ERA = date(2025, 7, 1)
#: no demo completion is dated after this day (the demo must not contain the future)
DEMO_LAST_DAY = date(2026, 11, 20)

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

#: enough staff that several agencies pass the five-learner threshold of the weakness report
DEMO_STAFF = 90
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


def _upsert_lineage(agencies: dict[str, Agency]) -> None:
    """The old township became part of the new An Phú commune on 1/7/2025."""
    old, new = agencies["AG-OLD-TT-ANPHU"], agencies["AG-XA-ANPHU"]
    if db.session.scalar(select(LineageEvent.id).where(LineageEvent.predecessor_id == old.id)) is None:
        db.session.add(LineageEvent(event="merge", predecessor=old, successor=new, effective_date=NEW_ERA))


def _upsert_person(staff_code: str, full_name: str, agency: Agency, roles: tuple, start: date,
                   username: str | None = None, access_role: str = "learner") -> Person:
    person = db.session.scalar(select(Person).where(Person.staff_code == staff_code))
    if person is None:
        person = Person(staff_code=staff_code, full_name=full_name)
        db.session.add(person)
    person.full_name, person.access_role, person.active = full_name, access_role, True
    # every demo person has a mailbox on the reserved example domain, so reminders can be tried
    person.email = person.email or f"{(username or staff_code).lower()}@htqlcl.example"
    if username:
        person.username = username
        person.set_password(DEMO_PASSWORD)
    db.session.flush()
    _upsert_assignment(person, agency, roles, start, None)
    return person


def _upsert_assignment(person: Person, agency: Agency, roles: tuple, start: date, end: date | None) -> None:
    assignment = db.session.scalar(select(Assignment).where(
        Assignment.person_id == person.id, Assignment.agency_id == agency.id, Assignment.start_date == start))
    if assignment is None:
        assignment = Assignment(person=person, agency=agency, start_date=start)
        db.session.add(assignment)
    assignment.end_date = end
    assignment.is_leader = "leader" in roles
    assignment.is_iso_secretary = "iso_secretary" in roles
    assignment.is_internal_auditor = "internal_auditor" in roles


def _demo_completions(person: Person, rng: random.Random) -> int:
    """Onboarding for most (some late, veterans years ago), the secretary course for most secretaries,
    the yearly refresher for many leaders and secretaries. Returns how many were new."""
    current = max(person.assignments, key=lambda a: a.start_date)
    first = min(a.start_date for a in person.assignments)
    plan = []
    if rng.random() < 0.75:
        day = date(2018, 1, 1) + timedelta(days=rng.randint(0, 700)) if first < NEW_ERA \
            else current.start_date + timedelta(days=rng.choice([10, 20, 40, 55, 75, 110]))
        plan.append(("ISO-01", day))
    if current.is_iso_secretary and rng.random() < 0.6:
        plan.append(("ISO-02", current.start_date + timedelta(days=rng.choice([12, 25, 45]))))
    if current.is_leader or current.is_iso_secretary:
        for year, share in ((2025, 0.7), (2026, 0.45)):
            if rng.random() < share:
                day = max(date(year, rng.randint(3, 11), rng.randint(1, 28)), first + timedelta(days=20))
                if day.year == year:
                    plan.append(("ISO-05", day))
    added = 0
    for code, day in plan:
        score, source = rng.choice([80, 90, 100]), rng.choice(["online", "offline"])  # drawn even when skipped
        version = current_version(code)
        if version is None or day > DEMO_LAST_DAY or db.session.scalar(select(Completion.id).where(
                Completion.person_id == person.id, Completion.course_id == version.course_id,
                Completion.completed_on == day)):
            continue
        attempt_id = None
        if source == "online" and day.year >= DEMO_LAST_DAY.year - 1:
            attempt_id, score = _demo_attempts(person, version, day)
            if attempt_id is None:  # failed every attempt: no completion
                continue
        if record_completion(person.id, version, day, score=score, source=source, attempt_id=attempt_id):
            added += 1
    return added


#: courses no rule makes anyone owe: the demo's learners take their quizzes by choice
PRACTICE_COURSES = ("ISO-03", "ISO-04", "ISO-06", "ISO-07")


def _demo_practice(person: Person) -> int:
    """In each of the last two years most staff take the quiz of one course nobody owes, so the
    statistics pages have answers to show without changing who owes what. Returns completions added."""
    rng = random.Random(f"practice/{person.staff_code}")
    first = min(a.start_date for a in person.assignments)
    added = 0
    for year in (DEMO_LAST_DAY.year - 1, DEMO_LAST_DAY.year):
        version = current_version(rng.choice(PRACTICE_COURSES))
        day = date(year, rng.randint(1, 11), rng.randint(1, 28))
        if rng.random() > 0.85 or version is None or not first <= day <= DEMO_LAST_DAY:
            continue
        attempt_id, score = _demo_attempts(person, version, day)
        if attempt_id is not None and record_completion(person.id, version, day, score=score, attempt_id=attempt_id):
            added += 1
    return added


def _demo_attempts(person: Person, version, day: date) -> tuple[int | None, int | None]:
    """Graded attempts on the completion day until one passes or none are left, answered by a
    made-up learner (app.quiz_stats.synthetic); returns (passing attempt id, its score) or (None, None).
    Nothing new when the person already has attempts on that version (the demo runs again)."""
    from app.quizzes.models import QuizAttempt
    from app.quizzes.services import is_pass, record_responses
    from app.quiz_stats import synthetic

    if db.session.scalar(select(QuizAttempt.id).where(QuizAttempt.person_id == person.id,
                                                      QuizAttempt.course_version_id == version.id).limit(1)):
        return None, None
    rng = random.Random(f"{person.staff_code}/{version.course.code}")
    pool = [synthetic.Item.of(q) for q in version.questions]
    by_id = {q.id: q for q in version.questions}
    ability = rng.gauss(0.6, 0.9)
    agency = agency_on(person.id, day)
    for number in range(version.attempts_allowed or 3):
        drawn, answers, right, _marks = synthetic.attempt(pool, version.questions_per_attempt, ability, rng)
        total = len(drawn)
        start = datetime.combine(day, time(1 + number, 30), tzinfo=timezone.utc)
        passed = is_pass(right, total, version.pass_mark)
        attempt = QuizAttempt(person_id=person.id, course_version_id=version.id, drawn=drawn, answers=answers,
                              started_at=start, submitted_at=start + timedelta(minutes=12), correct_count=right,
                              score=round(100 * right / total), passed=passed)
        db.session.add(attempt)
        db.session.flush()
        record_responses(attempt, {i: by_id[i] for i, _keys in drawn}, answers, agency.id if agency else None,
                         day.year)
        if passed:
            return attempt.id, attempt.score
        ability += 0.5  # they read the explanations of what they got wrong
    return None, None


#: the demo's 2026 training plan: a class held in October (closed, its attendance counted in the
#: coverage) and one in December (open, with invitations); code, title, agencies, days, capacity
DEMO_PLAN = "Kế hoạch đào tạo HTQLCL năm 2026"
DEMO_CLASSES = [
    ("ISO-05", "Lớp cập nhật HTQLCL cho lãnh đạo và thư ký ISO — xã An Phú, phường Rạch Giá và các sở",
     ("AG-XA-ANPHU", "AG-PH-RACHGIA", "AG-PH-RACHGIA-PVHCC", "AG-SNV", "AG-STP", "AG-TTPVHCC"), date(2026, 10, 15), 2, 30),
    ("ISO-01", "Lớp bồi dưỡng HTQLCL cho công chức mới — các xã, phường, đặc khu",
     ("AG-XA-ANPHU", "AG-XA-ANPHU-PVHCC", "AG-XA-NHONHOI", "AG-XA-NHONHOI-PVHCC", "AG-PH-RACHGIA",
      "AG-PH-RACHGIA-PVHCC", "AG-XA-MYHOAHUNG", "AG-DK-PHUQUOC"), date(2026, 12, 17), 1, 12),
]


def _demo_training(agencies: dict[str, Agency]) -> str:
    """The 2026 plan, once: the October refresher class with its attendance, closed; the December
    class for new staff with those who owe the onboarding course invited (12 places, the rest waiting)."""
    from app.training.models import TrainingPlan
    from app.training.services import (ClassData, Mark, close_class, create_plan, invite_owing,
                                       record_attendance, save_class)
    from app.training.queries import roster

    if db.session.scalar(select(TrainingPlan.id).where(TrainingPlan.title == DEMO_PLAN)) is not None:
        return "training plan kept"
    if any(current_version(code) is None for code, *_rest in DEMO_CLASSES):
        return "no training plan (its courses are not loaded)"
    dost = db.session.scalar(select(Person).where(Person.username == "sokhcn"))
    plan = create_plan(2026, DEMO_PLAN, dost)
    closed = 0
    for code, title, invited, start, days, capacity in DEMO_CLASSES:
        version = current_version(code)
        klass = save_class(plan, ClassData(
            course_id=version.course_id, title=title, start_date=start, end_date=start + timedelta(days=days - 1),
            capacity=capacity, cutoff_date=start - timedelta(days=7), hours="07:30 - 11:00, 13:30 - 16:30",
            place="Hội trường Sở Khoa học và Công nghệ, 1 Lê Lợi, Rạch Giá", trainer="ThS. Đặng Thu Hà",
            has_test=code == "ISO-05", agency_ids=[agencies[c].id for c in invited]), dost)
        invite_owing(klass, dost)
        if start + timedelta(days=days - 1) <= DEMO_LAST_DAY:
            seats = [s for s in roster(klass.id) if s.status == "invited"]
            marks = {s.id: Mark("present", 70 + 5 * (i % 6)) for i, s in enumerate(seats)}
            if len(seats) > 2:
                marks[seats[-1].id], marks[seats[-2].id] = Mark("absent"), Mark("excused")
            record_attendance(klass, marks, dost)
            closed += close_class(klass, dost)
    return f"training plan 2026 with {len(DEMO_CLASSES)} classes, {closed} completions from attendance"


def load_demo(courses_dir: str) -> str:
    """Create or refresh the demo data; returns a one-line summary. Flushes, the caller commits."""
    if current_version("ISO-01") is None:
        sync_courses(courses_dir)
    agencies = _upsert_agencies()
    _upsert_lineage(agencies)
    for username, name, access_role, agency_code, roles, start in ACCOUNTS:
        _upsert_person(f"DEMO-{username.upper()}", name, agencies[agency_code], roles, start,
                       username=username, access_role=access_role)
    rng = random.Random(2026)  # the same province every time
    staff = []
    active_codes = [a[0] for a in AGENCIES if a[5] is None and a[0] != "AG-UBND"]
    for i in range(1, DEMO_STAFF + 1):
        agency_code = active_codes[i % len(active_codes)]
        name = f"{rng.choice(SURNAMES)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"
        roles = ("leader",) if i % 10 == 1 else ("iso_secretary",) if i % 10 == 2 else ()
        offset = rng.choice([0, 0, 0, 45, 120, 300, 480])
        person = _upsert_person(f"AG{i:05d}", name, agencies[agency_code], roles, NEW_ERA + timedelta(days=offset))
        if offset == 0:  # moved on 1/7/2025 from the old township: not new staff
            _upsert_assignment(person, agencies["AG-OLD-TT-ANPHU"], (), date(2016, 3, 1), date(2025, 6, 30))
        staff.append(person)
    db.session.flush()
    added = sum(_demo_completions(person, rng) for person in staff)
    added += sum(_demo_practice(person) for person in staff)
    added += _demo_completions(db.session.scalar(select(Person).where(Person.username == "lanhdao")), rng)
    training = _demo_training(agencies)
    return (f"demo: {len(agencies)} agencies, {len(ACCOUNTS) + len(staff)} people, "
            f"{added} new completions, {training}; demo password: {DEMO_PASSWORD}")
