"""On-site inspection plans: how many, which (reproducibly, leaning toward gaps), who may draw them."""
import csv
import io
import json
from collections import Counter
from datetime import date

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from app.audit.models import AuditEvent
from app.core.dates import today
from app.coverage.exports import PLAN_COLUMNS, plan_to_csv, plan_to_xlsx
from app.coverage.freeze import freeze_year
from app.coverage.models import InspectionPlan
from app.coverage.plan import PlanError, draw_plan, inspectable, pick_count, reasons, weight, weighted_draw
from app.coverage.queries import CoverageRow, coverage_table
from tests.factories import make_agency, make_completion, make_iso_courses, make_person

YEAR = 2025
EVIL = "=cmd|' /C calc'!A0"


@pytest.fixture
def province(db):
    """Ten in-scope agencies: AG-BAD (a secretary since 2020, never trained: due 2, met 0) and AG-OK-1..9
    (a secretary trained in 2020 and refreshed in 2025: due 2, met 2). Plus one agency outside the
    ISO scope and one that ended in 2024, which do not count, and Sở KH&CN itself (an untrained
    secretary: it would weigh as much as AG-BAD), which inspects and is never drawn."""
    iso = make_iso_courses()
    bad = make_agency("AG-BAD", name=EVIL, valid_from=date(2020, 1, 1))
    secretary = make_person(agency=bad, roles=("iso_secretary",), start=date(2020, 1, 1))
    for n in range(1, 10):
        ok = make_agency(f"AG-OK-{n}", name=f"UBND xã Tốt {n}", valid_from=date(2020, 1, 1))
        trained = make_person(agency=ok, roles=("iso_secretary",), start=date(2020, 1, 1))
        make_completion(trained, iso["ISO-02"], date(2020, 1, 20))
        make_completion(trained, iso["ISO-05"], date(2025, 5, 5))
    inspector = make_agency("SO-KHCN", name="Sở Khoa học và Công nghệ", type="OVERSIGHT_DOST",
                            valid_from=date(2020, 1, 1))
    make_person(agency=inspector, roles=("iso_secretary",), start=date(2020, 1, 1))
    make_agency("AG-OUT", valid_from=date(2020, 1, 1), in_iso_scope=False)
    make_agency("AG-ENDED", valid_from=date(2020, 1, 1), valid_to=date(2024, 12, 31))
    make_person("learner", agency=bad, start=date(2020, 1, 1))
    make_person("manager", agency=bad, access_role="agency_manager", start=date(2020, 1, 1))
    dost = make_person("dost", access_role="dost", full_name="Phạm Thị Hoa")
    make_person("admin", access_role="admin")
    db.session.commit()
    return {"iso": iso, "secretary": secretary, "dost": dost}


def codes(plan):
    return [p["agency_code"] for p in plan.picks]


@pytest.mark.parametrize("share,agencies,picks", [(0.3, 10, 3), (0.3, 7, 3), (0.3, 1, 1), (0.3, 20, 6),
                                                  (0.25, 8, 2), (1.0, 5, 5), (0.3, 0, 0)])
def test_pick_count_is_the_ceiling_of_share_times_agencies(share, agencies, picks):
    assert pick_count(share, agencies) == picks  # 0.3 * 10 is 3.0000000000000004 in floating point


def test_weight_adds_the_gap_and_the_bonuses_for_no_trained_secretary_and_nothing_done():
    bad = CoverageRow("X", "X", "UBND_XA", None, headcount=1, secretaries=1, refresher_required=1,
                      secretaries_overdue=1)
    assert (bad.obligations_due, bad.gap, bad.coverage_pct) == (2, 2, 0.0)
    assert weight(bad) == 1 + 2 + 20 + 5
    trained = CoverageRow("Y", "Y", "UBND_XA", None, headcount=1, secretaries=1, secretaries_trained=1,
                          has_trained_secretary=1, refresher_required=1, refresher_done=1)
    assert weight(trained) == 1
    assert weight(CoverageRow("Z", "Z", "UBND_XA", None)) == 1  # nobody: no bonus, nothing due


def test_reasons_say_why_in_vietnamese():
    bad = CoverageRow("X", "X", "UBND_XA", None, headcount=1, secretaries=1, refresher_required=1,
                      secretaries_overdue=1)
    assert reasons(bad) == ["Chưa có thư ký ISO đã được đào tạo", "Tỷ lệ hoàn thành 0 %",
                            "Còn 2 nghĩa vụ chưa hoàn thành"]
    large = CoverageRow("L", "L", "UBND_XA", None, headcount=12, new_staff=12, new_staff_overdue=12,
                        secretaries=1, secretaries_trained=1, has_trained_secretary=1)
    assert reasons(large) == ["Khoảng trống lớn: 12 nghĩa vụ chưa hoàn thành"]
    assert reasons(CoverageRow("Z", "Z", "UBND_XA", None)) == ["Chưa khai báo công chức nào"]
    done = CoverageRow("D", "D", "UBND_XA", None, headcount=1, refresher_required=1, refresher_done=1,
                       secretaries=1, secretaries_trained=1, has_trained_secretary=1)
    assert reasons(done) == ["Chọn ngẫu nhiên theo tỷ lệ"]


def test_plan_picks_ceil_of_030_times_the_in_scope_agencies(db, province):
    plan = draw_plan(YEAR, 1, province["dost"])
    assert (plan.agencies_in_scope, len(plan.picks), plan.share) == (10, 3, 0.3)
    assert (plan.source, plan.as_of, plan.created_by_label) == ("live", date(2025, 12, 31), "Phạm Thị Hoa")
    assert [p["rank"] for p in plan.picks] == [1, 2, 3]
    assert not {"AG-OUT", "AG-ENDED"} & set(codes(plan))
    assert len(draw_plan(YEAR, 1, None, share=0.5).picks) == 5


def test_same_seed_and_same_data_give_identical_picks(db, province):
    first, second = draw_plan(YEAR, 2026, None), draw_plan(YEAR, 2026, None)
    assert first.picks == second.picks and first.id != second.id
    other_seeds = {tuple(codes(draw_plan(YEAR, seed, None))) for seed in range(1, 6)}
    assert len(other_seeds) > 1  # the seed does matter


def test_the_draw_does_not_depend_on_the_order_rows_come_in(db, province):
    rows = coverage_table(YEAR).rows
    assert weighted_draw(rows, 3, 99) == weighted_draw(list(reversed(rows)), 3, 99)


def test_the_inspecting_body_is_never_drawn_even_when_every_agency_is(db, province):
    assert "SO-KHCN" in {row.agency_code for row in coverage_table(YEAR).rows}  # it still has a coverage row
    plan = draw_plan(YEAR, 1, None, share=1.0)
    assert (plan.agencies_in_scope, len(plan.picks)) == (10, 10) and "SO-KHCN" not in codes(plan)


def test_an_agency_without_a_trained_secretary_is_picked_far_more_often(db, province):
    rows = inspectable(coverage_table(YEAR).rows)
    picked = Counter(row.agency_code for seed in range(1, 201) for row in weighted_draw(rows, 3, seed))
    assert sum(picked.values()) == 600
    # weight 28 against 1: AG-BAD is nearly always among the 3; each of the nine others about 2/9 of the time
    assert picked["AG-BAD"] >= 190
    assert max(n for code, n in picked.items() if code != "AG-BAD") < 80


def test_a_seed_drawn_by_the_system_is_stored_and_reproduces_the_plan(db, province):
    plan = draw_plan(YEAR, None, None)
    assert 0 <= plan.seed < 2**31
    assert draw_plan(YEAR, plan.seed, None).picks == plan.picks


def test_plan_from_a_frozen_year_does_not_change_after_new_completions(db, province):
    freeze_year(YEAR, province["dost"])
    db.session.commit()
    before = draw_plan(YEAR, 7, None)
    db.session.commit()
    make_completion(province["secretary"], province["iso"]["ISO-02"], date(2025, 2, 1))
    make_completion(province["secretary"], province["iso"]["ISO-05"], date(2025, 2, 1))
    db.session.commit()
    assert coverage_table(YEAR).rows[0].coverage_pct == 100.0  # live, AG-BAD is now fully trained
    after = draw_plan(YEAR, 7, None)
    assert (before.source, after.source) == ("frozen", "frozen")
    assert after.picks == before.picks
    assert next(p for p in after.picks if p["agency_code"] == "AG-BAD")["weight"] == 28


def test_a_pick_records_its_numbers_and_reasons(db, province):
    plan = draw_plan(YEAR, 1, None)
    bad = next(p for p in plan.picks if p["agency_code"] == "AG-BAD")
    assert (bad["agency_name"], bad["coverage_pct"], bad["gap"], bad["weight"]) == (EVIL, 0.0, 2, 28)
    assert bad["reasons"][0] == "Chưa có thư ký ISO đã được đào tạo"


@pytest.mark.parametrize("year,seed,share,message", [
    (YEAR, -1, None, "Số khởi tạo"), (YEAR, 2**31, None, "Số khởi tạo"),
    (YEAR, 1, 0, "Tỷ lệ kiểm tra"), (YEAR, 1, 1.5, "Tỷ lệ kiểm tra"),
    (today().year + 1, 1, None, "chưa bắt đầu"),
])
def test_bad_draws_are_refused_and_store_nothing(db, province, year, seed, share, message):
    with pytest.raises(PlanError, match=message):
        draw_plan(year, seed, None, share)
    assert db.session.scalar(select(func.count(InspectionPlan.id))) == 0


def test_drawing_writes_an_audit_event(db, province):
    plan = draw_plan(YEAR, 3, province["dost"])
    db.session.commit()
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "inspection.plan"))
    assert (event.actor_id, event.target_id, event.details["seed"]) == (province["dost"].id, plan.id, 3)
    assert event.details["agencies"] == codes(plan)


def test_plan_exports_hold_the_picks_with_formulas_neutralised(db, province):
    plan = draw_plan(YEAR, 1, None)
    lines = list(csv.reader(io.StringIO(plan_to_csv(plan).decode("utf-8-sig"), newline="")))
    assert lines[0] == list(PLAN_COLUMNS) and len(lines) == 4
    book = load_workbook(io.BytesIO(plan_to_xlsx(plan)))
    data = [list(r) for r in book["data"].iter_rows(values_only=True)]
    assert data[0] == list(PLAN_COLUMNS)
    for line, cells, pick in zip(lines[1:], data[1:], plan.picks):
        assert line[1] == cells[1] == pick["agency_code"]
        assert line[-1] == cells[-1] == "; ".join(pick["reasons"])
        assert cells[9] == pick["weight"] and line[9] == str(pick["weight"])
        if pick["agency_code"] == "AG-BAD":
            assert line[2] == cells[2] == "'" + EVIL
    ws = book.active
    assert ws["A1"].value == "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" and ws["A5"].value.startswith("KẾ HOẠCH KIỂM TRA")
    sheet = [list(r) for r in ws.iter_rows(min_row=9, max_row=12, values_only=True)]
    assert sheet[0][:4] == ["STT", "Mã cơ quan", "Tên cơ quan", "Loại"]
    assert [row[1] for row in sheet[1:]] == codes(plan)
    assert {row[3] for row in sheet[1:]} == {"UBND xã / phường / đặc khu"}  # the type's name, not UBND_XA


def test_the_plan_csv_for_people_names_types_and_the_machine_one_keeps_codes(client, login, db, province):
    login("dost")
    client.post(f"/reports/inspections/{YEAR}", data={"seed": "11"})
    plan = db.session.scalar(select(InspectionPlan))
    people = client.get(f"/reports/inspections/{YEAR}/plan-{plan.id}.csv").data.decode("utf-8-sig")
    machine = client.get(f"/reports/inspections/{YEAR}/plan-{plan.id}.csv?format=machine").data.decode("utf-8-sig")
    head, first = list(csv.reader(io.StringIO(people)))[:2]
    assert head[:4] == ["STT", "Mã cơ quan", "Tên cơ quan", "Loại"] and first[3] == "UBND xã / phường / đặc khu"
    assert machine.splitlines()[0] == ",".join(PLAN_COLUMNS) and ",UBND_XA," in machine


# Pages and command ------------------------------------------------------------------------------

@pytest.mark.parametrize("role,status", [("learner", 403), ("manager", 403), ("dost", 200), ("admin", 200)])
def test_only_dost_and_admins_see_the_plan_page(client, login, province, role, status):
    login(role)
    assert client.get(f"/reports/inspections/{YEAR}").status_code == status


@pytest.mark.parametrize("role,status", [("learner", 403), ("manager", 403), ("dost", 302), ("admin", 302)])
def test_only_dost_and_admins_may_draw_a_plan(client, login, db, province, role, status):
    login(role)
    response = client.post(f"/reports/inspections/{YEAR}", data={"seed": "11"})
    assert response.status_code == status
    assert db.session.scalar(select(func.count(InspectionPlan.id))) == (1 if status == 302 else 0)


def test_plan_page_shows_the_latest_plan_its_seed_and_reasons_and_the_older_ones(client, login, db, province):
    login("dost")
    client.post(f"/reports/inspections/{YEAR}", data={"seed": "11"})
    client.post(f"/reports/inspections/{YEAR}", data={"seed": "12", "share_pct": "50"})
    page = client.get(f"/reports/inspections/{YEAR}").text
    assert "<code>12</code>" in page and "Chọn 5 trên 10 cơ quan" in page
    assert "Chưa có thư ký ISO đã được đào tạo" in page and "Các kế hoạch đã lập (2)" in page
    assert "Sở Khoa học và Công nghệ là cơ quan kiểm tra nên không có trong danh sách rút chọn." in page
    older = db.session.scalar(select(InspectionPlan).where(InspectionPlan.seed == 11))
    assert "<code>11</code>" in client.get(f"/reports/inspections/{YEAR}?plan={older.id}").text
    export = client.get(f"/reports/inspections/{YEAR}/plan-{older.id}.csv")
    assert export.status_code == 200 and export.data.startswith(b"\xef\xbb\xbf")
    xlsx = client.get(f"/reports/inspections/{YEAR}/plan-{older.id}.xlsx")
    assert xlsx.status_code == 200 and xlsx.mimetype.endswith("spreadsheetml.sheet")
    assert client.get(f"/reports/inspections/{YEAR - 1}/plan-{older.id}.xlsx").status_code == 404


def test_plan_page_refuses_a_share_over_100(client, login, db, province):
    login("dost")
    response = client.post(f"/reports/inspections/{YEAR}", data={"share_pct": "150"})
    assert response.status_code == 200 and db.session.scalar(select(func.count(InspectionPlan.id))) == 0


def test_inspection_plan_command_stores_and_prints_a_reproducible_plan(runner, db, province):
    first = runner.invoke(args=["inspection-plan", "--year", "2025", "--seed", "5"])
    assert first.exit_code == 0, first.output
    printed = json.loads(first.stdout)
    assert (printed["seed"], printed["share"], printed["agencies_in_scope"], len(printed["picks"])) == (5, 0.3, 10, 3)
    second = json.loads(runner.invoke(args=["inspection-plan", "--year", "2025", "--seed", "5"]).stdout)
    assert second["picks"] == printed["picks"]
    assert db.session.scalar(select(func.count(InspectionPlan.id))) == 2
    as_csv = runner.invoke(args=["inspection-plan", "--year", "2025", "--seed", "5", "--format", "csv"])
    assert as_csv.stdout_bytes.decode("utf-8-sig").splitlines()[0] == ",".join(PLAN_COLUMNS)


@pytest.mark.parametrize("args", [["--share", "1.5"], ["--seed", "-3"]])
def test_inspection_plan_command_refuses_bad_input_with_exit_1(runner, db, province, args):
    result = runner.invoke(args=["inspection-plan", "--year", "2025", *args])
    assert result.exit_code == 1 and result.stdout == ""


def test_inspection_plan_command_refuses_a_future_year(runner, db, province):
    result = runner.invoke(args=["inspection-plan", "--year", str(today().year + 1)])
    assert result.exit_code == 1 and "chưa bắt đầu" in result.output
