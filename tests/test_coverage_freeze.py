"""A frozen year keeps its numbers whatever is entered later; freezing is DOST's, once, after the year."""
import io
import json
from datetime import date

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from app.audit.models import AuditEvent
from app.core.dates import today
from app.coverage.exports import to_csv, to_json, to_xlsx
from app.coverage.freeze import AlreadyFrozen, FreezeError, compare, freeze_year, frozen_table
from app.coverage.models import CoverageFreeze
from app.coverage.queries import coverage_table
from app.coverage.rules import Rules
from tests.factories import make_agency, make_completion, make_iso_courses, make_person

YEAR = 2025


@pytest.fixture
def year(db):
    """AG-A: one newcomer (1/9/2025) never trained: due 1, met 0, 0.0 %. AG-OLD: nobody, leaves the
    ISO scope after the freeze. Accounts for each role."""
    iso = make_iso_courses()
    a = make_agency("AG-A", name="UBND xã A", valid_from=date(2020, 1, 1))
    old = make_agency("AG-OLD", name="UBND xã Cũ", valid_from=date(2020, 1, 1))
    newcomer = make_person(agency=a, start=date(2025, 9, 1))
    make_person("learner", agency=a, start=date(2020, 1, 1))  # not new, no role: nothing due
    make_person("manager", agency=a, access_role="agency_manager", start=date(2020, 1, 1))
    dost = make_person("dost", access_role="dost", full_name="Phạm Thị Hoa")
    make_person("admin", access_role="admin")
    db.session.commit()
    return {"iso": iso, "a": a, "old": old, "newcomer": newcomer, "dost": dost}


def row(table, code):
    return next(r for r in table.rows if r.agency_code == code)


def enter_late_data(db, year):
    """After the freeze: the newcomer's training (on time, 15/10) and a forgotten colleague trained in
    March; a new agency; AG-OLD taken out of the ISO scope."""
    iso, a = year["iso"], year["a"]
    make_completion(year["newcomer"], iso["ISO-01"], date(2025, 10, 15))
    forgotten = make_person(agency=a, start=date(2025, 3, 1))
    make_completion(forgotten, iso["ISO-01"], date(2025, 3, 10))
    make_agency("AG-NEW", name="UBND xã Mới", valid_from=date(2020, 1, 1))
    year["old"].in_iso_scope = False
    db.session.commit()


def test_frozen_year_keeps_its_numbers_after_new_completions_and_new_people(db, year):
    freeze_year(YEAR, year["dost"])
    db.session.commit()
    enter_late_data(db, year)
    live = coverage_table(YEAR)
    table, freeze = frozen_table(YEAR)
    def numbers(r):
        return r.headcount, r.new_staff, r.obligations_due, r.obligations_met, r.coverage_pct

    assert numbers(row(table, "AG-A")) == (3, 1, 1, 0, 0.0)
    assert numbers(row(live, "AG-A")) == (4, 2, 2, 2, 100.0)
    assert [r.agency_code for r in table.rows] == ["AG-A", "AG-OLD"]
    assert [r.agency_code for r in live.rows] == ["AG-A", "AG-NEW"]
    frozen_json = to_json(table, freeze)
    assert frozen_json["totals"]["coverage_pct"] == 0.0 and frozen_json["frozen"] is True
    assert to_csv(table).decode("utf-8-sig").splitlines()[1].endswith(",0.0")
    book = load_workbook(io.BytesIO(to_xlsx(table, freeze)))
    assert book.active["Q10"].value == 0.0 and book.active["A6"].value == "Ngày chốt số liệu: 31/12/2025"
    assert book["data"]["Q2"].value == 0.0


def test_compare_lists_added_removed_and_changed_agencies_and_the_totals(db, year):
    freeze_year(YEAR, year["dost"])
    db.session.commit()
    enter_late_data(db, year)
    differences = compare(YEAR)
    kinds = [(d.kind, d.agency_code) for d in differences]
    assert kinds == [("changed", "AG-A"), ("added", "AG-NEW"), ("removed", "AG-OLD"), ("totals", None)]
    changed = {c.column: (c.frozen, c.live) for c in differences[0].changes}
    assert changed == {
        "headcount": (3, 4), "new_staff": (1, 2), "new_staff_done": (0, 2), "new_staff_on_time": (0, 2),
        "new_staff_overdue": (1, 0), "obligations_due": (1, 2), "obligations_met": (0, 2),
        "coverage_pct": (0.0, 100.0),
    }
    totals = {c.column: (c.frozen, c.live) for c in differences[-1].changes if c.differs}
    assert totals == changed  # AG-NEW and AG-OLD have nobody: only AG-A moves the sums


def test_frozen_table_is_rebuilt_exactly_as_stored(db, year):
    freeze = freeze_year(YEAR, year["dost"])
    db.session.commit()
    table, again = frozen_table(YEAR)
    assert again.id == freeze.id and table.as_of == date(2025, 12, 31)
    assert [r.as_dict() for r in table.rows] == freeze.rows
    assert table.rules == Rules.from_dict(freeze.rules) and freeze.frozen_by_label == "Phạm Thị Hoa"


def test_freezing_twice_is_refused(db, year):
    freeze_year(YEAR, year["dost"])
    db.session.commit()
    with pytest.raises(AlreadyFrozen, match="đã được chốt"):
        freeze_year(YEAR, year["dost"])
    assert db.session.scalar(select(func.count(CoverageFreeze.id))) == 1


@pytest.mark.parametrize("offset", [0, 1])
def test_the_current_and_future_years_cannot_be_frozen(db, year, offset):
    with pytest.raises(FreezeError, match="chưa kết thúc"):
        freeze_year(today().year + offset, year["dost"])


def test_comparing_a_year_that_is_not_frozen_is_refused(db, year):
    with pytest.raises(FreezeError, match="chưa được chốt"):
        compare(YEAR)


def test_freezing_writes_an_audit_event(db, year):
    freeze = freeze_year(YEAR, year["dost"])
    db.session.commit()
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "coverage.freeze"))
    assert (event.actor_id, event.target_id, event.details["year"]) == (year["dost"].id, freeze.id, 2025)
    assert (event.details["obligations_due"], event.details["obligations_met"]) == (1, 0)


# Pages ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("role,status", [("learner", 403), ("manager", 403), ("dost", 302), ("admin", 302)])
def test_only_dost_and_admins_may_freeze(client, login, db, year, role, status):
    login(role)
    response = client.post(f"/reports/coverage/{YEAR}/freeze", data={"confirm": "y"})
    assert response.status_code == status
    assert db.session.scalar(select(func.count(CoverageFreeze.id))) == (1 if status == 302 else 0)


@pytest.mark.parametrize("role,status", [("learner", 403), ("manager", 403), ("dost", 200), ("admin", 200)])
def test_only_dost_and_admins_see_the_compare_page(client, login, year, role, status):
    login(role)
    assert client.get(f"/reports/coverage/{YEAR}/compare").status_code == status


def test_signed_out_visitors_are_sent_to_sign_in(client, year):
    response = client.post(f"/reports/coverage/{YEAR}/freeze", data={"confirm": "y"})
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_freezing_without_ticking_the_confirmation_changes_nothing(client, login, db, year):
    login("dost")
    response = client.post(f"/reports/coverage/{YEAR}/freeze", data={})
    assert response.status_code == 400 and "Hãy đánh dấu ô xác nhận" in response.text
    assert db.session.scalar(select(func.count(CoverageFreeze.id))) == 0


def test_the_page_refuses_a_second_freeze_with_409_and_the_current_year_with_400(client, login, db, year):
    login("dost")
    assert client.post(f"/reports/coverage/{YEAR}/freeze", data={"confirm": "y"}).status_code == 302
    again = client.post(f"/reports/coverage/{YEAR}/freeze", data={"confirm": "y"})
    assert again.status_code == 409 and "đã được chốt trước đó" in again.text
    current = client.post(f"/reports/coverage/{today().year}/freeze", data={"confirm": "y"})
    assert current.status_code == 400 and "chưa kết thúc" in current.text


def test_compare_page_shows_frozen_and_live_values_side_by_side(client, login, db, year):
    freeze_year(YEAR, year["dost"])
    db.session.commit()
    enter_late_data(db, year)
    login("dost")
    page = client.get(f"/reports/coverage/{YEAR}/compare").text
    assert "UBND xã A" in page and "UBND xã Mới" in page and "UBND xã Cũ" in page
    assert '<tr class="changed"><td>Tỷ lệ (%)</td>' in page and "100.0" in page and "(+100.0)" in page
    assert "0 cơ quan không thay đổi" in page


def test_compare_page_of_a_year_not_frozen_offers_the_freeze(client, login, year):
    login("dost")
    page = client.get(f"/reports/coverage/{YEAR}/compare").text
    assert 'name="confirm"' in page and f"/reports/coverage/{YEAR}/freeze" in page
    current = client.get(f"/reports/coverage/{today().year}/compare").text
    assert 'name="confirm"' not in current


def test_the_dashboard_export_of_a_frozen_year_serves_the_stored_numbers(client, login, db, year):
    freeze_year(YEAR, year["dost"])
    db.session.commit()
    enter_late_data(db, year)
    login("dost")
    frozen = json.loads(client.get(f"/reports/coverage.json?year={YEAR}").data)
    assert frozen["frozen"] is True and frozen["totals"]["obligations_met"] == 0
    live = json.loads(client.get(f"/reports/coverage.json?year={YEAR}&view=live").data)
    assert live["frozen"] is False and live["totals"]["obligations_met"] == 2
