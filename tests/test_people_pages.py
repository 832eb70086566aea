"""People pages through the test client: the roster's scope, search and pages, and the forms."""
import re
from datetime import date

import pytest
from sqlalchemy import select

from app.accounts.models import Assignment, Person
from app.audit.models import AuditEvent
from app.core.dates import today
from app.people import services
from app.people.queries import people_query
from app.policy import can_edit_person
from tests.factories import make_agency, make_assignment, make_person


@pytest.fixture
def area(db):
    """Manager of A (A has a centre under it); B belongs to someone else."""
    a = make_agency("A", name="UBND xã A")
    centre = make_agency("A-TT", name="Trung tâm xã A", type="TT_PVHCC_XA", parent=a)
    b = make_agency("B", name="UBND xã B")
    admin = make_person("admin", access_role="admin")
    manager = make_person("manager", agency=a, access_role="agency_manager", full_name="Trần Văn Hùng")
    stays = make_person(agency=centre, full_name="Lê Văn Ở Lại")
    left = make_person(agency=a, full_name="Phan Thị Đã Nghỉ", active=False, end=date(2026, 1, 31))
    moved = make_person(agency=a, full_name="Võ Văn Đã Chuyển", end=date(2026, 1, 31))
    make_assignment(moved, b, start=date(2026, 2, 1))
    make_person(agency=b, full_name="Ngô Thị Ở B")
    db.session.commit()
    return {"a": a, "b": b, "centre": centre, "admin": admin, "manager": manager, "stays": stays,
            "left": left, "moved": moved}


def names(page: str) -> list[str]:
    return re.findall(r'<a href="/people/\d+">([^<]+)</a>', page)


def test_manager_roster_is_their_area_including_people_who_left_it(client, login, area):
    login("manager")
    # given names first: Hùng, Lại, Nghỉ
    assert names(client.get("/people/").text) == ["Trần Văn Hùng", "Lê Văn Ở Lại", "Phan Thị Đã Nghỉ"]


def test_admin_roster_is_everyone_and_filters_by_home_agency(client, login, area):
    login("admin")
    assert len(names(client.get("/people/").text)) == 6
    assert names(client.get(f"/people/?agency={area['b'].id}").text) == ["Ngô Thị Ở B", "Võ Văn Đã Chuyển"]


def test_roster_search_by_name_or_staff_code_and_status(client, login, area):
    login("admin")
    assert names(client.get("/people/?q=Văn Ở Lại").text) == ["Lê Văn Ở Lại"]
    assert names(client.get("/people/?q=LẠI").text) == ["Lê Văn Ở Lại"]  # any letter case
    assert names(client.get(f"/people/?q={area['stays'].staff_code.lower()}").text) == ["Lê Văn Ở Lại"]
    assert names(client.get("/people/?status=inactive").text) == ["Phan Thị Đã Nghỉ"]


def test_roster_search_ignores_diacritics_and_letter_case(client, login, db, area):
    for name in ("Nguyễn Văn An", "Nguyễn Thị Bình", "Đặng Nguyên Khôi"):
        make_person(agency=area["a"], full_name=name)
    db.session.commit()
    login("admin")

    def found(q: str) -> list[str]:
        return names(client.get("/people/", query_string={"q": q, "agency": area["a"].id}).text)

    assert found("nguyen") == ["Nguyễn Văn An", "Nguyễn Thị Bình", "Đặng Nguyên Khôi"]
    assert found("Nguyễn") == ["Nguyễn Văn An", "Nguyễn Thị Bình", "Đặng Nguyên Khôi"]
    assert found("NGUYỄN thi") == ["Nguyễn Thị Bình"]  # every word must appear
    assert found("dang") == ["Đặng Nguyên Khôi"]  # đ is found as d
    assert found("manager") == ["Trần Văn Hùng"]  # the username
    assert found("%") == []  # a percent sign is a character, not a wildcard
    assert names(client.get("/people/?q=o lai").text) == ["Lê Văn Ở Lại"]


def test_roster_sorts_by_given_name_in_vietnamese_order(client, login, db, area):
    """By code point Nguyễn came before Ngô and Phan before Phạm; Vietnamese puts ô before u and
    compares letters before tones (m before n)."""
    for name in ("Nguyễn Văn Tú", "Ngô Văn Tú", "Phan Thị Ân", "Phạm Thị Ân", "Lê Văn An", "Đỗ Ánh"):
        make_person(agency=area["b"], full_name=name)
    db.session.commit()
    login("admin")
    assert names(client.get(f"/people/?agency={area['b'].id}").text) == [
        "Lê Văn An", "Đỗ Ánh", "Phạm Thị Ân", "Phan Thị Ân", "Ngô Thị Ở B", "Võ Văn Đã Chuyển", "Ngô Văn Tú",
        "Nguyễn Văn Tú"]


def test_a_changed_name_is_found_and_sorted_by_its_new_spelling(client, login, db, area):
    login("admin")
    client.post(f"/people/{area['stays'].id}/edit", data={"full_name": "Lê Văn Ấn", "email": "an@xa-a.example"})
    person = db.session.get(Person, area["stays"].id)
    db.session.refresh(person)
    assert person.search_name == f"le van an | {person.staff_code.lower()} | an@xa-a.example"
    assert names(client.get("/people/?q=an@xa").text) == ["Lê Văn Ấn"]
    assert names(client.get("/people/?q=lai").text) == []


def test_sql_scope_and_python_rule_agree_for_every_person(db, area, app):
    with app.test_request_context():
        manager = area["manager"]
        listed = set(db.session.scalars(people_query(manager, day=today())))
        for person in db.session.scalars(select(Person)):
            assert (person in listed) == can_edit_person(manager, person), person.full_name


def test_roster_pages_of_twenty_five_in_a_fixed_number_of_queries(client, login, db, area, count_queries):
    for i in range(30):
        make_person(agency=area["a"], full_name=f"Người Số {i:02d}")
    db.session.commit()
    login("manager")
    with count_queries() as queries:
        first = client.get("/people/")
    second = client.get("/people/?page=2").text
    assert len(names(first.text)) == 25 and len(names(second)) == 33 - 25
    assert "33 người" in first.text and "Trang 2/2" in second
    # the user with their assignments and the header's unread count, their area, agency choices,
    # page, count, the page's assignments
    assert len(queries) == 6


def test_add_person_through_the_form_with_a_dd_mm_yyyy_date(client, login, db, area):
    login("manager")
    response = client.post("/people/new", data={"staff_code": "AP-9", "full_name": "Đỗ Văn Mới", "email": "",
                                                 "agency": area["centre"].id, "roles": ["iso_secretary"],
                                                 "start_date": "02/03/2026"})
    assert response.status_code == 302
    person = db.session.scalar(select(Person).where(Person.staff_code == "AP-9"))
    assert [(a.agency_id, a.roles, a.start_date) for a in person.assignments] == [
        (area["centre"].id, ["iso_secretary"], date(2026, 3, 2))]


def test_a_refused_change_is_explained_on_the_page(client, login, db, area):
    login("manager")
    response = client.post(f"/people/{area['stays'].id}/roles", data={"roles": ["leader"], "effective_date": "2025-06-30"})
    assert response.status_code == 200
    assert "trước ngày bắt đầu của giai đoạn hiện tại (01/07/2025)" in response.text
    assert db.session.scalar(select(AuditEvent)) is None


def test_an_unreadable_date_is_a_form_error(client, login, area):
    login("manager")
    response = client.post(f"/people/{area['stays'].id}/deactivate", data={"end_date": "31/02/2026"})
    assert response.status_code == 200 and "Ngày không hợp lệ" in response.text


def test_roles_form_with_an_iso_date_changes_roles_from_that_day(client, login, db, area):
    login("manager")
    response = client.post(f"/people/{area['stays'].id}/roles",
                           data={"roles": ["internal_auditor"], "effective_date": "2026-04-01"})
    assert response.status_code == 302
    rows = db.session.execute(select(Assignment.start_date, Assignment.end_date, Assignment.is_internal_auditor)
                              .where(Assignment.person_id == area["stays"].id).order_by(Assignment.start_date)).all()
    assert rows == [(date(2025, 7, 1), date(2026, 3, 31), False), (date(2026, 4, 1), None, True)]


def test_manager_reactivates_someone_who_left_their_agency(client, login, db, area):
    login("manager")
    assert client.post(f"/people/{area['left'].id}/reactivate").status_code == 302
    db.session.expire_all()
    assert db.session.get(Person, area["left"].id).active is True


def test_person_page_shows_history_and_recent_changes(client, login, db, area):
    services.change_roles(area["stays"], ["leader"], date(2026, 2, 1), actor=area["admin"])
    db.session.commit()
    login("manager")
    page = client.get(f"/people/{area['stays'].id}").text
    assert "Trung tâm xã A" in page and "01/07/2025" in page and "31/01/2026" in page
    assert "Đổi vai trò" in page and "Công chức → Lãnh đạo" in page  # no QMS role reads as a civil servant
    assert "Tạo liên kết mời" in page and "Đặt lại mật khẩu" not in page
    assert "Đổi quyền truy cập" not in page  # admins only


def test_admin_changes_the_access_role_through_the_page(client, login, db, area):
    login("admin")
    response = client.post(f"/people/{area['stays'].id}/access", data={"access_role": "agency_manager"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Person, area["stays"].id).access_role == "agency_manager"
