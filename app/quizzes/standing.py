"""Where a person stands on a course's quiz: the attempts that count, the completion that closes the
cycle, and what a result may show (the course's review setting)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from app.completions.models import Completion
from app.core.dates import local_date, local_midnight
from app.coverage.rules import current_rules
from app.extensions import db
from app.quizzes.models import QuizAttempt


def is_yearly(code: str) -> bool:
    """The refresher of the training rules (courses/obligations.yml) is owed again every year; every
    other course is completed once."""
    return code == current_rules().refresher_course


def cycle_start(code: str, day: date) -> date | None:
    """The first day of the current cycle: 1 January of `day`'s year for the yearly refresher, None
    (one cycle, for ever) for any other course."""
    return date(day.year, 1, 1) if is_yearly(code) else None


def cycle_attempts(person_id: int, version_id: int, since: date | None) -> list:
    """SQL conditions: the person's graded attempts on this version in the cycle that began on
    `since` (Vietnamese days; None: every one)."""
    conditions = [QuizAttempt.person_id == person_id, QuizAttempt.course_version_id == version_id,
                  QuizAttempt.submitted_at.is_not(None)]
    if since is not None:
        conditions.append(QuizAttempt.submitted_at >= local_midnight(since))
    return conditions


@dataclass(frozen=True)
class Standing:
    """A person's quiz on one course version, in the current cycle.

    Attempts count per version (a new version of the course starts the count again) and per cycle
    (the yearly refresher: the calendar year in Vietnam). A completion of the course in the cycle, by
    quiz, class or import, closes it: no more attempts until the next cycle, for ever for a course
    completed once."""

    allowed: int  # 0 = unlimited
    used: int
    since: date | None
    completed_on: date | None = None
    score: int | None = None

    @property
    def completed(self) -> bool:
        return self.completed_on is not None

    @property
    def left(self) -> int | None:
        """Attempts left in this cycle; None when unlimited."""
        return max(self.allowed - self.used, 0) if self.allowed else None

    @property
    def next_cycle(self) -> date | None:
        """The day a yearly course must be completed again from; None for a course done once."""
        return date(self.since.year + 1, 1, 1) if self.since else None


def completions_in_cycle(person_id: int, course_id: int, since: date | None):
    """select() of the person's completions of the course dated in the cycle that began on `since`
    (None: any), however recorded: quiz, class or import."""
    done = select(Completion.completed_on, Completion.score).where(
        Completion.person_id == person_id, Completion.course_id == course_id)
    return done if since is None else done.where(Completion.completed_on >= since)


def standing(person_id: int, version, day: date) -> Standing:
    """The person's standing on `version` (a CourseVersion or its cached content) on `day`. One
    statement: the attempts used and the latest completion of the course in the cycle."""
    since = cycle_start(version.code, day)
    used = select(db.func.count(QuizAttempt.id)).where(*cycle_attempts(person_id, version.id, since))
    done = (completions_in_cycle(person_id, version.course_id, since)
            .order_by(Completion.completed_on.desc(), Completion.id.desc()).limit(1))
    row = db.session.execute(select(used.scalar_subquery(), done.with_only_columns(Completion.completed_on)
                                    .scalar_subquery(), done.with_only_columns(Completion.score)
                                    .scalar_subquery())).one()
    return Standing(version.attempts_allowed, row[0] or 0, since, row[1], row[2])


def history(person_id: int, version_id: int, since: date | None) -> tuple[list[QuizAttempt], list[QuizAttempt]]:
    """The person's graded attempts on this version, newest first: those of the current cycle (the
    ones Standing.used counts) and those of earlier cycles. One query."""
    attempts = db.session.scalars(select(QuizAttempt).where(*cycle_attempts(person_id, version_id, None))
                                  .order_by(QuizAttempt.submitted_at.desc(), QuizAttempt.id.desc())).all()
    current = [a for a in attempts if since is None or local_date(a.submitted_at) >= since]
    return current, [a for a in attempts if a not in current]


def shows_key(review: str, attempt: QuizAttempt, state: Standing) -> bool:
    """Whether a graded attempt's result shows the key: which options are right, every option's
    feedback and the question's explanation (which in this catalogue names the right answer). As
    Moodle's review options, set per course in course.md (`review`): after_pass once this attempt
    passed, the course is completed in this cycle or no attempt is left; always; never. Whether each
    question was right, the learner's own choice and its feedback show in every case."""
    if review == "always":
        return True
    if review == "never":
        return False
    return bool(attempt.passed) or state.completed or state.left == 0
