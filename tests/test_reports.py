"""The per-agency completion table and the agency page, with numbers computed by hand."""
from datetime import date

from app.completions.services import record_completion
from app.reports.queries import agency_completion_table, agency_people_status
from tests.factories import make_agency, make_assignment, make_person

DAY = date(2026, 6, 30)


def build(db, courses):
    """A: 3 people (2 did FX-01, 1 of them also FX-02); B: nobody; C ended before DAY; D: 1 person, nothing."""
    a = make_agency("A", name="UBND xã A")
    make_agency("B", name="UBND xã B")
    make_agency("C", name="UBND thị trấn C (cũ)", type="UBND_XA_CU", valid_from=date(2010, 1, 1), valid_to=date(2025, 6, 30))
    d = make_agency("D", name="Sở D", type="SO")
    p1, p2 = make_person(agency=a), make_person(agency=a)
    make_person(agency=a)
    make_person(agency=d)
    left = make_person(agency=a, start=date(2025, 7, 1), end=date(2026, 3, 31))  # gone before DAY
    fx1, fx2 = courses["FX-01"], courses["FX-02"]
    record_completion(p1.id, fx1, date(2026, 1, 10), score=100)
    record_completion(p1.id, fx1, date(2026, 2, 10), score=90)  # twice: still one person
    record_completion(p2.id, fx1, date(2026, 5, 1), score=80)
    record_completion(p1.id, fx2, date(2026, 6, 30), score=100)  # on DAY itself: counts
    record_completion(p2.id, fx2, date(2026, 7, 1), score=100)  # after DAY: does not count
    record_completion(left.id, fx1, date(2026, 1, 5), score=100)  # left A before DAY
    db.session.commit()
    return a


def test_agency_table_counts_people_assigned_on_the_day(db, courses):
    build(db, courses)
    codes, rows = agency_completion_table(DAY)
    assert codes == ["FX-01", "FX-02"]
    table = {r.code: (r.headcount, r.done.get("FX-01", 0), r.done.get("FX-02", 0)) for r in rows}
    assert table == {"A": (3, 2, 1), "B": (0, 0, 0), "D": (1, 0, 0)}  # C had ended: no row


def test_agency_table_is_three_queries_whatever_the_size(db, courses, count_queries):
    build(db, courses)
    for _ in range(5):
        extra = make_agency()
        make_person(agency=extra)
    db.session.commit()
    with count_queries() as queries:
        agency_completion_table(DAY)
    assert len(queries) == 3


def test_agency_table_limited_to_given_agencies(db, courses):
    a = build(db, courses)
    _codes, rows = agency_completion_table(DAY, {a.id})
    assert [r.code for r in rows] == ["A"]


def test_agency_page_status_per_person(db, courses, count_queries):
    agency_id = build(db, courses).id
    with count_queries() as queries:
        versions, modules, people = agency_people_status(agency_id, DAY)
    assert len(queries) == 5
    assert [v.course.code for v in versions] == ["FX-01", "FX-02"]
    assert modules == {"FX-01": 2, "FX-02": 1}
    done = sorted((s.completions["FX-01"], s.completions["FX-02"]) for s in people if s.completions["FX-01"])
    assert done == [((date(2026, 2, 10), 90), (date(2026, 6, 30), 100)), ((date(2026, 5, 1), 80), None)]
    assert len(people) == 3


def test_agency_page_lists_people_by_given_name_in_vietnamese_order(db):
    agency = make_agency("E", name="UBND xã E")
    for name in ("Nguyễn Văn Tú", "Ngô Văn Tú", "Phan Thị Ân", "Phạm Thị Ân", "Đỗ Văn Bảo"):
        make_person(agency=agency, full_name=name)
    db.session.commit()
    _versions, _modules, people = agency_people_status(agency.id, DAY)
    # Ân (Phạm before Phan: m before n), Bảo, Tú (Ngô before Nguyễn: ô before u)
    assert [s.person.full_name for s in people] == ["Phạm Thị Ân", "Phan Thị Ân", "Đỗ Văn Bảo", "Ngô Văn Tú",
                                                    "Nguyễn Văn Tú"]


def test_transferred_person_counts_at_the_new_agency_but_keeps_the_old_snapshot(db, courses):
    from sqlalchemy import select

    from app.completions.models import Completion

    old, new = make_agency("OLD", name="Xã Cũ"), make_agency("NEW", name="Xã Mới")
    person = make_person(agency=old, start=date(2025, 7, 1), end=date(2026, 2, 28))
    make_assignment(person, new, start=date(2026, 3, 1))
    record_completion(person.id, courses["FX-01"], date(2026, 1, 15), score=100)
    db.session.commit()
    _codes, rows = agency_completion_table(DAY)
    table = {r.code: (r.headcount, r.done.get("FX-01", 0)) for r in rows}
    assert table == {"OLD": (0, 0), "NEW": (1, 1)}
    assert db.session.scalar(select(Completion.agency_code)) == "OLD"
