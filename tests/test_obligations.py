"""Each person's obligations: what, why, by when, status — and agreement with the coverage counts."""
from datetime import date

import pytest

from app.completions.models import Completion
from app.courses.models import Course
from app.coverage.obligations import agency_obligations, my_obligations
from app.coverage.queries import coverage_table
from app.coverage.rules import Rules, RulesError, parse_rules
from tests.factories import make_agency, make_assignment, make_person

RULES = Rules()


@pytest.fixture
def iso(db):
    courses = {code: Course(code=code) for code in ("ISO-01", "ISO-02", "ISO-05")}
    db.session.add_all(courses.values())
    db.session.flush()
    return courses


def complete(db, person, course, day):
    db.session.add(Completion(person_id=person.id, course_id=course.id, completed_on=day, source="offline"))
    db.session.flush()


def summary(obligations):
    return [(o.rule, o.course_code, o.due, o.status) for o in obligations]


def test_new_secretary_sees_overdue_first_then_open_then_done(db, iso):
    agency = make_agency(valid_from=date(2020, 1, 1))
    person = make_person(agency=agency, roles=("iso_secretary",), start=date(2026, 9, 1))
    complete(db, person, iso["ISO-01"], date(2026, 9, 10))
    day = date(2026, 11, 27)
    assert summary(my_obligations(person, day, RULES)) == [
        ("secretary", "ISO-02", date(2026, 10, 1), "overdue"),
        ("refresher", "ISO-05", date(2026, 12, 31), "open"),
        ("onboarding", "ISO-01", date(2026, 10, 31), "done"),
    ]


def test_onboarding_done_after_the_deadline_is_late_and_a_learner_has_no_role_obligations(db, iso):
    agency = make_agency(valid_from=date(2020, 1, 1))
    person = make_person(agency=agency, start=date(2026, 1, 5))
    complete(db, person, iso["ISO-01"], date(2026, 3, 7))  # deadline 6/3
    assert summary(my_obligations(person, date(2026, 11, 27), RULES)) == [
        ("onboarding", "ISO-01", date(2026, 3, 6), "late")]


def test_person_in_an_agency_outside_iso_scope_has_no_obligations(db, iso):
    outside = make_agency(in_iso_scope=False)
    person = make_person(agency=outside, roles=("leader",), start=date(2026, 1, 5))
    assert my_obligations(person, date(2026, 11, 27), RULES) == []


def test_agency_obligations_agree_with_the_coverage_counts(db, iso):
    agency = make_agency(valid_from=date(2020, 1, 1))
    veteran = make_person(agency=agency, roles=("leader",), start=date(2019, 1, 1))
    complete(db, veteran, iso["ISO-05"], date(2025, 4, 1))
    secretary = make_person(agency=agency, roles=("iso_secretary",), start=date(2025, 10, 1))
    newcomer = make_person(agency=agency, start=date(2025, 3, 1))
    complete(db, newcomer, iso["ISO-01"], date(2025, 3, 20))
    late = make_person(agency=agency, start=date(2025, 2, 1))
    complete(db, late, iso["ISO-01"], date(2025, 6, 1))
    make_person(agency=agency, start=date(2025, 8, 1))  # never trained: overdue on 30/9
    moved_in = make_person(agency=make_agency(valid_from=date(2020, 1, 1)), start=date(2018, 1, 1), end=date(2025, 4, 30))
    make_assignment(moved_in, agency, start=date(2025, 5, 1))
    assert secretary
    day = date(2025, 12, 31)
    people = agency_obligations(agency.id, 2025, day, RULES)
    row = next(r for r in coverage_table(2025, day).rows if r.agency_code == agency.code)

    def count(rule, statuses, new_only=False):
        return sum(1 for p in people for o in p.obligations
                   if o.rule == rule and o.status in statuses and (not new_only or o.since.year == 2025))

    assert row.new_staff_done == count("onboarding", {"done", "late"}, new_only=True) == 2
    assert row.new_staff_on_time == count("onboarding", {"done"}, new_only=True) == 1
    # the never-trained newcomer and the new secretary, who has not taken the onboarding course either
    assert row.new_staff_overdue == count("onboarding", {"overdue"}, new_only=True) == 2
    assert row.refresher_required == count("refresher", {"done", "open", "overdue"}) == 2
    assert row.refresher_done == count("refresher", {"done"}) == 1
    assert row.secretaries == count("secretary", {"done", "late", "open", "overdue"}) == 1
    assert row.secretaries_trained == count("secretary", {"done", "late"}) == 0
    # the person who moved in started in 2018: an old onboarding obligation, not new staff this year
    assert people[0].overdue >= 1  # overdue people are listed first


def test_agency_obligations_take_three_queries_whatever_the_number_of_people(db, iso, count_queries):
    agency = make_agency(valid_from=date(2020, 1, 1))
    for i in range(12):
        make_person(agency=agency, roles=("iso_secretary",) if i % 3 == 0 else (), start=date(2025, 3, 1))
    agency_id = agency.id
    db.session.commit()
    with count_queries() as seen:
        people = agency_obligations(agency_id, 2025, date(2025, 12, 31), RULES)
    assert len(people) == 12
    assert len(seen) == 3


def test_home_page_lists_my_obligations_with_deadline_and_reason(client, db, iso, login):
    agency = make_agency(valid_from=date(2020, 1, 1), name="UBND xã Mỹ Hòa")
    make_person("thuky1", agency=agency, roles=("iso_secretary",), start=date(2025, 7, 1))
    db.session.commit()
    login("thuky1")
    page = client.get("/").get_data(as_text=True)
    assert "Việc tôi phải hoàn thành" in page
    assert "Làm thư ký ISO tại UBND xã Mỹ Hòa từ ngày 01/07/2025" in page
    assert "hạn 31/07/2025" in page and "Quá hạn" in page


def test_agency_page_shows_each_persons_obligations_to_its_leader(client, db, iso, login):
    agency = make_agency(valid_from=date(2020, 1, 1))
    make_person("lanhdao1", agency=agency, roles=("leader",), start=date(2024, 1, 1))
    make_person(agency=agency, start=date(2025, 7, 1), full_name="Trần Thị Mới")
    db.session.commit()
    login("lanhdao1")
    page = client.get(f"/agencies/{agency.code}").get_data(as_text=True)
    assert "Nghĩa vụ đào tạo năm" in page and "Trần Thị Mới" in page
    assert "Bắt đầu công tác ngày 01/07/2025" in page


def test_rules_file_values_change_the_deadlines(db, iso):
    rules = parse_rules("""
onboarding: {course: ISO-01, within_days: 30}
secretary: {course: ISO-02, within_days: 10}
refresher: {course: ISO-05, roles: [leader]}
inspection: {share: 0.5}
""")
    agency = make_agency(valid_from=date(2020, 1, 1))
    person = make_person(agency=agency, roles=("iso_secretary",), start=date(2026, 3, 1))
    assert summary(my_obligations(person, date(2026, 3, 5), rules)) == [
        ("secretary", "ISO-02", date(2026, 3, 11), "open"),
        ("onboarding", "ISO-01", date(2026, 3, 31), "open"),
    ]  # no refresher: under these rules only leaders take it


@pytest.mark.parametrize("text, key", [
    ("onboarding: {course: ISO-01}\n", "onboarding.within_days"),
    ("onboarding: {course: ISO-01, within_days: 60}\nsecretary: {course: ISO-02, within_days: 30}\n"
     "refresher: {course: ISO-05, roles: [chief]}\ninspection: {share: 0.3}\n", "refresher.roles"),
    ("onboarding: {course: ISO-01, within_days: 60}\nsecretary: {course: ISO-02, within_days: 30}\n"
     "refresher: {course: ISO-05, roles: [leader]}\ninspection: {share: 3}\n", "inspection.share"),
    ("onboarding: [\n", "YAML"),
])
def test_a_broken_rules_file_names_what_is_wrong(text, key):
    with pytest.raises(RulesError, match=key.replace(".", r"\.")):
        parse_rules(text)


def test_the_shipped_rules_file_has_the_documented_defaults(app):
    with open(app.config["OBLIGATIONS_FILE"], encoding="utf-8") as handle:
        assert parse_rules(handle.read()) == Rules()
