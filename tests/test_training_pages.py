"""The training pages as DOST, a secretary and a learner use them: plan, invite, print, tick, upload, close."""
import io
from datetime import date, timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from app.agencies.models import LineageEvent
from app.completions.models import Completion
from app.core.dates import today
from app.coverage.queries import COLUMNS
from app.training.models import ClassSeat, TrainingClass, TrainingPlan
from tests.factories import make_agency, make_iso_courses, make_person

#: a class already held (its plan is for that year) and one still to come
HELD = today() - timedelta(days=1) if today().month > 1 or today().day > 2 else today()
SOON = today() + timedelta(days=10)


@pytest.fixture
def province(db):
    """Commune A: two leaders and a secretary (all owe the refresher) and a newcomer; commune B:
    one leader. DOST, A's secretary has an account, and so does the newcomer."""
    courses = make_iso_courses()
    a = make_agency("AG-XA-A", name="UBND xã A")
    b = make_agency("AG-XA-B", name="UBND xã B")
    people = {
        "hung": make_person(agency=a, roles=("leader",), full_name="Trần Văn Hùng", start=date(2020, 1, 1)),
        "mai": make_person(agency=a, roles=("leader",), full_name="Lê Thị Mai", start=date(2020, 1, 1)),
        "tam": make_person("thuky", agency=a, roles=("iso_secretary",), full_name="Lê Minh Tâm", start=date(2020, 1, 1)),
        "lan": make_person("hocvien", agency=a, full_name="Nguyễn Thị Lan", start=date(2020, 1, 1)),
        "giang": make_person(agency=b, roles=("leader",), full_name="Vũ Thị Giang", start=date(2020, 1, 1)),
        "dost": make_person("sokhcn", access_role="dost", full_name="Cán bộ Sở"),
    }
    db.session.commit()
    return {"courses": courses, "a": a, "b": b, **people}


def class_form(province, start, **changes):
    data = {"course": province["courses"]["ISO-05"].id, "title": "Lớp cập nhật cho lãnh đạo",
            "start_date": start.strftime("%d/%m/%Y"), "end_date": start.strftime("%d/%m/%Y"),
            "hours": "08:00 - 11:30", "place": "Hội trường UBND xã A", "trainer": "ThS. Nguyễn Minh",
            "capacity": "10", "cutoff_date": start.strftime("%d/%m/%Y"), "has_test": "y",
            "agencies": [str(province["a"].id)]}
    data.update(changes)
    return data


def plan_a_class(client, province, start, **changes):
    """As DOST: a plan for the class's year and one class; returns the class id."""
    response = client.post("/training/plans/new", data={"year": str(start.year), "title": "Kế hoạch năm",
                                                        "owner": "None"})
    assert response.status_code == 302, response.text
    plan_id = int(response.headers["Location"].rsplit("/", 1)[1])
    response = client.post(f"/training/plans/{plan_id}/classes/new", data=class_form(province, start, **changes))
    assert response.status_code == 302, response.text
    return int(response.headers["Location"].rsplit("/", 1)[1])


def test_dost_plans_invites_prints_ticks_and_closes_and_the_coverage_xlsx_counts_it(client, login, province, db):
    login("sokhcn")
    class_id = plan_a_class(client, province, HELD)
    assert "Đã mời 3 người; 0 người vào danh sách chờ." in client.post(
        f"/training/classes/{class_id}/invite", follow_redirects=True).text
    roster = client.get(f"/training/classes/{class_id}/roster").text
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in roster and "Độc lập - Tự do - Hạnh phúc" in roster
    assert "SỞ KHOA HỌC VÀ CÔNG NGHỆ TỈNH AN GIANG" in roster
    for name in ("Trần Văn Hùng", "Lê Thị Mai", "Lê Minh Tâm"):
        assert name in roster
    assert "Nguyễn Thị Lan" not in roster  # no refresher role: she does not owe ISO-05
    assert "Thư ký ISO" in roster and "Lãnh đạo" in roster  # the position column

    seats = {s.person.full_name: s.id for s in db.session.scalars(select(ClassSeat))}
    ticks = {f"attendance-{seats['Trần Văn Hùng']}": "present", f"score-{seats['Trần Văn Hùng']}": "85",
             f"attendance-{seats['Lê Thị Mai']}": "present", f"attendance-{seats['Lê Minh Tâm']}": "absent"}
    assert "Đã lưu điểm danh (3 thay đổi)." in client.post(
        f"/training/classes/{class_id}/attendance", data=ticks, follow_redirects=True).text
    page = client.post(f"/training/classes/{class_id}/close", follow_redirects=True).text
    assert "ghi nhận hoàn thành khóa học cho 2 người có mặt" in page

    completions = db.session.scalars(select(Completion).where(Completion.class_id == class_id)).all()
    assert sorted((c.person.full_name, c.score, c.completed_on) for c in completions) == [
        ("Lê Thị Mai", None, HELD), ("Trần Văn Hùng", 85, HELD)]
    if HELD.year == today().year:  # the report of the year: 3 holders of A owe the refresher, 2 did it
        ws = load_workbook(io.BytesIO(client.get(f"/reports/coverage.xlsx?year={HELD.year}").data))["data"]
        rows = {row[0]: row for row in ws.iter_rows(values_only=True) if row and row[0] == "AG-XA-A"}
        a = dict(zip(COLUMNS, rows["AG-XA-A"]))
        assert (a["refresher_required"], a["refresher_done"]) == (3, 2)


def test_bad_class_input_is_refused_with_a_message_and_nothing_is_saved(client, login, province, db):
    login("sokhcn")
    class_id = plan_a_class(client, province, SOON, capacity="3")
    plan_id = db.session.get(TrainingClass, class_id).plan_id
    before = SOON - timedelta(days=1)
    response = client.post(f"/training/plans/{plan_id}/classes/new",
                           data=class_form(province, SOON, end_date=before.strftime("%d/%m/%Y")))
    assert response.status_code == 400 and "Ngày kết thúc phải từ ngày bắt đầu trở đi." in response.text
    response = client.post(f"/training/plans/{plan_id}/classes/new", data=class_form(province, SOON, start_date="31/02/2026"))
    assert response.status_code == 400 and "Ngày không hợp lệ" in response.text
    client.post(f"/training/classes/{class_id}/invite")
    response = client.post(f"/training/classes/{class_id}/edit", data=class_form(province, SOON, capacity="2"))
    assert response.status_code == 400 and "Số chỗ (2) ít hơn số người đã được mời (3)." in response.text
    assert db.session.scalar(select(TrainingClass.capacity).where(TrainingClass.id == class_id)) == 3
    assert len(db.session.scalars(select(TrainingClass)).all()) == 1


def test_a_secretary_adds_and_removes_her_own_people_until_the_cutoff_only(app, client, login, province, db):
    login("sokhcn")
    class_id = plan_a_class(client, province, SOON, cutoff_date=(today()).strftime("%d/%m/%Y"),
                            agencies=[str(province["a"].id), str(province["b"].id)])
    client.post(f"/training/classes/{class_id}/invite")
    client.post("/logout")
    login("thuky")
    page = client.get(f"/training/classes/{class_id}").text
    assert "Lê Thị Mai" in page and "Vũ Thị Giang" not in page  # only her agency's people
    assert "Mời những người còn nợ" not in page
    response = client.post(f"/training/classes/{class_id}/seats", data={"person": province["lan"].id},
                           follow_redirects=True)
    assert "Đã thêm Nguyễn Thị Lan vào lớp." in response.text
    giang = db.session.scalar(select(ClassSeat).where(ClassSeat.person_id == province["giang"].id))
    assert client.post(f"/training/classes/{class_id}/seats/{giang.id}/remove").status_code == 403
    mai = db.session.scalar(select(ClassSeat).where(ClassSeat.person_id == province["mai"].id))
    assert "Đã bớt Lê Thị Mai khỏi lớp." in client.post(
        f"/training/classes/{class_id}/seats/{mai.id}/remove", follow_redirects=True).text
    # after the cut-off day she may only look
    db.session.execute(TrainingClass.__table__.update().values(cutoff_date=today() - timedelta(days=1)))
    db.session.commit()
    assert client.post(f"/training/classes/{class_id}/seats", data={"person": province["mai"].id}).status_code == 403
    assert client.post(f"/training/classes/{class_id}/invite").status_code == 403
    assert client.post(f"/training/classes/{class_id}/close").status_code == 403


def test_a_learner_sees_her_invitation_and_may_change_nothing(client, login, province, db):
    login("sokhcn")
    class_id = plan_a_class(client, province, SOON, course=province["courses"]["ISO-01"].id)
    client.post(f"/training/classes/{class_id}/invite")  # everyone owes ISO-01
    client.post("/logout")
    login("hocvien")
    mine = client.get("/training/mine").text
    assert "Lớp cập nhật cho lãnh đạo" in mine and "được mời" in mine and "Hội trường UBND xã A" in mine
    for path in (f"/training/classes/{class_id}", f"/training/classes/{class_id}/roster"):
        assert client.get(path).status_code == 403
    for path in ("invite", "attendance", "close", "reopen", "seats"):
        assert client.post(f"/training/classes/{class_id}/{path}").status_code == 403


def upload(client, class_id, text: str):
    return client.post(f"/training/classes/{class_id}/attendance/upload",
                       data={"file": (io.BytesIO(text.encode("utf-8")), "diem-danh.csv")},
                       content_type="multipart/form-data")


def test_an_uploaded_sheet_is_recorded_whole_or_not_at_all(client, login, province, db):
    login("sokhcn")
    class_id = plan_a_class(client, province, HELD)
    client.post(f"/training/classes/{class_id}/invite")
    sheet = client.get(f"/training/classes/{class_id}/attendance.csv").data.decode("utf-8-sig")
    assert sheet.splitlines()[0] == "staff_code,full_name,agency,attendance,score"
    codes = {p.full_name: p.staff_code for p in (province["hung"], province["mai"], province["tam"], province["giang"])}
    bad = ("staff_code,full_name,agency,attendance,score\n"
           f"{codes['Trần Văn Hùng']},Trần Văn Hùng,UBND xã A,có mặt,90\n"
           f"{codes['Vũ Thị Giang']},Vũ Thị Giang,UBND xã B,có mặt,\n"  # of another agency: not invited
           f"{codes['Lê Thị Mai']},Lê Thị Mai,UBND xã A,đến muộn,\n"
           f"{codes['Lê Minh Tâm']},Lê Minh Tâm,UBND xã A,vắng,50\n")
    response = upload(client, class_id, bad)
    assert response.status_code == 400
    assert "Chưa ghi gì: tệp có 3 lỗi" in response.text
    assert "không có trong danh sách được mời của lớp này" in response.text
    assert "ghi “có mặt”, “vắng” hoặc “vắng có phép”" in response.text
    assert "chỉ ghi điểm cho người có mặt" in response.text
    assert db.session.scalars(select(ClassSeat.attendance)).all() == [None, None, None]

    good = ("staff_code,full_name,agency,attendance,score\n"
            f"{codes['Trần Văn Hùng']},Trần Văn Hùng,UBND xã A,Có mặt,90\n"
            f"{codes['Lê Thị Mai']},Lê Thị Mai,UBND xã A,vắng có phép,\n"
            f"{codes['Lê Minh Tâm']},Lê Minh Tâm,UBND xã A,absent,\n")
    assert "Đã nhập điểm danh từ tệp: 3 dòng, 3 thay đổi." in client.post(
        f"/training/classes/{class_id}/attendance/upload",
        data={"file": (io.BytesIO(good.encode("utf-8")), "diem-danh.csv")},
        content_type="multipart/form-data", follow_redirects=True).text
    ticks = dict(db.session.execute(select(ClassSeat.person_id, ClassSeat.attendance)).all())
    assert ticks == {province["hung"].id: "present", province["mai"].id: "excused", province["tam"].id: "absent"}


def test_a_class_planned_before_a_merge_keeps_its_invitations_and_credits_the_agency_of_the_day(client, login, province, db):
    held = date(today().year - 1, 10, 15)  # the merge must be in force today, also on 1 January
    login("sokhcn")
    class_id = plan_a_class(client, province, held)
    client.post(f"/training/classes/{class_id}/invite")
    # the day after the class, A is merged into a new commune and its people move there
    merged = make_agency("AG-XA-MOI", name="UBND xã Mới", valid_from=held + timedelta(days=1))
    province["a"].valid_to = held
    db.session.add(LineageEvent(event="merge", predecessor=province["a"], successor=merged,
                                effective_date=held + timedelta(days=1)))
    for key in ("hung", "mai", "tam"):
        person = province[key]
        person.assignments[0].end_date = held
        from tests.factories import make_assignment
        make_assignment(person, merged, roles=("leader",), start=held + timedelta(days=1))
    db.session.commit()
    page = client.get(f"/training/classes/{class_id}").text
    assert page.count("UBND xã A") >= 3  # the seats keep the agency they were invited from
    seats = db.session.scalars(select(ClassSeat.id)).all()
    client.post(f"/training/classes/{class_id}/attendance", data={f"attendance-{s}": "present" for s in seats})
    client.post(f"/training/classes/{class_id}/close")
    codes = set(db.session.scalars(select(Completion.agency_code).where(Completion.class_id == class_id)))
    assert codes == {"AG-XA-A"}
    # the completions report counts them under A as it was, and under the new commune as it is
    as_was = client.get(f"/reports/completions?year={held.year}").text
    as_is = client.get(f"/reports/completions?year={held.year}&view=as_is").text
    assert "UBND xã A" in as_was and "UBND xã Mới" not in as_was
    assert "UBND xã Mới" in as_is


def test_the_plan_report_gives_the_share_reached_and_is_kept_when_the_year_is_frozen(client, login, province, db):
    from app.coverage.freeze import freeze_year

    last = today().year - 1
    held = date(last, 10, 15)
    login("sokhcn")
    class_id = plan_a_class(client, province, held, agencies=[str(province["a"].id), str(province["b"].id)])
    client.post(f"/training/classes/{class_id}/invite")  # Hùng, Mai, Tâm of A, Giang of B
    seats = {s.person.full_name: s.id for s in db.session.scalars(select(ClassSeat))}
    client.post(f"/training/classes/{class_id}/attendance", data={
        f"attendance-{seats['Trần Văn Hùng']}": "present", f"attendance-{seats['Lê Thị Mai']}": "present",
        f"attendance-{seats['Lê Minh Tâm']}": "present", f"attendance-{seats['Vũ Thị Giang']}": "absent"})
    client.post(f"/training/classes/{class_id}/close")
    plan_id = db.session.scalar(select(TrainingPlan.id))
    page = client.get(f"/training/plans/{plan_id}/report").text
    # four people held a refresher role that year; three came: 75.0 %
    assert "Số liệu tạm tính" in page
    ws = load_workbook(io.BytesIO(client.get(f"/training/plans/{plan_id}/report.xlsx").data)).active
    lines = [row for row in ws.iter_rows(values_only=True) if row and row[0] == "ISO-05"]
    assert lines == [("ISO-05", 4, 3, 75.0) + (None,) * (len(lines[0]) - 4)]

    freeze_year(last, province["dost"])
    db.session.commit()
    make_person(agency=province["b"], roles=("leader",), start=date(last, 3, 1))  # a late correction
    db.session.commit()
    page = client.get(f"/training/plans/{plan_id}/report").text
    assert "Số liệu đã chốt cùng báo cáo năm" in page
    ws = load_workbook(io.BytesIO(client.get(f"/training/plans/{plan_id}/report.xlsx").data)).active
    assert [row[:4] for row in ws.iter_rows(values_only=True) if row and row[0] == "ISO-05"] == [("ISO-05", 4, 3, 75.0)]


def test_an_agency_manager_plans_for_their_own_agencies_only(client, login, province, db):
    make_person("lanhdao", agency=province["a"], access_role="agency_manager", full_name="Trần Văn Lãnh")
    db.session.commit()
    login("lanhdao")
    form = client.get("/training/plans/new").text
    assert "UBND xã A" in form and "Toàn tỉnh" not in form
    response = client.post("/training/plans/new", data={"year": str(SOON.year), "title": "Kế hoạch của xã A",
                                                        "owner": str(province["b"].id)})
    assert response.status_code == 403  # not their agency
    response = client.post("/training/plans/new", data={"year": str(SOON.year), "title": "Kế hoạch của xã A",
                                                        "owner": str(province["a"].id)})
    plan_id = int(response.headers["Location"].rsplit("/", 1)[1])
    page = client.get(f"/training/plans/{plan_id}/classes/new").text
    assert "UBND xã A (AG-XA-A)" in page and "UBND xã B" not in page
    assert client.post(f"/training/plans/{plan_id}/classes/new",
                       data=class_form(province, SOON, agencies=[str(province["b"].id)])).status_code == 400
    assert client.post(f"/training/plans/{plan_id}/classes/new", data=class_form(province, SOON)).status_code == 302
    assert db.session.scalar(select(TrainingPlan.owner_agency_id)) == province["a"].id


def test_the_plan_pages_take_the_same_statements_for_one_class_or_four(client, login, province, db, count_queries):
    login("sokhcn")
    class_id = plan_a_class(client, province, SOON)
    plan_id = db.session.get(TrainingClass, class_id).plan_id

    def statements() -> list[int]:
        counts = []
        for path in (f"/training/plans/{plan_id}", "/training/", f"/training/plans/{plan_id}/report"):
            with count_queries() as seen:
                assert client.get(path).status_code == 200
            counts.append(len(seen))
        return counts

    one = statements()
    for code in ("ISO-01", "ISO-02", "ISO-05"):
        client.post(f"/training/plans/{plan_id}/classes/new", data=class_form(
            province, SOON, course=province["courses"][code].id,
            agencies=[str(province["a"].id), str(province["b"].id)]))
    assert len(db.session.scalars(select(TrainingClass)).all()) == 4
    assert statements() == one
