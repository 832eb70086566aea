"""The public verify page, and certificate downloads for whoever may see them."""
from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from app.certificates import services
from app.certificates.codes import normalise
from app.certificates.models import Certificate
from app.certificates.pdf import render
from app.core.dates import today
from app.extensions import db
from app.certificates.forms import RevokeForm
from app.policy import can_download_certificate, can_revoke_certificate, ensure, require

bp = Blueprint("certificates", __name__)


def _find(typed: str) -> Certificate | None:
    """The certificate of a code as typed, or None."""
    code = normalise(typed)
    return db.session.scalar(select(Certificate).where(Certificate.code == code)) if code else None


@bp.get("/verify/<path:code>")
def verify(code: str):
    """Anyone, without signing in: is this certificate genuine and valid? Only what it prints."""
    certificate = _find(code)
    if certificate is None:
        return render_template("certificates/unknown.html"), 404
    return render_template("certificates/verify.html", c=certificate, status=certificate.status(today()),
                           can_revoke=current_user.is_authenticated and can_revoke_certificate(current_user))


@bp.get("/certificates/<code>.pdf")
@login_required
def download(code: str):
    certificate = _find(code)
    if certificate is None:
        abort(404)
    ensure(can_download_certificate(current_user, certificate))
    return Response(render(services.printed(certificate)), mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="{services.file_name(certificate)}"'})


@bp.route("/certificates/<code>/revoke", methods=["GET", "POST"])
@require(can_revoke_certificate)
def revoke(code: str):
    """An admin revokes a certificate with a reason; the verify page then says so."""
    certificate = _find(code)
    if certificate is None:
        abort(404)
    form = RevokeForm()
    if form.validate_on_submit():
        try:
            services.revoke(certificate, current_user, form.reason.data)
        except services.CertificateError as exc:
            flash(str(exc), "error")
        else:
            db.session.commit()
            flash(_("Đã thu hồi giấy chứng nhận %(c)s.", c=certificate.code), "success")
        return redirect(url_for(".verify", code=certificate.code))
    return render_template("certificates/revoke.html", c=certificate, form=form)
