"""Reading CSV (UTF-8) and XLSX files lazily, as (row number, {column: text}) pairs."""
from __future__ import annotations

import csv
import io
import os
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import BinaryIO
from unicodedata import normalize

from flask_babel import gettext as _

from app.imports.fields import Problem, Problems

SNIFF_BYTES = 64 * 1024
#: an XLSX is a zip; refuse one that unpacks to more than this many times its size (a zip bomb)
MAX_XLSX_RATIO = 40


class ImportFileError(ValueError):
    """The file as a whole cannot be read (wrong type, encoding or header); nothing was imported."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(p.message for p in problems))
        self.problems = problems


def _file_error(message: str, row: int = 0, column: str = "") -> ImportFileError:
    return ImportFileError([Problem(row, column, message)])


@dataclass
class ImportSource:
    """An uploaded file kept in memory (web) or a path on disk (CLI, streamed)."""

    filename: str
    data: bytes | None = None
    path: str | None = None

    def open(self) -> BinaryIO:
        return io.BytesIO(self.data) if self.data is not None else open(self.path, "rb")

    @property
    def size(self) -> int:
        return len(self.data) if self.data is not None else os.path.getsize(self.path)


def detect_format(head: bytes) -> str:
    """'csv' or 'xlsx' from the first bytes of a file; raises ImportFileError for anything else."""
    if not head.strip():
        raise _file_error(_("Tệp trống."))
    if head.startswith(b"PK\x03\x04"):
        return "xlsx"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise _file_error(_("Đây là tệp Excel cũ (.xls): hãy lưu lại thành .xlsx hoặc CSV UTF-8."))
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise _file_error(_("Tệp không phải UTF-8 (đang là UTF-16): hãy lưu lại thành CSV UTF-8."))
    if b"\x00" in head:
        raise _file_error(_("Tệp không phải CSV hoặc XLSX: chỉ nhận tệp .csv (UTF-8) hoặc .xlsx."))
    return "csv"


def _clean(value) -> str:
    """A cell as stripped NFC text; spreadsheet dates become YYYY-MM-DD, whole numbers lose '.0'."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return normalize("NFC", str(value)).strip()


class TableReader:
    """Rows of one CSV or XLSX file checked against the expected header. Read it as many times as
    needed with rows(); each pass streams the file again. `position`/`total` follow the progress
    (bytes for CSV, rows for XLSX)."""

    def __init__(self, source: ImportSource, columns: tuple[str, ...]) -> None:
        self.source, self.columns = source, columns
        with source.open() as stream:
            head = stream.read(SNIFF_BYTES)
        self.format = detect_format(head)
        self.position = 0
        self.total = source.size
        if self.format == "xlsx":
            self._check_zip()

    def rows(self, problems: Problems) -> Iterator[tuple[int, dict[str, str]]]:
        """(row number, {column: value}) for every non-empty data row. Rows with more cells than the
        header are reported in `problems` and skipped. Raises ImportFileError for a bad header,
        encoding or file structure."""
        self.position = 0
        raw_rows = self._xlsx_rows() if self.format == "xlsx" else self._csv_rows()
        header: list[str] | None = None
        for number, cells in raw_rows:
            if header is None:
                header = self._check_header(cells)
                continue
            if not any(cells):
                continue
            if any(cells[len(header):]):
                problems.add(number, "", _("dòng có nhiều ô hơn dòng tiêu đề"))
                continue
            yield number, {name: (cells[i] if i < len(cells) else "") for i, name in enumerate(header)}
        if header is None:
            raise _file_error(_("Tệp trống."))

    def _check_header(self, cells: list[str]) -> list[str]:
        names = [c.lower() for c in cells]
        while names and not names[-1]:
            names.pop()
        problems = [Problem(1, c, _("thiếu cột “%(name)s”", name=c)) for c in self.columns if c not in names]
        problems += [Problem(1, n or "?", _("cột không có trong mẫu: “%(name)s”", name=n[:40]))
                     for n in names if n not in self.columns]
        problems += [Problem(1, n, _("cột “%(name)s” xuất hiện hai lần", name=n))
                     for i, n in enumerate(names) if n in self.columns and n in names[:i]]
        if problems:
            raise ImportFileError(problems)
        return names

    def _csv_rows(self) -> Iterator[tuple[int, list[str]]]:
        with self.source.open() as stream:
            reader = csv.reader(self._decoded_lines(stream), delimiter=self._delimiter())
            number = 0
            try:
                for record in reader:
                    number += 1
                    yield number, [normalize("NFC", c).strip() for c in record]
            except csv.Error as exc:
                raise _file_error(_("Tệp CSV hỏng ở dòng %(n)d: %(why)s", n=reader.line_num, why=str(exc))) from exc

    def _decoded_lines(self, stream: BinaryIO) -> Iterator[str]:
        """Lines decoded one at a time, so a wrong encoding is reported with its line and byte."""
        offset = 0
        for line_no, raw in enumerate(stream, start=1):
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise _file_error(_(
                    "Tệp không phải UTF-8 (dòng %(line)d, byte %(byte)d). Hãy lưu lại dưới dạng "
                    "“CSV UTF-8”.", line=line_no, byte=offset + exc.start + 1)) from exc
            offset += len(raw)
            self.position = offset
            yield text.lstrip("\ufeff") if line_no == 1 else text

    def _delimiter(self) -> str:
        """Comma, or semicolon/tab when the header row uses those (Excel in some locales)."""
        with self.source.open() as stream:
            first = stream.readline(SNIFF_BYTES).decode("utf-8", "replace")
        counts = {d: first.count(d) for d in (",", ";", "\t")}
        return max(counts, key=lambda d: (counts[d], d == ","))

    def _check_zip(self) -> None:
        try:
            with self.source.open() as stream, zipfile.ZipFile(stream) as archive:
                infos = archive.infolist()
        except zipfile.BadZipFile as exc:
            raise _file_error(_("Tệp XLSX bị hỏng hoặc không phải XLSX.")) from exc
        names = {i.filename for i in infos}
        if "xl/workbook.xml" not in names:
            raise _file_error(_("Tệp không phải CSV hoặc XLSX: chỉ nhận tệp .csv (UTF-8) hoặc .xlsx."))
        if sum(i.file_size for i in infos) > MAX_XLSX_RATIO * max(self.source.size, 1_000_000):
            raise _file_error(_("Tệp XLSX giải nén ra quá lớn; hãy chia nhỏ hoặc dùng CSV."))

    def _xlsx_rows(self) -> Iterator[tuple[int, list[str]]]:
        from openpyxl import load_workbook

        with self.source.open() as stream:
            try:
                # data_only=False: a formula arrives as its text ("=HYPERLINK(…)") and is refused
                book = load_workbook(stream, read_only=True, data_only=False)
            except Exception as exc:  # openpyxl raises many types for a damaged file
                raise _file_error(_("Tệp XLSX bị hỏng hoặc không phải XLSX.")) from exc
            try:
                sheet = book.worksheets[0]
                self.total = sheet.max_row or 0
                rows = enumerate(sheet.iter_rows(min_row=1, values_only=True), start=1)
                while True:
                    try:
                        number, values = next(rows)
                    except StopIteration:
                        break
                    except Exception as exc:  # damaged sheet XML
                        raise _file_error(_("Tệp XLSX bị hỏng hoặc không phải XLSX.")) from exc
                    self.position = number
                    yield number, [_clean(v) for v in values]
            finally:
                book.close()
