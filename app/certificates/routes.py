"""The public verify page, and certificate downloads for whoever may see them."""
from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from app.certificates import services
from app.certificates.codes import normalise
from app.agencies.models import Agency
from app.certificates.archive import zip_stream
from app.certificates.models import Certificate
from app.certificates.pdf import render
from app.core.dates import today
from app.extensions import db, limiter
from app.certificates.forms import RevokeForm
from app.policy import can_download_certificate, can_revoke_certificate, can_view_agency, ensure, require, sees_agencies

bp = Blueprint("certificates", __name__)


def _find(typed: str) -> Certificate | None:
    """The certificate of a code as typed, or None."""
    code = normalise(typed)
    return db.session.scalar(select(Certificate).where(Certificate.code == code)) if code else None


@bp.get("/verify/<path:code>")
@limiter.limit(lambda: current_app.config["VERIFY_RATE_LIMIT"])
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


def _agency_year(code: str, year: int | None = None):
    """(agency, the agencies its certificates were earned at, the year asked for (this year when
    absent or without certificates), the years on offer) for an agency the viewer may look into:
    404 unknown, 403 outside their scope."""
    agency = db.first_or_404(select(Agency).where(Agency.code == code))
    ensure(can_view_agency(current_user, agency.id))
    day = today()
    sources = services.agency_sources(agency.id, day)
    years = services.years_of_agency(sources, day)
    if year is None:
        raw = request.args.get("year", "")
        year = int(raw) if raw.isdigit() else day.year
    return agency, sources, (year if year in years else day.year), years


@bp.get("/certificates/agency/<code>")
@require(sees_agencies)
def agency(code: str):
    """An agency's certificates of a year, each downloadable, and all of them as one ZIP."""
    agency_, sources, year, years = _agency_year(code)
    certificates = db.session.scalars(services.of_agency(sources, year)).all()
    return render_template("certificates/agency.html", agency=agency_, year=year, years=years,
                           certificates=certificates, day=today(),
                           downloadable=sum(c.revoked_at is None for c in certificates))


@bp.get("/certificates/agency/<code>/<int:year>.zip")
@require(sees_agencies)
def agency_zip(code: str, year: int):
    """The ZIP, one PDF per certificate (revoked ones left out), written while it is sent."""
    agency_, sources, found, _years = _agency_year(code, year)
    if found != year:
        abort(404)
    items = services.archive_items(db.session.scalars(services.of_agency(sources, year)))
    if not items:
        abort(404)
    name = f"GiayChungNhan_{agency_.code}_{year}.zip"
    return Response(zip_stream(items), mimetype="application/zip",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
