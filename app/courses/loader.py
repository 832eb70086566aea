"""Reads course folders (see courses/README.md) into plain data, reporting problems as path:line."""
from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from app.courses.clauses import VALID_CLAUSES
from app.courses.rule_text import rule_text_problems
from app.core.markdown import is_relative
from app.courses.svg import MIN_TEXT_PX, PHONE_WIDTH, small_text, svg_problem

AUDIENCES = ("staff", "leader", "iso_secretary", "internal_auditor", "dost")
#: course.md `review`: when a quiz result shows the answer key (courses/README.md); the first is the default
REVIEW_MODES = ("after_pass", "always", "never")
ASSET_TYPES = {".svg": "image/svg+xml", ".png": "image/png", ".jpg": "image/jpeg",
               ".jpeg": "image/jpeg", ".gif": "image/gif", ".webp": "image/webp"}
MAX_ASSET_BYTES = 1024 * 1024
CODE_RE = re.compile(r"^[A-Z0-9][A-Z0-9-]{1,38}$")
QID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,79}$")
MODULE_RE = re.compile(r"^\d{2}-[a-z0-9][a-z0-9-]*\.md$")
LINK_RE = re.compile(r"(!?)\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
OPTION_RE = re.compile(r"^[-*]\s+(\((?P<r>[ xX])\)|\[(?P<c>[ xX])\])\s+(?P<text>\S.*)$")
CLAUSE_RE = re.compile(r"^(?:Điều khoản|Clause)\s*:\s*(?P<v>.+)$", re.IGNORECASE)
EXPLAIN_RE = re.compile(r"^(?:Giải thích|Explanation)\s*:\s*(?P<v>.*)$", re.IGNORECASE)
TRUE_FALSE = ({"đúng", "sai"}, {"true", "false"})
REQUIRED_META = ("code", "title", "summary", "audience", "standard", "minutes", "pass_mark",
                 "questions_per_attempt")
RESERVED_MD = {"course.md", "quiz.md", "README.md"}


@dataclass(frozen=True)
class Problem:
    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


@dataclass
class ParsedOption:
    text: str
    correct: bool
    feedback: str = ""


@dataclass
class ParsedQuestion:
    qid: str
    line: int
    clauses: list[str]
    kind: str
    stem: str
    options: list[ParsedOption]
    explanation: str


@dataclass
class ParsedModule:
    slug: str
    title: str
    text: str


@dataclass
class ParsedCourse:
    folder: Path
    meta: dict
    intro: str
    modules: list[ParsedModule]
    questions: list[ParsedQuestion]
    assets: dict[str, bytes]
    content_hash: str
    problems: list[Problem] = field(default_factory=list)
    #: what `courses check` prints but does not fail on (captions too small on a phone)
    warnings: list[Problem] = field(default_factory=list)

    @property
    def code(self) -> str:
        return str(self.meta.get("code", ""))

    @property
    def word_count(self) -> int:
        return sum(count_words(m.text) for m in self.modules)


def count_words(text: str) -> int:
    """Words of prose: Markdown punctuation and link targets do not count."""
    text = LINK_RE.sub(lambda m: " ", text)
    return len(re.findall(r"\w+", text))


def display_path(path: Path) -> str:
    try:
        return os.path.relpath(path)
    except ValueError:  # a different drive on Windows
        return str(path)


def split_front_matter(text: str) -> tuple[str | None, str, int]:
    """Return (yaml text or None, body, line number where the body starts)."""
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        return None, text, 1
    for i in range(1, len(lines)):
        if lines[i].strip() == "---":
            return "\n".join(lines[1:i]), "\n".join(lines[i + 1:]), i + 2
    return None, text, 1


def outside_fences(lines: list[str]):
    """Yield (line number, line) for lines outside fenced code blocks."""
    fenced = False
    for no, line in enumerate(lines, start=1):
        if line.lstrip().startswith(("```", "~~~")):
            fenced = not fenced
            continue
        if not fenced:
            yield no, line


class CourseReader:
    """Parses one course folder; every problem found is kept, none is raised."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.problems: list[Problem] = []
        self.warnings: list[Problem] = []

    def problem(self, file: Path, line: int, message: str) -> None:
        self.problems.append(Problem(display_path(file), line, message))

    def check_rule_text(self, file: Path, lines, first_line: int = 1, headings_allowed: bool = True) -> None:
        """Training rules may be quoted only through placeholders (see app/courses/rule_text.py)."""
        numbered = ((no + first_line - 1, line) for no, line in lines)
        for line, message in rule_text_problems(numbered, headings_allowed):
            self.problem(file, line, message)

    def read(self) -> ParsedCourse:
        files = sorted(p for p in self.folder.rglob("*") if p.is_file() and not p.name.startswith("."))
        digest = hashlib.sha256()
        for path in files:
            digest.update(path.relative_to(self.folder).as_posix().encode() + b"\0")
            digest.update(path.read_bytes() + b"\0")
        meta, intro = self.read_course_file(self.folder / "course.md")
        assets = self.read_assets(files)
        module_files = [p for p in files if p.parent == self.folder and p.suffix == ".md"
                        and p.name not in RESERVED_MD]
        for path in module_files:
            if not MODULE_RE.match(path.name):
                self.problem(path, 1, "module file names look like 01-ten-mo-dun.md (two digits, lower case)")
        module_names = {p.name for p in module_files}
        modules = [m for m in (self.read_module(p, module_names, assets) for p in module_files) if m]
        if not module_files:
            self.problem(self.folder / "course.md", 1, "the course has no module files")
        questions = self.read_quiz(self.folder / "quiz.md")
        per_attempt = meta.get("questions_per_attempt")
        if isinstance(per_attempt, int) and questions and per_attempt > len(questions):
            self.problem(self.folder / "course.md", self.meta_line("questions_per_attempt"),
                         f"questions_per_attempt is {per_attempt} but quiz.md has only {len(questions)} questions")
        return ParsedCourse(self.folder, meta, intro, modules, questions, assets,
                            digest.hexdigest(), self.problems, self.warnings)

    # course.md -------------------------------------------------------------------------------
    def meta_line(self, key: str) -> int:
        try:
            lines = (self.folder / "course.md").read_text(encoding="utf-8").split("\n")
        except (OSError, UnicodeDecodeError):
            return 1
        for no, line in enumerate(lines, start=1):
            if line.startswith(f"{key}:"):
                return no
        return 1

    def read_text(self, path: Path) -> str | None:
        try:
            return path.read_text(encoding="utf-8")
        except FileNotFoundError:
            self.problem(path, 1, "file is missing")
        except UnicodeDecodeError:
            self.problem(path, 1, "file is not valid UTF-8")
        return None

    def read_course_file(self, path: Path) -> tuple[dict, str]:
        text = self.read_text(path)
        if text is None:
            return {}, ""
        raw, body, start = split_front_matter(text)
        self.check_rule_text(path, outside_fences(body.split("\n")), start)
        if raw is None:
            self.problem(path, 1, "missing front matter (a block between two '---' lines)")
            return {}, body
        try:
            meta = yaml.safe_load(raw) or {}
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            self.problem(path, (mark.line + 2) if mark else 1, f"front matter is not valid YAML: {getattr(exc, 'problem', exc)}")
            return {}, body
        if not isinstance(meta, dict):
            self.problem(path, 2, "front matter must be key: value lines")
            return {}, body
        self.check_meta(path, meta)
        for key in ("title", "summary"):
            if isinstance(meta.get(key), str):
                self.check_rule_text(path, [(1, meta[key])], self.meta_line(key), headings_allowed=False)
        return meta, body

    def check_meta(self, path: Path, meta: dict) -> None:
        for key in REQUIRED_META:
            if key not in meta or meta[key] in (None, ""):
                self.problem(path, 1, f"front matter: '{key}' is required")
        code = meta.get("code")
        if code is not None and not CODE_RE.match(str(code)):
            self.problem(path, self.meta_line("code"), f"front matter: code '{code}' must be capitals, digits and '-', e.g. ISO-01")
        audience = meta.get("audience")
        if audience is not None:
            if not isinstance(audience, list) or not audience:
                self.problem(path, self.meta_line("audience"), "front matter: audience must be a list such as [staff, leader]")
            else:
                for item in audience:
                    if item not in AUDIENCES:
                        self.problem(path, self.meta_line("audience"), f"front matter: unknown audience '{item}' (use {', '.join(AUDIENCES)})")
        ranges = {"minutes": (1, 10000), "pass_mark": (1, 100), "questions_per_attempt": (1, 200),
                  "attempts_allowed": (0, 100)}
        for key, (low, high) in ranges.items():
            value = meta.get(key)
            if value is None:
                continue
            if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
                self.problem(path, self.meta_line(key), f"front matter: {key} must be a whole number from {low} to {high}")
        if "review" in meta and meta["review"] not in REVIEW_MODES:
            self.problem(path, self.meta_line("review"), f"front matter: review must be one of {', '.join(REVIEW_MODES)}")
        if "require_reading" in meta and not isinstance(meta["require_reading"], bool):
            self.problem(path, self.meta_line("require_reading"), "front matter: require_reading must be true or false")

    # modules ---------------------------------------------------------------------------------
    def read_module(self, path: Path, module_names: set[str], assets: dict[str, bytes]) -> ParsedModule | None:
        text = self.read_text(path)
        if text is None:
            return None
        _raw, body, start = split_front_matter(text)
        lines = body.split("\n")
        self.check_rule_text(path, outside_fences(lines), start)
        titles = []
        for no, line in outside_fences(lines):
            if re.match(r"^#\s+\S", line):
                titles.append((no, line[1:].strip()))
            for match in LINK_RE.finditer(line):
                self.check_link(path, no + start - 1, match.group(1) == "!", match.group(2), module_names, assets)
        if len(titles) != 1:
            self.problem(path, titles[1][0] + start - 1 if len(titles) > 1 else start,
                         "a module needs exactly one level-1 heading ('# Title')")
            return None
        return ParsedModule(slug=path.stem, title=titles[0][1], text=body)

    def check_link(self, path: Path, line: int, is_image: bool, target: str,
                   module_names: set[str], assets: dict[str, bytes]) -> None:
        if not is_relative(target):
            if is_image and target.startswith(("http:", "https:")):
                self.problem(path, line, f"image '{target}' is on the web; put it inside the course folder")
            return
        file_part = target.split("#", 1)[0]
        if ".." in Path(file_part).parts:
            self.problem(path, line, f"link '{target}' leaves the course folder")
        elif is_image and file_part not in assets:
            self.problem(path, line, f"broken image: '{file_part}' is not in the course folder")
        elif not is_image and file_part.endswith(".md") and file_part not in module_names:
            self.problem(path, line, f"broken link: no module '{file_part}' in this course")
        elif not is_image and not file_part.endswith(".md") and file_part not in assets:
            self.problem(path, line, f"broken link: '{file_part}' is not in the course folder")

    def read_assets(self, files: list[Path]) -> dict[str, bytes]:
        assets = {}
        for path in files:
            if path.suffix.lower() not in ASSET_TYPES:
                if path.suffix != ".md":
                    self.problem(path, 1, f"unsupported file type '{path.suffix}' (pictures: {', '.join(ASSET_TYPES)})")
                continue
            data = path.read_bytes()
            rel = path.relative_to(self.folder).as_posix()
            if len(data) > MAX_ASSET_BYTES:
                self.problem(path, 1, "picture is larger than 1 MB")
                continue
            if path.suffix.lower() == ".svg":
                found = svg_problem(data)
                if found:
                    what, where = found
                    at = data.find(where.encode())
                    line = data[:at].count(b"\n") + 1 if at >= 0 else 1
                    self.problem(path, line, f"SVG: {what}")
                    continue
                self.check_text_size(path, data)
            assets[rel] = data
        return assets

    def check_text_size(self, path: Path, data: bytes) -> None:
        """Warn when the picture's smallest text is unreadable once the picture shrinks to a phone."""
        small = small_text(data)
        if small is None:
            return
        at = re.search(rb"font-size\s*=\s*[\"']" + re.escape(small.written.encode()), data)
        line = data[:at.start()].count(b"\n") + 1 if at else 1
        self.warnings.append(Problem(display_path(path), line, (
            f"SVG: text of font-size {small.written} is {small.px:g} px on a phone ({PHONE_WIDTH} px wide); "
            f"under {MIN_TEXT_PX} px it cannot be read without zooming: use font-size {small.needed:g} "
            f"or more, or a narrower viewBox")))

    # quiz.md ---------------------------------------------------------------------------------
    def read_quiz(self, path: Path) -> list[ParsedQuestion]:
        text = self.read_text(path)
        if text is None:
            return []
        lines = text.split("\n")
        self.check_rule_text(path, outside_fences(lines))
        blocks: list[tuple[int, str, list[tuple[int, str]]]] = []
        for no, line in outside_fences(lines):
            heading = re.match(r"^##\s+(.*)$", line)
            if heading:
                blocks.append((no, heading.group(1).strip(), []))
            elif blocks:
                blocks[-1][2].append((no, line))
        if not blocks:
            self.problem(path, 1, "quiz.md has no questions ('## QUESTION-ID' headings)")
        seen: dict[str, int] = {}
        questions = []
        for no, qid, body in blocks:
            if not QID_RE.match(qid):
                self.problem(path, no, f"question id '{qid}' may use only letters, digits, '-', '_' and '.'")
                continue
            if qid in seen:
                self.problem(path, no, f"duplicate question id '{qid}' (first at line {seen[qid]})")
                continue
            seen[qid] = no
            question = self.parse_question(path, no, qid, body)
            if question:
                questions.append(question)
        return questions

    def parse_question(self, path: Path, no: int, qid: str, body: list[tuple[int, str]]) -> ParsedQuestion | None:
        before = len(self.problems)
        content = [(n, line) for n, line in body]
        while content and not content[0][1].strip():
            content.pop(0)
        clauses: list[str] = []
        if content and CLAUSE_RE.match(content[0][1].strip()):
            value = CLAUSE_RE.match(content[0][1].strip()).group("v")
            clauses = [c.strip() for c in value.split(",") if c.strip()]
            for clause in clauses:
                if clause not in VALID_CLAUSES:
                    self.problem(path, content[0][0], f"{qid}: unknown clause '{clause}'")
            content.pop(0)
        else:
            self.problem(path, no, f"{qid}: the first line must be 'Điều khoản: <clause>'")
        stem: list[str] = []
        options: list[ParsedOption] = []
        markers: set[str] = set()
        explanation: list[str] | None = None
        for n, line in content:
            stripped = line.strip()
            option = OPTION_RE.match(stripped) if explanation is None and not line.startswith((" ", "\t")) else None
            if explanation is not None:
                explanation.append(line)
            elif EXPLAIN_RE.match(stripped):
                explanation = [EXPLAIN_RE.match(stripped).group("v")]
            elif option:
                mark = option.group("r") if option.group("r") is not None else option.group("c")
                markers.add("single" if option.group("r") is not None else "multiple")
                options.append(ParsedOption(option.group("text").strip(), mark in "xX"))
            elif options and line.startswith((" ", "\t")) and stripped.startswith(">"):
                feedback = stripped.lstrip(">").strip()
                options[-1].feedback = (options[-1].feedback + " " + feedback).strip()
            elif options and line.startswith((" ", "\t")) and stripped:
                options[-1].text += " " + stripped
            elif options and stripped:
                self.problem(path, n, f"{qid}: unexpected text after the options (start the explanation with 'Giải thích:')")
            elif not options:
                stem.append(line)
        stem_text = "\n".join(stem).strip()
        if not stem_text:
            self.problem(path, no, f"{qid}: question text is missing")
        kind = "single"
        if not options:
            self.problem(path, no, f"{qid}: no options ('- ( ) …' or '- [ ] …' lines)")
        elif len(markers) > 1:
            self.problem(path, no, f"{qid}: mixes '( )' and '[ ]' options; use one kind")
        else:
            kind = markers.pop()
            correct = sum(o.correct for o in options)
            if not 2 <= len(options) <= 6:
                self.problem(path, no, f"{qid}: needs 2 to 6 options, has {len(options)}")
            if correct == 0:
                self.problem(path, no, f"{qid}: no correct answer marked ('(x)' or '[x]')")
            elif kind == "single" and correct > 1:
                self.problem(path, no, f"{qid}: single choice has {correct} correct answers; use '[x]' for multiple choice")
            texts = {o.text.strip().lower() for o in options}
            if kind == "single" and len(options) == 2 and texts in TRUE_FALSE:
                kind = "truefalse"
            if len(texts) != len(options):
                self.problem(path, no, f"{qid}: two options have the same text")
        explanation_text = "\n".join(explanation or []).strip()
        if not explanation_text:
            self.problem(path, no, f"{qid}: explanation is missing ('Giải thích: …')")
        if len(self.problems) > before:
            return None
        return ParsedQuestion(qid, no, clauses, kind, stem_text, options, explanation_text)


def course_folders(root: Path) -> list[Path]:
    """The course folders under root, or root itself when it is one course."""
    if (root / "course.md").exists():
        return [root]
    return sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith((".", "_")))


def read_tree(root: Path) -> tuple[list[ParsedCourse], list[Problem]]:
    """Parse every course under root. Returns (all parsed courses, every problem in the tree).

    A course with problems is still returned (with course.problems set) so callers can skip it;
    duplicate codes and question ids across courses are reported on the later course.
    """
    root = Path(root)
    if not root.exists():
        return [], [Problem(display_path(root), 1, "no such file or directory")]
    courses = [CourseReader(folder).read() for folder in course_folders(root)]
    codes: dict[str, ParsedCourse] = {}
    qids: dict[str, str] = {}
    for course in courses:
        course_file = course.folder / "course.md"
        if course.code and course.code in codes:
            course.problems.append(Problem(display_path(course_file), 1, f"duplicate course code '{course.code}' (also in {display_path(codes[course.code].folder)})"))
        elif course.code:
            codes[course.code] = course
        for q in course.questions:
            if q.qid in qids and qids[q.qid] != course.code:
                course.problems.append(Problem(display_path(course.folder / "quiz.md"), q.line, f"duplicate question id '{q.qid}' (also in {qids[q.qid]})"))
            qids.setdefault(q.qid, course.code)
    problems = [p for c in courses for p in c.problems]
    return courses, problems
