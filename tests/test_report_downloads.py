"""The completion table by agency has a year and downloads; the drill-down to people downloads too.
Numbers by hand from a small province: A with four people, B with nobody."""
import csv
import io
from datetime import date

import pytest
from openpyxl import load_workbook

from app.completions.services import record_completion
from app.core.dates import today
from tests.factories import make_agency, make_person

YEAR = 2025


@pytest.fixture
def province(db, courses):
    """On 31/12/2025 A has Trần Văn Hùng (leader: FX-01), Nguyễn Văn An (FX-01 and FX-02), Phạm Văn Ân
    and Ngô Thị Bình (nothing): FX-01 2 of 4 (50.0 %), FX-02 1 of 4 (25.0 %). B has nobody."""
    a = make_agency("A", name="UBND xã A", valid_from=date(2020, 1, 1))
    make_agency("B", name="UBND xã B", valid_from=date(2020, 1, 1))
    hung = make_person(agency=a, roles=("leader",), full_name="Trần Văn Hùng")
    an = make_person(agency=a, full_name="Nguyễn Văn An")
    make_person(agency=a, full_name="Phạm Văn Ân")
    make_person(agency=a, full_name="Ngô Thị Bình")
    record_completion(hung.id, courses["FX-01"], date(2025, 9, 1), score=90)
    record_completion(an.id, courses["FX-01"], date(2025, 9, 2), score=80)
    record_completion(an.id, courses["FX-02"], date(2025, 9, 3), score=100)
    record_completion(an.id, courses["FX-02"], date(2026, 1, 5), score=100)  # after the year: not counted
    make_person("sokhcn", access_role="dost")
    db.session.commit()
    return {"hung": hung, "an": an}


def read_csv(response) -> list[list[str]]:
    assert response.status_code == 200 and response.data.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"), newline="")))


def test_the_agency_table_takes_a_year_and_counts_on_its_last_day(client, login, province):
    login("sokhcn")
    page = client.get(f"/reports/agencies?year={YEAR}").text
    assert "Hoàn thành đào tạo theo cơ quan năm 2025" in page and "ngày 31/12/2025" in page
    assert '<option value="2025" selected>' in page
    assert f'href="/reports/agencies.xlsx?year={YEAR}"' in page and f'href="/reports/agencies.csv?year={YEAR}"' in page
    assert client.get(f"/reports/agencies?year={today().year + 1}").status_code == 404


def test_the_agency_table_csv_for_people_reads_in_vietnamese_with_totals(client, login, province):
    login("sokhcn")
    lines = read_csv(client.get(f"/reports/agencies.csv?year={YEAR}"))
    assert lines == [
        ["Mã cơ quan", "Tên cơ quan", "Loại", "Mã cơ quan cấp trên", "Số người", "FX-01: đã hoàn thành",
         "FX-01: tỷ lệ (%)", "FX-02: đã hoàn thành", "FX-02: tỷ lệ (%)"],
        ["A", "UBND xã A", "UBND xã / phường / đặc khu", "", "4", "2", "50.0 %", "1", "25.0 %"],
        ["B", "UBND xã B", "UBND xã / phường / đặc khu", "", "0", "0", "—", "0", "—"],
        ["Tổng cộng", "", "", "", "4", "2", "50.0 %", "1", "25.0 %"],
    ]


def test_the_agency_table_machine_csv_and_xlsx_keep_codes_for_systems(client, login, province):
    login("sokhcn")
    assert read_csv(client.get(f"/reports/agencies.csv?year={YEAR}&format=machine")) == [
        ["agency_code", "agency_name", "agency_type", "parent_code", "headcount", "done_FX-01", "done_FX-02"],
        ["A", "UBND xã A", "UBND_XA", "", "4", "2", "1"],
        ["B", "UBND xã B", "UBND_XA", "", "0", "0", "0"],
    ]
    book = load_workbook(io.BytesIO(client.get(f"/reports/agencies.xlsx?year={YEAR}").data))
    report = [list(r) for r in book.active.iter_rows(values_only=True)]
    assert report[0][0] == "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" and report[4][0].endswith("NĂM 2025")
    assert report[7][:3] == ["Mã cơ quan", "Tên cơ quan", "Loại"]
    assert report[8] == ["A", "UBND xã A", "UBND xã / phường / đặc khu", None, 4, 2, 50.0, 1, 25.0]
    data = [list(r) for r in book["data"].iter_rows(values_only=True)]
    assert data[1] == ["A", "UBND xã A", "UBND_XA", None, 4, 2, 1]


def test_the_agency_table_download_is_a_fixed_number_of_statements(client, login, db, province, count_queries):
    for n in range(5):
        make_person(agency=make_agency(f"X-{n}", valid_from=date(2020, 1, 1)))
    db.session.commit()
    login("sokhcn")
    with count_queries() as queries:
        assert client.get(f"/reports/agencies.xlsx?year={YEAR}").status_code == 200
    # the user, the courses, the agencies with their headcount, the done counts
    assert len(queries) == 4


def test_the_drill_down_downloads_each_person_and_obligation_overdue_first_then_by_given_name(client, login,
                                                                                             province):
    login("sokhcn")
    page = client.get(f"/reports/coverage/agency/A?year={YEAR}").text
    assert f'href="/reports/coverage/agency/A/people.xlsx?year={YEAR}"' in page
    lines = read_csv(client.get(f"/reports/coverage/agency/A/people.csv?year={YEAR}"))
    assert lines[0] == ["STT", "Họ và tên", "Mã công chức", "Vai trò", "Khóa học", "Nghĩa vụ", "Bắt đầu từ", "Hạn",
                        "Ngày hoàn thành", "Tình trạng"]
    hung = province["hung"].staff_code
    assert lines[1] == ["1", "Trần Văn Hùng", hung, "Lãnh đạo", "ISO-01", "Nhập môn cho công chức mới",
                        "01/07/2025", "30/08/2025", "—", "Quá hạn"]
    assert lines[2] == ["1", "Trần Văn Hùng", hung, "Lãnh đạo", "ISO-05", "Cập nhật hằng năm",
                        "01/01/2025", "31/12/2025", "—", "Quá hạn"]
    # one overdue obligation each: An, Ân, Bình in Vietnamese order of given names
    assert [(line[0], line[1], line[3]) for line in lines[3:]] == [
        ("2", "Nguyễn Văn An", "Công chức"), ("3", "Phạm Văn Ân", "Công chức"), ("4", "Ngô Thị Bình", "Công chức")]


def test_the_drill_down_machine_csv_and_xlsx(client, login, province):
    login("sokhcn")
    lines = read_csv(client.get(f"/reports/coverage/agency/A/people.csv?year={YEAR}&format=machine"))
    assert lines[0] == ["staff_code", "full_name", "roles", "rule", "course_code", "since", "due", "completed_on",
                        "status"]
    assert lines[1] == [province["hung"].staff_code, "Trần Văn Hùng", "leader", "onboarding", "ISO-01",
                        "2025-07-01", "2025-08-30", "", "overdue"]
    book = load_workbook(io.BytesIO(client.get(f"/reports/coverage/agency/A/people.xlsx?year={YEAR}").data))
    ws = book.active
    assert ws["A1"].value == "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
    assert ws["A6"].value == "UBND xã A (A) · UBND xã / phường / đặc khu"
    assert ws["A8"].value == "Nghĩa vụ đã hoàn thành: 0/5 (0.0 %)"
    assert book["data"].max_row == 6  # the header and five obligations


def test_a_person_without_obligations_still_has_a_row(client, login, db, province):
    out_of_scope = make_agency("C", name="Ban ngoài phạm vi", in_iso_scope=False, valid_from=date(2020, 1, 1))
    make_person(agency=out_of_scope, full_name="Lý Văn Ngoài")
    db.session.commit()
    login("sokhcn")
    lines = read_csv(client.get(f"/reports/coverage/agency/C/people.csv?year={YEAR}"))
    assert lines[1][1] == "Lý Văn Ngoài" and lines[1][5] == "Không có nghĩa vụ đào tạo nào."
