"""Agencies import: upsert by code, parents anywhere in the file, loops and unknown types refused."""
from datetime import date

import pytest
from sqlalchemy import select

from app.agencies.models import Agency
from tests.factories import make_agency
from tests.imports_support import D, problems, run, run_fixture, table_counts


def agency(db, code: str) -> Agency:
    return db.session.scalar(select(Agency).where(Agency.code == code))


def test_agencies_are_created_with_parents_given_later_in_the_file(db):
    report = run_fixture("agencies.csv")
    assert report.applied and report.counts["created"] == 5, problems(report)
    centre = agency(db, "XA-TANAN-PVHCC")
    assert (centre.parent.code, centre.type, centre.valid_from, centre.in_iso_scope) == (
        "XA-TANAN", "TT_PVHCC_XA", D("2025-07-01"), True)
    old_desk = agency(db, "XA-CU-B-MC")
    assert (old_desk.parent.code, old_desk.valid_to, old_desk.in_iso_scope) == ("XA-CU-B", D("2025-06-30"), False)


def test_a_parent_may_be_an_agency_already_stored(db):
    make_agency("TINH", name="UBND tỉnh", type="UBND_TINH")
    db.session.commit()
    assert run("agencies", "SO-NV,Sở Nội vụ,SO,TINH,2025-03-01,,1").applied
    assert agency(db, "SO-NV").parent.code == "TINH"


def test_reimporting_agencies_changes_nothing_and_a_changed_row_updates(db):
    run_fixture("agencies.csv")
    before = table_counts()
    again = run_fixture("agencies.csv")
    assert (again.counts["unchanged"], again.counts["created"], again.counts["updated"]) == (5, 0, 0)
    assert table_counts()["agency"] == before["agency"]
    changed = run("agencies", "XA-TANAN-PVHCC,Trung tâm PVHCC xã Tân An,TT_PVHCC_XA,,2025-07-01,,0")
    assert changed.counts["updated"] == 1
    centre = agency(db, "XA-TANAN-PVHCC")
    assert (centre.name, centre.parent, centre.in_iso_scope) == ("Trung tâm PVHCC xã Tân An", None, False)


ERRORS = {
    "unknown type": (["X1,UBND xã X,UBND_HUYEN_MOI,,2025-07-01,,1"], (2, "type", "loại cơ quan không hợp lệ: UBND_HUYEN_MOI")),
    "unknown parent": (["X1,UBND xã X,UBND_XA,KHONG-CO,2025-07-01,,1"],
                       (2, "parent_code", "mã cơ quan cấp trên không tồn tại: KHONG-CO")),
    "own parent": (["X1,UBND xã X,UBND_XA,X1,2025-07-01,,1"], (2, "parent_code", "cơ quan không thể là cấp trên của chính nó")),
    "end before start": (["X1,UBND xã X,UBND_XA,,2025-07-01,30/06/2025,1"], (2, "valid_to", "ngày kết thúc trước ngày bắt đầu")),
    "bad scope flag": (["X1,UBND xã X,UBND_XA,,2025-07-01,,maybe"], (2, "in_iso_scope", "chỉ nhận 1/0, true/false hoặc có/không")),
    "duplicate code": (["X1,UBND xã X,UBND_XA,,2025-07-01,,1", "X1,UBND xã Y,UBND_XA,,2025-07-01,,1"],
                       (3, "code", "mã cơ quan trùng với dòng 2")),
    "code with a slash": (["X/1,UBND xã X,UBND_XA,,2025-07-01,,1"],
                          (2, "code", "mã chỉ gồm chữ không dấu, chữ số và các dấu . _ -")),
}


@pytest.mark.parametrize("lines,expected", ERRORS.values(), ids=ERRORS.keys())
def test_each_kind_of_agency_error_is_reported_and_nothing_is_written(db, lines, expected):
    before = table_counts()
    report = run("agencies", *lines)
    assert problems(report) == [expected]
    assert table_counts() == before


def test_every_row_of_a_loop_of_parents_is_refused(db):
    make_agency("Z", type="SO", valid_from=date(2020, 1, 1))
    db.session.commit()
    report = run("agencies", "X,Cơ quan X,SO,Y,2025-01-01,,1", "Y,Cơ quan Y,SO,X,2025-01-01,,1",
                 "Z,Cơ quan Z,SO,Z2,2025-01-01,,1", "Z2,Cơ quan Z2,SO,,2025-01-01,,1")
    assert problems(report) == [(2, "parent_code", "cấp trên tạo thành vòng lặp: X → Y → X"),
                                (3, "parent_code", "cấp trên tạo thành vòng lặp: Y → X → Y")]
