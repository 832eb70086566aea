"""Downloads of the completion table by agency and of one agency's people with their obligations:
for people (the report workbook's style) and for systems (column names, codes, ISO dates)."""
from __future__ import annotations

from datetime import date

from flask_babel import gettext as _

from app.agencies.types import type_label
from app.core.dates import format_date
from app.core.labels import format_pct, obligation_rule_label, obligation_status_label, role_label
from app.core.spreadsheets import Report
from app.coverage.exports import language
from app.coverage.labels import column_label
from app.coverage.queries import percent

AGENCY_COLUMNS = ("agency_code", "agency_name", "agency_type", "parent_code", "headcount")
#: one row per obligation of a person (a person without any has one row with the obligation empty)
PEOPLE_COLUMNS = ("staff_code", "full_name", "roles", "rule", "course_code", "since", "due", "completed_on",
                  "status")


def _pct(value: float | None, for_csv: bool):
    return format_pct(value) if for_csv or value is None else value


def completion_report(day: date, codes: list[str], rows: list, for_csv: bool = False) -> Report:
    """The /reports/agencies table: per agency its people on `day` and, per course, how many of
    them completed it and what share that is; a totals row."""
    headings = [column_label(name) for name in AGENCY_COLUMNS]
    for code in codes:
        headings += [_("%(code)s: đã hoàn thành", code=code), _("%(code)s: tỷ lệ (%%)", code=code)]
    lines = []
    for r in rows:
        line = [r.code, r.name, type_label(r.type, language()), r.parent_code, r.headcount]
        for code in codes:
            done = r.done.get(code, 0)
            line += [done, _pct(percent(done, r.headcount), for_csv)]
        lines.append(line)
    headcount = sum(r.headcount for r in rows)
    totals = [_("Tổng cộng"), None, None, None, headcount]
    for code in codes:
        done = sum(r.done.get(code, 0) for r in rows)
        totals += [done, _pct(percent(done, headcount), for_csv)]
    return Report(
        title=_("HOÀN THÀNH ĐÀO TẠO HTQLCL THEO CƠ QUAN — NĂM %(year)s", year=day.year),
        lines=[_("Số công chức đang công tác tại cơ quan ngày %(d)s và số người trong đó đã hoàn thành từng khóa học.",
                 d=format_date(day))],
        headings=headings, rows=lines, totals=totals,
        notes=[_("Tỷ lệ = số người đã hoàn thành / số người của cơ quan; “—”: cơ quan chưa có ai.")],
        widths=[16, 42, 18, 14, 9] + [12, 10] * len(codes),
        formats={5 + 2 * n + 1: "0.0" for n in range(len(codes))}, wrapped={1}, sheet=str(day.year))


def completion_machine(codes: list[str], rows: list) -> tuple[list[str], list[list]]:
    """The same table for systems: AGENCY_COLUMNS, then done_<course code> per course; no totals."""
    header = [*AGENCY_COLUMNS, *(f"done_{code}" for code in codes)]
    return header, [[r.code, r.name, r.type, r.parent_code, r.headcount, *(r.done.get(c, 0) for c in codes)]
                    for r in rows]


def _roles(roles: list[str]) -> str:
    return ", ".join(role_label(r) for r in roles) or role_label("staff")


def obligations_report(agency, year: int, as_of: date, row, people: list, for_csv: bool = False) -> Report:
    """One agency's people (in the page's order: overdue first, then by name) with each obligation:
    rule, course, since, deadline, completion and status."""
    lines = [f"{agency.name} ({agency.code}) · {type_label(agency.type, language())}",
             _("Tình trạng tính đến ngày %(d)s, theo dữ liệu hiện tại; quá hạn ở trên cùng.", d=format_date(as_of))]
    if row is not None:
        lines.append(_("Nghĩa vụ đã hoàn thành: %(met)s/%(due)s (%(pct)s)", met=row.obligations_met,
                       due=row.obligations_due, pct=format_pct(row.coverage_pct)))
    rows = []
    for number, p in enumerate(people, start=1):
        head = [number, p.person.full_name, p.person.staff_code, _roles(p.roles)]
        if not p.obligations:
            rows.append(head + ["—", _("Không có nghĩa vụ đào tạo nào."), None, None, None, "—"])
        for o in p.obligations:
            rows.append(head + [o.course_code, obligation_rule_label(o.rule), format_date(o.since),
                                format_date(o.due), format_date(o.completed_on) or "—",
                                obligation_status_label(o.status)])
    return Report(
        title=_("NGHĨA VỤ ĐÀO TẠO HTQLCL CỦA TỪNG NGƯỜI — NĂM %(year)s", year=year), lines=lines,
        headings=[_("STT"), _("Họ và tên"), _("Mã công chức"), _("Vai trò"), _("Khóa học"), _("Nghĩa vụ"),
                  _("Bắt đầu từ"), _("Hạn"), _("Ngày hoàn thành"), _("Tình trạng")],
        rows=rows, widths=[6, 28, 14, 24, 10, 30, 12, 12, 14, 18], wrapped={1, 3, 5}, sheet=agency.code)


def obligations_machine(people: list) -> tuple[tuple[str, ...], list[list]]:
    """The same list for systems: PEOPLE_COLUMNS, role and status codes, ISO dates."""
    def iso(day):
        return day.isoformat() if day else None

    rows = []
    for p in people:
        head = [p.person.staff_code, p.person.full_name, ";".join(p.roles)]
        if not p.obligations:
            rows.append(head + [None] * 6)
        rows += [head + [o.rule, o.course_code, iso(o.since), iso(o.due), iso(o.completed_on), o.status]
                 for o in p.obligations]
    return PEOPLE_COLUMNS, rows
