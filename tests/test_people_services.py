"""People services: what each does to assignments (dates checked by hand) and what it writes to the audit log."""
from datetime import date

import pytest
from sqlalchemy import select

from app.accounts.models import Assignment, Person
from app.audit.models import AuditEvent
from app.people import services
from app.people.services import PeopleError
from tests.factories import make_agency, make_assignment, make_person


@pytest.fixture
def setup(db):
    a = make_agency("A", name="UBND xã A")
    b = make_agency("B", name="UBND xã B")
    admin = make_person("admin", access_role="admin", full_name="Võ Quốc Bảo")
    lan = make_person("lan", agency=a, roles=("leader",), start=date(2025, 7, 1), full_name="Nguyễn Thị Lan")
    db.session.commit()
    return {"a": a, "b": b, "admin": admin, "lan": lan}


def periods(db, person):
    """(agency code, roles, start, end) of every assignment, oldest first."""
    rows = db.session.scalars(select(Assignment).where(Assignment.person_id == person.id)
                              .order_by(Assignment.start_date, Assignment.id))
    return [(r.agency.code, r.roles, r.start_date, r.end_date) for r in rows]


def last_event(db):
    return db.session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()


def test_transfer_ends_the_old_period_the_day_before_and_leaves_the_roles_behind(db, setup):
    services.transfer(setup["lan"], setup["b"].id, date(2026, 3, 1), actor=setup["admin"])
    db.session.commit()
    assert periods(db, setup["lan"]) == [
        ("A", ["leader"], date(2025, 7, 1), date(2026, 2, 28)),  # 2026 is not a leap year
        ("B", [], date(2026, 3, 1), None),
    ]
    event = last_event(db)
    assert (event.action, event.actor_id, event.actor_label) == ("person.transfer", setup["admin"].id, "Võ Quốc Bảo")
    assert (event.target_type, event.target_id) == ("person", setup["lan"].id)
    assert event.details == {"agency": ["UBND xã A (A)", "UBND xã B (B)"], "roles": [["leader"], []],
                             "effective_date": "2026-03-01"}


def test_transfer_keeps_roles_only_when_chosen(db, setup):
    services.transfer(setup["lan"], setup["b"].id, date(2026, 1, 1), roles=["iso_secretary"], actor=setup["admin"])
    assert periods(db, setup["lan"])[-1] == ("B", ["iso_secretary"], date(2026, 1, 1), None)
    assert periods(db, setup["lan"])[0][3] == date(2025, 12, 31)


def test_transfer_on_the_first_day_of_the_period_corrects_it_in_place(db, setup):
    services.transfer(setup["lan"], setup["b"].id, date(2025, 7, 1), actor=setup["admin"])
    assert periods(db, setup["lan"]) == [("B", [], date(2025, 7, 1), None)]
    assert last_event(db).details["in_place"] is True


@pytest.mark.parametrize("make_case,message", [
    (lambda s: (s["b"].id, date(2025, 6, 30)), "trước ngày bắt đầu"),
    (lambda s: (s["a"].id, date(2026, 3, 1)), "đang công tác tại"),
    (lambda s: (make_agency("OLD", name="Xã Cũ", valid_to=date(2025, 12, 31)).id, date(2026, 1, 1)), "không hoạt động"),
    (lambda s: (make_agency("LATER", name="Xã Sau", valid_from=date(2026, 7, 1)).id, date(2026, 6, 30)), "không hoạt động"),
    (lambda s: (999999, date(2026, 3, 1)), "Không tìm thấy cơ quan"),
])
def test_transfer_refuses_bad_input_and_changes_nothing(db, setup, make_case, message):
    agency_id, day = make_case(setup)
    with pytest.raises(PeopleError, match=message):
        services.transfer(setup["lan"], agency_id, day, actor=setup["admin"])
    db.session.rollback()
    assert periods(db, setup["lan"]) == [("A", ["leader"], date(2025, 7, 1), None)]
    assert last_event(db) is None


def test_change_roles_closes_the_period_and_opens_one_with_the_new_roles(db, setup):
    services.change_roles(setup["lan"], ["leader", "internal_auditor"], date(2026, 1, 15), actor=setup["admin"])
    assert periods(db, setup["lan"]) == [
        ("A", ["leader"], date(2025, 7, 1), date(2026, 1, 14)),
        ("A", ["leader", "internal_auditor"], date(2026, 1, 15), None),
    ]
    event = last_event(db)
    assert event.action == "person.roles"
    assert event.details == {"roles": [["leader"], ["leader", "internal_auditor"]], "agency": "UBND xã A (A)",
                             "effective_date": "2026-01-15"}


def test_change_roles_on_the_period_start_updates_it_in_place(db, setup):
    services.change_roles(setup["lan"], [], date(2025, 7, 1), actor=setup["admin"])
    assert periods(db, setup["lan"]) == [("A", [], date(2025, 7, 1), None)]


@pytest.mark.parametrize("roles,day,message", [
    (["leader"], date(2026, 1, 15), "không thay đổi"),
    ([], date(2025, 6, 30), "trước ngày bắt đầu"),
    (["boss"], date(2026, 1, 15), "không hợp lệ"),
])
def test_change_roles_refuses_bad_input(db, setup, roles, day, message):
    with pytest.raises(PeopleError, match=message):
        services.change_roles(setup["lan"], roles, day, actor=setup["admin"])


def test_with_two_open_assignments_the_one_to_change_must_be_chosen(db, setup):
    second = make_assignment(setup["lan"], setup["b"], start=date(2025, 9, 1))
    with pytest.raises(PeopleError, match="nhiều phân công"):
        services.change_roles(setup["lan"], ["iso_secretary"], date(2026, 2, 1), actor=setup["admin"])
    services.change_roles(setup["lan"], ["iso_secretary"], date(2026, 2, 1), actor=setup["admin"],
                          assignment_id=second.id)
    assert periods(db, setup["lan"]) == [
        ("A", ["leader"], date(2025, 7, 1), None),
        ("B", [], date(2025, 9, 1), date(2026, 1, 31)),
        ("B", ["iso_secretary"], date(2026, 2, 1), None),
    ]


def test_deactivate_ends_every_open_assignment_on_the_day_and_blocks_sign_in(db, setup, client):
    make_assignment(setup["lan"], setup["b"], start=date(2025, 9, 1))
    ended = services.deactivate(setup["lan"], date(2026, 4, 30), actor=setup["admin"])
    db.session.commit()
    assert ended == 2
    assert [p[3] for p in periods(db, setup["lan"])] == [date(2026, 4, 30), date(2026, 4, 30)]
    assert setup["lan"].active is False
    event = last_event(db)
    assert event.action == "person.deactivate"
    assert event.details["active"] == [True, False] and event.details["end_date"] == "2026-04-30"
    response = client.post("/login", data={"username": "lan", "password": "mat-khau-123"})
    assert response.status_code == 200 and "không đúng" in response.text


def test_deactivate_refuses_an_end_before_the_start(db, setup):
    with pytest.raises(PeopleError, match="trước ngày bắt đầu"):
        services.deactivate(setup["lan"], date(2025, 6, 30), actor=setup["admin"])


def test_reactivated_person_is_placed_with_a_transfer_after_their_last_day(db, setup):
    services.deactivate(setup["lan"], date(2026, 1, 31), actor=setup["admin"])
    with pytest.raises(PeopleError, match="khóa"):
        services.transfer(setup["lan"], setup["b"].id, date(2026, 3, 1), actor=setup["admin"])
    services.reactivate(setup["lan"], actor=setup["admin"])
    assert last_event(db).details == {"active": [False, True]}
    with pytest.raises(PeopleError, match="sau ngày kết thúc"):
        services.transfer(setup["lan"], setup["b"].id, date(2026, 1, 31), actor=setup["admin"])
    services.transfer(setup["lan"], setup["b"].id, date(2026, 3, 1), actor=setup["admin"])
    assert periods(db, setup["lan"]) == [("A", ["leader"], date(2025, 7, 1), date(2026, 1, 31)),
                                         ("B", [], date(2026, 3, 1), None)]
    assert last_event(db).details["agency"] == [None, "UBND xã B (B)"]


def test_reactivating_an_active_person_is_refused(db, setup):
    with pytest.raises(PeopleError, match="đang hoạt động"):
        services.reactivate(setup["lan"], actor=setup["admin"])


def test_add_person_creates_a_person_without_an_account_and_an_assignment(db, setup):
    person = services.add_person(" AG-77 ", "  Phan   Văn Tư ", email="tu@example.gov.vn", agency_id=setup["a"].id,
                                 roles=["iso_secretary"], start_date=date(2026, 2, 2), actor=setup["admin"])
    db.session.commit()
    assert (person.staff_code, person.full_name, person.username, person.password_hash) == ("AG-77", "Phan Văn Tư", None, None)
    assert periods(db, person) == [("A", ["iso_secretary"], date(2026, 2, 2), None)]
    event = last_event(db)
    assert event.action == "person.create" and event.target_label == "Phan Văn Tư (AG-77)"
    assert event.details == {"agency": "UBND xã A (A)", "roles": [[], ["iso_secretary"]], "start_date": "2026-02-02"}


def test_add_person_refuses_a_staff_code_taken_in_another_letter_case(db, setup):
    services.add_person("ag-1", "Một", email=None, agency_id=setup["a"].id, roles=[], start_date=date(2026, 1, 1),
                        actor=setup["admin"])
    with pytest.raises(PeopleError, match="đã được dùng"):
        services.add_person("AG-1", "Hai", email=None, agency_id=setup["a"].id, roles=[],
                            start_date=date(2026, 1, 1), actor=setup["admin"])


def test_add_person_refuses_an_agency_that_did_not_exist_on_the_start_date(db, setup):
    with pytest.raises(PeopleError, match="không hoạt động"):
        services.add_person("N1", "Ba", email=None, agency_id=setup["a"].id, roles=[], start_date=date(2025, 6, 30),
                            actor=setup["admin"])
    assert db.session.scalar(select(Person).where(Person.staff_code == "N1")) is None


def test_update_details_records_only_what_changed(db, setup):
    services.update_details(setup["lan"], full_name="Nguyễn Thị Lan", email="lan@example.gov.vn", actor=setup["admin"])
    assert last_event(db).details == {"email": [None, "lan@example.gov.vn"]}
    with pytest.raises(PeopleError, match="Không có gì thay đổi"):
        services.update_details(setup["lan"], full_name="Nguyễn Thị Lan", email="lan@example.gov.vn", actor=setup["admin"])


def test_access_role_change_is_audited_and_one_cannot_change_ones_own(db, setup):
    services.change_access_role(setup["lan"], "agency_manager", actor=setup["admin"])
    assert setup["lan"].access_role == "agency_manager"
    assert last_event(db).details == {"access_role": ["learner", "agency_manager"]}
    with pytest.raises(PeopleError, match="chính mình"):
        services.change_access_role(setup["admin"], "learner", actor=setup["admin"])
    with pytest.raises(PeopleError, match="không hợp lệ"):
        services.change_access_role(setup["lan"], "boss", actor=setup["admin"])
