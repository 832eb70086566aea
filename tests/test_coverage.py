"""The yearly coverage table: each obligation rule and its edges, on hand-counted fixtures."""
from datetime import date

import pytest

from app.completions.models import Completion
from app.courses.models import Course
from app.coverage.queries import COLUMNS, coverage_table, percent
from tests.factories import make_agency, make_assignment, make_person

YEAR = 2025
R = date(2025, 12, 31)


@pytest.fixture
def iso(db):
    """The three obligation courses (rows only: completions need nothing more)."""
    courses = {code: Course(code=code) for code in ("ISO-01", "ISO-02", "ISO-05", "ISO-03")}
    db.session.add_all(courses.values())
    db.session.flush()
    return courses


def agency_since_2020(**kwargs):
    return make_agency(**{"valid_from": date(2020, 1, 1), **kwargs})


def complete(db, person, course, day):
    db.session.add(Completion(person_id=person.id, course_id=course.id, completed_on=day, source="offline"))
    db.session.flush()


def row_of(table, agency):
    return next(r for r in table.rows if r.agency_code == agency.code)


def test_onboarding_completed_on_the_deadline_day_is_on_time_and_a_day_later_is_late(db, iso):
    agency = agency_since_2020()
    on_deadline = make_person(agency=agency, start=date(2025, 3, 1))
    late = make_person(agency=agency, start=date(2025, 3, 1))
    complete(db, on_deadline, iso["ISO-01"], date(2025, 4, 30))  # 1/3 + 60 days = 30/4
    complete(db, late, iso["ISO-01"], date(2025, 5, 1))
    row = row_of(coverage_table(YEAR, R), agency)
    assert (row.new_staff, row.new_staff_done, row.new_staff_on_time, row.new_staff_overdue) == (2, 2, 1, 0)
    assert (row.obligations_due, row.obligations_met, row.coverage_pct) == (2, 2, 100.0)


def test_onboarding_becomes_overdue_the_day_after_the_deadline(db, iso):
    agency = agency_since_2020()
    make_person(agency=agency, start=date(2025, 3, 1))
    on_deadline = row_of(coverage_table(YEAR, date(2025, 4, 30)), agency)
    assert (on_deadline.new_staff, on_deadline.new_staff_overdue, on_deadline.obligations_due) == (1, 0, 0)
    assert on_deadline.coverage_pct is None  # nothing due yet: no percentage at all
    after = row_of(coverage_table(YEAR, date(2025, 5, 1)), agency)
    assert (after.new_staff_overdue, after.obligations_due, after.obligations_met, after.coverage_pct) == (1, 1, 0, 0.0)


def test_onboarding_completion_from_before_the_start_counts(db, iso):
    agency = agency_since_2020()
    person = make_person(agency=agency, start=date(2025, 2, 1))
    complete(db, person, iso["ISO-01"], date(2024, 10, 10))
    row = row_of(coverage_table(YEAR, R), agency)
    assert (row.new_staff, row.new_staff_done, row.new_staff_on_time) == (1, 1, 1)


def test_onboarding_completion_after_the_reference_date_does_not_count(db, iso):
    agency = agency_since_2020()
    person = make_person(agency=agency, start=date(2025, 3, 1))
    complete(db, person, iso["ISO-01"], date(2025, 6, 1))
    row = row_of(coverage_table(YEAR, date(2025, 5, 31)), agency)
    assert (row.new_staff_done, row.new_staff_overdue) == (0, 1)


def test_only_a_first_ever_assignment_inside_the_year_makes_new_staff(db, iso):
    old_commune = agency_since_2020(valid_from=date(2010, 1, 1), valid_to=date(2025, 6, 30), type="UBND_XA_CU")
    new_commune = agency_since_2020()
    moved = make_person(agency=old_commune, start=date(2015, 5, 1), end=date(2025, 6, 30))
    make_assignment(moved, new_commune, start=date(2025, 7, 1))
    make_person(agency=new_commune, start=date(2024, 6, 1), full_name="Đã làm từ năm trước")
    make_person(agency=new_commune, start=date(2025, 7, 1), full_name="Mới tuyển")
    row = row_of(coverage_table(YEAR, R), new_commune)
    assert (row.headcount, row.new_staff) == (3, 1)


def test_a_first_assignment_outside_iso_scope_does_not_count_as_first(db, iso):
    outside = agency_since_2020(in_iso_scope=False)
    inside = agency_since_2020()
    person = make_person(agency=outside, start=date(2020, 1, 1), end=date(2025, 1, 31))
    make_assignment(person, inside, start=date(2025, 2, 1))
    assert row_of(coverage_table(YEAR, R), inside).new_staff == 1


def test_refresher_done_last_december_does_not_count_this_year(db, iso):
    agency = agency_since_2020()
    last_year = make_person(agency=agency, roles=("leader",), start=date(2020, 1, 1))
    this_year = make_person(agency=agency, roles=("iso_secretary",), start=date(2020, 1, 1))
    complete(db, last_year, iso["ISO-05"], date(2024, 12, 31))
    complete(db, this_year, iso["ISO-05"], date(2025, 1, 1))
    row = row_of(coverage_table(YEAR, R), agency)
    assert (row.refresher_required, row.refresher_done) == (2, 1)


def test_role_given_up_before_the_reference_date_needs_no_refresher(db, iso):
    agency = agency_since_2020()
    person = make_person(agency=agency, roles=("leader",), start=date(2020, 1, 1), end=date(2025, 6, 30))
    make_assignment(person, agency, start=date(2025, 7, 1))
    auditor = make_person(agency=agency, roles=("internal_auditor",), start=date(2020, 1, 1))
    assert auditor  # internal auditors have no yearly refresher under the default rules
    row = row_of(coverage_table(YEAR, R), agency)
    assert (row.headcount, row.refresher_required, row.secretaries) == (2, 0, 0)


def test_person_transferred_mid_year_counts_where_they_are_on_the_reference_date(db, iso):
    first, second = agency_since_2020(), agency_since_2020()
    person = make_person(agency=first, roles=("leader",), start=date(2024, 1, 1), end=date(2025, 5, 31))
    make_assignment(person, second, start=date(2025, 6, 1))
    table = coverage_table(YEAR, R)
    assert row_of(table, first).headcount == 0
    moved = row_of(table, second)
    assert (moved.headcount, moved.new_staff, moved.refresher_required) == (1, 0, 0)


def test_person_assigned_to_two_agencies_counts_in_each(db, iso):
    commune, centre = agency_since_2020(), agency_since_2020(type="TT_PVHCC_XA")
    person = make_person(agency=commune, roles=("leader",), start=date(2025, 9, 1))
    make_assignment(person, centre, start=date(2025, 9, 1))
    complete(db, person, iso["ISO-01"], date(2025, 9, 20))
    table = coverage_table(YEAR, R)
    for agency, refresher in ((commune, 1), (centre, 0)):
        row = row_of(table, agency)
        assert (row.headcount, row.new_staff_done, row.refresher_required) == (1, 1, refresher)
    assert table.totals.headcount == 2


def test_agency_with_nobody_appears_and_ended_or_out_of_scope_agencies_do_not(db, iso):
    empty = agency_since_2020(code="AG-EMPTY")
    agency_since_2020(code="AG-ENDED", valid_to=date(2025, 6, 30))
    agency_since_2020(code="AG-OUTSIDE", in_iso_scope=False)
    agency_since_2020(code="AG-LATER", valid_from=date(2026, 1, 1))
    table = coverage_table(YEAR, R)
    assert [r.agency_code for r in table.rows] == ["AG-EMPTY"]
    row = row_of(table, empty)
    assert (row.headcount, row.obligations_due, row.coverage_pct, row.has_trained_secretary) == (0, 0, None, 0)


def test_secretary_is_due_once_trained_or_past_the_deadline(db, iso):
    agency = agency_since_2020()
    trained_long_ago = make_person(agency=agency, roles=("iso_secretary",), start=date(2022, 1, 1))
    complete(db, trained_long_ago, iso["ISO-02"], date(2022, 1, 20))
    make_person(agency=agency, roles=("iso_secretary",), start=date(2025, 11, 1))  # deadline 1/12: overdue
    make_person(agency=agency, roles=("iso_secretary",), start=date(2025, 12, 1))  # deadline 31/12: not yet
    row = row_of(coverage_table(YEAR, R), agency)
    assert (row.secretaries, row.secretaries_trained, row.has_trained_secretary) == (3, 1, 1)
    # due: 3 refreshers (secretaries) + 1 trained + 1 overdue secretary; met: 0 refreshers + 1 trained
    assert (row.obligations_due, row.obligations_met, row.coverage_pct) == (5, 1, 20.0)


def test_secretary_deadline_runs_from_the_assignment_carrying_the_role(db, iso):
    agency = agency_since_2020()
    person = make_person(agency=agency, start=date(2020, 1, 1), end=date(2025, 11, 30))
    make_assignment(person, agency, roles=("iso_secretary",), start=date(2025, 12, 1))
    row = row_of(coverage_table(YEAR, date(2025, 12, 31)), agency)  # 1/12 + 30 = 31/12: on the deadline day
    assert (row.secretaries, row.secretaries_trained, row.obligations_due) == (1, 0, 1)  # the refresher only


def test_hand_counted_agency_and_province_totals(db, iso):
    commune = agency_since_2020(code="AG-A", name="UBND xã A")
    other = agency_since_2020(code="AG-B", name="UBND xã B")
    leader = make_person(agency=commune, roles=("leader",), start=date(2021, 1, 1))
    complete(db, leader, iso["ISO-05"], date(2025, 3, 3))
    secretary = make_person(agency=commune, roles=("iso_secretary",), start=date(2021, 1, 1))
    complete(db, secretary, iso["ISO-02"], date(2021, 1, 15))
    newcomer = make_person(agency=commune, start=date(2025, 8, 1))
    complete(db, newcomer, iso["ISO-01"], date(2025, 8, 15))
    make_person(agency=commune, start=date(2025, 9, 1))  # deadline 31/10, never trained: overdue
    make_person(agency=other, start=date(2025, 10, 1))  # deadline 30/11: overdue
    table = coverage_table(YEAR, R)
    a = row_of(table, commune)
    assert [getattr(a, c) for c in COLUMNS] == [
        "AG-A", "UBND xã A", "UBND_XA", None, 4, 2, 1, 1, 1, 2, 1, 1, 1, 1,
        # due = (1 done + 1 overdue) + 2 refreshers + 1 trained secretary = 5; met = 1 + 1 + 1 = 3
        5, 3, 60.0,
    ]
    totals = table.totals
    assert (totals.headcount, totals.obligations_due, totals.obligations_met) == (5, 6, 3)
    assert totals.coverage_pct == 50.0  # recomputed from the sums, not averaged
    assert totals.has_trained_secretary == 1
    assert [(g.agency_type, g.agencies, g.headcount, g.coverage_pct) for g in table.by_type()] == [
        ("UBND_XA", 2, 5, 50.0)]


def test_coverage_is_five_queries_whatever_the_number_of_agencies(db, iso, count_queries):
    def queries_for(agencies: int) -> int:
        for _ in range(agencies):
            agency = agency_since_2020()
            make_person(agency=agency, roles=("iso_secretary",), start=date(2025, 3, 1))
        db.session.commit()
        with count_queries() as seen:
            coverage_table(YEAR, R)
        return len(seen)

    assert queries_for(1) == 5  # course ids, headcount, new staff, role holders, agencies
    assert queries_for(20) == 5


def test_limiting_to_some_agencies_keeps_only_their_rows(db, iso):
    mine, other = agency_since_2020(code="AG-MINE"), agency_since_2020(code="AG-OTHER")
    make_person(agency=mine, start=date(2025, 3, 1))
    make_person(agency=other, start=date(2025, 3, 1))
    table = coverage_table(YEAR, R, agency_ids={mine.id})
    assert [(r.agency_code, r.headcount) for r in table.rows] == [("AG-MINE", 1)]


def test_percent_has_one_decimal_and_none_when_nothing_is_due():
    assert percent(1, 3) == 33.3
    assert percent(2, 3) == 66.7
    assert percent(0, 0) is None


def test_a_stored_row_keeps_its_due_met_and_percentage_as_they_were_stored():
    from app.coverage.queries import CoverageRow

    stored = CoverageRow("AG-A", "UBND xã A", "UBND_XA", None, headcount=3, new_staff_done=1).as_dict()
    stored.update(obligations_due=4, obligations_met=1, coverage_pct=25.0)  # as an older formula had it
    row = CoverageRow.from_dict(stored)
    assert (row.obligations_due, row.obligations_met, row.coverage_pct) == (4, 1, 25.0)
    assert row.as_dict() == stored
