"""Problems found in an import file, and the checks every cell goes through."""
from __future__ import annotations

import re
from datetime import date
from typing import NamedTuple

from flask_babel import gettext as _

from app.core.dates import format_date, parse_date
from app.core.text import text_problem

#: beyond this many problems only the count grows: a broken 6M-row file must not fill the memory
MAX_KEPT_PROBLEMS = 10_000
CODE_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*\Z")
EMAIL_RE = re.compile(r"[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+\Z")
TRUE_WORDS = {"1", "true", "có", "co"}
FALSE_WORDS = {"0", "false", "không", "khong"}


class Problem(NamedTuple):
    """One thing wrong: row as numbered in the file (header = 1; 0 = the file as a whole)."""

    row: int
    column: str
    message: str

    def __str__(self) -> str:
        if self.row == 0:
            return f"file: {self.message}"
        if not self.column:
            return f"row {self.row}: {self.message}"
        return f"row {self.row}, column {self.column}: {self.message}"


class Problems:
    """Collects problems; keeps the first MAX_KEPT_PROBLEMS, counts them all."""

    def __init__(self) -> None:
        self.kept: list[Problem] = []
        self.count = 0

    def add(self, row: int, column: str, message: str) -> None:
        self.count += 1
        if len(self.kept) < MAX_KEPT_PROBLEMS:
            self.kept.append(Problem(row, column, message))

    def __bool__(self) -> bool:
        return self.count > 0

    def sorted(self) -> list[Problem]:
        return sorted(self.kept, key=lambda p: (p.row, p.column))


class Cells:
    """The cells of one row, read column by column; each bad cell adds a problem and gives None."""

    def __init__(self, number: int, values: dict[str, str], problems: Problems) -> None:
        self.number, self.values, self.problems = number, values, problems
        self.ok = True

    def fail(self, column: str, message) -> None:
        self.ok = False
        self.problems.add(self.number, column, str(message))

    def text(self, column: str, *, required: bool = True, max_len: int = 255, code: bool = False) -> str | None:
        """Free text or a code. Refuses what a spreadsheet would run as a formula, markup brackets and
        control characters: names and codes never contain them."""
        value = self.values.get(column, "")
        if not value:
            if required:
                self.fail(column, _("không được để trống"))
            return None
        if code:
            if len(value) <= max_len and CODE_RE.match(value):
                return value
            problem = text_problem(value, max_len) or _("mã chỉ gồm chữ không dấu, chữ số và các dấu . _ -")
        else:
            problem = text_problem(value, max_len)
            if problem is None:
                return value  # the common case, one regular expression per cell
        self.fail(column, problem)
        return None

    def email(self, column: str) -> str | None:
        value = self.text(column, required=False, max_len=254)
        if value and not EMAIL_RE.match(value):
            self.fail(column, _("email không hợp lệ"))
            return None
        return value

    def date(self, column: str, *, required: bool = True) -> date | None:
        value = self.values.get(column, "")
        if not value:
            if required:
                self.fail(column, _("không được để trống"))
            return None
        parsed = parse_date(value)
        if parsed is None:
            self.fail(column, _("ngày không hợp lệ “%(value)s” (viết YYYY-MM-DD hoặc dd/mm/yyyy)",
                                value=value[:40]))
        return parsed

    def score(self, column: str) -> int | None:
        value = self.values.get(column, "")
        if not value:
            return None
        try:
            number = int(value)
        except ValueError:
            number = -1
        if not 0 <= number <= 100:
            self.fail(column, _("điểm phải là số nguyên từ 0 đến 100"))
            return None
        return number

    def flag(self, column: str, *, default: bool = True) -> bool | None:
        value = self.values.get(column, "").lower()
        if not value:
            return default
        if value in TRUE_WORDS:
            return True
        if value in FALSE_WORDS:
            return False
        self.fail(column, _("chỉ nhận 1/0, true/false hoặc có/không"))
        return None

    def choice(self, column: str, allowed, message, *, default: str | None = None) -> str | None:
        """One of `allowed` (case-insensitive); `message` is a lazy string, built only on failure."""
        value = self.values.get(column, "")
        if not value and default is not None:
            return default
        if value.lower() in allowed:
            return value.lower()
        self.fail(column, message)
        return None


def period_text(start: date, end: date | None) -> str:
    return f"{format_date(start)} – {format_date(end) if end else '…'}"
