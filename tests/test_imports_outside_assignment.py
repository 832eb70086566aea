"""Completions dated outside every assignment of the person: accepted with a warning, for no agency."""
import csv
import io
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from app.completions.models import Completion
from app.coverage.obligations import my_obligations
from app.coverage.rules import Rules
from app.imports.formats import row_ranges
from app.imports.readers import ImportSource
from app.imports.services import run_import
from tests.factories import make_agency, make_assignment, make_iso_courses, make_person
from tests.imports_support import problems, run


@pytest.fixture
def lan(db):
    """Nguyễn Thị Lan: at XA-A from 01/03/2024 to 31/12/2024, then at XA-B from 01/03/2025."""
    make_iso_courses()
    a = make_agency("XA-A", name="UBND xã A", valid_from=date(2010, 1, 1))
    b = make_agency("XA-B", name="UBND xã B", valid_from=date(2010, 1, 1))
    person = make_person("lan", agency=a, start=date(2024, 3, 1), end=date(2024, 12, 31), full_name="Nguyễn Thị Lan")
    make_assignment(person, b, start=date(2025, 3, 1))
    make_person("sokhcn", access_role="dost")
    db.session.commit()
    return person


def stored(db) -> list[tuple]:
    return list(db.session.execute(select(Completion.completed_on, Completion.agency_id, Completion.agency_code,
                                          Completion.agency_name).order_by(Completion.completed_on)).tuples())


def test_completions_before_the_first_posting_and_between_two_are_stored_with_no_agency(db, lan):
    code = lan.staff_code
    report = run("completions", f"{code},ISO-01,2024-02-10,80,", f"{code},ISO-02,2024-06-01,,",
                 f"{code},ISO-05,2025-01-20,,")
    assert report.applied, problems(report)
    assert report.warnings == {"outside_assignment": [2, 4]}
    assert report.counts["created"] == 3
    xa_a = lan.assignments[0].agency_id
    assert stored(db) == [
        (date(2024, 2, 10), None, None, None),  # before she started at XA-A
        (date(2024, 6, 1), xa_a, "XA-A", "UBND xã A"),
        (date(2025, 1, 20), None, None, None),  # between XA-A and XA-B
    ]


def test_a_completion_from_before_the_start_meets_the_onboarding_obligation(db, lan):
    newcomer = make_person(agency=make_agency(valid_from=date(2010, 1, 1)), start=date(2026, 3, 1))
    db.session.commit()
    assert run("completions", f"{newcomer.staff_code},ISO-01,2026-01-15,,").applied
    onboarding = [o for o in my_obligations(newcomer, date(2026, 11, 27), Rules()) if o.rule == "onboarding"]
    assert [(o.due, o.status) for o in onboarding] == [(date(2026, 4, 30), "done")]


def test_an_outside_row_does_not_lift_the_all_or_nothing_rule(db, lan):
    report = run("completions", f"{lan.staff_code},ISO-01,2024-02-10,,", "CC-404,ISO-01,2024-05-10,,")
    assert problems(report) == [(3, "staff_code", "mã công chức không tồn tại: CC-404")]
    assert not report.applied and db.session.scalar(select(func.count(Completion.id))) == 0


def test_reimporting_outside_rows_changes_nothing_and_still_warns(db, lan):
    line = f"{lan.staff_code},ISO-01,2024-02-10,,"
    run("completions", line)
    again = run("completions", line)
    assert (again.counts["created"], again.counts["unchanged"]) == (0, 1)
    assert again.warnings == {"outside_assignment": [2]}
    assert db.session.scalar(select(func.count(Completion.id))) == 1


def test_the_history_pages_say_outside_any_posting(client, db, lan, login):
    run("completions", f"{lan.staff_code},ISO-01,2024-02-10,,")
    login("lan")
    assert "ngoài thời gian công tác" in client.get("/me").text
    client.post("/logout")
    login("sokhcn")
    page = client.get(f"/people/{lan.id}").text
    assert "ISO-01" in page and "ngoài thời gian công tác" in page


def test_the_as_was_report_puts_them_in_a_row_of_their_own_after_the_agencies(client, db, lan, login):
    run("completions", f"{lan.staff_code},ISO-01,2024-02-10,,", f"{lan.staff_code},ISO-02,2024-06-01,,")
    login("sokhcn")
    page = client.get("/reports/completions?year=2024").text
    agency, outside = page.index("UBND xã A"), page.index("Ngoài thời gian công tác")
    assert agency < outside


def test_the_preview_page_lists_the_rows_as_a_warning_not_a_problem(client, db, lan, login):
    make_person("admin", access_role="admin")
    db.session.commit()
    login("admin")
    data = f"staff_code,course_code,completed_on,score,source\n{lan.staff_code},ISO-01,2024-02-10,,\n".encode()
    response = client.post("/imports/", data={"kind": "completions", "file": (io.BytesIO(data), "kq.csv")},
                           content_type="multipart/form-data")
    preview = client.get(response.headers["Location"]).text
    assert "Cảnh báo" in preview and "Ngoài thời gian công tác" in preview
    assert "Xác nhận nhập dữ liệu" in preview and "lỗi nên chưa có gì được ghi" not in preview


def test_the_import_command_prints_the_warning_with_its_rows(runner, db, lan, tmp_path):
    path = tmp_path / "kq.csv"
    path.write_text("staff_code,course_code,completed_on,score,source\n"
                    f"{lan.staff_code},ISO-01,2024-02-10,,\n{lan.staff_code},ISO-02,2024-06-01,,\n"
                    f"{lan.staff_code},ISO-05,2025-01-20,,\n", encoding="utf-8")
    result = runner.invoke(args=["import", "completions", str(path)])
    assert result.exit_code == 0, result.output
    assert "warning: 2 row(s) dated outside every assignment" in result.output
    assert "rows 2, 4" in result.output


def test_row_ranges_are_written_as_short_runs():
    assert row_ranges([12, 2, 3, 4, 5, 9, 13]) == "2–5, 9, 12–13"


def test_a_provincial_file_with_thousands_of_such_rows_imports_in_full(db):
    """Shaped like the real file: 7,988 rows, 2,500 of them outside every posting of the person."""
    make_iso_courses()
    agency = make_agency("XA-T", valid_from=date(2010, 1, 1))
    people = [make_person(agency=agency, start=date(2025, 7, 1)) for _ in range(1000)]
    db.session.commit()
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(("staff_code", "course_code", "completed_on", "score", "source"))
    outside_rows = []
    for n in range(7988):
        person, course = people[n % 1000], ("ISO-01", "ISO-02", "ISO-05")[n // 1000 % 3]
        outside = n < 2500
        day = date(2025, 6, 30) - timedelta(days=n // 3000) if outside else date(2025, 7, 1) + timedelta(days=n // 3000)
        writer.writerow((person.staff_code, course, day.isoformat(), "", "offline"))
        if outside:
            outside_rows.append(n + 2)
    report = run_import("completions", ImportSource("tinh.csv", data=buffer.getvalue().encode()))
    db.session.commit()
    assert report.applied, problems(report)[:5]
    assert report.counts["created"] == 7988
    assert report.warnings == {"outside_assignment": outside_rows}
    assert db.session.scalar(select(func.count(Completion.id)).where(Completion.agency_id.is_(None))) == 2500
