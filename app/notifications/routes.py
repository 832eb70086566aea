"""The person's notifications page, mail choices, and the unsubscribe links in every mail."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.accounts.forms import EmptyForm
from app.accounts.models import Person
from app.extensions import csrf, db
from app.notifications import services
from app.notifications.forms import MailPreferencesForm
from app.notifications.unsubscribe import read_token

bp = Blueprint("notifications", __name__)


@bp.app_context_processor
def unread_notifications() -> dict:
    """The count in the header, asked only by pages that show it."""
    def count() -> int:
        if not current_user.is_authenticated:
            return 0
        loaded = getattr(current_user, "unread_count", None)  # counted when the user was loaded
        return services.unread_count(current_user.id) if loaded is None else loaded
    return {"unread_notifications": count}


@bp.get("/notifications/")
@login_required
def index():
    page = db.paginate(services.notifications_query(current_user.id), per_page=30, error_out=False)
    unread = {n.id for n in page.items if n.read_at is None}
    services.mark_read(current_user.id, list(unread))  # seen now; still marked "new" on this view
    current_user.unread_count = None  # the bell counts again
    db.session.commit()
    form = MailPreferencesForm(obj=current_user)
    return render_template("notifications/index.html", page=page, unread=unread, form=form)


@bp.post("/notifications/preferences")
@login_required
def preferences():
    form = MailPreferencesForm()
    if form.validate_on_submit():
        current_user.digest_mail = form.digest_mail.data
        current_user.reminders_weekly = form.reminders_weekly.data
        db.session.commit()
        flash(_("Đã lưu lựa chọn nhận thư."), "success")
    return redirect(url_for("notifications.index"))


def _apply(person: Person, what: str) -> None:
    if what == "digest":
        person.digest_mail = False
    else:
        person.reminders_weekly = True


@bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
@csrf.exempt  # one-click unsubscribe (RFC 8058) posts without a form; the signed token is the proof
def unsubscribe(token: str):
    found = read_token(token)
    person = db.session.get(Person, found[0]) if found else None
    if person is None:
        abort(404)
    what = found[1]
    if request.method == "POST":
        if request.form.get("List-Unsubscribe") == "One-Click" or EmptyForm().validate_on_submit():
            _apply(person, what)
            db.session.commit()
            return render_template("notifications/unsubscribed.html", what=what, done=True)
    return render_template("notifications/unsubscribed.html", what=what, done=False, form=EmptyForm())
