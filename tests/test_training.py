"""The yearly training plan: classes from the gap, invitations, attendance, closing into completions."""
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from app.audit.models import AuditEvent
from app.completions.models import Completion
from app.core.dates import today
from app.coverage.models import CoverageFreeze
from app.training.models import ClassSeat
from app.training.queries import plan_counts
from app.training.services import (ClassData, Mark, TrainingError, add_person, close_class, create_plan,
                                   invite_owing, record_attendance, remove_seat, reopen_class, save_class)
from tests.factories import make_agency, make_assignment, make_completion, make_iso_courses, make_person
from tests.smtp_support import free_port, smtp  # noqa: F401 (fixture)


#: classes still to come start on this day; their plan is for its year (near the end of December that
#: is next year). Classes already held are in September of the year before this one.
SOON = today() + timedelta(days=20)
YEAR = SOON.year
PAST = date(today().year - 1, 9, 10)


@pytest.fixture
def province(db):
    """Three communes. In A: three leaders (one refreshed in YEAR, one only the year before), a
    secretary, a plain civil servant; in B and in C: one leader. DOST plans."""
    courses = make_iso_courses()
    a = make_agency("AG-XA-A", name="UBND xã A")
    b = make_agency("AG-XA-B", name="UBND xã B")
    c = make_agency("AG-XA-C", name="UBND xã C")
    people = {
        "an": make_person(agency=a, roles=("leader",), full_name="Nguyễn Văn An", start=date(2020, 1, 1)),
        "binh": make_person(agency=a, roles=("leader",), full_name="Trần Thị Bình", start=date(2020, 1, 1)),
        "cuong": make_person(agency=a, roles=("leader",), full_name="Lê Văn Cường", start=date(2020, 1, 1)),
        "dung": make_person(agency=a, roles=("iso_secretary",), full_name="Phạm Thị Dung", start=date(2020, 1, 1)),
        "em": make_person(agency=a, full_name="Hoàng Văn Em", start=date(2020, 1, 1)),
        "giang": make_person(agency=b, roles=("leader",), full_name="Vũ Thị Giang", start=date(2020, 1, 1)),
        "hai": make_person(agency=c, roles=("leader",), full_name="Đỗ Văn Hải", start=date(2020, 1, 1)),
    }
    make_completion(people["cuong"], courses["ISO-05"], date(YEAR, 1, 1), a)  # refreshed in the plan's year
    make_completion(people["an"], courses["ISO-05"], date(YEAR - 1, 1, 1), a)  # the year before does not count
    dost = make_person("sokhcn", access_role="dost", full_name="Cán bộ Sở")
    db.session.commit()
    return {"courses": courses, "a": a, "b": b, "c": c, "dost": dost, **people}


def a_class(plan, province, *, capacity=3, agencies=("a", "b"), course="ISO-05", start=None, days=1):
    start = start or SOON
    return save_class(plan, ClassData(
        course_id=province["courses"][course].id, title=f"Lớp {course}", start_date=start,
        end_date=start + timedelta(days=days - 1), capacity=capacity, cutoff_date=start - timedelta(days=5),
        place="Hội trường Sở KH&CN", trainer="ThS. Nguyễn Minh", agency_ids=[province[k].id for k in agencies]),
        province["dost"])


def seated(klass) -> dict[str, str]:
    from app.extensions import db
    return {s.person.full_name: s.status for s in db.session.scalars(
        select(ClassSeat).where(ClassSeat.class_id == klass.id))}


def test_inviting_seats_those_who_owe_the_refresher_up_to_capacity_then_a_waiting_list(db, province):
    plan = create_plan(YEAR, "Kế hoạch đào tạo năm", province["dost"])
    klass = a_class(plan, province, capacity=3)
    result = invite_owing(klass, province["dost"])
    # owing ISO-05 this year in A and B: An (only last year's), Bình, Dung (secretary), Giang;
    # not Cường (done this year), not Em (no refresher role), not Hải (C is not invited)
    assert (result.invited, result.waiting) == (3, 1)
    # by agency code, then name: A's Bình, Dung, An ... sorted by full name: An, Bình, Dung; then B
    assert seated(klass) == {"Nguyễn Văn An": "invited", "Phạm Thị Dung": "invited",
                             "Trần Thị Bình": "invited", "Vũ Thị Giang": "waiting"}
    again = invite_owing(klass, province["dost"])
    assert (again.invited, again.waiting) == (0, 0)


def test_someone_in_another_class_of_the_plan_for_the_course_is_not_invited_twice(db, province):
    plan = create_plan(YEAR, "Kế hoạch", province["dost"])
    first = a_class(plan, province, agencies=("b",))
    invite_owing(first, province["dost"])
    second = a_class(plan, province, capacity=10, agencies=("a", "b"))
    invite_owing(second, province["dost"])
    assert "Vũ Thị Giang" not in seated(second)
    assert len(seated(second)) == 3


def test_inviting_a_whole_province_takes_the_same_statements_for_more_people(db, province, count_queries):
    plan = create_plan(YEAR, "Kế hoạch", province["dost"])
    small = a_class(plan, province, capacity=100, agencies=("b",))
    db.session.commit()
    with count_queries() as few:
        invite_owing(small, province["dost"])
    for _ in range(30):
        make_person(agency=province["c"], roles=("leader",), start=date(2020, 1, 1))
    big = a_class(plan, province, capacity=100, agencies=("a", "c"))
    db.session.commit()
    with count_queries() as many:
        result = invite_owing(big, province["dost"])
    assert result.invited == 34  # An, Bình, Dung, Hải and the 30 new leaders of C
    assert len(many) == len(few)


def test_removing_an_invited_person_gives_the_place_to_the_first_waiting(db, province):
    plan = create_plan(YEAR, "Kế hoạch", province["dost"])
    klass = a_class(plan, province, capacity=3)
    invite_owing(klass, province["dost"])
    seat = db.session.scalar(select(ClassSeat).where(ClassSeat.person_id == province["an"].id))
    remove_seat(klass, seat, province["dost"])
    assert seated(klass) == {"Phạm Thị Dung": "invited", "Trần Thị Bình": "invited", "Vũ Thị Giang": "invited"}


def test_a_head_adds_only_people_of_invited_agencies_and_a_full_class_puts_them_on_the_waiting_list(db, province):
    plan = create_plan(YEAR, "Kế hoạch", province["dost"])
    klass = a_class(plan, province, capacity=1, agencies=("a",))
    add_person(klass, province["em"], province["dost"], within={province["a"].id})
    seat = add_person(klass, province["binh"], province["dost"], within={province["a"].id})
    assert seat.status == "waiting"
    with pytest.raises(TrainingError, match="không thuộc cơ quan nào được mời"):
        add_person(klass, province["giang"], province["dost"], within={province["a"].id})
    with pytest.raises(TrainingError, match="đã có trong danh sách"):
        add_person(klass, province["em"], province["dost"])


def test_closing_records_an_offline_completion_for_each_person_present_once(db, province):
    plan = create_plan(PAST.year, "Kế hoạch năm trước", province["dost"])
    klass = a_class(plan, province, capacity=10, start=PAST - timedelta(days=1), days=2)
    invite_owing(klass, province["dost"])
    seats = {s.person.full_name: s for s in db.session.scalars(select(ClassSeat).where(ClassSeat.class_id == klass.id))}
    first, second, third, *rest = sorted(seats)
    with pytest.raises(TrainingError, match=f"Còn {len(seats)} người chưa được điểm danh"):
        close_class(klass, province["dost"])
    marks = {seats[name].id: Mark("present" if name in (first, second) else "absent") for name in seats}
    record_attendance(klass, marks, province["dost"])
    assert close_class(klass, province["dost"]) == 2
    db.session.commit()
    rows = db.session.execute(select(Completion.person_id, Completion.source, Completion.completed_on,
                                     Completion.agency_code, Completion.class_id)
                              .where(Completion.class_id.is_not(None))).all()
    assert sorted(rows) == sorted([(seats[name].person_id, "offline", PAST, "AG-XA-A", klass.id)
                                   for name in (first, second)])
    from app.certificates.models import Certificate
    assert sorted(db.session.scalars(select(Certificate.person_id))) == sorted(seats[n].person_id for n in (first, second))
    with pytest.raises(TrainingError, match="Lớp đã đóng"):
        close_class(klass, province["dost"])

    # an audited reopen: the third was there after all, the first was not; the first's completion stays
    with pytest.raises(TrainingError, match="lý do"):
        reopen_class(klass, province["dost"], "  ")
    reopen_class(klass, province["dost"], "Điểm danh nhầm hai người")
    record_attendance(klass, {seats[third].id: Mark("present"), seats[first].id: Mark("absent")}, province["dost"])
    assert close_class(klass, province["dost"]) == 1
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(Completion).where(Completion.class_id == klass.id)) == 3
    actions = list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))
    assert actions[-5:] == ["training.class_close", "training.class_reopen", "training.attendance_correct",
                            "training.attendance_correct", "training.class_close"]


def test_the_completion_carries_the_agency_as_it_was_on_the_last_day_of_the_class(db, province):
    plan = create_plan(PAST.year, "Kế hoạch", province["dost"])
    end = PAST
    klass = a_class(plan, province, capacity=10, agencies=("b",), start=end)
    invite_owing(klass, province["dost"])
    giang = province["giang"]
    giang.assignments[0].end_date = end + timedelta(days=2)  # moved to C after the class
    make_assignment(giang, province["c"], roles=("leader",), start=end + timedelta(days=3))
    [seat] = db.session.scalars(select(ClassSeat).where(ClassSeat.class_id == klass.id))
    record_attendance(klass, {seat.id: Mark("present")}, province["dost"])
    close_class(klass, province["dost"])
    completion = db.session.scalar(select(Completion).where(Completion.class_id == klass.id))
    assert (completion.agency_code, completion.agency_name) == ("AG-XA-B", "UBND xã B")


def test_bad_class_input_is_refused_with_a_reason(db, province):
    plan = create_plan(YEAR, "Kế hoạch", province["dost"])
    start = SOON
    base = dict(course_id=province["courses"]["ISO-05"].id, title="Lớp", capacity=2, agency_ids=[province["a"].id])
    with pytest.raises(TrainingError, match="Ngày kết thúc"):
        save_class(plan, ClassData(start_date=start, end_date=start - timedelta(days=1),
                                   cutoff_date=start - timedelta(days=3), **base), province["dost"])
    with pytest.raises(TrainingError, match="Hạn chốt"):
        save_class(plan, ClassData(start_date=start, end_date=start, cutoff_date=start + timedelta(days=1), **base),
                   province["dost"])
    with pytest.raises(TrainingError, match="ít nhất một cơ quan"):
        save_class(plan, ClassData(start_date=start, end_date=start, cutoff_date=start,
                                   **{**base, "agency_ids": []}), province["dost"])
    klass = a_class(plan, province, capacity=3)
    invite_owing(klass, province["dost"])
    data = ClassData(start_date=klass.start_date, end_date=klass.end_date, cutoff_date=klass.cutoff_date,
                     **{**base, "capacity": 2})
    with pytest.raises(TrainingError, match=r"Số chỗ \(2\) ít hơn số người đã được mời \(3\)"):
        save_class(plan, data, province["dost"], klass)


def test_a_frozen_year_takes_no_plan_and_no_class(db, province):
    last = PAST.year
    plan = create_plan(last, "Kế hoạch năm trước", province["dost"])
    db.session.add(CoverageFreeze(year=last, as_of=date(last, 12, 31), frozen_by_label="CLI", rules={}, rows=[]))
    db.session.flush()
    with pytest.raises(TrainingError, match=f"năm {last} đã chốt"):
        create_plan(last, "Kế hoạch", province["dost"])
    start = PAST
    with pytest.raises(TrainingError, match=f"năm {last} đã chốt"):
        save_class(plan, ClassData(course_id=province["courses"]["ISO-05"].id, title="Lớp", start_date=start,
                                   end_date=start, capacity=5, cutoff_date=start, agency_ids=[province["a"].id]),
                   province["dost"])


def test_the_plan_counts_how_many_owing_people_each_class_reaches(db, province, count_queries):
    plan = create_plan(YEAR, "Kế hoạch", province["dost"])
    refresher = a_class(plan, province, capacity=2)
    onboarding = a_class(plan, province, course="ISO-01", capacity=50, agencies=("a", "b", "c"))
    secretary = a_class(plan, province, course="ISO-02", capacity=50, agencies=("a",))
    invite_owing(refresher, province["dost"])
    db.session.commit()
    plan_id, year = plan.id, plan.year
    with count_queries() as statements:
        counts = plan_counts(plan_id, year)
    assert len(statements) == 2
    assert (counts[refresher.id].reach, counts[refresher.id].invited, counts[refresher.id].waiting) == (4, 2, 2)
    assert counts[onboarding.id].reach == 7  # nobody has ISO-01
    assert counts[secretary.id].reach == 1  # Dung


def test_invited_people_are_told_by_notify_run_once_and_the_waiting_list_when_moved_up(db, province, smtp):
    from app.notifications.services import run

    for key in ("an", "binh", "dung", "giang"):
        province[key].email = f"{key}@xa.example"
    plan = create_plan(YEAR, "Kế hoạch", province["dost"])
    klass = a_class(plan, province, capacity=3)
    invite_owing(klass, province["dost"])
    db.session.commit()
    run(today())
    subject = f"Mời dự lớp tập huấn ISO-05 ngày {SOON.strftime('%d/%m/%Y')}"
    [mail] = [m for m in smtp.to("an@xa.example") if m["Subject"] == subject]
    text = mail.get_body(("plain",)).get_content()
    assert "Chào Nguyễn Văn An," in text and "Hội trường Sở KH&CN" in text and "ThS. Nguyễn Minh" in text
    assert "http://127.0.0.1:5000/training/mine" in text
    assert [m for m in smtp.to("giang@xa.example") if m["Subject"] == subject] == []  # waiting

    run(today())  # nothing twice
    assert len([m for m in smtp.to("an@xa.example") if m["Subject"] == subject]) == 1
    seat = db.session.scalar(select(ClassSeat).where(ClassSeat.person_id == province["an"].id))
    remove_seat(klass, seat, province["dost"])
    db.session.commit()
    run(today())
    assert len([m for m in smtp.to("giang@xa.example") if m["Subject"] == subject]) == 1


def test_agencies_are_picked_by_type_and_under_a_parent_as_well_as_one_by_one(db, province):
    parent = make_agency("AG-SO", name="Sở Thử", type="SO")
    child = make_agency("AG-CC", name="Chi cục Thử", type="CHI_CUC", parent=parent)
    make_agency("AG-OLD", name="Xã cũ", valid_to=date(2025, 12, 31))  # gone: never picked
    plan = create_plan(YEAR, "Kế hoạch", province["dost"])
    base = dict(course_id=province["courses"]["ISO-05"].id, title="Lớp", start_date=SOON, end_date=SOON,
                capacity=50, cutoff_date=SOON)
    by_type = save_class(plan, ClassData(**base, agency_types=["UBND_XA"]), province["dost"])
    assert [a.code for a in by_type.agencies] == ["AG-XA-A", "AG-XA-B", "AG-XA-C"]
    under = save_class(plan, ClassData(**base, parent_ids=[parent.id], agency_ids=[province["b"].id]), province["dost"])
    assert [a.code for a in under.agencies] == ["AG-CC", "AG-SO", "AG-XA-B"]
