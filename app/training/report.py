"""The report of a plan after the year: each class's attendance, and per course the share of the
people owing it that the classes reached. Computed live, or read as stored when the year was frozen."""
from __future__ import annotations

import io
from datetime import date
from dataclasses import asdict, dataclass, field

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from openpyxl import Workbook
from openpyxl.styles import Font
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from app.core.dates import format_date
from app.core.spreadsheets import neutralise
from app.coverage.queries import coverage_table, percent
from app.coverage.rules import Rules, current_rules
from app.extensions import db
from app.training.models import ClassSeat, TrainingClass, TrainingPlan
from app.reports.queries import subtree
from app.training.queries import seat_counts


@dataclass
class ClassLine:
    title: str
    course_code: str
    start_date: str
    end_date: str
    status: str
    capacity: int
    invited: int
    waiting: int
    present: int
    absent: int
    excused: int


@dataclass
class CourseLine:
    course_code: str
    #: people who had to complete it in the year by the coverage rules; None: no rule asks for it
    owing: int | None
    #: distinct people present in a class of the plan for it
    reached: int
    share_pct: float | None


@dataclass
class PlanReport:
    plan_id: int
    year: int
    title: str
    as_of: str
    classes: list[ClassLine] = field(default_factory=list)
    courses: list[CourseLine] = field(default_factory=list)

    def as_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> PlanReport:
        return cls(**{**data, "classes": [ClassLine(**c) for c in data["classes"]],
                      "courses": [CourseLine(**c) for c in data["courses"]]})


def _owing_by_course(table, rules: Rules) -> dict[str, int]:
    """People each obligation course concerned in the year (met or not), from the coverage table."""
    totals = table.totals
    return {rules.onboarding_course: totals.new_staff, rules.secretary_course: totals.secretaries,
            rules.refresher_course: totals.refresher_required}


def plan_report(plan: TrainingPlan, rules: Rules | None = None) -> PlanReport:
    """The plan's report as of today (31 December for a past year): the coverage table of the year
    over the plan's agencies (the province, or the owner and those under it) gives who owed each
    course; the seats give who came. A fixed number of queries."""
    rules = rules or current_rules()
    scope = set(db.session.scalars(subtree([plan.owner_agency_id]))) if plan.owner_agency_id is not None else None
    table = coverage_table(plan.year, agency_ids=scope, rules=rules)
    counts = seat_counts(plan.id)
    classes = list(db.session.scalars(select(TrainingClass).where(TrainingClass.plan_id == plan.id)
                                      .order_by(TrainingClass.start_date, TrainingClass.id)
                                      .options(joinedload(TrainingClass.course))))
    reached = dict(db.session.execute(
        select(TrainingClass.course_id, func.count(func.distinct(ClassSeat.person_id)))
        .join(TrainingClass, TrainingClass.id == ClassSeat.class_id)
        .where(TrainingClass.plan_id == plan.id, ClassSeat.attendance == "present")
        .group_by(TrainingClass.course_id)).all())
    report = PlanReport(plan.id, plan.year, plan.title, table.as_of.isoformat())
    for c in classes:
        n = counts.get(c.id)
        report.classes.append(ClassLine(c.title, c.course.code, c.start_date.isoformat(), c.end_date.isoformat(),
                                        c.status, c.capacity, *(getattr(n, k, 0) if n else 0 for k in
                                                                ("invited", "waiting", "present", "absent", "excused"))))
    owing = _owing_by_course(table, rules)
    for course_id, code in sorted({(c.course_id, c.course.code) for c in classes}, key=lambda t: t[1]):
        due = owing.get(code)
        came = reached.get(course_id, 0)
        report.courses.append(CourseLine(code, due, came, percent(came, due) if due else None))
    return report


def stored_report(plan_id: int, year: int) -> tuple[PlanReport, object] | None:
    """The plan's report as kept in the year's frozen snapshot, with the freeze; None if not kept."""
    from app.coverage.models import CoverageFreeze

    freeze = db.session.scalar(select(CoverageFreeze).where(CoverageFreeze.year == year))
    for data in (freeze.training or []) if freeze is not None else []:
        if data["plan_id"] == plan_id:
            return PlanReport.from_dict(data), freeze
    return None


def year_reports(year: int) -> list[dict]:
    """Every plan of the year as report dicts, for the frozen snapshot."""
    plans = db.session.scalars(select(TrainingPlan).where(TrainingPlan.year == year).order_by(TrainingPlan.id))
    return [plan_report(plan).as_dict() for plan in plans]


STATUS = {"open": _l("đang mở"), "closed": _l("đã đóng")}


def to_xlsx(report: PlanReport, frozen_at: str | None = None) -> bytes:
    """The report as a workbook: the classes, then the courses and the share reached."""
    book = Workbook()
    ws = book.active
    ws.title = str(report.year)
    ws.append([_("BÁO CÁO THỰC HIỆN KẾ HOẠCH ĐÀO TẠO: %(title)s", title=report.title)])
    ws["A1"].font = Font(bold=True, size=13)
    ws.append([_("Số liệu đã chốt lúc %(at)s", at=frozen_at) if frozen_at else
               _("Số liệu tạm tính đến ngày %(d)s", d=format_date_iso(report.as_of))])
    ws.append([])
    header = [_("Lớp"), _("Khóa học"), _("Từ ngày"), _("Đến ngày"), _("Trạng thái"), _("Số chỗ"), _("Được mời"),
              _("Danh sách chờ"), _("Có mặt"), _("Vắng"), _("Vắng có phép")]
    ws.append(header)
    for cell in ws[ws.max_row]:
        cell.font = Font(bold=True)
    for c in report.classes:
        ws.append([neutralise(c.title), c.course_code, format_date_iso(c.start_date), format_date_iso(c.end_date),
                   str(STATUS.get(c.status, c.status)), c.capacity, c.invited, c.waiting, c.present, c.absent, c.excused])
    ws.append([])
    ws.append([_("Khóa học"), _("Số người phải học trong năm"), _("Số người đã học tại lớp"), _("Tỷ lệ (%)")])
    for cell in ws[ws.max_row]:
        cell.font = Font(bold=True)
    for c in report.courses:
        ws.append([c.course_code, c.owing if c.owing is not None else "—", c.reached,
                   c.share_pct if c.share_pct is not None else "—"])
    ws.column_dimensions["A"].width = 60
    for letter in "BCDEFGHIJK":
        ws.column_dimensions[letter].width = 14
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def format_date_iso(value: str) -> str:
    return format_date(date.fromisoformat(value))


