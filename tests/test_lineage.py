"""Reorganisations: merge, absorb, split, rename, dissolve — people moved, roles, history kept."""
from datetime import date

import pytest
from sqlalchemy import select

from app.accounts.models import Assignment, Person
from app.agencies.lineage import LineageError, apply_event, resolve_current, successor_chain
from app.agencies.models import Agency, LineageEvent
from app.audit.models import AuditEvent
from app.completions.models import Completion
from tests.factories import make_agency, make_assignment, make_person
from tests.imports_support import D, problems, run, run_fixture, table_counts

DAY = "2025-07-01"


def agency(db, code: str) -> Agency:
    return db.session.scalar(select(Agency).where(Agency.code == code))


def periods(db, staff_code: str) -> list[tuple]:
    return [(a.agency.code, a.start_date, a.end_date, tuple(a.roles)) for a in db.session.scalars(
        select(Assignment).join(Person).where(Person.staff_code == staff_code)
        .order_by(Assignment.start_date, Assignment.id))]


@pytest.fixture
def communes(db):
    """Two old communes, an existing commune, and new ones starting on 01/07/2025."""
    old = dict(type="UBND_XA_CU", valid_from=date(2010, 1, 1))
    found = {code: make_agency(code, name=f"UBND {code}", **old) for code in ("CU-A", "CU-B", "CU-C")}
    found["CO-SAN"] = make_agency("CO-SAN", name="UBND xã Có Sẵn", type="UBND_XA", valid_from=date(2010, 1, 1))
    for code in ("MOI-1", "MOI-2"):
        found[code] = make_agency(code, name=f"UBND xã {code}", type="UBND_XA", valid_from=D(DAY))
    db.session.commit()
    return found


def test_merging_two_communes_moves_people_drops_the_secretary_role_and_keeps_past_completions(db, courses):
    for name in ("agencies.csv", "staff.csv", "completions.csv"):
        assert run_fixture(name).applied
    snapshots_before = list(db.session.execute(select(Completion.id, Completion.agency_id, Completion.agency_code)))

    report = run_fixture("lineage.csv")

    assert report.applied, problems(report)
    assert (report.counts["created"], report.counts["people_moved"], report.counts["secretaries_dropped"]) == (2, 3, 1)
    assert agency(db, "XA-CU-A").valid_to == agency(db, "XA-CU-B").valid_to == D("2025-06-30")
    assert periods(db, "CC-001") == [("XA-CU-A", D("2015-03-01"), D("2025-06-30"), ("leader",)),
                                     ("XA-TANAN", D(DAY), None, ("leader",))]
    assert periods(db, "CC-002") == [("XA-CU-A", D("2018-01-15"), D("2025-06-30"), ("iso_secretary", "internal_auditor")),
                                     ("XA-TANAN", D(DAY), None, ("internal_auditor",))]
    assert periods(db, "CC-003")[-2:] == [("XA-CU-B", D("2020-06-01"), D("2025-06-30"), ()),
                                          ("XA-TANAN", D(DAY), None, ())]
    assert periods(db, "CC-004") == [("XA-CU-B-MC", D("2019-09-01"), D("2025-06-30"), ())]  # had already left
    assert list(db.session.execute(select(Completion.id, Completion.agency_id, Completion.agency_code))) == snapshots_before
    tanan = agency(db, "XA-TANAN").id
    assert resolve_current([agency(db, "XA-CU-A").id], D("2025-07-01")) == {agency(db, "XA-CU-A").id: [tanan]}
    assert resolve_current([agency(db, "XA-CU-A").id], D("2025-06-30")) == {agency(db, "XA-CU-A").id: [agency(db, "XA-CU-A").id]}
    actions = sorted(db.session.scalars(select(AuditEvent.action).where(AuditEvent.action.like("%lineage%"))))
    assert actions == ["import.lineage", "lineage.merge", "lineage.merge"]


def test_applying_the_same_lineage_file_twice_changes_nothing(db, courses):
    for name in ("agencies.csv", "staff.csv", "lineage.csv"):
        run_fixture(name)
    before = table_counts()
    again = run_fixture("lineage.csv")
    assert again.applied and (again.counts["created"], again.counts["unchanged"]) == (0, 2)
    assert again.counts["people_moved"] == 0
    assert table_counts() == before


def test_absorbing_into_an_existing_commune(db, communes):
    leader = make_person(agency=communes["CU-A"], roles=("leader", "iso_secretary"), start=date(2012, 1, 1))
    make_person(agency=communes["CO-SAN"], roles=("iso_secretary",), start=date(2012, 1, 1))
    db.session.commit()
    report = run("lineage", f"absorb,CU-A,CO-SAN,{DAY}")
    assert report.applied, problems(report)
    assert periods(db, leader.staff_code)[-1] == ("CO-SAN", D(DAY), None, ("leader",))
    assert communes["CO-SAN"].valid_to is None and agency(db, "CU-A").valid_to == D("2025-06-30")


def test_a_split_moves_people_named_at_a_successor_and_reports_the_others(db, communes):
    named = make_person(agency=communes["CU-A"], start=date(2012, 1, 1), full_name="Người Được Xếp")
    unnamed = make_person(agency=communes["CU-A"], start=date(2014, 1, 1), full_name="Người Chưa Xếp")
    db.session.commit()
    assert run("staff", f"{named.staff_code},Người Được Xếp,,MOI-2,,{DAY},").applied

    report = run("lineage", f"split,CU-A,MOI-1,{DAY}", f"split,CU-A,MOI-2,{DAY}")

    assert report.applied, problems(report)
    assert (report.counts["people_moved"], report.counts["people_not_placed"]) == (1, 1)
    assert periods(db, named.staff_code) == [("CU-A", D("2012-01-01"), D("2025-06-30"), ()),
                                             ("MOI-2", D(DAY), None, ())]
    assert periods(db, unnamed.staff_code) == [("CU-A", D("2014-01-01"), D("2025-06-30"), ())]
    assert report.notes == [f"{unnamed.staff_code} Người Chưa Xếp: phân công tại CU-A kết thúc ngày 30/06/2025, "
                            "chưa được xếp vào cơ quan mới"]
    a = communes["CU-A"].id
    assert resolve_current([a], D(DAY)) == {a: sorted([communes["MOI-1"].id, communes["MOI-2"].id])}


def test_a_rename_keeps_the_old_code_findable_and_every_role(db, communes):
    secretary = make_person(agency=communes["CU-B"], roles=("iso_secretary", "internal_auditor"), start=date(2016, 1, 1))
    db.session.commit()
    assert run("agencies", f"PH-MOI,UBND phường Mới,UBND_XA,,{DAY},,1").applied

    report = run("lineage", f"rename,CU-B,PH-MOI,{DAY}")

    assert report.applied and report.counts["secretaries_dropped"] == 0
    assert periods(db, secretary.staff_code)[-1] == ("PH-MOI", D(DAY), None, ("iso_secretary", "internal_auditor"))
    old = agency(db, "CU-B")
    assert old is not None and old.valid_to == D("2025-06-30")
    assert resolve_current([old.id], D("2026-01-01")) == {old.id: [agency(db, "PH-MOI").id]}


def test_a_dissolution_ends_assignments_and_rolls_up_to_nothing(db, communes):
    person = make_person(agency=communes["CU-C"], start=date(2016, 1, 1))
    db.session.commit()
    report = run("lineage", f"dissolve,CU-C,,{DAY}")
    assert report.applied and report.counts["people_not_placed"] == 1
    assert periods(db, person.staff_code) == [("CU-C", D("2016-01-01"), D("2025-06-30"), ())]
    edge = db.session.scalar(select(LineageEvent))
    assert (edge.event, edge.successor_id, edge.effective_date) == ("dissolve", None, D(DAY))
    assert resolve_current([communes["CU-C"].id], D(DAY)) == {communes["CU-C"].id: []}


ERRORS = {
    "unknown event": ([f"move,CU-A,MOI-1,{DAY}"],
                      (2, "event", "loại sự kiện không hợp lệ (merge, absorb, split, rename, dissolve)")),
    "unknown predecessor": ([f"merge,CU-X,MOI-1,{DAY}"], (2, "predecessor_code", "mã cơ quan không tồn tại: CU-X")),
    "unknown successor": ([f"merge,CU-A,MOI-X,{DAY}"], (2, "successor_code", "mã cơ quan không tồn tại: MOI-X")),
    "successor missing": ([f"merge,CU-A,,{DAY}"], (2, "successor_code", "thiếu cơ quan kế thừa")),
    "successor for a dissolution": ([f"dissolve,CU-A,MOI-1,{DAY}"],
                                    (2, "successor_code", "giải thể thì không có cơ quan kế thừa")),
    "date not after the predecessor began": (["merge,CU-A,CO-SAN,2010-01-01"],
                                             (2, "effective_date", "ngày hiệu lực phải sau ngày bắt đầu của cơ quan "
                                                                   "tiền thân (01/01/2010)")),
    "successor not active on the date": (["merge,CU-A,MOI-1,2025-01-01"],
                                         (2, "successor_code", "cơ quan kế thừa MOI-1 không hoạt động vào ngày hiệu lực")),
    "absorb into a new agency": ([f"absorb,CU-A,MOI-1,{DAY}"],
                                 (2, "successor_code", "sáp nhập (absorb) vào cơ quan đã có: MOI-1 phải hoạt động từ "
                                                       "trước ngày hiệu lực")),
    "two successors without a split": ([f"merge,CU-A,MOI-1,{DAY}", f"merge,CU-A,MOI-2,{DAY}"],
                                       (2, "successor_code", "chỉ sự kiện chia tách (split) mới có nhiều cơ quan kế thừa")),
    "two events on one day": ([f"merge,CU-A,MOI-1,{DAY}", f"dissolve,CU-A,,{DAY}"],
                              (3, "event", "cơ quan tiền thân đã có sự kiện khác cùng ngày ở dòng 2")),
    "duplicate row": ([f"merge,CU-A,MOI-1,{DAY}", "merge,CU-A,MOI-1,01/07/2025"],
                      (3, "predecessor_code", "trùng với dòng 2")),
    "predecessor ended earlier in the file": ([f"merge,CU-A,MOI-1,{DAY}", "absorb,CU-A,CO-SAN,2026-01-01"],
                                              (3, "predecessor_code", "cơ quan tiền thân CU-A đã kết thúc ngày "
                                                                      "30/06/2025, trước ngày hiệu lực")),
    "a chain in the file using an ended successor": ([f"merge,CU-A,MOI-1,{DAY}", "merge,MOI-1,CO-SAN,2026-01-01",
                                                      "merge,CU-B,MOI-1,2026-03-01"],
                                                     (4, "successor_code", "cơ quan kế thừa MOI-1 không hoạt động "
                                                                           "vào ngày hiệu lực")),
}


@pytest.mark.parametrize("lines,expected", ERRORS.values(), ids=ERRORS.keys())
def test_each_kind_of_lineage_error_is_reported_and_nothing_is_written(db, communes, lines, expected):
    make_person(agency=communes["CU-A"], start=date(2012, 1, 1))
    db.session.commit()
    before = table_counts()
    report = run("lineage", *lines)
    assert problems(report) == [expected]
    assert table_counts() == before


def test_a_second_different_event_for_a_reorganised_agency_is_refused(db, communes):
    assert run("lineage", f"merge,CU-A,MOI-1,{DAY}").applied
    report = run("lineage", f"dissolve,CU-A,,{DAY}")
    assert problems(report) == [(2, "predecessor_code", "cơ quan CU-A đã có sự kiện tổ chức lại khác (merge, 01/07/2025)")]


def test_the_service_alone_applies_an_event_once_and_refuses_a_bad_one(db, communes):
    admin = make_person("quantri", access_role="admin")
    person = make_person(agency=communes["CU-A"], roles=("leader",), start=date(2012, 1, 1))
    outcome = apply_event("merge", communes["CU-A"], [communes["MOI-1"]], D(DAY), actor=admin)
    assert [p.id for p in outcome.moved] == [person.id] and not outcome.unchanged
    assert apply_event("merge", communes["CU-A"], [communes["MOI-1"]], D(DAY), actor=admin).unchanged
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "lineage.merge"))
    assert (event.actor_id, event.target_id, event.details["successors"]) == (admin.id, communes["CU-A"].id, ["MOI-1"])
    with pytest.raises(LineageError, match="thiếu cơ quan kế thừa"):
        apply_event("rename", communes["CU-B"], [], D(DAY))


def test_people_starting_at_the_predecessor_after_the_date_block_the_event(db, communes):
    make_person(agency=communes["CU-A"], start=date(2025, 8, 1))
    db.session.commit()
    report = run("lineage", f"merge,CU-A,MOI-1,{DAY}")
    assert problems(report) == [(2, "predecessor_code", "cơ quan CU-A có phân công bắt đầu từ ngày hiệu lực trở đi; "
                                                        "hãy sửa trước")]


def test_resolve_current_follows_chains_splits_and_dissolutions_in_one_query(db, communes, count_queries):
    c, d = (make_agency(code, type="UBND_XA", valid_from=date(2026, 1, 1)) for code in ("SAU-C", "SAU-D"))
    apply_event("merge", communes["CU-A"], [communes["MOI-1"]], D(DAY))
    apply_event("split", communes["MOI-1"], [c, d], date(2026, 1, 1))
    apply_event("dissolve", d, [], date(2026, 6, 1))
    db.session.commit()
    a, b, untouched = communes["CU-A"].id, communes["MOI-1"].id, communes["CO-SAN"].id
    with count_queries() as queries:
        found = resolve_current([a, b, untouched], date(2026, 3, 1))
    assert len(queries) == 1
    assert found == {a: sorted([c.id, d.id]), b: sorted([c.id, d.id]), untouched: [untouched]}
    assert resolve_current([a], date(2025, 12, 31)) == {a: [b]}
    assert resolve_current([a], date(2026, 7, 1)) == {a: [c.id]}
    chain = successor_chain(a, date(2026, 7, 1))
    assert [(e.event, e.predecessor_id, e.successor_id) for e in chain] == [
        ("merge", a, b), ("split", b, c.id), ("split", b, d.id), ("dissolve", d.id, None)]


def test_someone_with_two_periods_at_the_predecessor_gets_one_period_at_the_successor(db, communes):
    person = make_person(agency=communes["CU-A"], roles=("leader",), start=date(2012, 1, 1))
    make_assignment(person, communes["CU-A"], roles=("internal_auditor",), start=date(2020, 1, 1),
                    end=date(2026, 12, 31))
    db.session.commit()
    assert run("lineage", f"merge,CU-A,MOI-1,{DAY}").applied
    assert periods(db, person.staff_code)[-1] == ("MOI-1", D(DAY), None, ("leader", "internal_auditor"))
    assert len(periods(db, person.staff_code)) == 3
