"""Planning classes, inviting those who owe, recording attendance and closing a class into completions.

Every function flushes and leaves the commit to the caller (the view or the command). Each one
that changes something adds its entry to the audit log in the same transaction.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import and_, case, func, insert, literal, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import joinedload

from app.accounts.models import Assignment, Person
from app.agencies.models import Agency
from app.audit.services import record
from app.completions.models import Completion
from app.core.dates import today, utcnow
from app.courses.models import CourseVersion
from app.coverage.models import CoverageFreeze
from app.certificates.services import issue_missing
from app.extensions import db
from app.training.models import ATTENDANCE, ClassSeat, TrainingClass, TrainingPlan, class_agency
from app.reports.queries import active_on, covers, subtree
from app.training.queries import owing_to_invite


class TrainingError(ValueError):
    """What the user asked cannot be done; the message says why, and nothing was changed."""


def _year_frozen(year: int) -> bool:
    return db.session.scalar(select(CoverageFreeze.id).where(CoverageFreeze.year == year)) is not None


def _refuse_frozen(year: int) -> None:
    if _year_frozen(year):
        raise TrainingError(_("Số liệu năm %(year)s đã chốt: không thể thay đổi kế hoạch đào tạo của năm này.",
                              year=year))


def create_plan(year: int, title: str, actor, owner_agency_id: int | None = None) -> TrainingPlan:
    _refuse_frozen(year)
    plan = TrainingPlan(year=year, title=title.strip(), owner_agency_id=owner_agency_id,
                        created_by_id=actor.id if actor is not None else None)
    db.session.add(plan)
    db.session.flush()
    record("training.plan_create", actor=actor, target_type="training_plan", target_id=plan.id,
           target_label=plan.title, details={"year": year, "owner_agency_id": owner_agency_id})
    return plan


@dataclass
class ClassData:
    """What the class form gives; agencies are picked one by one, by type or by parent (all unite)."""

    course_id: int
    title: str
    start_date: date
    end_date: date
    capacity: int
    cutoff_date: date
    hours: str = ""
    place: str = ""
    online_url: str = ""
    trainer: str = ""
    has_test: bool = False
    notes: str = ""
    agency_ids: list[int] = field(default_factory=list)
    agency_types: list[str] = field(default_factory=list)
    parent_ids: list[int] = field(default_factory=list)


def _picked_agencies(data: ClassData, day: date) -> list[Agency]:
    """The in-scope agencies active on `day` picked by id, by type or under a parent (the parent too)."""
    if not (data.agency_ids or data.agency_types or data.parent_ids):
        return []
    return list(db.session.scalars(
        select(Agency).where(Agency.in_iso_scope.is_(True), active_on(day),
                             or_(Agency.id.in_(data.agency_ids), Agency.type.in_(data.agency_types),
                                 Agency.id.in_(subtree(data.parent_ids))))
        .order_by(Agency.code)))


def _seats(class_id: int, status: str = "invited") -> int:
    return db.session.scalar(select(func.count()).select_from(ClassSeat).where(
        ClassSeat.class_id == class_id, ClassSeat.status == status)) or 0


def save_class(plan: TrainingPlan, data: ClassData, actor, klass: TrainingClass | None = None) -> TrainingClass:
    """Create a class in the plan, or change one that is still open. Raises TrainingError."""
    _refuse_frozen(plan.year)
    if klass is not None and klass.closed:
        raise TrainingError(_("Lớp đã đóng: mở lại lớp trước khi sửa."))
    if data.end_date < data.start_date:
        raise TrainingError(_("Ngày kết thúc phải từ ngày bắt đầu trở đi."))
    if not (data.start_date.year == data.end_date.year == plan.year):
        raise TrainingError(_("Lớp phải diễn ra trong năm %(year)s của kế hoạch.", year=plan.year))
    if data.cutoff_date > data.start_date:
        raise TrainingError(_("Hạn chốt danh sách phải trước hoặc đúng ngày bắt đầu lớp."))
    if data.capacity < 1:
        raise TrainingError(_("Số chỗ phải lớn hơn 0."))
    agencies = _picked_agencies(data, min(data.start_date, today()))
    if not agencies:
        raise TrainingError(_("Hãy chọn ít nhất một cơ quan được mời."))
    invited = _seats(klass.id) if klass is not None else 0
    if data.capacity < invited:
        raise TrainingError(_("Số chỗ (%(capacity)d) ít hơn số người đã được mời (%(invited)d).",
                              capacity=data.capacity, invited=invited))
    creating = klass is None
    if creating:
        klass = TrainingClass(plan=plan)
        db.session.add(klass)
    for name in ("course_id", "title", "start_date", "end_date", "capacity", "cutoff_date", "hours", "place",
                 "online_url", "trainer", "has_test", "notes"):
        value = getattr(data, name)
        setattr(klass, name, value.strip() if isinstance(value, str) else value)
    klass.agencies = agencies
    db.session.flush()
    if not creating:
        _promote(klass)
    record("training.class_create" if creating else "training.class_update", actor=actor,
           target_type="training_class", target_id=klass.id, target_label=klass.title,
           details={"plan_id": plan.id, "start_date": klass.start_date.isoformat(),
                    "end_date": klass.end_date.isoformat(), "capacity": klass.capacity,
                    "agencies": len(agencies)})
    return klass


def _lock(klass: TrainingClass) -> None:
    """Serialise changes to a class's seats (PostgreSQL row lock; SQLite writes one at a time)."""
    db.session.execute(select(TrainingClass.id).where(TrainingClass.id == klass.id).with_for_update())


def _ensure_open(klass: TrainingClass) -> None:
    if klass.closed:
        raise TrainingError(_("Lớp đã đóng: mở lại lớp trước khi thay đổi."))
    _refuse_frozen(klass.plan.year)


def _promote(klass: TrainingClass) -> int:
    """Give the free places to the waiting list, in its order. Two statements."""
    free = klass.capacity - _seats(klass.id)
    if free <= 0:
        return 0
    first = (select(ClassSeat.id).where(ClassSeat.class_id == klass.id, ClassSeat.status == "waiting")
             .order_by(ClassSeat.position, ClassSeat.id).limit(free))
    result = db.session.execute(update(ClassSeat).where(ClassSeat.id.in_(first.scalar_subquery()))
                                .values(status="invited").execution_options(synchronize_session=False))
    return result.rowcount or 0


def _insert_seats(rows):
    """INSERT … SELECT of seats that skips anyone already seated in the class (a concurrent invite)."""
    dialect = postgresql if db.engine.dialect.name == "postgresql" else sqlite
    columns = ["class_id", "person_id", "agency_id", "status", "position", "invited_at", "invited_by_id"]
    return dialect.insert(ClassSeat).from_select(columns, rows).on_conflict_do_nothing(
        index_elements=["class_id", "person_id"])


@dataclass
class InviteResult:
    invited: int = 0
    waiting: int = 0


def invite_owing(klass: TrainingClass, actor) -> InviteResult:
    """Seat everyone in the invited agencies who owes the course this year and has no seat in a
    class of the plan for it: invited while there is room, then on the waiting list, ordered by
    agency and name. A fixed number of statements whatever the number of people."""
    _ensure_open(klass)
    _lock(klass)
    owing = owing_to_invite(klass)
    taken, last = db.session.execute(
        select(func.count(case((ClassSeat.status == "invited", 1))), func.coalesce(func.max(ClassSeat.position), 0))
        .where(ClassSeat.class_id == klass.id)).one()
    free = max(klass.capacity - taken, 0)
    ranked = (select(owing.c.person_id, owing.c.agency_id,
                     func.row_number().over(order_by=(Agency.code, Person.sort_name, Person.id)).label("n"))
              .join(Agency, Agency.id == owing.c.agency_id).join(Person, Person.id == owing.c.person_id)
              .subquery("ranked"))
    rows = select(literal(klass.id), ranked.c.person_id, ranked.c.agency_id,
                  case((ranked.c.n <= free, "invited"), else_="waiting"), ranked.c.n + last,
                  literal(utcnow()), literal(actor.id if actor is not None else None)
                  ).where(ranked.c.n > 0)  # SQLite needs a WHERE before ON CONFLICT in INSERT … SELECT
    db.session.execute(_insert_seats(rows))
    counts = dict(db.session.execute(
        select(ClassSeat.status, func.count()).where(ClassSeat.class_id == klass.id, ClassSeat.position > last)
        .group_by(ClassSeat.status)).all())
    result = InviteResult(counts.get("invited", 0), counts.get("waiting", 0))
    record("training.invite_owing", actor=actor, target_type="training_class", target_id=klass.id,
           target_label=klass.title, details={"invited": result.invited, "waiting": result.waiting})
    return result


def agency_of_person_in_class(klass: TrainingClass, person_id: int, within: set[int] | None) -> int | None:
    """The invited agency (within `within`, None: any) the person is assigned to today, if any."""
    day = today()
    query = (select(Assignment.agency_id)
             .join(class_agency, and_(class_agency.c.agency_id == Assignment.agency_id,
                                      class_agency.c.class_id == klass.id))
             .where(Assignment.person_id == person_id, covers(day))
             .order_by(Assignment.agency_id).limit(1))
    if within is not None:
        query = query.where(Assignment.agency_id.in_(within))
    return db.session.scalar(query)


def add_person(klass: TrainingClass, person: Person, actor, within: set[int] | None = None) -> ClassSeat:
    """Seat one person of an invited agency (of `within`, for a head or secretary): invited if
    there is room, else on the waiting list. Raises TrainingError."""
    _ensure_open(klass)
    _lock(klass)
    agency_id = agency_of_person_in_class(klass, person.id, within)
    if agency_id is None:
        raise TrainingError(_("%(name)s không thuộc cơ quan nào được mời vào lớp này.", name=person.full_name))
    if db.session.scalar(select(ClassSeat.id).where(ClassSeat.class_id == klass.id,
                                                     ClassSeat.person_id == person.id)) is not None:
        raise TrainingError(_("%(name)s đã có trong danh sách lớp.", name=person.full_name))
    last = db.session.scalar(select(func.coalesce(func.max(ClassSeat.position), 0))
                             .where(ClassSeat.class_id == klass.id))
    seat = ClassSeat(class_id=klass.id, person_id=person.id, agency_id=agency_id, position=last + 1,
                     status="invited" if _seats(klass.id) < klass.capacity else "waiting",
                     invited_by_id=actor.id if actor is not None else None)
    db.session.add(seat)
    db.session.flush()
    record("training.seat_add", actor=actor, target_type="training_class", target_id=klass.id,
           target_label=klass.title, details={"person": person.label, "status": seat.status})
    return seat


def remove_seat(klass: TrainingClass, seat: ClassSeat, actor) -> None:
    """Take a person off the class (before anything is recorded for them); the first on the
    waiting list takes a freed place."""
    _ensure_open(klass)
    _lock(klass)
    if seat.attendance is not None:
        raise TrainingError(_("Đã điểm danh %(name)s: sửa điểm danh thay vì xóa khỏi lớp.", name=seat.person.full_name))
    label, status = seat.person.label, seat.status
    db.session.delete(seat)
    db.session.flush()
    promoted = _promote(klass)
    record("training.seat_remove", actor=actor, target_type="training_class", target_id=klass.id,
           target_label=klass.title, details={"person": label, "status": status, "promoted": promoted})


@dataclass
class Mark:
    attendance: str | None
    score: int | None = None


def record_attendance(klass: TrainingClass, marks: dict[int, Mark], actor) -> int:
    """Tick present / absent / excused (and a score, if the class had a test) for invited seats by
    seat id. After a reopen every change is a correction and is logged one by one. Returns how many
    seats changed. Raises TrainingError before changing anything."""
    _ensure_open(klass)
    if klass.start_date > today():
        raise TrainingError(_("Lớp chưa diễn ra: chỉ điểm danh từ ngày bắt đầu lớp."))
    seats = {s.id: s for s in db.session.scalars(select(ClassSeat).where(
        ClassSeat.class_id == klass.id, ClassSeat.id.in_(list(marks))).options(joinedload(ClassSeat.person)))}
    for seat_id, mark in marks.items():
        seat = seats.get(seat_id)
        if seat is None or seat.status != "invited":
            raise TrainingError(_("Danh sách điểm danh không khớp với lớp: hãy tải lại trang."))
        if mark.attendance is not None and mark.attendance not in ATTENDANCE:
            raise TrainingError(_("Trạng thái điểm danh không hợp lệ."))
        if mark.score is not None and (not klass.has_test or not 0 <= mark.score <= 100):
            raise TrainingError(_("Điểm phải từ 0 đến 100, và chỉ nhập cho lớp có bài kiểm tra."))
    reopened = klass.closed_at is not None
    changed = 0
    for seat_id, mark in marks.items():
        seat = seats[seat_id]
        score = mark.score if mark.attendance == "present" else None
        if (seat.attendance, seat.score) == (mark.attendance, score):
            continue
        if reopened:
            record("training.attendance_correct", actor=actor, target_type="training_class", target_id=klass.id,
                   target_label=klass.title, details={"person": seat.person.label,
                                                      "attendance": [seat.attendance, mark.attendance],
                                                      "score": [seat.score, score]})
        seat.attendance, seat.score = mark.attendance, score
        changed += 1
    db.session.flush()
    if changed and not reopened:
        record("training.attendance", actor=actor, target_type="training_class", target_id=klass.id,
               target_label=klass.title, details={"changed": changed})
    return changed


def close_class(klass: TrainingClass, actor) -> int:
    """Record an offline completion for each person present, dated on the class's last day, with
    the agency the person was assigned to that day; a person who already has one from this class
    gets none (closing again records nothing twice). Returns how many were recorded. Raises
    TrainingError while the class has not ended or someone invited is not ticked."""
    _ensure_open(klass)
    _lock(klass)
    if klass.end_date > today():
        raise TrainingError(_("Lớp chưa kết thúc (ngày cuối %(day)s): chưa thể đóng lớp.",
                              day=klass.end_date.strftime("%d/%m/%Y")))
    unmarked = db.session.scalar(select(func.count()).select_from(ClassSeat).where(
        ClassSeat.class_id == klass.id, ClassSeat.status == "invited", ClassSeat.attendance.is_(None)))
    if unmarked:
        raise TrainingError(_("Còn %(n)d người chưa được điểm danh.", n=unmarked))
    day = klass.end_date
    agency_then = (select(Assignment.agency_id).where(Assignment.person_id == ClassSeat.person_id, covers(day))
        .order_by(Assignment.start_date, Assignment.id).limit(1).correlate(ClassSeat).scalar_subquery())
    version = (select(CourseVersion.id).where(CourseVersion.course_id == klass.course_id,
                                              CourseVersion.is_current.is_(True)).limit(1).scalar_subquery())
    already = (select(Completion.id).where(Completion.class_id == klass.id,
                                           Completion.person_id == ClassSeat.person_id).exists())
    present = (select(ClassSeat.person_id, literal(klass.course_id), version, literal(day), ClassSeat.score,
                      literal("offline"), Agency.id, Agency.code, Agency.name, literal(klass.id), literal(utcnow()))
               .select_from(ClassSeat).outerjoin(Agency, Agency.id == agency_then)
               .where(ClassSeat.class_id == klass.id, ClassSeat.status == "invited",
                      ClassSeat.attendance == "present", ~already))
    result = db.session.execute(insert(Completion).from_select(
        ["person_id", "course_id", "course_version_id", "completed_on", "score", "source", "agency_id",
         "agency_code", "agency_name", "class_id", "created_at"], present).returning(Completion.id))
    recorded = len(result.all())  # counted from RETURNING: this INSERT … SELECT gave no row count on PostgreSQL
    issue_missing(Completion.class_id == klass.id)
    klass.status, klass.closed_at = "closed", utcnow()
    db.session.flush()
    record("training.class_close", actor=actor, target_type="training_class", target_id=klass.id,
           target_label=klass.title, details={"completions": recorded})
    return recorded


def reopen_class(klass: TrainingClass, actor, reason: str) -> None:
    """Open a closed class again to correct it; the reason is logged. Completions already
    recorded stay: a correction never deletes one."""
    if not klass.closed:
        raise TrainingError(_("Lớp đang mở."))
    _refuse_frozen(klass.plan.year)
    if not reason.strip():
        raise TrainingError(_("Hãy ghi lý do mở lại lớp."))
    klass.status = "open"
    db.session.flush()
    record("training.class_reopen", actor=actor, target_type="training_class", target_id=klass.id,
           target_label=klass.title, details={"reason": reason.strip()})
