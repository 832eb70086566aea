"""Completions import: offline training credited to the agency of that day, never changed afterwards."""
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from app.completions.models import Completion
from app.core.dates import today
from tests.factories import make_agency, make_assignment, make_person
from tests.imports_support import D, problems, run, run_fixture, table_counts


@pytest.fixture
def world(db, courses):
    """The fixture staff: CC-003 moved from XA-CU-A to XA-CU-B on 01/06/2020."""
    a = make_agency("XA-CU-A", name="UBND xã Tân Hòa (cũ)", type="UBND_XA_CU", valid_from=date(2010, 1, 1))
    b = make_agency("XA-CU-B", name="UBND xã Tân Lợi (cũ)", type="UBND_XA_CU", valid_from=date(2010, 1, 1))
    make_agency("XA-CU-B-MC", type="MOT_CUA_XA_CU", parent=b, valid_from=date(2010, 1, 1), valid_to=date(2025, 6, 30))
    db.session.commit()
    assert run_fixture("staff.csv").applied
    return {"A": a, "B": b, "courses": courses}


def stored(db) -> list[tuple]:
    return list(db.session.execute(
        select(Completion.completed_on, Completion.agency_code, Completion.agency_name, Completion.score,
               Completion.source, Completion.course_version_id).order_by(Completion.completed_on)).tuples())


def test_completions_are_credited_to_the_agency_of_that_day(db, world):
    report = run_fixture("completions.csv")
    assert report.applied and report.counts["created"] == 4, problems(report)
    fx1, fx2 = world["courses"]["FX-01"].id, world["courses"]["FX-02"].id
    assert stored(db) == [
        (D("2019-11-20"), "XA-CU-A", "UBND xã Tân Hòa (cũ)", 75, "online", fx2),  # CC-003 was still at A
        (D("2021-02-01"), "XA-CU-B", "UBND xã Tân Lợi (cũ)", 80, "offline", fx1),  # … and at B after the move
        (D("2024-05-10"), "XA-CU-A", "UBND xã Tân Hòa (cũ)", 90, "offline", fx1),
        (D("2024-05-10"), "XA-CU-A", "UBND xã Tân Hòa (cũ)", None, "offline", fx1),  # empty source = offline
    ]
    from app.certificates.models import Certificate
    assert len(list(db.session.scalars(select(Certificate.id)))) == 4  # each completion imported has its certificate


def test_with_two_assignments_the_earliest_started_one_is_credited(db, world):
    person = make_person(agency=world["B"], start=date(2021, 1, 1), full_name="Võ Hai Nơi")
    make_assignment(person, world["A"], start=date(2020, 1, 1))
    db.session.commit()
    assert run("completions", f"{person.staff_code},FX-01,2022-03-03,,").applied
    assert stored(db)[0][1] == "XA-CU-A"


def test_reimporting_completions_changes_nothing(db, world):
    run_fixture("completions.csv")
    before = table_counts()
    report = run_fixture("completions.csv")
    assert (report.counts["created"], report.counts["unchanged"]) == (0, 4)
    assert table_counts() == before


def test_a_stored_completion_is_never_changed_by_an_import(db, world):
    run("completions", "CC-001,FX-01,2024-05-10,90,offline")
    report = run("completions", "CC-001,FX-01,2024-05-10,55,online")
    assert report.counts["unchanged"] == 1
    assert [(score, source) for _d, _c, _n, score, source, _v in stored(db)] == [(90, "offline")]


def tomorrow() -> str:
    return (today() + timedelta(days=1)).isoformat()


ERRORS = {
    "unknown staff code": ("CC-999,FX-01,2024-05-10,,", (2, "staff_code", "mã công chức không tồn tại: CC-999")),
    "unknown course code": ("CC-001,ISO-99,2024-05-10,,", (2, "course_code", "mã khóa học không tồn tại: ISO-99")),
    "date in the future": (None, (2, "completed_on", "ngày hoàn thành ở tương lai")),
    "score above 100": ("CC-001,FX-01,2024-05-10,101,", (2, "score", "điểm phải là số nguyên từ 0 đến 100")),
    "score not a number": ("CC-001,FX-01,2024-05-10,tám,", (2, "score", "điểm phải là số nguyên từ 0 đến 100")),
    "negative score (a number, not a formula)": ("CC-001,FX-01,2024-05-10,-5,",
                                                 (2, "score", "điểm phải là số nguyên từ 0 đến 100")),
    "unknown source": ("CC-001,FX-01,2024-05-10,,elearning",
                       (2, "source", "nguồn không hợp lệ (chỉ nhận online hoặc offline)")),
    "bad date": ("CC-001,FX-01,10-05-2024,,",
                 (2, "completed_on", "ngày không hợp lệ “10-05-2024” (viết YYYY-MM-DD hoặc dd/mm/yyyy)")),
}


@pytest.mark.parametrize("line,expected", ERRORS.values(), ids=ERRORS.keys())
def test_each_kind_of_completion_error_is_reported_and_nothing_is_written(db, world, line, expected):
    before = table_counts()
    report = run("completions", line or f"CC-001,FX-01,{tomorrow()},,")
    assert problems(report) == [expected]
    assert table_counts() == before


def test_a_duplicate_completion_row_is_reported_with_its_first_row(db, world):
    report = run("completions", "CC-001,FX-01,2024-05-10,90,", "CC-002,FX-01,2024-05-10,,",
                 "CC-001,FX-01,10/05/2024,85,")
    assert problems(report) == [(4, "completed_on", "trùng với dòng 2 (cùng công chức, khóa học và ngày)")]


def test_a_completion_file_with_one_bad_row_writes_no_completion(db, world):
    before = table_counts()
    report = run("completions", "CC-001,FX-01,2024-05-10,90,", "CC-002,FX-01,2024-05-10,,", "CC-404,FX-01,2024-05-10,,")
    assert report.problems.count == 1
    assert table_counts() == before
