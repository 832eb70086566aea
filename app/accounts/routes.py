"""Signing in and out, and choosing the interface language."""
from flask import Blueprint, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from app.accounts.forms import EmptyForm, LoginForm
from app.accounts.models import Person
from app.accounts.services import authenticate
from app.extensions import db, login_manager

bp = Blueprint("accounts", __name__)


@login_manager.user_loader
def load_user(user_id: str) -> Person | None:
    return db.session.get(Person, int(user_id))


def _safe_next(target: str | None) -> str:
    """Only redirect to a path on this site after signing in."""
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return url_for("courses.home")


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
            return redirect(_safe_next(request.args.get("next")))
    return render_template("accounts/login.html", form=form)


@bp.post("/logout")
@login_required
def logout():
    if EmptyForm().validate_on_submit():
        logout_user()
    return redirect(url_for("accounts.login"))


@bp.get("/lang/<code>")
def set_language(code: str):
    """Remember the chosen language in a cookie (no server state, any worker can serve)."""
    response = make_response(redirect(_safe_next(request.args.get("next"))))
    if code in ("vi", "en"):
        response.set_cookie("lang", code, max_age=365 * 24 * 3600, samesite="Lax", httponly=True)
    return response
