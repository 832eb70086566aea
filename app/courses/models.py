"""Courses and their immutable published versions (modules, questions, pictures)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.dates import utcnow
from app.extensions import db


class Course(db.Model):
    __tablename__ = "course"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: stable code from course.md (ISO-01 …); obligations, imports and reports refer to it
    code: Mapped[str] = mapped_column(String(40), unique=True)
    #: False once the course folder disappears from courses/; its history stays
    listed: Mapped[bool] = mapped_column(default=True)

    versions: Mapped[list[CourseVersion]] = relationship(
        back_populates="course", order_by="CourseVersion.number"
    )

    def __repr__(self) -> str:
        return f"<Course {self.code}>"


class CourseVersion(db.Model):
    """One published state of a course folder. Never changed after sync; a new hash means a new row."""

    __tablename__ = "course_version"
    __table_args__ = (
        UniqueConstraint("course_id", "number", name="number"),
        UniqueConstraint("course_id", "content_hash", name="content_hash"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id"), index=True)
    number: Mapped[int]
    #: sha256 over every file of the course folder
    content_hash: Mapped[str] = mapped_column(String(64))
    is_current: Mapped[bool] = mapped_column(default=True)
    title: Mapped[str] = mapped_column(String(255))
    summary: Mapped[str] = mapped_column(Text, default="")
    #: list of audience codes (staff, leader, iso_secretary, internal_auditor, dost)
    audience: Mapped[list] = mapped_column(JSON, default=list)
    standard_edition: Mapped[str] = mapped_column(String(80))
    minutes: Mapped[int]
    pass_mark: Mapped[int]
    questions_per_attempt: Mapped[int]
    #: 0 = unlimited
    attempts_allowed: Mapped[int] = mapped_column(default=0)
    #: course.md `review` (loader.REVIEW_MODES), when a result shows the answer key. after_pass: a
    #: failed attempt shows what was wrong and the explanations, the key comes after a pass or once
    #: no attempt is left; always: after every attempt; never: never
    review: Mapped[str] = mapped_column(String(20), default="after_pass")
    #: the quiz opens only once the person has marked every module of the version read
    require_reading: Mapped[bool] = mapped_column(default=False)
    intro_html: Mapped[str] = mapped_column(Text, default="")
    word_count: Mapped[int] = mapped_column(default=0)
    published_at: Mapped[datetime] = mapped_column(default=utcnow)

    course: Mapped[Course] = relationship(back_populates="versions")
    modules: Mapped[list[Module]] = relationship(
        back_populates="version", order_by="Module.position"
    )
    questions: Mapped[list[Question]] = relationship(
        back_populates="version", order_by="Question.position"
    )
    assets: Mapped[list[CourseAsset]] = relationship(back_populates="version")

    @property
    def code(self) -> str:
        return self.course.code

    def __repr__(self) -> str:
        return f"<CourseVersion {self.course_id} v{self.number}>"


class Module(db.Model):
    __tablename__ = "module"
    __table_args__ = (UniqueConstraint("version_id", "position", name="position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("course_version.id"), index=True)
    position: Mapped[int]
    #: file name without .md; reading progress is kept per slug so it survives new versions
    slug: Mapped[str] = mapped_column(String(120))
    title: Mapped[str] = mapped_column(String(255))
    #: HTML rendered and sanitised once, at sync time
    html: Mapped[str] = mapped_column(Text)
    #: [[level, anchor id, heading text], …] for the table of contents
    toc: Mapped[list] = mapped_column(JSON, default=list)
    word_count: Mapped[int] = mapped_column(default=0)

    version: Mapped[CourseVersion] = relationship(back_populates="modules")

    def __repr__(self) -> str:
        return f"<Module {self.slug}>"


class Question(db.Model):
    __tablename__ = "question"
    __table_args__ = (UniqueConstraint("version_id", "qid", name="qid"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("course_version.id"), index=True)
    #: stable id written in quiz.md
    qid: Mapped[str] = mapped_column(String(80))
    position: Mapped[int]
    #: single | multiple | truefalse
    kind: Mapped[str] = mapped_column(String(20))
    #: comma-separated ISO 9001 clauses, e.g. "7.5" or "9.2, 10.2"
    clause: Mapped[str] = mapped_column(String(80))
    stem_html: Mapped[str] = mapped_column(Text)
    #: [{"key": "a", "html": …, "correct": bool, "feedback_html": …}, …]
    options: Mapped[list] = mapped_column(JSON)
    explanation_html: Mapped[str] = mapped_column(Text)

    version: Mapped[CourseVersion] = relationship(back_populates="questions")

    @property
    def correct_keys(self) -> set[str]:
        return {o["key"] for o in self.options if o["correct"]}

    def __repr__(self) -> str:
        return f"<Question {self.qid}>"


class CourseAsset(db.Model):
    """A picture of a course version, kept in the database so every worker and old version has it."""

    __tablename__ = "course_asset"
    __table_args__ = (UniqueConstraint("version_id", "path", name="path"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("course_version.id"), index=True)
    path: Mapped[str] = mapped_column(String(255))
    mimetype: Mapped[str] = mapped_column(String(80))
    data: Mapped[bytes] = mapped_column(LargeBinary)

    version: Mapped[CourseVersion] = relationship(back_populates="assets")


class ModuleRead(db.Model):
    """A person marked a module as read (by slug, so progress carries over to new versions)."""

    __tablename__ = "module_read"
    __table_args__ = (UniqueConstraint("person_id", "course_id", "slug", name="person_module"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id"), index=True)
    slug: Mapped[str] = mapped_column(String(120))
    read_at: Mapped[datetime] = mapped_column(default=utcnow)
