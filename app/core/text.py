"""The rule every writer applies to a name or another free-text field typed by a person: import
files, the people pages and the command line alike."""
from __future__ import annotations

import re

from flask_babel import gettext as _

from app.core.spreadsheets import FORMULA_STARTS

CONTROL_RE = re.compile(r"[\x00-\x1f\x7f]")
#: anything such a field may not contain: a formula start, control characters, markup brackets
SUSPECT_RE = re.compile(r"\A[=+\-@]|[\x00-\x1f\x7f<>]")


def text_problem(value: str, max_len: int = 255) -> str | None:
    """Why `value` cannot be stored as a name or free text (in Vietnamese), or None when it can.
    Names never start like a spreadsheet formula, hold control characters or < >."""
    if len(value) <= max_len and not SUSPECT_RE.search(value):
        return None  # the common case, one regular expression
    if value.startswith(FORMULA_STARTS):
        return _("không được bắt đầu bằng = + - @ (ô có thể là công thức bảng tính)")
    if CONTROL_RE.search(value):
        return _("có ký tự điều khiển (xuống dòng, tab…) không được phép")
    if "<" in value or ">" in value:
        return _("không được chứa ký tự < hoặc >")
    return _("dài quá %(n)d ký tự", n=max_len)
