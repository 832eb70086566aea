"""Import pages: upload a file, see every problem or what would change, confirm once."""
from __future__ import annotations

import re

from flask import Blueprint, abort, current_app, flash, make_response, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import defer, joinedload

from app.accounts.forms import EmptyForm
from app.extensions import db
from app.imports import formats
from app.imports.forms import UploadForm
from app.imports.models import ImportUpload
from app.imports.services import create_upload, confirm_upload
from app.policy import (can_import, can_import_province_data, can_view_import_upload, editable_agency_ids, ensure,
                        import_kinds, require)

bp = Blueprint("imports", __name__, url_prefix="/imports")
RECENT = 20


def _display_name(name: str | None) -> str:
    """The uploaded file's own name, without folders or control characters (it is only shown)."""
    name = re.split(r"[\\/]", name or "")[-1]
    return re.sub(r"[\x00-\x1f\x7f]", "", name)[:255] or "upload"


@bp.route("/", methods=["GET", "POST"])
@require(can_import)
def index():
    """The kinds this person may import, the upload form and the recent uploads."""
    kinds = import_kinds(current_user)
    form = UploadForm()
    form.kind.choices = [(k, formats.KIND_LABELS[k]) for k in kinds]
    if form.is_submitted() and form.kind.data not in kinds:
        abort(403)  # e.g. an agency manager posting an agencies file
    if form.validate_on_submit():
        limit = current_app.config["IMPORT_MAX_UPLOAD_BYTES"]
        data = form.file.data.read(limit + 1)
        if len(data) > limit:
            form.file.errors.append(_("Tệp lớn hơn %(mb)d MB: hãy chia thành nhiều tệp nhỏ hơn.", mb=limit // 2**20))
        else:
            upload = create_upload(form.kind.data, _display_name(form.file.data.filename), data, current_user,
                                   editable_agency_ids(current_user))
            db.session.commit()
            return redirect(url_for("imports.preview", upload_id=upload.id))
    query = (select(ImportUpload).options(defer(ImportUpload.data), joinedload(ImportUpload.uploaded_by))
             .order_by(ImportUpload.id.desc()).limit(RECENT))
    if not can_import_province_data(current_user):
        query = query.where(ImportUpload.uploaded_by_id == current_user.id)
    return render_template("imports/index.html", form=form, kinds=kinds, formats=formats,
                           uploads=db.session.scalars(query).all())


@bp.get("/templates/<kind>.csv")
@require(can_import)
def sample(kind: str):
    """A sample file with the exact header of a kind."""
    if kind not in formats.KIND_LABELS:
        abort(404)
    ensure(kind in import_kinds(current_user))
    response = make_response(formats.sample_csv(kind))
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    response.headers["Content-Disposition"] = f"attachment; filename=mau-{kind}.csv"
    return response


def _upload(upload_id: int) -> ImportUpload:
    upload = db.get_or_404(ImportUpload, upload_id, options=[defer(ImportUpload.data)])
    ensure(can_view_import_upload(current_user, upload.uploaded_by_id))
    return upload


@bp.get("/<int:upload_id>")
@require(can_import)
def preview(upload_id: int):
    """Every problem of the file, or what confirming would change; after confirming, what it did."""
    upload = _upload(upload_id)
    return render_template("imports/preview.html", upload=upload, result=upload.result or {}, formats=formats,
                           form=EmptyForm(), may_confirm=upload.kind in import_kinds(current_user))


@bp.post("/<int:upload_id>/confirm")
@require(can_import)
def confirm(upload_id: int):
    upload = _upload(upload_id)
    ensure(upload.kind in import_kinds(current_user))
    if not EmptyForm().validate_on_submit():
        abort(400)
    had_problems = bool((upload.result or {}).get("problem_count"))  # as the preview found it
    report = confirm_upload(upload, current_user, editable_agency_ids(current_user))
    db.session.commit()
    if report is None:
        flash(_("Tệp này đã được nhập rồi; lần xác nhận này không thay đổi gì."), "info")
    elif report.applied:
        flash(_("Đã nhập xong %(n)d dòng.", n=report.rows), "success")
    elif had_problems:
        flash(_("Chưa nhập: tệp có %(n)d lỗi (danh sách bên dưới). Hãy sửa tệp rồi tải lên lại. Không có gì "
                "được ghi.", n=report.problems.count), "error")
    else:
        flash(_("Chưa nhập: dữ liệu trong hệ thống đã thay đổi từ lúc kiểm tra và tệp nay có lỗi. Không có gì "
                "được ghi."), "error")
    return redirect(url_for("imports.preview", upload_id=upload.id))


@bp.errorhandler(413)
def too_large(_error):
    limit = current_app.config["IMPORT_MAX_UPLOAD_BYTES"] // 2**20
    return render_template("imports/too_large.html", limit=limit), 413
