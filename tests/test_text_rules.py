"""One rule for names whoever writes them: import files, the people pages, `users create --name`;
and exports that Excel cannot turn into formulas, whatever it splits on."""
import pytest
from sqlalchemy import select

from app.accounts.models import Person
from app.core.spreadsheets import neutralise
from tests.factories import make_agency, make_person

BAD_NAMES = ["=HYPERLINK(\"https://evil.example\")", "+84 Lan", "-Lan", "@Lan", "Nguyễn <b>Lan</b>", "Lan\x07Thị"]


@pytest.mark.parametrize("name", BAD_NAMES)
def test_the_people_form_refuses_what_an_import_refuses(client, login, db, name):
    agency = make_agency("A")
    make_person("quantri", access_role="admin")
    db.session.commit()
    login("quantri")
    page = client.post("/people/new", data={"staff_code": "CC-9", "full_name": name, "agency": str(agency.id),
                                            "start_date": "01/07/2025"})
    assert db.session.scalar(select(Person).where(Person.staff_code == "CC-9")) is None
    assert "Họ và tên: " in page.text  # the rule broken, named in the message


def test_the_people_form_takes_the_same_data_with_a_good_name(client, login, db):
    agency = make_agency("A")
    make_person("quantri", access_role="admin")
    db.session.commit()
    login("quantri")
    client.post("/people/new", data={"staff_code": "CC-9", "full_name": "Nguyễn Thị Lan", "agency": str(agency.id),
                                     "start_date": "01/07/2025"})
    assert db.session.scalar(select(Person.full_name).where(Person.staff_code == "CC-9")) == "Nguyễn Thị Lan"


@pytest.mark.parametrize("name", BAD_NAMES[:4])
def test_correcting_a_name_follows_the_same_rule(db, name):
    from app.people.services import PeopleError, update_details

    lan = make_person("lan", full_name="Nguyễn Thị Lan")
    with pytest.raises(PeopleError, match="Họ và tên"):
        update_details(lan, full_name=name, email=None, actor=None)
    assert lan.full_name == "Nguyễn Thị Lan"


def test_users_create_refuses_a_formula_as_a_name(runner, db):
    result = runner.invoke(args=["users", "create", "lan", "--role", "learner", "--name", "=1+1"],
                           input="mat-khau-123\nmat-khau-123\n")
    assert result.exit_code != 0 and "công thức" in result.output
    assert db.session.scalar(select(Person).where(Person.username == "lan")) is None


def test_a_good_vietnamese_name_passes_everywhere(db):
    from app.people.services import add_person

    agency = make_agency("A")
    person = add_person("CC-1", "  Nguyễn   Thị  Lan ", email=None, agency_id=agency.id, roles=(),
                        start_date=agency.valid_from, actor=None)
    assert person.full_name == "Nguyễn Thị Lan"


@pytest.mark.parametrize("cell,expected", [
    ("=1+1", "'=1+1"), ("Lan;=HYPERLINK(\"x\")", "Lan;'=HYPERLINK(\"x\")"), ("a;b;+c", "a;b;'+c"),
    ("Nguyễn Thị Lan", "Nguyễn Thị Lan"), ("a; =b", "a; '=b"), (42, 42),
])
def test_exports_neutralise_a_formula_at_the_start_and_after_a_semicolon(cell, expected):
    assert neutralise(cell) == expected
