"""Answer cues in a question bank: what lets a learner who knows nothing pick the key.

`flask courses check` prints this report for the whole bank and, when the course tree has a
`cue_targets.yml`, fails when a bank-wide target in it is exceeded, so the cues cannot creep back
as questions are added. The catalogue's targets (courses/cue_targets.yml):

- the correct option is strictly the longest in at most 35 % of the single-choice questions with
  three options or more (with four options, chance alone gives 25 %);
- true/false questions are keyed "Đúng" between 35 % and 65 % of the time;
- at most 5 multiple-answer questions have a single wrong option;
- the bank keeps at least 280 questions.

It also counts, without a target, keys far longer than every distractor (30 %), distractors and
keys that start with an absolute word, and near-duplicate stems across the bank.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from itertools import combinations

from pathlib import Path

import yaml

from app.courses.loader import ParsedCourse, ParsedQuestion


class CueTargetsError(ValueError):
    """cue_targets.yml cannot be read or holds a value out of range."""


@dataclass(frozen=True)
class Targets:
    longest_key_max: float
    true_share_min: float
    true_share_max: float
    single_wrong_max: int
    min_questions: int


def load_targets(root: Path) -> Targets | None:
    """The bank-wide targets of a course tree, or None when it sets none."""
    path = root / TARGETS_FILE
    if not path.exists():
        return None
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        targets = Targets(float(data["longest_key_max"]), float(data["true_share_min"]),
                          float(data["true_share_max"]), int(data["single_wrong_max"]), int(data["min_questions"]))
    except (yaml.YAMLError, KeyError, TypeError, ValueError) as exc:
        raise CueTargetsError(f"needs longest_key_max, true_share_min, true_share_max, single_wrong_max and "
                              f"min_questions ({exc})") from exc
    if not (0 <= targets.longest_key_max <= 1 and 0 <= targets.true_share_min <= targets.true_share_max <= 1):
        raise CueTargetsError("shares are between 0 and 1, and true_share_min is at most true_share_max")
    return targets

TARGETS_FILE = "cue_targets.yml"
#: the key is "far longer" when it is this much longer than the longest distractor
FAR_LONGER = 1.30
#: option openings that mark an absolute or a shortcut ("only", "no need", "wait", "skip", "always", "every")
ABSOLUTE_STARTS = ("chỉ", "không cần", "chờ", "bỏ qua", "tạm dừng", "luôn", "mọi", "tất cả", "không bao giờ")
#: two stems at least this similar (after normalising) are reported as near-duplicates
SIMILAR = 0.85


@dataclass
class Tally:
    questions: int = 0
    single_3plus: int = 0
    longest_key: int = 0
    far_longer_key: int = 0
    truefalse: int = 0
    true_keys: int = 0
    multiple: int = 0
    single_wrong: int = 0
    absolute_distractors: int = 0
    absolute_keys: int = 0
    #: ids of the questions behind each count, to fix them
    flagged: dict[str, list[str]] = field(default_factory=dict)

    def flag(self, what: str, qid: str) -> None:
        self.flagged.setdefault(what, []).append(qid)

    @property
    def longest_share(self) -> float:
        return self.longest_key / self.single_3plus if self.single_3plus else 0.0

    @property
    def true_share(self) -> float | None:
        return self.true_keys / self.truefalse if self.truefalse else None

    def add(self, other: Tally) -> None:
        for name in ("questions", "single_3plus", "longest_key", "far_longer_key", "truefalse", "true_keys",
                     "multiple", "single_wrong", "absolute_distractors", "absolute_keys"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for what, ids in other.flagged.items():
            self.flagged.setdefault(what, []).extend(ids)


def _starts_absolute(text: str) -> bool:
    lowered = unicodedata.normalize("NFC", text).strip().lower()
    return lowered.startswith(ABSOLUTE_STARTS)


def tally_question(q: ParsedQuestion, tally: Tally) -> None:
    tally.questions += 1
    keys = [o for o in q.options if o.correct]
    wrong = [o for o in q.options if not o.correct]
    if q.kind == "truefalse":
        tally.truefalse += 1
        if keys and unicodedata.normalize("NFC", keys[0].text).strip().lower() in ("đúng", "true"):
            tally.true_keys += 1
        return
    if q.kind == "single" and len(q.options) >= 3 and keys:
        tally.single_3plus += 1
        key_len, longest_wrong = len(keys[0].text), max(len(o.text) for o in wrong)
        if key_len > longest_wrong:
            tally.longest_key += 1
            tally.flag("longest key", q.qid)
            if key_len > FAR_LONGER * longest_wrong:
                tally.far_longer_key += 1
    if q.kind == "multiple":
        tally.multiple += 1
        if len(wrong) == 1:
            tally.single_wrong += 1
            tally.flag("one wrong option", q.qid)
    absolute_wrong = sum(_starts_absolute(o.text) for o in wrong)
    if absolute_wrong:
        tally.absolute_distractors += absolute_wrong
        tally.flag("absolute distractor", q.qid)
    tally.absolute_keys += sum(_starts_absolute(o.text) for o in keys)


def _normalised(stem: str) -> str:
    text = unicodedata.normalize("NFC", stem).lower()
    return re.sub(r"\s+", " ", re.sub(r"[^\w\s]", " ", text)).strip()


def near_duplicates(questions: list[ParsedQuestion]) -> list[tuple[str, str, float]]:
    """(id, id, similarity) of stems at least SIMILAR alike, across the whole bank."""
    stems = [(q.qid, _normalised(q.stem)) for q in questions]
    found = []
    for (a, sa), (b, sb) in combinations(stems, 2):
        if not sa or not sb or min(len(sa), len(sb)) < SIMILAR * max(len(sa), len(sb)):
            continue
        matcher = SequenceMatcher(None, sa, sb, autojunk=False)
        if matcher.real_quick_ratio() >= SIMILAR and matcher.quick_ratio() >= SIMILAR:
            ratio = matcher.ratio()
            if ratio >= SIMILAR:
                found.append((a, b, round(ratio, 2)))
    return found


@dataclass
class CueReport:
    by_course: dict[str, Tally]
    total: Tally
    duplicates: list[tuple[str, str, float]]

    def failures(self, targets: Targets) -> list[str]:
        """The bank-wide targets exceeded, each as a sentence (empty: all met)."""
        t, out = self.total, []
        if t.questions < targets.min_questions:
            out.append(f"only {t.questions} questions; keep at least {targets.min_questions}")
        if t.longest_share > targets.longest_key_max:
            out.append(f"the key is the longest option in {t.longest_key} of {t.single_3plus} single-choice "
                       f"questions ({t.longest_share:.0%}); at most {targets.longest_key_max:.0%}")
        share = t.true_share
        if share is not None and not targets.true_share_min <= share <= targets.true_share_max:
            out.append(f"true/false keyed 'Đúng' {t.true_keys} of {t.truefalse} times ({share:.0%}); keep it "
                       f"between {targets.true_share_min:.0%} and {targets.true_share_max:.0%}")
        if t.single_wrong > targets.single_wrong_max:
            out.append(f"{t.single_wrong} multiple-answer questions have a single wrong option; "
                       f"at most {targets.single_wrong_max}")
        return out

    def lines(self, flagged: bool = False) -> list[str]:
        """The report as text: one line per course (with, if `flagged`, the ids behind each count),
        the total, then the near-duplicates."""
        def line(name: str, t: Tally) -> str:
            true = f"{t.true_keys}/{t.truefalse}" if t.truefalse else "-"
            return (f"{name:8} questions {t.questions:3}  longest key {t.longest_key:2}/{t.single_3plus:<2} "
                    f"({t.longest_share:4.0%}, {t.far_longer_key} by >30%)  true/false keyed Đúng {true:5}  "
                    f"one wrong option {t.single_wrong:2}  absolute distractors {t.absolute_distractors:2} "
                    f"(keys {t.absolute_keys})")
        out = ["answer cues:"]
        for code, t in sorted(self.by_course.items()):
            out.append(line(code, t))
            if flagged:
                out += [f"    {what}: {', '.join(ids)}" for what, ids in sorted(t.flagged.items())]
        out.append(line("total", self.total))
        out += [f"near-duplicate stems: {a} ≈ {b} ({ratio:.2f})" for a, b, ratio in self.duplicates]
        return out


def cue_report(courses: list[ParsedCourse]) -> CueReport:
    by_course, total, questions = {}, Tally(), []
    for course in courses:
        tally = Tally()
        for q in course.questions:
            tally_question(q, tally)
        by_course[course.code] = tally
        total.add(tally)
        questions.extend(course.questions)
    return CueReport(by_course, total, near_duplicates(questions))
