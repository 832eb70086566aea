"""Quiz pages: start or resume an attempt, answer it, confirm a submission with questions left
unanswered, see the graded result."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from app.accounts.forms import EmptyForm
from app.core.dates import today
from app.courses.models import Question
from app.courses.services import current_version
from app.extensions import db
from app.policy import can_view_attempt, ensure
from app.quizzes import services
from app.quizzes.models import QuizAttempt
from app.quizzes.standing import history, shows_key, standing

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
            attempt_id = services.start_attempt(current_user.id, version).id
        except services.QuizError as exc:
            flash(str(exc), "error")
        else:
            db.session.commit()
            return redirect(url_for("quizzes.attempt", attempt_id=attempt_id))
    state = standing(current_user.id, version, today())
    current, earlier = history(current_user.id, version.id, state.since)
    left_to_read = services.modules_left_to_read(current_user.id, version) if version.require_reading else []
    return render_template("quizzes/start.html", version=version, form=form, state=state, current=current,
                           earlier=earlier, left_to_read=left_to_read,
                           open_attempt=services.open_attempt(current_user.id, version))


def _items(attempt: QuizAttempt) -> list:
    """(question, its options in the order drawn) for each question of the attempt."""
    questions = {q.id: q for q in db.session.scalars(select(Question).where(Question.id.in_(attempt.question_ids)))}
    items = []
    for qid, keys in attempt.drawn:
        q = questions[qid]
        by_key = {o["key"]: o for o in q.options}
        items.append((q, [by_key[k] for k in keys]))
    return items


@bp.get("/attempts/<int:attempt_id>")
@login_required
def attempt(attempt_id: int):
    attempt = db.get_or_404(QuizAttempt, attempt_id)
    ensure(can_view_attempt(current_user, attempt.person_id))
    version = attempt.version
    if attempt.submitted_at is None:
        return render_template("quizzes/attempt.html", attempt=attempt, items=_items(attempt), version=version,
                               form=EmptyForm(), saved=attempt.answers or {})
    state = standing(attempt.person_id, version, today())
    # an admin reviewing someone else's attempt (can_view_attempt) sees the key
    key = shows_key(version.review, attempt, state) or attempt.person_id != current_user.id
    return render_template("quizzes/result.html", attempt=attempt, items=_items(attempt), version=version,
                           state=state, show_key=key)


@bp.post("/attempts/<int:attempt_id>")
@login_required
def submit(attempt_id: int):
    """Grade the answers sent, unless some questions are unanswered and the learner has not yet
    confirmed: then keep the answers and ask first (a stray Enter in the form lands here too)."""
    if EmptyForm().validate_on_submit():
        answers = {key[1:]: request.form.getlist(key) for key in request.form if key.startswith("q")}
        try:
            graded = services.submit_attempt(attempt_id, current_user.id, answers,
                                             confirmed=request.form.get("confirm") == "1",
                                             assignments=current_user.assignments)
        except services.QuizError:  # no such attempt (404), or someone else's (403)
            ensure(db.get_or_404(QuizAttempt, attempt_id).person_id == current_user.id)
            abort(403)
        open_still = graded.submitted_at is None
        db.session.commit()
        if open_still:
            return redirect(url_for("quizzes.confirm", attempt_id=attempt_id))
    else:
        attempt = db.get_or_404(QuizAttempt, attempt_id)
        ensure(attempt.person_id == current_user.id)
    return redirect(url_for("quizzes.attempt", attempt_id=attempt_id))


@bp.get("/attempts/<int:attempt_id>/confirm")
@login_required
def confirm(attempt_id: int):
    """Ask "N questions are unanswered: submit anyway?", with the saved answers, which the form
    sends again when the learner confirms."""
    attempt = db.get_or_404(QuizAttempt, attempt_id)
    ensure(attempt.person_id == current_user.id)
    if attempt.submitted_at is not None:
        return redirect(url_for("quizzes.attempt", attempt_id=attempt.id))
    saved = attempt.answers or {}
    return render_template("quizzes/confirm.html", attempt=attempt, version=attempt.version, form=EmptyForm(),
                           saved=saved, missing=services.unanswered(attempt, saved))
