"""Quiz attempts: the questions drawn, their order, the answers given and the grade."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.dates import utcnow
from app.extensions import db


class QuizAttempt(db.Model):
    __tablename__ = "quiz_attempt"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    course_version_id: Mapped[int] = mapped_column(ForeignKey("course_version.id"), index=True)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: empty while the attempt is open; set exactly once when it is graded
    submitted_at: Mapped[datetime | None]
    #: [[question id, [option keys in the order shown]], …]
    drawn: Mapped[list] = mapped_column(JSON)
    #: {question id (str): [chosen option keys]}; only questions of this attempt
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
