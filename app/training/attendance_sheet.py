"""The attendance sheet as a file: download the roster to fill in, upload it back (all or nothing)."""
from __future__ import annotations

import io
from dataclasses import dataclass, field
from unicodedata import normalize

from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font
from sqlalchemy import select

from app.accounts.models import Person
from app.core.spreadsheets import csv_bytes, neutralise
from app.extensions import db
from app.imports.fields import Problems
from app.imports.readers import ImportSource, TableReader
from app.training.models import ClassSeat, TrainingClass
from app.training.services import Mark

COLUMNS = ("staff_code", "full_name", "agency", "attendance", "score")
#: what a secretary may write in the attendance column, in either language, with or without marks
WORDS = {
    "present": ("present", "có mặt", "co mat", "x"),
    "absent": ("absent", "vắng", "vang", "vắng mặt", "vang mat"),
    "excused": ("excused", "vắng có phép", "vang co phep", "có phép", "co phep"),
}
ATTENDANCE_BY_WORD = {normalize("NFC", word): code for code, words in WORDS.items() for word in words}
SHOWN = {"present": "có mặt", "absent": "vắng", "excused": "vắng có phép"}


def _rows(seats: list[ClassSeat]):
    return [(s.person.staff_code, s.person.full_name, s.agency.name, SHOWN.get(s.attendance, ""),
             s.score) for s in seats]


def sheet(seats: list[ClassSeat], fmt: str) -> bytes:
    """The invited people of a class with what is ticked so far, as CSV or XLSX: header in row 1
    (the upload reads the same columns), every cell neutralised."""
    rows = _rows(seats)
    if fmt == "csv":
        return csv_bytes(COLUMNS, rows)
    book = Workbook()
    ws = book.active
    ws.title = _("Điểm danh")
    ws.append(list(COLUMNS))
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in rows:
        ws.append([neutralise(value) for value in row])
    for letter, width in zip("ABCDE", (16, 30, 40, 16, 8)):
        ws.column_dimensions[letter].width = width
    ws.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@dataclass
class SheetResult:
    marks: dict[int, Mark] = field(default_factory=dict)
    problems: Problems = field(default_factory=Problems)
    rows: int = 0


def read_sheet(klass: TrainingClass, source: ImportSource) -> SheetResult:
    """Read an uploaded attendance sheet against the class's invited people. Every row is checked;
    the marks are usable only when `problems` is empty. Raises ImportFileError for a file that
    cannot be read at all (type, encoding, header)."""
    result = SheetResult()
    reader = TableReader(source, COLUMNS)
    seats = {code: seat for code, seat in db.session.execute(
        select(Person.staff_code, ClassSeat).join(ClassSeat, ClassSeat.person_id == Person.id)
        .where(ClassSeat.class_id == klass.id, ClassSeat.status == "invited")).tuples()}
    seen: dict[str, int] = {}
    problems = result.problems
    for number, values in reader.rows(problems):
        result.rows += 1
        code = values["staff_code"]
        seat = seats.get(code)
        if not code:
            problems.add(number, "staff_code", _("không được để trống"))
            continue
        if seat is None:
            problems.add(number, "staff_code", _("“%(code)s” không có trong danh sách được mời của lớp này", code=code[:40]))
            continue
        if code in seen:
            problems.add(number, "staff_code", _("trùng với dòng %(n)d", n=seen[code]))
            continue
        seen[code] = number
        word = normalize("NFC", values["attendance"]).lower()
        attendance = ATTENDANCE_BY_WORD.get(word)
        if attendance is None:
            problems.add(number, "attendance", _("ghi “có mặt”, “vắng” hoặc “vắng có phép”")
                         if word else _("không được để trống"))
            continue
        score = None
        if values["score"]:
            try:
                score = int(values["score"])
            except ValueError:
                score = -1
            if not klass.has_test:
                problems.add(number, "score", _("lớp này không có bài kiểm tra: để trống cột điểm"))
                continue
            if not 0 <= score <= 100:
                problems.add(number, "score", _("điểm phải là số nguyên từ 0 đến 100"))
                continue
            if attendance != "present":
                problems.add(number, "score", _("chỉ ghi điểm cho người có mặt"))
                continue
        result.marks[seat.id] = Mark(attendance, score)
    if not result.rows:
        problems.add(0, "", _("Tệp không có dòng dữ liệu nào."))
    return result
