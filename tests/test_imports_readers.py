"""Reading import files: encodings, XLSX, headers, hostile cells; and the safe export helpers."""
import csv
import io
import os
from datetime import date, datetime

import pytest

from app.core.spreadsheets import csv_bytes as export_csv, neutralise
from app.imports.fields import Problems, parse_date
from app.imports.readers import ImportFileError, ImportSource, TableReader
from tests.factories import make_agency
from tests.imports_support import csv_bytes, problems, run, table_counts, xlsx_bytes

STAFF = ("staff_code", "full_name", "email", "agency_code", "roles", "start_date", "end_date")


def read(data: bytes, columns=STAFF) -> tuple[list, Problems]:
    found = Problems()
    rows = list(TableReader(ImportSource("f", data=data), columns).rows(found))
    return rows, found


def file_error(data: bytes, columns=STAFF) -> str:
    with pytest.raises(ImportFileError) as caught:
        read(data, columns)
    return str(caught.value)


@pytest.fixture
def agency(db):
    agency = make_agency("XA-A", name="UBND xã A", valid_from=date(2010, 1, 1))
    db.session.commit()
    return agency


# --- spreadsheets.py (also used by the coverage exports) ---

@pytest.mark.parametrize("value,expected", [
    ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"), ("+84 912", "'+84 912"), ("-1", "'-1"),
    ("@SUM(A1)", "'@SUM(A1)"), ("\tx", "'\tx"), ("\rx", "'\rx"),
    ("Nguyễn Văn An", "Nguyễn Văn An"), ("a=b", "a=b"), ("", ""), (42, 42), (None, None),
    (date(2025, 7, 1), date(2025, 7, 1)),
])
def test_neutralise_prefixes_an_apostrophe_only_to_text_a_spreadsheet_would_run(value, expected):
    assert neutralise(value) == expected


def test_csv_bytes_is_utf8_with_bom_crlf_and_neutralised_cells():
    data = export_csv(["mã", "tên"], [["A-1", "=cmd|' /C calc'!A0"], ["B", None]])
    assert data.startswith(b"\xef\xbb\xbf")
    text = data[3:].decode("utf-8")
    assert text == "mã,tên\r\nA-1,'=cmd|' /C calc'!A0\r\nB,\r\n"
    assert list(csv.reader(io.StringIO(text)))[1] == ["A-1", "'=cmd|' /C calc'!A0"]


# --- reading ---

def test_csv_rows_are_numbered_as_in_the_file_and_empty_lines_skipped():
    data = csv_bytes("staff", " S1 , Nguyễn Văn An ,,XA-A,,2025-07-01,", "", ",,,,,,", "S2,Lê Bình,,XA-A,,2025-07-01,")
    rows, found = read(data)
    assert [n for n, _v in rows] == [2, 5]
    assert rows[0][1]["staff_code"] == "S1" and rows[0][1]["full_name"] == "Nguyễn Văn An"
    assert not found


def test_bom_and_no_bom_read_the_same():
    line = "S1,Nguyễn Văn An,,XA-A,,2025-07-01,"
    assert read(csv_bytes("staff", line, bom=True)) [0] == read(csv_bytes("staff", line))[0]


def test_semicolon_separated_csv_from_excel_is_read():
    data = ("\ufeff" + ";".join(STAFF) + "\r\nS1;Nguyễn Văn An;;XA-A;\"leader;iso_secretary\";01/07/2025;\r\n").encode()
    rows, _found = read(data)
    assert rows[0][1]["roles"] == "leader;iso_secretary" and rows[0][1]["start_date"] == "01/07/2025"


@pytest.mark.parametrize("encoding", ["cp1258", "latin-1"])
def test_a_file_not_in_utf8_is_refused_naming_the_line_and_byte(encoding):
    text = ",".join(STAFF) + "\nS1,Tran Van An,,XA-A,,2025-07-01,\nS2,Lê Bé,,XA-A,,2025-07-01,\n"
    data = text.encode(encoding)
    message = file_error(data)
    assert message.startswith("Tệp không phải UTF-8 (dòng 3, byte ")
    offset = int(message.split("byte ")[1].split(")")[0])
    assert data[offset - 1:offset] == "ê".encode(encoding)  # the byte named is the first one that is not UTF-8


def test_ten_megabytes_of_random_bytes_are_refused_quickly():
    message = file_error(os.urandom(10 * 1024 * 1024))
    assert "không phải" in message  # "Tệp không phải CSV hoặc XLSX" or, without a NUL byte, "… UTF-8"


def test_an_old_xls_and_a_utf16_file_get_their_own_explanation():
    assert ".xls" in file_error(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600)
    assert "UTF-16" in file_error(",".join(STAFF).encode("utf-16"))


def test_an_empty_file_and_a_zip_that_is_not_a_workbook_are_refused():
    assert file_error(b"") == "Tệp trống."
    buffer = io.BytesIO()
    import zipfile
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "xin chào")
    assert "không phải CSV hoặc XLSX" in file_error(buffer.getvalue())


def test_missing_and_unknown_columns_are_named():
    data = "staff_code,full_name,mail,agency_code,roles,start_date,end_date\n".encode()
    with pytest.raises(ImportFileError) as caught:
        read(data)
    assert [tuple(p) for p in caught.value.problems] == [
        (1, "email", "thiếu cột “email”"), (1, "mail", "cột không có trong mẫu: “mail”")]


def test_a_row_with_more_cells_than_the_header_is_reported():
    rows, found = read(csv_bytes("staff", "S1,An,,XA-A,,2025-07-01,,surplus"))
    assert rows == [] and found.kept[0][:2] == (2, "")


def test_xlsx_rows_read_like_csv_with_dates_and_numbers_as_text():
    data = xlsx_bytes("staff", ("S1", "Nguyễn Văn An", None, "XA-A", None, datetime(2025, 7, 1), "31/12/2025"),
                      (None,) * 7, ("S2", "Lê Bình", None, "XA-A", "leader", date(2025, 7, 2), None))
    rows, _found = read(data)
    assert [n for n, _v in rows] == [2, 4]
    assert rows[0][1]["start_date"] == "2025-07-01" and rows[0][1]["end_date"] == "31/12/2025"
    assert rows[1][1]["start_date"] == "2025-07-02"


@pytest.mark.parametrize("text,expected", [
    ("2025-07-01", date(2025, 7, 1)), ("01/07/2025", date(2025, 7, 1)), ("1/7/2025", date(2025, 7, 1)),
    ("2025-02-30", None), ("31/02/2025", None), ("07/01/25", None), ("hôm qua", None),
])
def test_dates_are_read_in_both_formats(text, expected):
    assert parse_date(text) == expected


# --- hostile cells, end to end ---

@pytest.mark.parametrize("cell,column,message", [
    ('"=HYPERLINK(""http://evil.example"",""Bấm vào đây"")"', "full_name",
     "không được bắt đầu bằng = + - @ (ô có thể là công thức bảng tính)"),
    ("@SUM(1+1)*cmd", "full_name", "không được bắt đầu bằng = + - @ (ô có thể là công thức bảng tính)"),
    ("<script>alert(1)</script>", "full_name", "không được chứa ký tự < hoặc >"),
    ('"Nguyễn\x07Văn"', "full_name", "có ký tự điều khiển (xuống dòng, tab…) không được phép"),
    ('"Nguyễn\nVăn"', "full_name", "có ký tự điều khiển (xuống dòng, tab…) không được phép"),
])
def test_hostile_names_are_refused_with_a_row_error(db, agency, cell, column, message):
    before = table_counts()
    report = run("staff", f"S1,{cell},,XA-A,,2025-07-01,")
    assert problems(report) == [(2, column, message)]
    assert table_counts() == before


def test_a_formula_in_an_xlsx_cell_arrives_as_text_and_is_refused(db, agency):
    data = xlsx_bytes("staff", ("S1", '=HYPERLINK("http://evil.example","x")', None, "XA-A", None, "2025-07-01", None))
    report = run("staff", data=data, filename="s.xlsx")
    assert problems(report)[0][:2] == (2, "full_name") and not report.applied


def test_the_same_content_as_xlsx_or_csv_gives_the_same_result(db, agency):
    rows = [("S1", "Nguyễn Văn An", "an@xa-a.gov.vn", "XA-A", "leader", "2025-07-01", ""),
            ("S2", "Lê Thị Bình", "", "XA-A", "", "01/08/2025", "31/12/2025")]
    from_csv = run("staff", *[",".join(r) for r in rows], dry_run=True)
    from_xlsx = run("staff", data=xlsx_bytes("staff", *rows), filename="s.xlsx", dry_run=True)
    assert from_xlsx.counts == from_csv.counts and from_xlsx.samples == from_csv.samples
    assert from_csv.counts["created"] == 2


def test_errors_in_csv_and_xlsx_carry_the_same_row_numbers(db, agency):
    rows = [("S1", "An", "", "XA-A", "", "2025-07-01", ""), ("", "", "", "", "", "", ""),
            ("S2", "Bình", "", "NOPE", "", "2025-07-01", "")]
    from_csv = run("staff", *[",".join(r) for r in rows])
    from_xlsx = run("staff", data=xlsx_bytes("staff", *rows), filename="s.xlsx")
    assert problems(from_csv) == problems(from_xlsx) == [(4, "agency_code", "mã cơ quan không tồn tại: NOPE")]
