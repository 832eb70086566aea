"""Training rules quoted in course text.

The rules the platform enforces live in courses/obligations.yml. Course text that states them must do
so through placeholders such as ``{{ onboarding.within_days }}``, filled in from the current rules each
time a page is served, so the text and the gap report cannot drift apart. The check below finds
sentences that state a rule with literal values instead, so `flask courses check` can refuse them.
"""
from __future__ import annotations

import re
from collections.abc import Iterable

from flask_babel import force_locale
from markupsafe import Markup, escape

from app.core.labels import role_label
from app.coverage.rules import Rules

PLACEHOLDER_RE = re.compile(r"\{\{\s*([a-z_]+\.[a-z_]+)\s*\}\}")
#: the placeholders an author may write, with what each one stands for (shown by `courses check`)
PLACEHOLDERS = {
    "onboarding.course": "the course a newcomer must complete",
    "onboarding.within_days": "days a newcomer has to complete it",
    "secretary.course": "the course an ISO secretary must complete",
    "secretary.within_days": "days a new ISO secretary has to complete it",
    "refresher.course": "the course to complete every year",
    "refresher.roles": "who takes the yearly course",
    "inspection.percent": "share of agencies DOST plans to inspect on site each year",
    "obligations.table": "the table of all three rules (on a line of its own)",
}
BLOCK_PLACEHOLDERS = {"obligations.table"}

# What a sentence is about (a course, or one of the courses the rules name) ...
_SUBJECT_RE = re.compile(
    r"\b[A-Z]{2,}-\d{2,}\b|khóa (?:này|học này|học bắt buộc|nhập môn|nghiệp vụ|cập nhật)|"
    r"(?:this|onboarding|refresher|mandatory) course",
    re.IGNORECASE,
)
# ... and a deadline or a duty stated with it.
_DUTY_RE = re.compile(
    r"\b\d+\s*ngày\b|hằng năm|hàng năm|mỗi năm|\b\d+\s*[–-]\s*\d+\s*năm\b|bắt buộc|phải học|"
    r"\b\d+\s*days\b|every year|yearly|annually|mandatory|compulsory",
    re.IGNORECASE,
)
# A percentage said to be the platform's setting (the inspection share), within one clause.
_SETTING_WORDS = r"(?:nền tảng|cấu hình|mặc định|hiện đặt|platform|configur\w*|default)"
_PERCENT = r"\b\d+(?:[.,]\d+)?\s*%"
_SETTING_RE = re.compile(rf"{_SETTING_WORDS}[^.;|\n]{{0,60}}?{_PERCENT}|{_PERCENT}[^.;|\n]{{0,60}}?{_SETTING_WORDS}",
                         re.IGNORECASE)
_SENTENCE_END_RE = re.compile(r"(?<=[.!?;])\s+")
_UNIT_START_RE = re.compile(r"^\s*(?:[-*+]\s|\d+[.)]\s|#|\|)")


def _units(lines: Iterable[tuple[int, str]]) -> Iterable[tuple[int, str]]:
    """(first line number, text) of each paragraph, list item, heading and table row."""
    start, parts = 0, []
    for no, line in lines:
        if not line.strip() or _UNIT_START_RE.match(line):
            if parts:
                yield start, "\n".join(parts)
            start, parts = no, []
        if line.strip():
            if not parts:
                start = no
            parts.append(line)
            if line.lstrip().startswith(("#", "|")):
                yield start, "\n".join(parts)
                parts = []
    if parts:
        yield start, "\n".join(parts)


def _sentences(text: str) -> Iterable[tuple[int, str]]:
    """(line offset inside text, sentence) of each sentence; a table row is one sentence."""
    if text.lstrip().startswith("|"):
        yield 0, text
        return
    position = 0
    for sentence in _SENTENCE_END_RE.split(text):
        at = text.find(sentence, position)
        position = at + len(sentence)
        yield text.count("\n", 0, max(at, 0)), sentence


def rule_text_problems(lines: Iterable[tuple[int, str]], headings_allowed: bool = True) -> list[tuple[int, str]]:
    """(line, message) for every unknown or misplaced placeholder and every sentence that states a
    training rule with literal values. `lines` are (line number, text) outside code fences."""
    found = []
    for start, unit in _units(lines):
        is_heading = unit.lstrip().startswith("#")
        for match in PLACEHOLDER_RE.finditer(unit):
            line = start + unit.count("\n", 0, match.start())
            name = match.group(1)
            if name not in PLACEHOLDERS:
                found.append((line, f"unknown placeholder '{{{{ {name} }}}}' (use one of: {', '.join(PLACEHOLDERS)})"))
            elif is_heading or not headings_allowed:
                found.append((line, f"placeholder '{{{{ {name} }}}}' cannot be used here; use it in the text"))
            elif name in BLOCK_PLACEHOLDERS and unit.strip() != match.group(0):
                found.append((line, f"'{{{{ {name} }}}}' must be a paragraph of its own"))
        for offset, sentence in _sentences(unit):
            bare = PLACEHOLDER_RE.sub(" ", sentence)
            states_rule = bool(_SUBJECT_RE.search(bare) and _DUTY_RE.search(bare))
            states_setting = bool(_SETTING_RE.search(" ".join(bare.split())))
            if states_rule or states_setting:
                quoted = " ".join(bare.split())[:80]
                found.append((start + offset,
                              f"states a training rule with literal values (\"{quoted}\"); quote the rules of "
                              "courses/obligations.yml through placeholders such as {{ onboarding.within_days }}, "
                              "or reword"))
    return found


# Filling in ----------------------------------------------------------------------------------------

def _percent(share: float) -> str:
    text = f"{share * 100:.1f}".rstrip("0").rstrip(".").replace(".", ",")
    return f"{text} %"


def _roles(rules: Rules) -> str:
    """"lãnh đạo và Thư ký ISO": the roles as they read inside a Vietnamese sentence."""
    with force_locale("vi"):  # course text is Vietnamese whatever the interface language
        labels = [str(role_label(r)) for r in rules.refresher_roles]
    labels = [label if label.startswith("Thư ký") else label[0].lower() + label[1:] for label in labels]
    return labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + " và " + labels[-1]


def _table(rules: Rules) -> Markup:
    roles = _roles(rules)
    rows = [
        ("Người lần đầu được phân công công tác tại một cơ quan trong phạm vi HTQLCL", rules.onboarding_course,
         f"Trong {rules.onboarding_days} ngày kể từ ngày bắt đầu công tác; kết quả học trước ngày đó vẫn được tính"),
        ("Người được giao vai trò Thư ký ISO", rules.secretary_course,
         f"Trong {rules.secretary_days} ngày kể từ ngày nhận vai trò; kết quả học trước đó vẫn được tính"),
        (f"{roles[:1].upper()}{roles[1:]} (vai trò giữ tại ngày tham chiếu của năm)", rules.refresher_course,
         "Mỗi năm một lần, ngày hoàn thành nằm trong năm đó"),
    ]
    body = Markup("").join(Markup("<tr><td>{}</td><td>{}</td><td>{}</td></tr>").format(*row) for row in rows)
    return Markup('<table class="rules"><thead><tr><th scope="col">Đối tượng</th><th scope="col">Khóa học</th>'
                  '<th scope="col">Thời hạn</th></tr></thead><tbody>{}</tbody></table>').format(body)


def values(rules: Rules) -> dict[str, str]:
    return {
        "onboarding.course": rules.onboarding_course,
        "onboarding.within_days": str(rules.onboarding_days),
        "secretary.course": rules.secretary_course,
        "secretary.within_days": str(rules.secretary_days),
        "refresher.course": rules.refresher_course,
        "refresher.roles": _roles(rules),
        "inspection.percent": _percent(rules.inspection_share),
    }


def fill_rules(html: str, rules: Rules) -> Markup:
    """Stored course HTML with its placeholders replaced by the current rules (HTML-escaped)."""
    if "{{" not in html:
        return Markup(html)
    if "obligations.table" in html:
        html = re.sub(r"<p>\{\{\s*obligations\.table\s*\}\}</p>", lambda _m: str(_table(rules)), html)
    known = values(rules)
    return Markup(PLACEHOLDER_RE.sub(lambda m: str(escape(known.get(m.group(1), m.group(0)))), html))
