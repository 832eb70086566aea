"""Item analysis: per quiz question, how many answered it, how many got it right, whether those who
got it right did better on the rest of the attempt, and how often each option was chosen."""
from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select

from app.core.dates import local_day_range
from app.courses.models import CourseVersion, Question
from app.extensions import db
from app.quizzes.models import QuizAttempt, QuizResponse

#: facility above this share (almost everyone right) or below the next (almost everyone wrong) is flagged
TOO_EASY, TOO_HARD = 0.95, 0.20
#: below this many answers a question's figures are shown but not flagged: they say too little yet
MIN_ANSWERS_TO_FLAG = 10


@dataclass
class OptionLine:
    key: str
    html: str
    correct: bool
    chosen: int = 0
    #: the option is not in the latest version shown (its text changed or it was removed)
    older: bool = False


@dataclass
class ItemLine:
    qid: str
    clause: str
    kind: str
    stem_html: str
    #: the numbers of the versions this line's answers come from
    versions: list[int] = field(default_factory=list)
    options: list[OptionLine] = field(default_factory=list)
    answers: int = 0
    right: int = 0
    #: point-biserial correlation of being right with the score on the attempt's other questions
    discrimination: float | None = None
    unanswered: int = 0

    @property
    def facility(self) -> float | None:
        return self.right / self.answers if self.answers else None

    @property
    def flags(self) -> list[str]:
        """too_easy, too_hard, negative, unused_distractor: what the author should look at."""
        if self.answers < MIN_ANSWERS_TO_FLAG:
            return []
        out = []
        if self.facility > TOO_EASY:
            out.append("too_easy")
        if self.facility < TOO_HARD:
            out.append("too_hard")
        if self.discrimination is not None and self.discrimination < 0:
            out.append("negative")
        if any(not o.correct and not o.older and o.chosen == 0 for o in self.options):
            out.append("unused_distractor")
        return out


@dataclass
class ItemReport:
    course_id: int
    version_number: int | None
    year: int | None
    items: list[ItemLine]
    #: submitted attempts counted
    attempts: int = 0


def point_biserial(n: int, sum_x: int, sum_y: int, sum_yy: int, sum_xy: int) -> float | None:
    """Pearson correlation of a 0/1 variable x with a score y, from the five sums over n pairs;
    None when either does not vary (everyone right, everyone wrong, or every rest score equal)."""
    spread_x = n * sum_x - sum_x * sum_x
    spread_y = n * sum_yy - sum_y * sum_y
    if n < 2 or spread_x <= 0 or spread_y <= 0:
        return None
    return (n * sum_xy - sum_x * sum_y) / math.sqrt(spread_x * spread_y)


def item_analysis(course_id: int, *, version_id: int | None = None, year: int | None = None) -> ItemReport:
    """Per question of a course: answers, share right, discrimination and option counts.

    Counts the answers of submitted attempts (quiz_response rows), of one version or of all of them,
    in one calendar year or all years. Questions are matched across versions by their stable id
    (qid): a line shows the latest version's text and options, and options of older versions whose
    text is no longer there are listed after them. Questions never answered appear with zeros.
    Three queries: the questions, the answers grouped by question and chosen options, the attempts.
    """
    query = (select(Question, CourseVersion.number).join(CourseVersion, CourseVersion.id == Question.version_id)
             .where(CourseVersion.course_id == course_id))
    if version_id is not None:
        query = query.where(Question.version_id == version_id)
    questions = db.session.execute(query.order_by(CourseVersion.number.desc(), Question.position)).all()

    answers = (select(QuizResponse.question_id, QuizResponse.chosen, QuizResponse.correct,
                      func.count().label("n"), func.sum(QuizResponse.rest).label("sum_rest"),
                      func.sum(QuizResponse.rest * QuizResponse.rest).label("sum_rest2"))
               .where(QuizResponse.course_id == course_id)
               .group_by(QuizResponse.question_id, QuizResponse.chosen, QuizResponse.correct))
    if year is not None:
        answers = answers.where(QuizResponse.year == year)
    if version_id is not None:
        answers = answers.where(QuizResponse.question_id.in_([q.id for q, _n in questions]))
    attempts = (select(func.count()).select_from(QuizAttempt)
                .join(CourseVersion, CourseVersion.id == QuizAttempt.course_version_id)
                .where(CourseVersion.course_id == course_id, QuizAttempt.submitted_at.is_not(None)))
    if year is not None:
        attempts = attempts.where(*local_day_range(QuizAttempt.submitted_at, date(year, 1, 1), date(year, 12, 31)))
    if version_id is not None:
        attempts = attempts.where(QuizAttempt.course_version_id == version_id)
    by_question: dict[int, list] = defaultdict(list)
    for row in db.session.execute(answers):
        by_question[row.question_id].append(row)

    lines: dict[str, ItemLine] = {}
    sums: dict[str, list[int]] = {}
    for question, number in questions:  # latest version first: it sets the text
        line = lines.get(question.qid)
        if line is None:
            line = lines[question.qid] = ItemLine(question.qid, question.clause, question.kind, question.stem_html)
            line.options = [OptionLine(o["key"], o["html"], o["correct"]) for o in question.options]
            sums[question.qid] = [0, 0, 0, 0, 0]
        if by_question.get(question.id):
            line.versions.append(number)
        by_html = {o.html: o for o in line.options}
        key_to_line = {}
        for o in question.options:
            target = by_html.get(o["html"])
            if target is None:
                target = OptionLine(o["key"], o["html"], o["correct"], older=True)
                line.options.append(target)
                by_html[o["html"]] = target
            key_to_line[o["key"]] = target
        s = sums[question.qid]
        for row in by_question.get(question.id, ()):
            n, x = row.n, 1 if row.correct else 0
            s[0] += n
            s[1] += x * n
            s[2] += row.sum_rest
            s[3] += row.sum_rest2
            s[4] += x * row.sum_rest
            if not row.chosen:
                line.unanswered += n
            for key in row.chosen.split(",") if row.chosen else ():
                if key in key_to_line:
                    key_to_line[key].chosen += n
    for qid, line in lines.items():
        n, sum_x, sum_y, sum_yy, sum_xy = sums[qid]
        line.answers, line.right = n, sum_x
        line.discrimination = point_biserial(n, sum_x, sum_y, sum_yy, sum_xy)
    number = next((n for _q, n in questions), None) if version_id is not None else None
    items = sorted(lines.values(), key=lambda i: _qid_order(i.qid))
    return ItemReport(course_id, number, year, items, db.session.scalar(attempts))


def _qid_order(qid: str) -> tuple:
    """ISO01-002 before ISO01-010: by the number at the end, then by the text."""
    head, _sep, tail = qid.rpartition("-")
    return (head, int(tail)) if tail.isdigit() else (qid, 0)
