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
from app.courses.models import CourseAsset, Module
from app.coverage.obligations import my_obligations
from app.coverage.rules import current_rules
from app.extensions import db
from app.quizzes.services import attempts_left

bp = Blueprint("courses", __name__)


def _person_roles() -> set[str]:
    roles = {"staff"}
    for a in current_user.current_assignments(today()):
        roles.update(a.roles)
    if current_user.access_role == "dost":
        roles.add("dost")
    return roles


def _version_or_404(code: str):
    version = services.current_version(code)
    if version is None:
        abort(404)
    return version


@bp.get("/")
@login_required
def home():
    cards = services.learner_overview(current_user.id, _person_roles())
    obligations = my_obligations(current_user, today(), current_rules())
    return render_template("courses/home.html", cards=cards, obligations=obligations)


@bp.get("/courses/<code>/")
@login_required
def course(code: str):
    version = _version_or_404(code)
    read = services.read_slugs(current_user.id, [version.course_id])[version.course_id]
    modules = db.session.execute(
        select(Module.position, Module.slug, Module.title).where(Module.version_id == version.id).order_by(Module.position)
    ).all()
    latest = db.session.scalar(  # the newest certificate of this course, if any
        certificates_of(current_user.id).where(Certificate.course_code == version.course.code).limit(1))
    return render_template("courses/course.html", version=version, modules=modules, read=read,
                           attempts_left=attempts_left(current_user.id, version), certificate=latest,
                           day=today())


@bp.get("/courses/<code>/<slug>")
@login_required
def module(code: str, slug: str):
    version = _version_or_404(code)
    modules = db.session.execute(
        select(Module.position, Module.slug, Module.title).where(Module.version_id == version.id).order_by(Module.position)
    ).all()
    index = next((i for i, m in enumerate(modules) if m.slug == slug), None)
    if index is None:
        abort(404)
    current = db.session.scalar(select(Module).where(Module.version_id == version.id, Module.slug == slug))
    read = services.read_slugs(current_user.id, [version.course_id])[version.course_id]
    return render_template(
        "courses/module.html", version=version, module=current, modules=modules, read=read,
        previous=modules[index - 1] if index > 0 else None,
        next=modules[index + 1] if index + 1 < len(modules) else None, form=EmptyForm(),
    )


@bp.post("/courses/<code>/<slug>/read")
@login_required
def mark_read(code: str, slug: str):
    version = _version_or_404(code)
    modules = list(db.session.scalars(select(Module.slug).where(Module.version_id == version.id).order_by(Module.position)))
    if slug not in modules:
        abort(404)
    if EmptyForm().validate_on_submit():
        services.mark_read(current_user.id, version.course_id, slug)
        db.session.commit()
        flash(_("Đã đánh dấu mô-đun là đã đọc."), "success")
    following = modules[modules.index(slug) + 1:]
    if following:
        return redirect(url_for("courses.module", code=code, slug=following[0]))
    return redirect(url_for("courses.course", code=code))


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
