"""Loading course folders into versions, and reading the published catalogue."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import contains_eager, selectinload

from app.completions.models import Completion
from app.core.markdown import render_inline, render_markdown
from app.courses.content import contents_of
from app.courses.loader import ASSET_TYPES, REVIEW_MODES, ParsedCourse, Problem, count_words, read_tree
from app.courses.models import Course, CourseAsset, CourseVersion, Module, ModuleRead, Question
from app.extensions import db


@dataclass
class SyncReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    #: unchanged content whose stored HTML was rendered again by today's renderer
    rerendered: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    #: published courses that are not under the folder synced: left as they are
    not_in_folder: list[str] = field(default_factory=list)
    #: courses in the folder that were removed from the catalogue: updated, still removed
    kept_removed: list[str] = field(default_factory=list)


def course_link_resolver(version_id: int):
    """Relative links in a module: other modules by slug, pictures under this version's assets."""

    def resolve(target: str) -> str:
        file_part, _, anchor = target.partition("#")
        if file_part.endswith(".md"):
            url = file_part[:-3]
        else:
            url = f"assets/{version_id}/{file_part}"
        return url + (f"#{anchor}" if anchor else "")

    return resolve


def _option_key(index: int) -> str:
    return "abcdef"[index]


def _rendered(version_id: int, parsed: ParsedCourse) -> tuple[str, list[tuple[str, list]], list[dict]]:
    """The HTML of a course as the renderer makes it today: the introduction, (html, contents) of
    each module, and the rendered fields of each question."""
    resolve = course_link_resolver(version_id)
    modules = []
    for module in parsed.modules:
        rendered = render_markdown(module.text, resolve)
        modules.append((rendered.html, rendered.toc))
    questions = [{
        "stem_html": render_markdown(q.stem).html, "explanation_html": render_markdown(q.explanation).html,
        "options": [{"key": _option_key(i), "html": render_inline(o.text), "correct": o.correct,
                     "feedback_html": render_inline(o.feedback) if o.feedback else ""}
                    for i, o in enumerate(q.options)],
    } for q in parsed.questions]
    return render_markdown(parsed.intro, resolve).html, modules, questions


def _rerender(version: CourseVersion, parsed: ParsedCourse) -> bool:
    """Render an unchanged course's stored HTML again when the renderer has changed since it was
    published (a sanitiser rule, picture links): the same content, the same version, today's HTML.
    True when anything changed. Running workers keep their copy of the old HTML until they restart
    (courses/README.md). Flushes nothing."""
    intro, modules, questions = _rendered(version.id, parsed)
    changed = version.intro_html != intro
    version.intro_html = intro
    for row, (html, toc) in zip(sorted(version.modules, key=lambda m: m.position), modules):
        changed |= (row.html, list(row.toc or [])) != (html, [list(t) for t in toc])
        row.html, row.toc = html, toc
    stored = db.session.scalars(select(Question).where(Question.version_id == version.id)
                                .order_by(Question.position)).all()
    for row, fields in zip(stored, questions):
        for name, value in fields.items():
            if getattr(row, name) != value:
                setattr(row, name, value)
                changed = True
    return changed


def _publish(course: Course, parsed: ParsedCourse, number: int) -> CourseVersion:
    meta = parsed.meta
    version = CourseVersion(
        course=course, number=number, content_hash=parsed.content_hash, is_current=True,
        title=str(meta["title"]), summary=str(meta.get("summary", "")),
        audience=list(meta["audience"]), standard_edition=str(meta["standard"]),
        minutes=meta["minutes"], pass_mark=meta["pass_mark"],
        questions_per_attempt=meta["questions_per_attempt"],
        attempts_allowed=meta.get("attempts_allowed") or 0,
        review=meta.get("review", REVIEW_MODES[0]), require_reading=bool(meta.get("require_reading", False)),
        word_count=parsed.word_count,
    )
    db.session.add(version)
    db.session.flush()  # the version id goes into asset URLs
    version.intro_html, modules, questions = _rendered(version.id, parsed)
    for position, (module, (html, toc)) in enumerate(zip(parsed.modules, modules), start=1):
        db.session.add(Module(version=version, position=position, slug=module.slug, title=module.title,
                              html=html, toc=toc, word_count=count_words(module.text)))
    for position, (q, fields) in enumerate(zip(parsed.questions, questions), start=1):
        db.session.add(Question(version=version, qid=q.qid, position=position, kind=q.kind,
                                clause=", ".join(q.clauses), **fields))
    for path, data in parsed.assets.items():
        db.session.add(CourseAsset(version=version, path=path, data=data,
                                   mimetype=ASSET_TYPES[Path(path).suffix.lower()]))
    return version


def sync_courses(root: str | Path) -> SyncReport:
    """Load every valid course under root; a changed course gets a new current version.

    Courses with problems are skipped (their last good version stays published) and their problems
    returned in the report. Only the courses under root are touched: a course missing from root
    stays as it is (root may be a folder holding one fixed course), and a course taken off the
    catalogue (`set_listed`, the `courses remove` command) stays off until it is put back. Flushes only.
    """
    report = SyncReport()
    parsed_courses, report.problems = read_tree(Path(root))
    existing = {c.code: c for c in db.session.scalars(select(Course).options(selectinload(Course.versions)))}
    seen = set()
    for parsed in parsed_courses:
        if parsed.code:
            seen.add(parsed.code)
        if parsed.problems:
            report.skipped.append(parsed.code or str(parsed.folder))
            continue
        course = existing.get(parsed.code)
        if course is None:
            course = Course(code=parsed.code, listed=True)
            db.session.add(course)
            versions: list[CourseVersion] = []
        else:
            versions = list(course.versions)
            if not course.listed:
                report.kept_removed.append(parsed.code)
        same = next((v for v in versions if v.content_hash == parsed.content_hash), None)
        if same is not None and same.is_current:
            (report.rerendered if _rerender(same, parsed) else report.unchanged).append(parsed.code)
            continue
        for v in versions:
            v.is_current = False
        if same is not None:  # content went back to an earlier version: republish that one
            same.is_current = True
            report.updated.append(parsed.code)
            continue
        _publish(course, parsed, number=max((v.number for v in versions), default=0) + 1)
        (report.updated if versions else report.created).append(parsed.code)
    report.not_in_folder = sorted(code for code, course in existing.items() if code not in seen and course.listed)
    db.session.flush()
    return report


class CourseError(ValueError):
    """A course that cannot be removed or restored so; the message is printed."""


def set_listed(code: str, listed: bool, actor=None) -> Course:
    """Take a course off the catalogue (learners no longer see it; its versions, attempts and
    completions stay) or put it back; audit-logged. Raises CourseError. Flushes."""
    from app.audit.services import record

    course = db.session.scalar(select(Course).where(Course.code == code))
    if course is None:
        raise CourseError(f"no course {code}")
    if course.listed == listed:
        raise CourseError(f"{code} is already {'listed' if listed else 'removed'}")
    course.listed = listed
    db.session.flush()
    record("course.restore" if listed else "course.remove", actor=actor, target_type="course",
           target_id=course.id, target_label=code)
    return course


def current_versions_query():
    """select() of the current version of every listed course, ordered by course code."""
    return (
        select(CourseVersion)
        .join(Course)
        .options(contains_eager(CourseVersion.course))
        .where(CourseVersion.is_current.is_(True), Course.listed.is_(True))
        .order_by(Course.code)
    )


def current_version(code: str) -> CourseVersion | None:
    """The current version of the course with this code, or None."""
    return db.session.scalar(current_versions_query().where(Course.code == code))


def mark_read(person_id: int, course_id: int, slug: str) -> bool:
    """Record that a person read a module; True if it was new. Idempotent. Flushes."""
    exists = db.session.scalar(
        select(ModuleRead.id).where(ModuleRead.person_id == person_id, ModuleRead.course_id == course_id,
                                    ModuleRead.slug == slug)
    )
    if exists:
        return False
    try:
        with db.session.begin_nested():
            db.session.add(ModuleRead(person_id=person_id, course_id=course_id, slug=slug))
    except IntegrityError:  # the same click arrived twice at once
        return False
    return True


def unread_slugs(person_id: int, version_id: int, course_id: int) -> list[str]:
    """Slugs of the version's modules the person has not marked read, in course order (one query)."""
    read = select(ModuleRead.slug).where(ModuleRead.person_id == person_id, ModuleRead.course_id == course_id)
    return list(db.session.scalars(select(Module.slug).where(Module.version_id == version_id, Module.slug.not_in(read))
                                   .order_by(Module.position)))


def read_slugs(person_id: int, course_ids: list[int]) -> dict[int, set[str]]:
    """course id -> slugs of the modules the person has marked as read (one query)."""
    out: dict[int, set[str]] = {cid: set() for cid in course_ids}
    rows = db.session.execute(
        select(ModuleRead.course_id, ModuleRead.slug).where(
            ModuleRead.person_id == person_id, ModuleRead.course_id.in_(course_ids)
        )
    )
    for course_id, slug in rows:
        out[course_id].add(slug)
    return out


@dataclass
class CourseCard:
    """What the learner's home shows for one course."""

    version: CourseVersion
    modules: int
    read: int
    recommended: bool
    completed_on: object = None  # date of the latest completion, if any
    score: int | None = None

    @property
    def percent(self) -> int:
        if self.completed_on is not None:
            return 100
        return round(100 * self.read / self.modules) if self.modules else 0


def learner_overview(person_id: int, roles: set[str]) -> tuple[list[CourseCard], list[tuple[str, object]]]:
    """Every listed course with the person's progress, those meant for their roles first; and the
    person's completions as (course code, date) in date order, for their obligations.

    Three queries whatever the number of courses: versions, modules read, completions; the module
    lists come from each version's cached content.
    """
    versions = list(db.session.scalars(current_versions_query()))
    content = contents_of((v.id, v.content_hash) for v in versions)
    slugs = {v.id: [m.slug for m in content[(v.id, v.content_hash)].modules] for v in versions}
    read = read_slugs(person_id, [v.course_id for v in versions])
    latest: dict[int, tuple] = {}
    completions = []
    rows = db.session.execute(
        select(Completion.course_id, Course.code, Completion.completed_on, Completion.score)
        .join(Course, Course.id == Completion.course_id)
        .where(Completion.person_id == person_id)
        .order_by(Completion.completed_on, Completion.id)
    )
    for course_id, code, completed_on, score in rows:
        latest[course_id] = (completed_on, score)
        completions.append((code, completed_on))
    cards = []
    for v in versions:
        done = latest.get(v.course_id, (None, None))
        cards.append(CourseCard(
            version=v, modules=len(slugs[v.id]), read=len(set(slugs[v.id]) & read[v.course_id]),
            recommended=bool(set(v.audience) & roles), completed_on=done[0], score=done[1],
        ))
    cards.sort(key=lambda c: (not c.recommended, c.version.course.code))
    return cards, completions
