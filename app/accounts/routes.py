"""Signing in and out, setting a password from a one-time link, and choosing the interface language."""
from flask import Blueprint, flash, make_response, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from app.accounts import invites, sessions
from app.accounts.forms import EmptyForm, InviteForm, LoginForm
from app.accounts.models import Assignment, Person
from app.accounts.services import authenticate
from app.core.urls import safe_next
from app.extensions import db, login_manager

bp = Blueprint("accounts", __name__)


@login_manager.user_loader
def load_user(user_id: str) -> Person | None:
    """The signed-in person with their assignments and agencies (the menu's access rules and one's
    own obligations read them) and the count of unread notifications (the menu's bell), in one
    statement."""
    from app.notifications.models import Notification

    unread = (select(func.count(Notification.id))
              .where(Notification.person_id == Person.id, Notification.read_at.is_(None))
              .correlate(Person).scalar_subquery())
    row = db.session.execute(select(Person, unread).options(joinedload(Person.assignments).joinedload(Assignment.agency))
                             .where(Person.id == int(user_id))).unique().first()
    if row is None:
        return None
    person, person.unread_count = row
    if not sessions.still_valid(person):  # signed out elsewhere, password changed, locked, idle
        session.clear()
        return None
    return person


def _safe_next(target: str | None) -> str:
    """Only redirect to a path on this site (after signing in, after choosing a language)."""
    return safe_next(target, url_for("courses.home"))


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("courses.home"))
    form = LoginForm()
    if form.validate_on_submit():
        person = authenticate(form.username.data, form.password.data)
        if person is None:
            flash(_("Tên đăng nhập hoặc mật khẩu không đúng."), "error")
        else:
            login_user(person)
            sessions.start(person)
            return redirect(_safe_next(request.args.get("next")))
    return render_template("accounts/login.html", form=form)


@bp.post("/logout")
@login_required
def logout():
    if EmptyForm().validate_on_submit():
        current_user.end_sessions()  # a copy of this cookie no longer opens anything
        db.session.commit()
        logout_user()
    return redirect(url_for("accounts.login"))


@bp.get("/lang/<code>")
def set_language(code: str):
    """Remember the chosen language in a cookie (no server state, any worker can serve)."""
    response = make_response(redirect(_safe_next(request.args.get("next"))))
    if code in ("vi", "en"):
        response.set_cookie("lang", code, max_age=365 * 24 * 3600, samesite="Lax", httponly=True)
        if current_user.is_authenticated and current_user.language != code:
            current_user.language = code  # mail and notifications follow the last choice
            db.session.commit()
    return response


def _private(response):
    """The page's address holds a secret: keep it out of caches and Referer headers."""
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def _invite_gone(state: str):
    code = 404 if state == "unknown" else 410
    return _private(make_response(render_template("accounts/invite_gone.html", state=state), code))


@bp.route("/invite/<token>", methods=["GET", "POST"])
def accept_invite(token: str):
    """Set a username and password with a one-time link; a used, expired or unknown link changes nothing."""
    invite, state = invites.find_invite(token)
    if state != "ok":
        return _invite_gone(state)
    person = invite.person
    form = InviteForm()
    if request.method == "GET":
        form.username.data = person.username or person.staff_code.lower()
    if form.validate_on_submit():
        try:
            invites.accept_invite(token, form.username.data, form.password.data)
        except invites.InviteError as exc:
            db.session.rollback()
            _invite, state = invites.find_invite(token)
            if state != "ok":  # another submit of the same link won the race
                return _invite_gone(state)
            flash(str(exc), "error")
        else:
            db.session.commit()
            logout_user()  # a shared computer may still hold someone else's session
            flash(_("Đã đặt mật khẩu. Hãy đăng nhập với tên %(u)s.", u=form.username.data.strip()), "success")
            return redirect(url_for("accounts.login"))
    return _private(make_response(render_template("accounts/invite.html", form=form, person=person, invite=invite)))
