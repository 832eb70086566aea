"""Quiz pages: start or resume an attempt, answer it, see the graded result."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from app.accounts.forms import EmptyForm
from app.courses.models import Question
from app.courses.services import current_version
from app.extensions import db
from app.policy import can_view_attempt, ensure
from app.quizzes import services
from app.quizzes.models import QuizAttempt

bp = Blueprint("quizzes", __name__)


@bp.route("/courses/<code>/quiz", methods=["GET", "POST"])
@login_required
def start(code: str):
    version = current_version(code)
    if version is None:
        abort(404)
    form = EmptyForm()
    if form.validate_on_submit():
        try:
            attempt = services.start_attempt(current_user.id, version)
        except services.QuizError as exc:
            flash(str(exc), "error")
        else:
            db.session.commit()
            return redirect(url_for("quizzes.attempt", attempt_id=attempt.id))
    past = list(db.session.scalars(
        select(QuizAttempt).where(QuizAttempt.person_id == current_user.id,
                                  QuizAttempt.course_version_id == version.id,
                                  QuizAttempt.submitted_at.is_not(None)).order_by(QuizAttempt.id.desc())
    ))
    return render_template("quizzes/start.html", version=version, form=form, past=past,
                           open_attempt=services.open_attempt(current_user.id, version),
                           attempts_left=services.attempts_left(current_user.id, version))


@bp.get("/attempts/<int:attempt_id>")
@login_required
def attempt(attempt_id: int):
    attempt = db.get_or_404(QuizAttempt, attempt_id)
    ensure(can_view_attempt(current_user, attempt.person_id))
    questions = {q.id: q for q in db.session.scalars(select(Question).where(Question.id.in_(attempt.question_ids)))}
    items = []
    for qid, keys in attempt.drawn:
        q = questions[qid]
        by_key = {o["key"]: o for o in q.options}
        items.append((q, [by_key[k] for k in keys]))
    template = "quizzes/result.html" if attempt.submitted_at else "quizzes/attempt.html"
    return render_template(template, attempt=attempt, items=items, version=attempt.version, form=EmptyForm())


@bp.post("/attempts/<int:attempt_id>")
@login_required
def submit(attempt_id: int):
    attempt = db.get_or_404(QuizAttempt, attempt_id)
    ensure(attempt.person_id == current_user.id)
    if EmptyForm().validate_on_submit():
        answers = {key[1:]: request.form.getlist(key) for key in request.form if key.startswith("q")}
        try:
            services.submit_attempt(attempt.id, current_user.id, answers)
        except services.QuizError as exc:
            flash(str(exc), "error")
        db.session.commit()
    return redirect(url_for("quizzes.attempt", attempt_id=attempt.id))
