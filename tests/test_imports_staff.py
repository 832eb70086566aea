"""Staff import: people and assignment periods, validated whole and applied all or nothing."""
from datetime import date

import pytest
from sqlalchemy import select

from app.accounts.models import Assignment, Person
from app.audit.models import AuditEvent
from tests.factories import make_agency, make_person
from tests.imports_support import D, problems, run, run_fixture, table_counts


@pytest.fixture
def agencies(db):
    """The old communes of the fixture files (agencies.csv without its new commune)."""
    found = {code: make_agency(code, name=f"UBND {code}", type="UBND_XA_CU", valid_from=date(2010, 1, 1))
             for code in ("XA-CU-A", "XA-CU-B")}
    found["XA-CU-B-MC"] = make_agency("XA-CU-B-MC", type="MOT_CUA_XA_CU", parent=found["XA-CU-B"],
                                      valid_from=date(2010, 1, 1), valid_to=date(2025, 6, 30))
    db.session.commit()
    return found


def periods(db, staff_code: str) -> list[tuple]:
    return [(a.agency.code, a.start_date, a.end_date, tuple(a.roles)) for a in db.session.scalars(
        select(Assignment).join(Person).where(Person.staff_code == staff_code).order_by(Assignment.start_date))]


def test_staff_file_creates_people_without_accounts_and_their_periods(db, agencies):
    report = run_fixture("staff.csv")
    assert report.applied, problems(report)
    assert (report.rows, report.counts["created"], report.counts["people_created"]) == (5, 5, 4)
    an = db.session.scalar(select(Person).where(Person.staff_code == "CC-001"))
    assert (an.full_name, an.email, an.username, an.password_hash, an.access_role, an.active) == (
        "Nguyễn Văn An", "an.nv@tanhoa.gov.vn", None, None, "learner", True)
    assert periods(db, "CC-002") == [("XA-CU-A", D("2018-01-15"), None, ("iso_secretary", "internal_auditor"))]
    assert periods(db, "CC-003") == [("XA-CU-A", D("2016-01-01"), D("2020-05-31"), ()),
                                     ("XA-CU-B", D("2020-06-01"), None, ())]
    audit = db.session.scalar(select(AuditEvent))
    assert (audit.action, audit.target_type, audit.actor_label, audit.details["file"], audit.details["created"]) == (
        "import.staff", "import", "CLI", "staff.csv", 5)


def test_reimporting_the_same_staff_file_changes_nothing(db, agencies):
    run_fixture("staff.csv")
    before = table_counts()
    report = run_fixture("staff.csv")
    assert report.applied
    assert (report.counts["created"], report.counts["updated"], report.counts["unchanged"]) == (0, 0, 5)
    assert report.counts["people_created"] == report.counts["people_updated"] == 0
    assert table_counts() == before  # not even an audit event: nothing changed


def test_a_changed_row_updates_that_period_and_the_person(db, agencies):
    run_fixture("staff.csv")
    report = run("staff", "CC-002,Lê Thị Bình Minh,binh@tanhoa.gov.vn,XA-CU-A,internal_auditor,2018-01-15,2025-06-30")
    assert (report.counts["created"], report.counts["updated"], report.counts["people_updated"]) == (0, 1, 1)
    assert periods(db, "CC-002") == [("XA-CU-A", D("2018-01-15"), D("2025-06-30"), ("internal_auditor",))]
    binh = db.session.scalar(select(Person).where(Person.staff_code == "CC-002"))
    assert (binh.full_name, binh.email) == ("Lê Thị Bình Minh", "binh@tanhoa.gov.vn")


def test_imported_people_are_found_without_diacritics_and_sorted_by_given_name(db, agencies):
    from app.core.vnsort import name_key
    from app.people.naming import matches_search

    run_fixture("staff.csv")
    an = db.session.scalar(select(Person).where(Person.staff_code == "CC-001"))
    assert an.search_name == "nguyen van an | cc-001 | an.nv@tanhoa.gov.vn"
    assert an.sort_name == name_key("Nguyễn Văn An")
    run("staff", "CC-002,Lê Thị Bình Minh,,XA-CU-A,iso_secretary;internal_auditor,2018-01-15,")  # renamed in bulk
    db.session.expire_all()
    assert db.session.scalars(select(Person.full_name).where(matches_search("binh minh"))).all() == ["Lê Thị Bình Minh"]
    assert db.session.scalars(select(Person.full_name).where(Person.staff_code.like("CC-%"))
                              .order_by(Person.sort_name)).all() == ["Nguyễn Văn An", "Trần Minh Châu",
                                                                      "Phạm Thu Dung", "Lê Thị Bình Minh"]


def test_an_empty_email_leaves_the_stored_one(db, agencies):
    run_fixture("staff.csv")
    report = run("staff", "CC-001,Nguyễn Văn An,,XA-CU-A,leader,2015-03-01,")
    assert report.counts["unchanged"] == 1
    assert db.session.scalar(select(Person.email).where(Person.staff_code == "CC-001")) == "an.nv@tanhoa.gov.vn"


def test_a_dry_run_counts_without_writing(db, agencies):
    before = table_counts()
    report = run_fixture("staff.csv", dry_run=True)
    assert not report.applied and report.counts["created"] == 5 and report.counts["people_created"] == 4
    assert report.samples[0] == {"row": 2, "action": "created",
                                 "text": "CC-001 · Nguyễn Văn An · XA-CU-A · leader · 01/03/2015 – …"}
    assert table_counts() == before


GOOD = "S1,Nguyễn Văn An,,XA-CU-A,,2020-01-01,"

ERRORS = {
    "unknown agency code": ([GOOD, "S2,Lê Bình,,XA-KHONG,,2020-01-01,"],
                            (3, "agency_code", "mã cơ quan không tồn tại: XA-KHONG")),
    "unknown role": (["S2,Lê Bình,,XA-CU-A,leader;boss,2020-01-01,"],
                     (2, "roles", "vai trò không hợp lệ “boss” (chỉ nhận leader, iso_secretary, internal_auditor; "
                                  "để trống nếu là công chức)")),
    "end before start": ([GOOD, "S2,Lê Bình,,XA-CU-A,,2020-01-01,31/12/2019"],
                         (3, "end_date", "ngày kết thúc trước ngày bắt đầu")),
    "bad date": (["S2,Lê Bình,,XA-CU-A,,2020-02-30,"],
                 (2, "start_date", "ngày không hợp lệ “2020-02-30” (viết YYYY-MM-DD hoặc dd/mm/yyyy)")),
    "missing name": (["S2,,,XA-CU-A,,2020-01-01,"], (2, "full_name", "không được để trống")),
    "bad email": (["S2,Lê Bình,binh-at-home,XA-CU-A,,2020-01-01,"], (2, "email", "email không hợp lệ")),
    "overlap in the file": ([GOOD, "S1,Nguyễn Văn An,,XA-CU-A,,2021-06-01,"],
                            (3, "start_date", "thời gian trùng với dòng 2 (cùng công chức và cơ quan)")),
    "duplicate row": ([GOOD, GOOD], (3, "start_date", "trùng với dòng 2 (cùng công chức, cơ quan và ngày bắt đầu)")),
    "same code, other name": ([GOOD, "S1,Nguyễn Văn Ân,,XA-CU-B,,2020-01-01,"],
                              (3, "full_name", "cùng mã công chức với dòng 2 nhưng khác họ tên (“Nguyễn Văn An”)")),
    "same code, other email": (["S1,An,a@x.vn,XA-CU-A,,2020-01-01,", "S1,An,b@x.vn,XA-CU-B,,2020-01-01,"],
                               (3, "email", "cùng mã công chức với dòng 2 nhưng khác email")),
    "before the agency existed": (["S2,Lê Bình,,XA-CU-A,,2009-12-31,"],
                                  (2, "start_date", "trước ngày cơ quan bắt đầu hoạt động (01/01/2010)")),
    "after the agency ended": (["S2,Lê Bình,,XA-CU-B-MC,,2020-01-01,"],
                               (2, "end_date", "cơ quan đã kết thúc ngày 30/06/2025: ngày kết thúc phải từ ngày đó "
                                               "trở về trước")),
    "staff code with spaces": (["S 2,Lê Bình,,XA-CU-A,,2020-01-01,"],
                               (2, "staff_code", "mã chỉ gồm chữ không dấu, chữ số và các dấu . _ -")),
}


@pytest.mark.parametrize("lines,expected", ERRORS.values(), ids=ERRORS.keys())
def test_each_kind_of_staff_error_is_reported_by_row_and_column_and_nothing_is_written(db, agencies, lines, expected):
    before = table_counts()
    report = run("staff", *lines)
    assert problems(report) == [expected]
    assert not report.applied and table_counts() == before


def test_a_period_overlapping_a_stored_one_not_in_the_file_is_refused(db, agencies):
    person = make_person(agency=agencies["XA-CU-A"], start=date(2015, 1, 1), end=date(2020, 12, 31),
                         full_name="Nguyễn Văn An")
    db.session.commit()
    report = run("staff", f"{person.staff_code},Nguyễn Văn An,,XA-CU-A,,2020-06-01,")
    assert problems(report) == [(2, "start_date", "thời gian trùng với giai đoạn đã lưu 01/01/2015 – 31/12/2020 "
                                                  "tại cùng cơ quan")]


def test_a_stored_period_in_the_file_is_compared_with_its_new_dates_not_its_old_ones(db, agencies):
    person = make_person(agency=agencies["XA-CU-A"], start=date(2015, 1, 1), full_name="Nguyễn Văn An")
    db.session.commit()
    code = person.staff_code
    report = run("staff", f"{code},Nguyễn Văn An,,XA-CU-A,,2015-01-01,2019-12-31",
                 f"{code},Nguyễn Văn An,,XA-CU-A,leader,2020-01-01,")
    assert report.applied, problems(report)
    assert periods(db, code) == [("XA-CU-A", D("2015-01-01"), D("2019-12-31"), ()),
                                 ("XA-CU-A", D("2020-01-01"), None, ("leader",))]


def test_one_bad_row_among_good_ones_writes_nothing_at_all(db, agencies):
    make_person(agency=agencies["XA-CU-A"])
    db.session.commit()
    before = table_counts()
    report = run("staff", GOOD, "S2,Lê Bình,,XA-CU-B,,2020-01-01,", "S3,Trần Châu,,XA-CU-A,chief,2020-01-01,")
    assert report.problems.count == 1 and not report.applied
    assert table_counts() == before


def test_every_problem_of_the_file_is_reported_not_just_the_first(db, agencies):
    lines = [f"S{i},Người {i},,XA-KHONG,,2020-01-01," for i in range(1, 8)]
    report = run("staff", *lines)
    assert [p[0] for p in problems(report)] == list(range(2, 9))


def test_a_manager_cannot_import_people_of_another_agency(db, agencies):
    manager = make_person("quanly", agency=agencies["XA-CU-A"], access_role="agency_manager")
    db.session.commit()
    before = table_counts()
    scope = {agencies["XA-CU-A"].id}
    report = run("staff", GOOD, "S2,Lê Bình,,XA-CU-B,,2020-01-01,", actor=manager, scope=scope)
    assert problems(report) == [(3, "agency_code", "cơ quan ngoài phạm vi quản lý")]
    assert table_counts() == before
    assert run("staff", GOOD, actor=manager, scope=scope).applied


def test_a_manager_cannot_rename_someone_who_works_elsewhere(db, agencies):
    other = make_person(agency=agencies["XA-CU-B"], full_name="Lê Thị Bình")
    manager = make_person("quanly", agency=agencies["XA-CU-A"], access_role="agency_manager")
    db.session.commit()
    report = run("staff", f"{other.staff_code},Tên Khác,,XA-CU-A,,2021-01-01,", actor=manager,
                 scope={agencies["XA-CU-A"].id})
    assert problems(report) == [(2, "full_name", "công chức này thuộc cơ quan ngoài phạm vi quản lý: "
                                                 "không được sửa họ tên, email")]


def test_a_transfer_in_is_a_new_period_and_keeps_the_old_one(db, agencies):
    person = make_person(agency=agencies["XA-CU-B"], start=date(2012, 1, 1), full_name="Lê Thị Bình")
    db.session.commit()
    code = person.staff_code
    report = run("staff", f"{code},Lê Thị Bình,,XA-CU-B,,2012-01-01,2021-12-31",
                 f"{code},Lê Thị Bình,,XA-CU-A,iso_secretary,01/01/2022,")
    assert (report.counts["updated"], report.counts["created"]) == (1, 1)
    assert periods(db, code) == [("XA-CU-B", D("2012-01-01"), D("2021-12-31"), ()),
                                 ("XA-CU-A", D("2022-01-01"), None, ("iso_secretary",))]


def test_planner_statistics_are_refreshed_as_an_import_fills_a_table(db, agencies, count_queries, monkeypatch):
    monkeypatch.setattr("app.imports.base.ANALYZE_FROM", 1)  # the real threshold is 10,000 rows
    with count_queries() as queries:
        assert run("staff", GOOD, "S2,Lê Bình,,XA-CU-B,,2020-01-01,").applied
    analyzed = [q for q in queries if q.startswith("ANALYZE")]
    expected = ["ANALYZE person", "ANALYZE assignment"] if db.engine.dialect.name == "postgresql" else []
    assert analyzed == expected  # SQLite plans these look-ups well without statistics
