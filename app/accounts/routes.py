"""Signing in and out, setting a password from a one-time link, and choosing the interface language."""
import math
from functools import lru_cache

from flask import Blueprint, current_app, flash, make_response, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import joinedload

from app.accounts import invites, password_reset, sessions, throttle
from app.accounts.forms import EmptyForm, ForgotPasswordForm, InviteForm, LoginForm
from app.accounts.models import Assignment, Person
from app.accounts.services import authenticate
from app.core.dates import utcnow
from app.core.urls import safe_next
from app.extensions import db, limiter, login_manager

bp = Blueprint("accounts", __name__)


@lru_cache(maxsize=1)
def _user_statement():
    """The user loader's statement, built once: SQLAlchemy then finds its compiled form in the
    cache by a key it computed once, instead of building and hashing the query on every request."""
    from app.notifications.models import Notification

    unread = (select(func.count(Notification.id))
              .where(Notification.person_id == Person.id, Notification.read_at.is_(None))
              .correlate(Person).scalar_subquery())
    return (select(Person, unread).options(joinedload(Person.assignments).joinedload(Assignment.agency))
            .where(Person.id == bindparam("person_id")))


@login_manager.user_loader
def load_user(user_id: str) -> Person | None:
    """The signed-in person with their assignments and agencies (the menu's access rules and one's
    own obligations read them) and the count of unread notifications (the menu's bell), in one
    statement."""
    row = db.session.execute(_user_statement(), {"person_id": int(user_id)}).unique().first()
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
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("courses.home"))
    form = LoginForm()
    if form.validate_on_submit():
        lock = throttle.lock_of(form.username.data)
        if lock is not None:  # refused before the password is even looked at
            minutes = max(1, math.ceil((lock.until - utcnow()).total_seconds() / 60))
            flash(_("Tên đăng nhập này đã nhập sai mật khẩu quá nhiều lần nên tạm thời bị khóa. Hãy thử "
                    "lại sau %(n)s phút, hoặc nhờ quản trị viên mở khóa.", n=minutes), "error")
            return render_template("accounts/login.html", form=form), 429
        person = authenticate(form.username.data, form.password.data)
        if person is None:
            throttle.record_failure(form.username.data, request.remote_addr)
            db.session.commit()
            flash(_("Tên đăng nhập hoặc mật khẩu không đúng."), "error")
        else:
            throttle.clear(form.username.data)
            db.session.commit()
            login_user(person)
            sessions.start(person)
            return redirect(_safe_next(request.args.get("next")))
    return render_template("accounts/login.html", form=form)


@bp.route("/password/forgot", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["INVITE_RATE_LIMIT"], methods=["POST"])
def forgot_password():
    """Ask for a reset link by mail; the answer is the same whether or not such an account exists."""
    if current_user.is_authenticated:
        return redirect(url_for("me.profile"))
    form = ForgotPasswordForm()
    mail_on = password_reset.mail_configured()
    if mail_on and form.validate_on_submit():
        found = password_reset.request_reset(form.identifier.data)
        db.session.commit()
        if found is not None:
            password_reset.send_later(current_app._get_current_object(), *found)
        flash(_("Nếu tên đăng nhập hoặc thư điện tử này thuộc một tài khoản có thư điện tử, liên kết đặt lại "
                "mật khẩu vừa được gửi tới thư điện tử đó. Liên kết dùng được trong %(d)s ngày.",
                d=current_app.config["INVITE_VALID_DAYS"]), "success")
        return redirect(url_for("accounts.login"))
    return _private(make_response(render_template("accounts/forgot.html", form=form, mail_on=mail_on)))


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
@limiter.limit(lambda: current_app.config["INVITE_RATE_LIMIT"], methods=["POST"])
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
