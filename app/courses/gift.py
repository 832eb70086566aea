"""Moodle GIFT import and export for our quiz.md question banks (see courses/README.md).

Only what quiz.md can hold is imported: single choice, multiple answers and true/false, each with
one or more clauses (from `[tag:dieu-7.5]` comments) and general feedback as the explanation.
Every other GIFT type is reported as a GiftProblem and skipped, never half-converted.
The rules follow Moodle's question/format/gift/format.php (docs: /work/shared/reference, section 8).
"""
from __future__ import annotations

import html
import re
from dataclasses import dataclass
from pathlib import Path

from app.courses.clauses import VALID_CLAUSES
from app.courses.loader import QID_RE, CourseReader, ParsedOption, ParsedQuestion, outside_fences

# Escaped characters become private-use placeholders so the parser never sees them as syntax.
_ESCAPABLE = "\\~=#{}:"
_PLACEHOLDER = {ch: chr(0xE000 + i) for i, ch in enumerate(_ESCAPABLE)}
_RESTORE = {v: k for k, v in _PLACEHOLDER.items()}
_ESCAPE_RE = re.compile(r"\\([\\~=#{}:n])")
_FORMAT_RE = re.compile(r"^\s*\[(markdown|html|plain|moodle)\]", re.IGNORECASE)
_NAME_RE = re.compile(r"^\s*::(.*?)::", re.DOTALL)
_WEIGHT_RE = re.compile(r"^\s*%(-?\d+(?:\.\d*)?)%")
_ID_RE = re.compile(r"\[id:([^\]]*)\]")
_TAG_RE = re.compile(r"\[tag:([^\]]*)\]")
_CLAUSE_TAG_RE = re.compile(r"^(?:dieu|clause)-(.+)$", re.IGNORECASE)
TRUE_TEXT, FALSE_TEXT = "Đúng", "Sai"


@dataclass(frozen=True)
class GiftProblem:
    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


class _Skip(Exception):
    """A question that cannot be imported; the message says why."""


# Parsing ------------------------------------------------------------------------------------------

def _protect(text: str) -> str:
    """Replace GIFT escapes with placeholders (a `\\n` escape becomes a real newline)."""
    return _ESCAPE_RE.sub(lambda m: "\n" if m.group(1) == "n" else _PLACEHOLDER[m.group(1)], text)


def _restore(text: str) -> str:
    return "".join(_RESTORE.get(ch, ch) for ch in text)


def _html_to_text(text: str) -> str:
    """Conservative HTML to text: line breaks and paragraphs kept, every other tag dropped."""
    text = re.sub(r"<br\s*/?>", "\n", text, flags=re.IGNORECASE)
    text = re.sub(r"</p>\s*<p[^>]*>", "\n\n", text, flags=re.IGNORECASE)
    text = re.sub(r"<[^>]*>", "", text)
    return html.unescape(text)


def _formatted(text: str, default: str = "moodle") -> tuple[str, str]:
    """Strip a `[format]` prefix; return (plain text with escapes restored, format)."""
    match = _FORMAT_RE.match(text)
    fmt = match.group(1).lower() if match else default
    if match:
        text = text[match.end():]
    text = _restore(text)
    if fmt == "html":
        text = _html_to_text(text)
    return text.strip(), fmt


def _blocks(text: str):
    """Yield (first line number, [(line number, line)]) for each blank-line separated block."""
    block: list[tuple[int, str]] = []
    for no, line in enumerate(text.replace("\r\n", "\n").split("\n"), start=1):
        if line.strip():
            block.append((no, line))
        elif block:
            yield block
            block = []
    if block:
        yield block


def _classify(answers: str, trailing: str) -> str | None:
    """The unsupported GIFT type of an answer section, in Moodle's order; None if we can read it."""
    if trailing.strip():
        return "missing word"
    body = answers.strip()
    if not body:
        return "essay"
    if body.startswith("#"):
        return "numerical"
    if "~" in body:
        return None
    if "=" in body and "->" in body:
        return "matching"
    if body.split("#", 1)[0].strip() in ("T", "TRUE", "F", "FALSE"):
        return None
    return "short answer"


def _answers(body: str, fmt: str) -> list[tuple[str, float | None, str, str]]:
    """Split `=a#fb ~%50%b` into (marker, weight or None, text, feedback)."""
    result = []
    for part in re.split(r"(?=[=~])", body):
        if not part.strip():
            continue
        marker, rest = part[0], part[1:]
        weight = None
        match = _WEIGHT_RE.match(rest)
        if match:
            weight = float(match.group(1))
            rest = rest[match.end():]
        text, _, feedback = rest.partition("#")
        result.append((marker, weight, _one_line(_formatted(text, fmt)[0]),
                       _one_line(_formatted(feedback, fmt)[0])))
    return result


def _one_line(text: str) -> str:
    # quiz.md options and their feedback are single lines; the loader joins wrapped lines with a space.
    return " ".join(part.strip() for part in text.split("\n") if part.strip())


def _options(body: str, fmt: str) -> tuple[str, list[ParsedOption]]:
    """Read a multiple choice answer list; returns (kind, options)."""
    answers = _answers(body, fmt)
    if any(marker == "=" for marker, *_ in answers):
        if sum(marker == "=" for marker, *_ in answers) > 1:
            raise _Skip("single choice with more than one '=' answer is not supported")
        if any(marker == "~" and (weight or 0) > 0 for marker, weight, *_ in answers):
            raise _Skip("partial credit ('~%n%' with '=') is not supported")
        return "single", [ParsedOption(t, m == "=", f) for m, _w, t, f in answers]
    if not any((weight or 0) > 0 for _m, weight, *_ in answers):
        raise _Skip("no correct answer ('=' or a positive '%n%' weight)")
    return "multiple", [ParsedOption(t, (w or 0) > 0, f) for _m, w, t, f in answers]


def _true_false(body: str, fmt: str) -> list[ParsedOption]:
    value, _, feedback = body.partition("#")
    wrong_fb, _, right_fb = feedback.partition("#")
    wrong_fb, right_fb = (_one_line(_formatted(t, fmt)[0]) for t in (wrong_fb, right_fb))
    is_true = value.strip() in ("T", "TRUE")
    return [ParsedOption(TRUE_TEXT, is_true, right_fb if is_true else wrong_fb),
            ParsedOption(FALSE_TEXT, not is_true, wrong_fb if is_true else right_fb)]


def _clauses(tags: list[str]) -> list[str]:
    clauses = []
    for tag in tags:
        match = _CLAUSE_TAG_RE.match(tag.strip())
        if match:
            clause = match.group(1).strip()
            if clause not in VALID_CLAUSES:
                raise _Skip(f"unknown clause '{clause}' in [tag:{tag}]")
            clauses.append(clause)
    if not clauses:
        raise _Skip("clause is missing: add a comment such as '// [tag:dieu-7.5]'")
    return clauses


def _check_with_loader(question: ParsedQuestion) -> None:
    """Render the question as quiz.md and read it back with the loader: same rules, same result."""
    lines = questions_to_markdown([question]).split("\n")
    body = [(no, line) for no, line in outside_fences(lines) if no > 1]
    reader = CourseReader(Path("."))
    parsed = reader.parse_question(Path("gift"), 1, question.qid, body)
    if parsed is None:
        raise _Skip("; ".join(p.message for p in reader.problems))
    parsed.line = question.line
    if parsed != question:
        raise _Skip("cannot be written to quiz.md without changing it")


def _question(line: int, text: str, comments: list[str],
              prefix: str, taken: set[str], used: set[str], counter: list[int]) -> ParsedQuestion:
    """Build one question from the text of a block (comments removed); raise _Skip if impossible."""
    text = _protect(text)
    name = ""
    match = _NAME_RE.match(text)
    if match:
        name = _restore(match.group(1)).strip()
        text = text[match.end():]
    start = text.find("{")
    if start < 0:
        raise _Skip("unsupported question type 'description' skipped")
    end = text.find("}", start)
    if end < 0:
        raise _Skip("no closing '}' for the answers")
    stem_raw, answers, trailing = text[:start], text[start + 1:end], text[end + 1:]
    body, _, general = answers.partition("####")
    unsupported = _classify(body, trailing)
    if unsupported:
        raise _Skip(f"unsupported question type '{unsupported}' skipped")
    stem, fmt = _formatted(stem_raw)
    if "~" in body:
        kind, options = _options(body, fmt)
    else:
        kind, options = "truefalse", _true_false(body, fmt)
    explanation = _formatted(general, fmt)[0]
    if not explanation:
        raise _Skip("explanation is missing: add general feedback ('####text') inside the braces")
    clauses = _clauses([t for c in comments for t in _TAG_RE.findall(c)])
    ids = [i.strip() for c in comments for i in _ID_RE.findall(c)]
    if ids:
        qid = ids[0]
        if not QID_RE.match(qid):
            raise _Skip(f"[id:{qid}] may use only letters, digits, '-', '_' and '.'")
    elif QID_RE.match(name):
        qid = name
    else:
        while True:
            counter[0] += 1
            qid = f"{prefix}-G{counter[0]:03d}"
            if qid not in taken and qid not in used:
                break
    if qid in used:
        raise _Skip(f"duplicate question id '{qid}'")
    if kind == "single" and len(options) == 2 and {o.text.lower() for o in options} in (
            {"đúng", "sai"}, {"true", "false"}):
        kind = "truefalse"  # the loader's rule: a two-option Đúng/Sai single choice is true/false
    question = ParsedQuestion(qid, line, clauses, kind, stem, options, explanation)
    _check_with_loader(question)
    return question


def parse_gift(text: str, prefix: str = "Q", taken: set[str] | frozenset[str] = frozenset()
               ) -> tuple[list[ParsedQuestion], list[GiftProblem]]:
    """Read GIFT text; return the importable questions and one problem per skipped question.

    Ids come from `[id:]`, else a valid `::name::`, else `<prefix>-G001`, … skipping ids in `taken`
    (ids already in use); an explicit id found in `taken` is kept, so the caller can refuse it.
    """
    questions: list[ParsedQuestion] = []
    problems: list[GiftProblem] = []
    used: set[str] = set()
    counter = [0]
    for block in _blocks(text):
        comments = [line.strip()[2:] for _no, line in block if line.strip().startswith("//")]
        content = [(no, line) for no, line in block if not line.strip().startswith("//")]
        if not content:
            continue
        joined = "\n".join(line for _no, line in content)
        if joined.strip().startswith("$CATEGORY:"):
            continue  # categories are Moodle's folders; our questions live in one course's quiz.md
        line = content[0][0]
        try:
            question = _question(line, joined, comments, prefix, set(taken), used, counter)
        except _Skip as exc:
            problems.append(GiftProblem(line, str(exc)))
            continue
        used.add(question.qid)
        questions.append(question)
    return questions, problems


# Writing ------------------------------------------------------------------------------------------

def questions_to_markdown(questions: list[ParsedQuestion]) -> str:
    """Write questions in quiz.md syntax (courses/README.md); the loader reads them back unchanged."""
    parts = []
    for q in questions:
        lines = [f"## {q.qid}", "", f"Điều khoản: {', '.join(q.clauses)}", "", q.stem, ""]
        for option in q.options:
            mark = ("[x]" if option.correct else "[ ]") if q.kind == "multiple" else (
                "(x)" if option.correct else "( )")
            lines.append(f"- {mark} {option.text}")
            if option.feedback:
                lines.append(f"  > {option.feedback}")
        lines += ["", f"Giải thích: {q.explanation}", ""]
        parts.append("\n".join(lines))
    return "\n".join(parts)


def gift_escape(text: str) -> str:
    """Escape GIFT's special characters, as Moodle's exporter does (colons included)."""
    out = "".join("\\" + ch if ch in _ESCAPABLE else ch for ch in text)
    return out.replace("\n", "\\n")


def _weight(value: float) -> str:
    return f"{value:.5f}".rstrip("0").rstrip(".")


def _answer_lines(q: ParsedQuestion) -> list[str]:
    def fb(option: ParsedOption) -> str:
        return f"#{gift_escape(option.feedback)}" if option.feedback else ""

    texts = [o.text for o in q.options]
    if q.kind == "truefalse" and texts == [TRUE_TEXT, FALSE_TEXT]:
        right = next(o for o in q.options if o.correct)
        wrong = next(o for o in q.options if not o.correct)
        value = "TRUE" if right.text == TRUE_TEXT else "FALSE"
        feedback = [gift_escape(wrong.feedback), gift_escape(right.feedback)]
        while feedback and not feedback[-1]:
            feedback.pop()  # a trailing empty '#' would merge into the '####' general feedback
        return ["#".join([value, *feedback])]
    if q.kind == "multiple":
        share = _weight(100 / sum(o.correct for o in q.options))
        # a negative weight on wrong options, so ticking every box does not score
        return [f"~%{share if o.correct else '-100'}%{gift_escape(o.text)}{fb(o)}" for o in q.options]
    # single choice, and true/false whose options are not exactly Đúng/Sai in that order
    return [f"{'=' if o.correct else '~'}{gift_escape(o.text)}{fb(o)}" for o in q.options]


def questions_to_gift(questions: list[ParsedQuestion], category: str) -> str:
    """Write GIFT that Moodle imports and that parse_gift reads back without loss."""
    out = [f"$CATEGORY: $course$/{category}", ""]
    for q in questions:
        tags = " ".join(f"[tag:dieu-{c}]" for c in q.clauses)
        out.append(f"// [id:{q.qid}] {tags}")
        out.append(f"::{gift_escape(q.qid)}::[markdown]{gift_escape(q.stem)}{{")
        out += _answer_lines(q)
        out.append(f"####{gift_escape(q.explanation)}")
        out += ["}", ""]
    return "\n".join(out)
