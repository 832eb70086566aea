"""Role × route table for the people, audit and personal-data pages, and the manager's boundaries."""
from datetime import date

import pytest
from sqlalchemy import select

from app.accounts.models import Assignment
from tests.factories import make_agency, make_person

ROLES = ("anonymous", "learner", "secretary", "manager", "dost", "admin")


@pytest.fixture
def province(db):
    """A (with its centre A-PVHCC) managed by `manager`; B is someone else's agency."""
    top = make_agency("P", name="UBND tỉnh", type="UBND_TINH")
    dost = make_agency("DOST", name="Sở KH&CN", type="OVERSIGHT_DOST", parent=top)
    a = make_agency("A", name="UBND xã A")
    a_centre = make_agency("A-PVHCC", name="Trung tâm PVHCC xã A", type="TT_PVHCC_XA", parent=a)
    b = make_agency("B", name="UBND xã B")
    make_person("learner", agency=a_centre)
    make_person("secretary", agency=a, roles=("iso_secretary",))
    make_person("manager", agency=a, access_role="agency_manager")
    make_person("dost", agency=dost, access_role="dost")
    make_person("admin", access_role="admin")
    in_a = make_person(agency=a_centre, full_name="Lê Thị Ở A")
    in_b = make_person(agency=b, full_name="Trần Văn Ở B")
    db.session.commit()
    return {"a": in_a.id, "b": in_b.id, "agency_a": a.id, "agency_b": b.id, "centre": a_centre.id}


def allowed(*roles):
    return {role: (200 if role in roles else 403) for role in ROLES if role != "anonymous"}


EVERYONE = allowed("learner", "secretary", "manager", "dost", "admin")
#: the ISO secretary keeps the agency's staff list, as its manager does; a leader only looks
PEOPLE = allowed("secretary", "manager", "dost", "admin")
PROVINCE = allowed("dost", "admin")
ADMIN = allowed("admin")

TABLE = [
    ("/people/", PEOPLE),
    ("/people/new", PEOPLE),
    ("/people/{a}", PEOPLE),
    ("/people/{a}/edit", PEOPLE),
    ("/people/{a}/transfer", PEOPLE),
    ("/people/{a}/roles", PEOPLE),
    ("/people/{a}/deactivate", PEOPLE),
    ("/people/{a}/access", ADMIN),
    ("/people/{a}/data.json", ADMIN),
    ("/people/{b}", PROVINCE),  # another agency: A's manager and secretary neither see nor edit
    ("/people/{b}/transfer", PROVINCE),
    ("/people/{b}/roles", PROVINCE),
    ("/people/{b}/deactivate", PROVINCE),
    ("/audit/", PROVINCE),
    ("/me", EVERYONE),
    ("/me/data.json", EVERYONE),
]


@pytest.mark.parametrize("url,expected", TABLE, ids=[row[0] for row in TABLE])
@pytest.mark.parametrize("role", ROLES)
def test_role_route_access(client, login, province, url, expected, role):
    if role != "anonymous":
        assert login(role).status_code == 302
    response = client.get(url.format(**province))
    if role == "anonymous":
        assert response.status_code == 302 and "/login" in response.headers["Location"]
    else:
        assert response.status_code == expected[role]


def test_a_leader_without_the_secretary_role_sees_the_agency_but_does_not_edit_its_staff(client, login, db, province):
    from app.agencies.models import Agency

    make_person("leader", agency=db.session.get(Agency, province["agency_a"]), roles=("leader",))
    db.session.commit()
    login("leader")
    assert client.get("/people/").status_code == 403
    assert client.get(f"/people/{province['a']}/edit").status_code == 403
    assert client.get("/agencies/A").status_code == 200


def test_the_secretary_corrects_a_name_in_their_agency(client, login, db, province):
    from app.accounts.models import Person

    login("secretary")
    response = client.post(f"/people/{province['a']}/edit", data={"full_name": "Lê Thị Ở A Mới", "email": ""})
    assert response.status_code == 302
    assert db.session.get(Person, province["a"]).full_name == "Lê Thị Ở A Mới"
    assert "Nhân sự" in client.get("/").text  # the menu shows the page they may use


@pytest.mark.parametrize("role", ROLES)
def test_privacy_notice_is_public(client, login, province, role):
    if role != "anonymous":
        login(role)
    assert client.get("/privacy").status_code == 200


@pytest.mark.parametrize("role,expected", [("learner", 403), ("secretary", 403), ("manager", 403),
                                           ("dost", 403), ("admin", 200)])
def test_only_admins_reset_passwords(client, login, db, province, role, expected):
    from app.accounts.models import Person

    target = db.session.get(Person, province["a"])
    target.username = "o-a"
    target.set_password("mat-khau-cu-1")
    db.session.commit()
    login(role)
    assert client.post(f"/people/{province['a']}/reset").status_code == expected


def test_manager_cannot_transfer_someone_into_an_agency_outside_their_area(client, login, db, province):
    login("manager")
    response = client.post(f"/people/{province['a']}/transfer",
                           data={"agency": province["agency_b"], "effective_date": "01/03/2026"})
    assert response.status_code == 403
    rows = db.session.execute(select(Assignment.agency_id, Assignment.end_date)
                              .where(Assignment.person_id == province["a"])).all()
    assert rows == [(province["centre"], None)]


def test_manager_moves_someone_within_their_area(client, login, db, province):
    login("manager")
    response = client.post(f"/people/{province['a']}/transfer",
                           data={"agency": province["agency_a"], "effective_date": "01/03/2026"})
    assert response.status_code == 302
    rows = db.session.execute(select(Assignment.agency_id, Assignment.start_date, Assignment.end_date)
                              .where(Assignment.person_id == province["a"]).order_by(Assignment.start_date)).all()
    assert rows == [(province["centre"], date(2025, 7, 1), date(2026, 2, 28)),
                    (province["agency_a"], date(2026, 3, 1), None)]


def test_manager_cannot_add_a_person_to_another_agency(client, login, db, province):
    login("manager")
    response = client.post("/people/new", data={"staff_code": "X1", "full_name": "Người Mới",
                                                 "agency": province["agency_b"], "start_date": "01/03/2026"})
    assert response.status_code == 403


def test_manager_cannot_invite_a_person_of_another_agency(client, login, province):
    login("manager")
    assert client.post(f"/people/{province['b']}/invite").status_code == 403
    assert client.post(f"/people/{province['a']}/invite").status_code == 200


def test_learner_cannot_post_to_people_forms(client, login, province):
    login("learner")
    assert client.post(f"/people/{province['a']}/deactivate", data={"end_date": "01/03/2026"}).status_code == 403
    assert client.post(f"/people/{province['a']}/reactivate").status_code == 403


def test_menu_shows_people_and_audit_links_by_role(client, login, province):
    login("manager")
    page = client.get("/me").text
    assert 'href="/people/"' in page and 'href="/audit/"' not in page
    client.post("/logout")
    login("dost")
    page = client.get("/me").text
    assert 'href="/people/"' in page and 'href="/audit/"' in page
