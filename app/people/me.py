"""The signed-in person's own record and download, and the public privacy notice."""
from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user, login_required

from app.certificates.services import certificates_of
from app.core.dates import today
from app.extensions import db
from app.coverage.obligations import my_obligations
from app.coverage.rules import current_rules
from app.people.export import json_download, personal_record

bp = Blueprint("me", __name__)


def attempt_summary(attempts: list[dict]) -> list[dict]:
    """Per course (in the order first tried): attempts submitted, best score, passed or not."""
    summary: dict[str, dict] = {}
    for a in attempts:
        row = summary.setdefault(a["course_code"], {"course_code": a["course_code"], "course_title": a["course_title"],
                                                    "submitted": 0, "best": None, "passed": False, "last": None})
        if a["submitted_at"] is None:
            continue
        row["submitted"] += 1
        row["best"] = a["score"] if row["best"] is None else max(row["best"], a["score"] or 0)
        row["passed"] = row["passed"] or bool(a["passed"])
        row["last"] = a["submitted_at"]
    return list(summary.values())


@bp.get("/me")
@login_required
def profile():
    data = personal_record(current_user)
    obligations = my_obligations(current_user, today(), current_rules())
    certificates = list(db.session.scalars(certificates_of(current_user.id)))
    return render_template("people/me.html", data=data, attempts=attempt_summary(data["quiz_attempts"]),
                           obligations=obligations, certificates=certificates, day=today())


@bp.get("/me/data.json")
@login_required
def my_data():
    return json_download(current_user)


@bp.get("/privacy")
def privacy():
    return render_template("privacy.html")
