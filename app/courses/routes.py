"""Learner pages: my courses, a course, a module, its pictures."""
from flask import Blueprint, Response, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from app.accounts.forms import EmptyForm
from app.certificates.models import Certificate
from app.certificates.services import certificates_of
from app.core.dates import today
from app.courses import services
from app.courses.content import VersionContent, current_for
from app.courses.models import CourseAsset
from app.coverage.obligations import my_obligations
from app.coverage.rules import current_rules
from app.extensions import db
from app.quizzes.standing import standing

bp = Blueprint("courses", __name__)


def _person_roles() -> set[str]:
    roles = {"staff"}
    for a in current_user.current_assignments(today()):
        roles.update(a.roles)
    if current_user.access_role == "dost":
        roles.add("dost")
    return roles


def _current_or_404(code: str) -> tuple[VersionContent, set[str]]:
    """The current version's content and the slugs the person has read; 404 for no such course."""
    found = current_for(code, current_user.id)
    if found is None:
        abort(404)
    return found


@bp.get("/")
@login_required
def home():
    cards, completions = services.learner_overview(current_user.id, _person_roles())
    obligations = my_obligations(current_user, today(), current_rules(), completions)
    return render_template("courses/home.html", cards=cards, obligations=obligations)


@bp.get("/courses/<code>/")
@login_required
def course(code: str):
    version, read = _current_or_404(code)
    latest = db.session.scalar(  # the newest certificate of this course, if any
        certificates_of(current_user.id).where(Certificate.course_code == code).limit(1))
    day = today()
    return render_template("courses/course.html", version=version, read=read, certificate=latest, day=day,
                           state=standing(current_user.id, version, day))


@bp.get("/courses/<code>/<slug>")
@login_required
def module(code: str, slug: str):
    """A module: two statements (the user, the version with the person's reading); the module's
    HTML, contents and the course's module list come from the version's cached content."""
    version, read = _current_or_404(code)
    found = version.module(slug)
    if found is None:
        abort(404)
    index, current = found
    modules = version.modules
    return render_template(
        "courses/module.html", version=version, module=current, modules=modules, read=read,
        previous=modules[index - 1] if index > 0 else None,
        next=modules[index + 1] if index + 1 < len(modules) else None, form=EmptyForm(),
    )


@bp.post("/courses/<code>/<slug>/read")
@login_required
def mark_read(code: str, slug: str):
    """Mark a module read and come back to the same module, at its actions: the message, the state
    shown there and the way on (next module, or the quiz) are about the module just read."""
    version, _read = _current_or_404(code)
    found = version.module(slug)
    if found is None:
        abort(404)
    if EmptyForm().validate_on_submit():
        services.mark_read(current_user.id, version.course_id, slug)
        db.session.commit()
        flash(_("Đã ghi nhận: bạn đã đọc mô-đun “%(title)s”.", title=found[1].title), "success")
    return redirect(url_for("courses.module", code=code, slug=slug, _anchor="module-actions"))


@bp.get("/courses/<code>/assets/<int:version_id>/<path:path>")
@login_required
def asset(code: str, version_id: int, path: str):
    row = db.session.scalar(select(CourseAsset).where(CourseAsset.version_id == version_id, CourseAsset.path == path))
    if row is None or row.version.course.code != code:
        abort(404)
    return _asset_response(row.data, row.mimetype)


def _asset_response(data: bytes, mimetype: str) -> Response:
    """Pictures of a version never change: cache them for a year; SVG may never run script."""
    response = Response(data, mimetype=mimetype)
    response.headers["Cache-Control"] = "private, max-age=31536000, immutable"
    response.headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'; sandbox"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
