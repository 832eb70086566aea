"""Coverage exports hold the same hand-counted cells: for systems (JSON, machine CSV, the XLSX data sheet)
and for people (Vietnamese CSV and XLSX); and the commands that write them."""
import csv
import io
import json
from datetime import date

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from app.accounts.models import Person
from app.core.dates import format_date, today
from app.coverage.exports import to_csv, to_json, to_report_csv, to_xlsx
from app.coverage.freeze import freeze_year, frozen_table
from app.coverage.labels import column_label
from app.coverage.queries import COLUMNS, coverage_table
from tests.factories import make_agency, make_completion, make_iso_courses, make_person

YEAR = 2025
EVIL = '=HYPERLINK("http://x")'


def since_2020(code, **kwargs):
    return make_agency(code, valid_from=date(2020, 1, 1), **kwargs)


@pytest.fixture
def province(db):
    """AG-A: 4 people, due 5, met 3 (60.0 %); AG-A-TT under it: a leader refreshed (100.0 %);
    AG-B: one newcomer overdue (0.0 %); AG-C, named like a formula: nobody, nothing due (empty %)."""
    iso = make_iso_courses()
    a = since_2020("AG-A", name="UBND xã A")
    centre = since_2020("AG-A-TT", name="Trung tâm PVHCC xã A", type="TT_PVHCC_XA", parent=a)
    b = since_2020("AG-B", name="UBND xã B")
    since_2020("AG-C", name=EVIL)
    leader = make_person(agency=a, roles=("leader",), start=date(2021, 1, 1))
    make_completion(leader, iso["ISO-05"], date(2025, 3, 3))
    secretary = make_person(agency=a, roles=("iso_secretary",), start=date(2021, 1, 1))
    make_completion(secretary, iso["ISO-02"], date(2021, 1, 15))
    newcomer = make_person(agency=a, start=date(2025, 8, 1))
    make_completion(newcomer, iso["ISO-01"], date(2025, 8, 15))
    make_person(agency=a, start=date(2025, 9, 1))  # deadline 31/10, never trained
    head = make_person(agency=centre, roles=("leader",), start=date(2020, 1, 1))
    make_completion(head, iso["ISO-05"], date(2025, 6, 1))
    make_person(agency=b, start=date(2025, 10, 1))  # deadline 30/11, never trained
    make_person("sokhcn", access_role="dost", full_name="Phạm Thị Hoa")
    db.session.commit()
    return iso


EXPECTED_ROWS = [
    ["AG-A", "UBND xã A", "UBND_XA", None, 4, 2, 1, 1, 1, 2, 1, 1, 1, 1, 5, 3, 60.0],
    ["AG-A-TT", "Trung tâm PVHCC xã A", "TT_PVHCC_XA", "AG-A", 1, 0, 0, 0, 0, 1, 1, 0, 0, 0, 1, 1, 100.0],
    ["AG-B", "UBND xã B", "UBND_XA", None, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 1, 0, 0.0],
    ["AG-C", EVIL, "UBND_XA", None, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, None],
]
# 6 people, 3 new (1 done on time, 2 overdue), 3 refreshers (2 done), 1 trained secretary in 1 agency;
# due 5 + 1 + 1 = 7, met 3 + 1 = 4: 57.1 % (recomputed, not the mean of the rows)
EXPECTED_TOTALS = [None, None, None, None, 6, 3, 1, 1, 2, 3, 2, 1, 1, 1, 7, 4, 57.1]


def csv_text(value) -> str:
    return "" if value is None else f"{value:.1f}" if isinstance(value, float) else str(value)


def read_csv(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs to read UTF-8
    text = data[3:].decode("utf-8")
    assert "\r\n" in text and "\n" not in text.replace("\r\n", "")
    return list(csv.reader(io.StringIO(text, newline="")))


def test_json_has_exactly_the_columns_in_order_and_the_hand_counted_numbers(db, province):
    data = to_json(coverage_table(YEAR))
    assert data["columns"] == list(COLUMNS)
    assert (data["year"], data["as_of"], data["frozen"], data["frozen_by"]) == (2025, "2025-12-31", False, None)
    assert data["rules"]["onboarding_course"] == "ISO-01"
    assert [list(row) for row in data["rows"]] == [list(COLUMNS)] * 4
    assert [list(row.values()) for row in data["rows"]] == EXPECTED_ROWS
    assert list(data["totals"]) == list(COLUMNS)
    assert list(data["totals"].values()) == EXPECTED_TOTALS
    json.dumps(data)  # serialisable as it is


def test_csv_cells_equal_the_json_cells_with_no_totals_line(db, province):
    table = coverage_table(YEAR)
    lines = read_csv(to_csv(table))
    assert lines[0] == list(COLUMNS)
    expected = [[csv_text(v) for v in row.values()] for row in to_json(table)["rows"]]
    expected[3][1] = "'" + EVIL  # the only text that a spreadsheet would run
    assert lines[1:] == expected
    assert lines[4][-1] == ""  # nothing due: no percentage, not 0.0
    assert [line[-1] for line in lines[1:4]] == ["60.0", "100.0", "0.0"]


def test_xlsx_report_has_the_national_heading_and_vietnamese_labels_only(db, province):
    table = coverage_table(YEAR)
    ws = load_workbook(io.BytesIO(to_xlsx(table))).active
    assert [ws[f"A{n}"].value for n in range(1, 8)] == [
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", f"Ngày lập: {format_date(today())}",
        None, "BÁO CÁO KẾT QUẢ ĐÀO TẠO HTQLCL THEO TCVN ISO 9001:2015 — NĂM 2025",
        "Số liệu tạm tính đến ngày 31/12/2025", "Chưa chốt số liệu: các con số còn có thể thay đổi."]
    values = [list(r) for r in ws.iter_rows(min_row=9, values_only=True)]
    assert values[0] == [column_label(c) for c in COLUMNS]
    assert values[0][:5] == ["Mã cơ quan", "Tên cơ quan", "Loại", "Mã cơ quan cấp trên", "Số người"]
    assert not set(COLUMNS) & {v for row in values for v in row}  # no machine column name anywhere
    # the hand-counted rows, with the type's name, Có/Không and "—" where nothing was due
    assert values[1] == ["AG-A", "UBND xã A", "UBND xã / phường / đặc khu", None, 4, 2, 1, 1, 1, 2, 1, 1, 1,
                         "Có", 5, 3, 60.0]
    assert values[2][:4] == ["AG-A-TT", "Trung tâm PVHCC xã A", "Trung tâm Phục vụ hành chính công cấp xã", "AG-A"]
    assert values[2][13] == "Không" and values[3][13] == "Không" and values[4][-1] == "—"
    # totals: agencies with a trained secretary counted, the percentage recomputed from the sums
    assert values[5] == ["Tổng cộng", None, None, None, *EXPECTED_TOTALS[4:]]
    assert values[7][0].startswith("Tỷ lệ = nghĩa vụ đã hoàn thành")
    assert ws["Q10"].number_format == "0.0" and ws["Q14"].font.bold
    assert ws.freeze_panes == "A10" and ws.print_title_rows == "$9:$9"
    assert ws.page_setup.orientation == "landscape"


def test_xlsx_data_sheet_holds_the_machine_columns_and_the_json_values(db, province):
    table = coverage_table(YEAR)
    data = load_workbook(io.BytesIO(to_xlsx(table)))["data"]
    values = [list(r) for r in data.iter_rows(values_only=True)]
    assert values[0] == list(COLUMNS)
    expected = [list(row.values()) for row in to_json(table)["rows"]]
    expected[3][1] = "'" + EVIL
    assert values[1:] == expected  # codes and 0/1, no totals line


def test_csv_for_people_reads_in_vietnamese_with_a_totals_line(db, province):
    lines = read_csv(to_report_csv(coverage_table(YEAR)))
    assert lines[0] == [column_label(c) for c in COLUMNS]
    assert lines[1] == ["AG-A", "UBND xã A", "UBND xã / phường / đặc khu", "", "4", "2", "1", "1", "1", "2", "1",
                        "1", "1", "Có", "5", "3", "60.0 %"]
    assert [line[-1] for line in lines[2:5]] == ["100.0 %", "0.0 %", "—"]
    assert lines[4][1] == "'" + EVIL
    assert lines[5] == ["Tổng cộng", "", "", "", "6", "3", "1", "1", "2", "3", "2", "1", "1", "1", "7", "4", "57.1 %"]


def test_a_formula_in_an_agency_name_comes_out_neutralised(db, province):
    table = coverage_table(YEAR)
    assert read_csv(to_csv(table))[4][1] == "'=HYPERLINK(\"http://x\")"
    book = load_workbook(io.BytesIO(to_xlsx(table)))
    assert book.active["B13"].value == book["data"]["B5"].value == "'=HYPERLINK(\"http://x\")"
    assert book.active["B13"].data_type == "s"  # text, never a formula
    assert to_json(table)["rows"][3]["agency_name"] == EVIL  # JSON is data, not a spreadsheet


def test_frozen_xlsx_names_the_cut_off_day_and_who_froze_it(db, province):
    dost = db.session.scalar(select(Person).where(Person.username == "sokhcn"))
    freeze_year(YEAR, dost)
    db.session.commit()
    table, freeze = frozen_table(YEAR)
    ws = load_workbook(io.BytesIO(to_xlsx(table, freeze))).active
    assert ws["A6"].value == "Ngày chốt số liệu: 31/12/2025"
    assert "Phạm Thị Hoa" in ws["A7"].value
    data = to_json(table, freeze)
    assert data["frozen"] is True and data["frozen_by"] == "Phạm Thị Hoa" and data["frozen_at"]


# The `coverage` and `obligations check` commands ---------------------------------------------------

def test_coverage_command_prints_json_and_csv_of_the_year(runner, db, province):
    result = runner.invoke(args=["coverage", "--year", "2025", "--format", "json"])
    assert result.exit_code == 0, result.output
    printed = json.loads(result.stdout)
    assert [list(r.values()) for r in printed["rows"]] == EXPECTED_ROWS and printed["frozen"] is False
    result = runner.invoke(args=["coverage", "--year", "2025", "--format", "csv"])
    assert result.exit_code == 0
    assert result.stdout_bytes == to_csv(coverage_table(YEAR))


def test_coverage_command_writes_xlsx_only_to_a_file(runner, db, province, tmp_path):
    refused = runner.invoke(args=["coverage", "--year", "2025", "--format", "xlsx"])
    assert refused.exit_code == 1 and "--out" in refused.output
    out = tmp_path / "bao-cao.xlsx"
    result = runner.invoke(args=["coverage", "--year", "2025", "--format", "xlsx", "--out", str(out)])
    assert result.exit_code == 0, result.output
    book = load_workbook(out)
    assert book.active["A1"].value == "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
    assert [c.value for c in book["data"][1]] == list(COLUMNS)


def test_coverage_command_as_of_a_day_in_either_date_format(runner, db, province):
    for written in ("2025-10-31", "31/10/2025"):
        result = runner.invoke(args=["coverage", "--year", "2025", "--as-of", written, "--format", "json"])
        assert result.exit_code == 0, result.output
        printed = json.loads(result.stdout)
        # on 31/10 AG-B's newcomer is not overdue yet (deadline 30/11): nothing due there
        assert printed["as_of"] == "2025-10-31" and printed["rows"][2]["obligations_due"] == 0


@pytest.mark.parametrize("args,code,message", [
    (["--year", str(today().year + 1)], 1, "in the future"),
    (["--year", "2025", "--as-of", "2024-06-30"], 1, "must be a day of 2025"),
    (["--year", "2025", "--as-of", "31/02/2025"], 2, "is not a date"),  # a usage error
])
def test_coverage_command_refuses_a_future_year_or_a_bad_date(runner, db, province, args, code, message):
    result = runner.invoke(args=["coverage", *args, "--format", "json"])
    assert result.exit_code == code and message in result.output
    assert result.stdout == ""


def test_coverage_command_prints_the_frozen_table_unless_asked_for_live(runner, db, province):
    freeze_year(YEAR, None)
    db.session.commit()
    make_person(agency=make_agency("AG-D", valid_from=date(2020, 1, 1)), start=date(2024, 1, 1))
    db.session.commit()
    frozen = json.loads(runner.invoke(args=["coverage", "--year", "2025", "--format", "json"]).stdout)
    live = json.loads(runner.invoke(args=["coverage", "--year", "2025", "--format", "json", "--live"]).stdout)
    assert (frozen["frozen"], frozen["frozen_by"], len(frozen["rows"])) == (True, "CLI", 4)
    assert (live["frozen"], live["frozen_at"], len(live["rows"])) == (False, None, 5)


def test_obligations_check_prints_the_rules_or_names_the_bad_key(runner, db, tmp_path):
    result = runner.invoke(args=["obligations", "check"])
    assert result.exit_code == 0, result.output
    assert "inspection_share: 0.3" in result.stdout and "refresher_roles: leader, iso_secretary" in result.stdout
    broken = tmp_path / "obligations.yml"
    broken.write_text("onboarding: {course: ISO-01, within_days: sixty}\n", encoding="utf-8")
    result = runner.invoke(args=["obligations", "check", str(broken)])
    assert result.exit_code == 1 and "onboarding.within_days" in result.output
