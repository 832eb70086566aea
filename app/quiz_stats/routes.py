"""Statistics pages: item analysis of a course's questions, and weakness by clause; each with XLSX."""
from __future__ import annotations

from flask import Blueprint, Response, abort, render_template, request
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from app.core.dates import today
from app.core.spreadsheets import XLSX_TYPE
from app.courses.models import Course
from app.extensions import db
from app.policy import can_view_clause_report, can_view_item_analysis, managed_agency_ids, require
from app.quiz_stats import exports
from app.quiz_stats.clauses import MIN_LEARNERS, clause_weakness
from app.quiz_stats.forms import ClauseFilterForm, ItemFilterForm, year_choices
from app.quiz_stats.items import MIN_ANSWERS_TO_FLAG, TOO_EASY, TOO_HARD, item_analysis
from app.people.forms import options

bp = Blueprint("quiz_stats", __name__, url_prefix="/stats")


def _item_filters():
    """The filter form read from the query string and what it selects: (form, course, version or
    None for all, year or None for all). A value that is not on offer falls back to the default."""
    courses = list(db.session.scalars(select(Course).order_by(Course.code)))
    if not courses:
        abort(404)
    form = ItemFilterForm(formdata=request.args)
    form.course.choices = options([(c.code, c.code) for c in courses])
    course = next((c for c in courses if c.code == form.course.data), courses[0])
    form.course.data = course.code
    versions = sorted(course.versions, key=lambda v: v.number, reverse=True)
    form.version.choices = options([("", _("Mọi phiên bản"))] + [
        (str(v.number), _("Phiên bản %(n)d (hiện hành)", n=v.number) if v.is_current else
         _("Phiên bản %(n)d", n=v.number)) for v in versions])
    version = next((v for v in versions if str(v.number) == form.version.data), None)
    form.version.data = str(version.number) if version else ""
    this_year = today().year
    form.year.choices = year_choices(this_year, everything=True)
    raw = request.args.get("year")
    year = this_year if raw not in {c.value for c in form.year.choices} else int(raw) if raw else None
    form.year.data = str(year) if year else ""
    return form, course, version, year


@bp.get("/questions")
@require(can_view_item_analysis)
def questions():
    """Item analysis of one course: by default its every version in this year."""
    form, course, version, year = _item_filters()
    report = item_analysis(course.id, version_id=version.id if version else None, year=year)
    args = {"course": course.code, "version": form.version.data, "year": form.year.data}
    return render_template("quiz_stats/questions.html", form=form, course=course, version=version, year=year,
                           report=report, args=args, min_answers=MIN_ANSWERS_TO_FLAG,
                           too_easy=TOO_EASY, too_hard=TOO_HARD, flag_label=exports.flag_label)


@bp.get("/questions.xlsx")
@require(can_view_item_analysis)
def questions_xlsx():
    form, course, version, year = _item_filters()
    report = item_analysis(course.id, version_id=version.id if version else None, year=year)
    name = f"phan-tich-cau-hoi-{course.code}-{year or 'moi-nam'}.xlsx"
    return Response(exports.items_xlsx(report, course.code, version.number if version else None),
                    mimetype=XLSX_TYPE, headers={"Content-Disposition": f'attachment; filename="{name}"'})


def _clause_report():
    """(form, report, focused agency line or None) for the query string; 404 for an agency outside
    the viewer's scope."""
    this_year = today().year
    form = ClauseFilterForm(formdata=request.args)
    form.year.choices = year_choices(this_year, everything=False)
    year = int(form.year.data) if form.year.data in {c.value for c in form.year.choices} else this_year
    form.year.data = str(year)
    report = clause_weakness(year, managed_agency_ids(current_user))
    focus = None
    if request.args.get("agency"):
        focus = next((a for a in report.agencies if a.code == request.args["agency"]), None)
        if focus is None:
            abort(404)
    return form, report, focus


@bp.get("/clauses")
@require(can_view_clause_report)
def clauses():
    """Weakness by clause: this year against last, for the scope, then agency by agency."""
    form, report, focus = _clause_report()
    whole = managed_agency_ids(current_user) is None
    return render_template("quiz_stats/clauses.html", form=form, report=report, focus=focus, whole=whole,
                           figures=focus.figures if focus else report.total, min_learners=MIN_LEARNERS)


@bp.get("/clauses.xlsx")
@require(can_view_clause_report)
def clauses_xlsx():
    _form, report, _focus = _clause_report()
    name = f"diem-yeu-theo-dieu-khoan-{report.year}.xlsx"
    return Response(exports.clauses_xlsx(report), mimetype=XLSX_TYPE,
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
