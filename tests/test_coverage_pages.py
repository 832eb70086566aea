"""The coverage pages: who sees which agencies, filters, drill-down, exports from the page."""
import csv
import io
from datetime import date

import pytest

from app.completions.models import Completion
from app.courses.models import Course
from app.core.dates import today
from app.coverage.queries import COLUMNS
from tests.factories import make_agency, make_assignment, make_person

YEAR = 2025


@pytest.fixture
def province(db):
    """Two communes (one with a sub-unit) and DOST; hand-counted for 2025 (R = 31/12/2025).

    AG-A: leader (refresher done), secretary trained → due 3, met 3 → 100 %.
    AG-A-SUB: one newcomer never trained, overdue → due 1, met 0 → 0 %.
    AG-B: nobody → no percentage.
    """
    courses = {code: Course(code=code) for code in ("ISO-01", "ISO-02", "ISO-05")}
    db.session.add_all(courses.values())
    since = date(2020, 1, 1)
    a = make_agency("AG-A", name="UBND xã A", valid_from=since)
    sub = make_agency("AG-A-SUB", name="Trung tâm PVHCC xã A", type="TT_PVHCC_XA", parent=a, valid_from=since)
    make_agency("AG-B", name="UBND xã B", valid_from=since)
    dost = make_agency("AG-DOST", name="Sở KH&CN", type="OVERSIGHT_DOST", valid_from=since, in_iso_scope=False)
    leader = make_person("lanhdao", agency=a, roles=("leader",), start=date(2021, 1, 1), access_role="agency_manager")
    secretary = make_person("thuky", agency=a, roles=("iso_secretary",), start=date(2021, 1, 1))
    make_person(agency=sub, start=date(2025, 6, 1), full_name="Lê Văn Mới")
    make_person("sokhcn", agency=dost, access_role="dost")
    make_person("hocvien", agency=sub, start=date(2021, 1, 1))
    for person, code, day in ((leader, "ISO-05", date(2025, 5, 5)), (secretary, "ISO-05", date(2025, 5, 5)),
                              (secretary, "ISO-02", date(2021, 2, 1))):
        db.session.add(Completion(person_id=person.id, course_id=courses[code].id, completed_on=day,
                                  source="offline", agency_id=a.id, agency_code="AG-A", agency_name="UBND xã A"))
    db.session.commit()


def test_dost_sees_every_in_scope_agency_including_the_empty_one(client, province, login):
    login("sokhcn")
    page = client.get(f"/reports/coverage?year={YEAR}").get_data(as_text=True)
    for name in ("UBND xã A", "Trung tâm PVHCC xã A", "UBND xã B"):
        assert name in page
    assert "Sở KH&amp;CN</a>" not in page  # outside ISO scope: not a row
    assert "100.0" in page and "0.0" in page
    assert "75.0%" in page  # province: met 3 of due 4


def test_manager_sees_own_agency_and_the_one_under_it_only(client, province, login):
    login("lanhdao")
    page = client.get(f"/reports/coverage?year={YEAR}").get_data(as_text=True)
    assert "UBND xã A" in page and "Trung tâm PVHCC xã A" in page
    assert "UBND xã B" not in page
    assert client.get(f"/reports/coverage/agency/AG-B?year={YEAR}").status_code == 403


def test_learner_cannot_open_the_dashboard(client, province, login):
    login("hocvien")
    assert client.get("/reports/coverage").status_code == 403


def test_agencies_without_a_trained_secretary_are_called_out(client, province, login):
    login("sokhcn")
    page = client.get(f"/reports/coverage?year={YEAR}").get_data(as_text=True)
    callout = page.split("Cơ quan chưa có thư ký ISO đã được đào tạo (1)")[1].split("</p>")[0]
    assert "Trung tâm PVHCC xã A" in callout and "UBND xã A<" not in callout


def test_filter_by_type_and_sort_by_coverage(client, province, login):
    login("sokhcn")
    page = client.get(f"/reports/coverage?year={YEAR}&type=TT_PVHCC_XA").get_data(as_text=True)
    table = page.split('id="agencies"')[1]
    assert "Trung tâm PVHCC xã A" in table and "UBND xã B" not in table
    page = client.get(f"/reports/coverage?year={YEAR}&sort=coverage_pct&order=desc").get_data(as_text=True)
    table = page.split('id="agencies"')[1]
    # 100 % first, then 0 %, and the agency with nothing due (no percentage) last
    assert table.index("UBND xã A<") < table.index("Trung tâm PVHCC xã A") < table.index("UBND xã B")


def test_drill_down_lists_people_with_each_obligation_and_deadline(client, province, login):
    login("lanhdao")
    page = client.get(f"/reports/coverage/agency/AG-A-SUB?year={YEAR}").get_data(as_text=True)
    assert "Lê Văn Mới" in page
    assert "Bắt đầu công tác ngày 01/06/2025" in page and "hạn 31/07/2025" in page and "Quá hạn" in page


def test_csv_from_the_page_has_the_columns_in_order_and_only_the_managers_rows(client, province, login):
    login("lanhdao")
    response = client.get(f"/reports/coverage.csv?year={YEAR}&format=machine")
    assert response.status_code == 200
    assert response.data.startswith("\ufeff".encode())
    assert response.headers["Content-Disposition"].endswith('-live-machine.csv"')
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert tuple(rows[0]) == COLUMNS
    assert [r[0] for r in rows[1:]] == ["AG-A", "AG-A-SUB"]


def test_the_default_csv_has_vietnamese_headings_labels_and_totals(client, province, login):
    login("lanhdao")
    rows = list(csv.reader(io.StringIO(client.get(f"/reports/coverage.csv?year={YEAR}").data.decode("utf-8-sig"))))
    assert rows[0][:3] == ["Mã cơ quan", "Tên cơ quan", "Loại"] and rows[0][13] == "Có thư ký đã học"
    assert [r[0] for r in rows[1:]] == ["AG-A", "AG-A-SUB", "Tổng cộng"]
    assert {r[13] for r in rows[1:3]} <= {"Có", "Không"} and "UBND_XA" not in {r[2] for r in rows}


def test_a_future_year_is_not_found(client, province, login):
    login("sokhcn")
    assert client.get(f"/reports/coverage?year={today().year + 1}").status_code == 404


def test_completions_as_they_were_use_the_agency_recorded_on_each(client, db, province, login):
    old = make_agency("AG-OLD", name="UBND thị trấn Cũ", valid_from=date(2010, 1, 1), valid_to=date(2025, 6, 30))
    person = make_person(agency=old, start=date(2015, 1, 1), end=date(2025, 6, 30))
    make_assignment(person, db.session.get(type(old), old.id), start=date(2025, 7, 1))
    course = db.session.scalar(db.select(Course).where(Course.code == "ISO-01"))
    db.session.add(Completion(person_id=person.id, course_id=course.id, completed_on=date(2025, 3, 1),
                              source="offline", agency_id=old.id, agency_code="AG-OLD", agency_name="UBND thị trấn Cũ"))
    db.session.commit()
    login("sokhcn")
    page = client.get(f"/reports/completions?year={YEAR}").get_data(as_text=True)
    assert "UBND thị trấn Cũ" in page and "UBND xã A" in page


def test_completions_roll_up_to_the_successor_as_it_is_and_stay_apart_as_they_were(client, db, province, login):
    from app.agencies.models import LineageEvent

    course = db.session.scalar(db.select(Course).where(Course.code == "ISO-01"))
    new = make_agency("AG-NEW", name="UBND xã Hợp Nhất", valid_from=date(2025, 7, 1))
    for code, name in (("AG-OLD1", "UBND xã Cũ Một"), ("AG-OLD2", "UBND xã Cũ Hai")):
        old = make_agency(code, name=name, valid_from=date(2010, 1, 1), valid_to=date(2025, 6, 30))
        db.session.add(LineageEvent(event="merge", predecessor=old, successor=new, effective_date=date(2025, 7, 1)))
        person = make_person(agency=old, start=date(2015, 1, 1), end=date(2025, 6, 30))
        db.session.add(Completion(person_id=person.id, course_id=course.id, completed_on=date(2025, 2, 1),
                                  source="offline", agency_id=old.id, agency_code=code, agency_name=name))
    db.session.commit()
    login("sokhcn")
    as_was = client.get(f"/reports/completions?year={YEAR}").get_data(as_text=True)
    assert "UBND xã Cũ Một" in as_was and "UBND xã Cũ Hai" in as_was and "UBND xã Hợp Nhất" not in as_was
    as_is = client.get(f"/reports/completions?year={YEAR}&view=as_is").get_data(as_text=True)
    assert "UBND xã Cũ Một" not in as_is
    row = as_is.split("UBND xã Hợp Nhất")[1].split("</tr>")[0]
    assert "gồm AG-OLD1, AG-OLD2" in row
    assert '<strong>2</strong>' in row  # both predecessors' completions, counted once each


def test_a_frozen_year_is_shown_as_frozen_and_live_on_request(client, db, province, login):
    from app.accounts.models import Person
    from app.coverage.freeze import freeze_year

    dost = db.session.scalar(db.select(Person).where(Person.username == "sokhcn"))
    freeze_year(YEAR, dost)
    newcomer = db.session.scalar(db.select(Person).where(Person.full_name == "Lê Văn Mới"))
    course = db.session.scalar(db.select(Course).where(Course.code == "ISO-01"))
    db.session.add(Completion(person_id=newcomer.id, course_id=course.id, completed_on=date(2025, 12, 1), source="offline"))
    db.session.commit()
    login("sokhcn")
    frozen = client.get(f"/reports/coverage?year={YEAR}").get_data(as_text=True)
    assert "Số liệu đã chốt" in frozen
    assert "75.0%" in frozen  # as frozen: 3 of 4
    live = client.get(f"/reports/coverage?year={YEAR}&view=live").get_data(as_text=True)
    assert "100.0%" in live and "đã được chốt" in live  # the late completion now counts: 4 of 4
    rows = list(csv.reader(io.StringIO(client.get(f"/reports/coverage.csv?year={YEAR}").data.decode("utf-8-sig"))))
    sub = next(r for r in rows if r[0] == "AG-A-SUB")
    assert sub[COLUMNS.index("obligations_met")] == "0"


def test_trend_leaves_unfrozen_years_out_above_the_live_limit(app, client, province, login):
    from app.coverage import display
    from app.coverage.queries import coverage_table

    shown = display.Shown(coverage_table(YEAR), None, False)  # 3 agencies in scope
    # 2024: two refreshers due, none done, plus the trained secretary: 1 of 3
    assert [p.pct for p in display.trend(shown, None, live_limit=3)][-2:] == [33.3, 75.0]
    assert [p.year for p in display.trend(shown, None, live_limit=3)] == [2021, 2022, 2023, 2024, 2025]
    few = display.trend(shown, None, live_limit=2)  # the year shown is always there; others only when frozen
    assert [p.pct for p in few] == [None, None, None, None, 75.0]
