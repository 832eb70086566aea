"""Quiz attempts: the questions drawn, their order, the answers given and the grade."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.dates import utcnow
from app.extensions import db


class QuizAttempt(db.Model):
    __tablename__ = "quiz_attempt"
    # also the foreign key's index; item analysis counts a version's attempts of a year from it alone
    __table_args__ = (
        Index("ix_quiz_attempt_version_submitted", "course_version_id", "submitted_at"),
        # at most one open attempt per person and version, however many requests start one at once
        Index("uq_quiz_attempt_one_open", "person_id", "course_version_id", unique=True,
              sqlite_where=text("submitted_at IS NULL"), postgresql_where=text("submitted_at IS NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    course_version_id: Mapped[int] = mapped_column(ForeignKey("course_version.id"))
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: empty while the attempt is open; set exactly once when it is graded
    submitted_at: Mapped[datetime | None]
    #: [[question id, [option keys in the order shown]], …]
    drawn: Mapped[list] = mapped_column(JSON)
    #: {question id (str): [chosen option keys]}; only questions of this attempt. While it is open:
    #: the answers saved when the learner was asked to confirm; once graded: the answers graded
    answers: Mapped[dict | None] = mapped_column(JSON)
    correct_count: Mapped[int | None]
    score: Mapped[int | None]
    passed: Mapped[bool | None]

    version: Mapped["CourseVersion"] = relationship()  # noqa: F821

    @property
    def question_ids(self) -> list[int]:
        return [qid for qid, _order in self.drawn]

    def __repr__(self) -> str:
        return f"<QuizAttempt {self.id} person={self.person_id}>"


class QuizResponse(db.Model):
    """One answer of a submitted attempt, kept as a row so that item analysis and the weakness
    report are grouped queries rather than a walk through every attempt's JSON."""
    __tablename__ = "quiz_response"
    __table_args__ = (
        # covers item analysis: a course's answers of a year are read from the index alone
        Index("ix_quiz_response_course_year", "course_id", "year", "question_id", "chosen", "correct", "rest"),
        # covers the learners of an agency and year (the weakness report counts them, index only)
        Index("ix_quiz_response_agency_year", "agency_id", "year", "person_id"),
    )

    attempt_id: Mapped[int] = mapped_column(ForeignKey("quiz_attempt.id"), primary_key=True)
    #: no index of its own: questions are never deleted, and reads by question go through course and year
    question_id: Mapped[int] = mapped_column(ForeignKey("question.id"), primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id"))
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    #: the person's agency on the day the attempt was submitted (as completions record it)
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agency.id"))
    #: calendar year in Vietnam of the submission
    year: Mapped[int]
    #: the chosen option keys, sorted and comma-joined; "" when the question was left unanswered
    chosen: Mapped[str] = mapped_column(String(40))
    correct: Mapped[bool]
    #: correct answers on the attempt's other questions (the score item discrimination is measured against)
    rest: Mapped[int]

    def __repr__(self) -> str:
        return f"<QuizResponse attempt={self.attempt_id} question={self.question_id}>"
