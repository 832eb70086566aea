"""What never changes for a course version, read once per process and kept.

A version's modules, their rendered HTML and tables of contents are immutable once published: a
changed course folder becomes a new version with a new id. So they can be kept in each worker's
memory under the version id and content hash without any worker ever serving stale content (the hash
guards against an id reused after a restore); which version is current is still asked of the
database on every request (see `current_for`)."""
from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from functools import cached_property, lru_cache

from sqlalchemy import and_, bindparam, select

from app.courses.models import Course, CourseVersion, Module, ModuleRead, Question
from app.extensions import db

#: versions kept per process (a course has one current version; old ones are rarely read)
MAX_VERSIONS = 128


@dataclass(frozen=True)
class ModuleContent:
    position: int
    slug: str
    title: str
    html: str
    toc: tuple


@dataclass(frozen=True)
class VersionContent:
    """A published course version as its pages show it."""
    id: int
    course_id: int
    code: str
    number: int
    title: str
    audience: tuple
    standard_edition: str
    minutes: int
    pass_mark: int
    questions_per_attempt: int
    attempts_allowed: int
    review: str
    require_reading: bool
    intro_html: str
    modules: tuple[ModuleContent, ...]

    def module(self, slug: str) -> tuple[int, ModuleContent] | None:
        """(index, module) of a slug, or None."""
        return next(((i, m) for i, m in enumerate(self.modules) if m.slug == slug), None)

    def left_to_read(self, read: set[str]) -> list[ModuleContent]:
        """The modules still to be marked read before the quiz opens (none unless the course
        requires reading)."""
        return [m for m in self.modules if m.slug not in read] if self.require_reading else []


_cache: OrderedDict[tuple[int, str], VersionContent] = OrderedDict()
_lock = threading.Lock()


def content_of(version_id: int, content_hash: str) -> VersionContent:
    """The content of a version: from this process's memory, or read once (two queries)."""
    return contents_of([(version_id, content_hash)])[(version_id, content_hash)]


def contents_of(keys) -> dict[tuple[int, str], VersionContent]:
    """The content of each (version id, content hash): from memory, the missing ones read together
    (two queries)."""
    keys = list(keys)
    found: dict[tuple[int, str], VersionContent] = {}
    with _lock:
        for key in keys:
            if key in _cache:
                _cache.move_to_end(key)
                found[key] = _cache[key]
    missing = [vid for vid, _hash in keys if (vid, _hash) not in found]
    if not missing:
        return found
    modules: dict[int, list[ModuleContent]] = {vid: [] for vid in missing}
    for m in db.session.scalars(select(Module).where(Module.version_id.in_(missing))
                                .order_by(Module.version_id, Module.position)):
        modules[m.version_id].append(ModuleContent(m.position, m.slug, m.title, m.html,
                                                   tuple(tuple(t) for t in m.toc or ())))
    loaded = {}
    for version, code in db.session.execute(
            select(CourseVersion, Course.code).join(Course).where(CourseVersion.id.in_(missing))).tuples():
        loaded[(version.id, version.content_hash)] = VersionContent(
            id=version.id, course_id=version.course_id, code=code, number=version.number, title=version.title,
            audience=tuple(version.audience), standard_edition=version.standard_edition, minutes=version.minutes,
            pass_mark=version.pass_mark, questions_per_attempt=version.questions_per_attempt,
            attempts_allowed=version.attempts_allowed, review=version.review,
            require_reading=version.require_reading, intro_html=version.intro_html,
            modules=tuple(modules[version.id]))
    with _lock:
        _cache.update(loaded)
        while len(_cache) > MAX_VERSIONS:
            _cache.popitem(last=False)
    return found | loaded


@lru_cache(maxsize=1)
def _current_statement():
    """current_for's statement, built once (see accounts.routes._user_statement)."""
    return (select(CourseVersion.id, CourseVersion.content_hash, ModuleRead.slug)
            .join(Course, Course.id == CourseVersion.course_id)
            .outerjoin(ModuleRead, and_(ModuleRead.course_id == Course.id,
                                        ModuleRead.person_id == bindparam("person_id")))
            .where(Course.code == bindparam("code"), Course.listed.is_(True), CourseVersion.is_current.is_(True)))


def current_for(code: str, person_id: int) -> tuple[VersionContent, set[str]] | None:
    """(content of the current version, slugs the person has marked read) of a listed course, or
    None. One query, the version joined with the person's reading of that course, while the
    content is in memory."""
    rows = db.session.execute(_current_statement(), {"code": code, "person_id": person_id}).all()
    if not rows:
        return None
    return content_of(rows[0][0], rows[0][1]), {slug for *_version, slug in rows if slug is not None}


@dataclass(frozen=True)
class QuestionKey:
    """What grading needs of a question: its kind and options with their correct flags. A
    version's questions never change their keys (a changed quiz is a new version), so these are
    kept per process under the version's id and content hash, like its rendered content."""
    id: int
    kind: str
    options: tuple[dict, ...]

    @cached_property
    def correct_keys(self) -> set[str]:
        return {o["key"] for o in self.options if o["correct"]}


_keys: dict[tuple[int, str], dict[int, QuestionKey]] = {}


def question_keys(version: CourseVersion) -> dict[int, QuestionKey]:
    """The version's questions by id, for grading (one query the first time in a process)."""
    cache_key = (version.id, version.content_hash)
    found = _keys.get(cache_key)
    if found is None:
        found = {q.id: QuestionKey(q.id, q.kind, tuple({"key": o["key"], "correct": bool(o["correct"])}
                                                        for o in q.options))
                 for q in db.session.scalars(select(Question).where(Question.version_id == version.id))}
        with _lock:
            if len(_keys) > MAX_VERSIONS:
                _keys.clear()
            _keys[cache_key] = found
    return found


def forget() -> None:
    """Empty this process's caches (tests that rewrite a version in place)."""
    with _lock:
        _cache.clear()
        _keys.clear()
