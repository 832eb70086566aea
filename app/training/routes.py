"""The training plan pages: plans, classes, invitations, the printable roster, attendance, closing."""
from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import and_, select
from sqlalchemy.orm import contains_eager, joinedload, selectinload

from app.accounts.forms import EmptyForm
from app.accounts.models import Assignment, Person
from app.agencies.models import Agency
from app.agencies.types import type_label
from app.core.dates import format_datetime, today
from app.core.spreadsheets import XLSX_TYPE
from app.courses.models import Course, CourseVersion
from app.extensions import db
from app.reports.queries import active_on, covers
from app.policy import (can_edit_class_seats, can_manage_plan, can_plan_training, can_view_class, class_agency_ids,
                        editable_agency_ids, ensure, managed_agency_ids, require, sees_training)
from app.imports.readers import ImportFileError, ImportSource
from app.training import attendance_sheet
from app.training import report as training_report
from app.training.forms import AddPersonForm, AttendanceUploadForm, ClassForm, PlanForm, ReopenForm
from app.training.models import ATTENDANCE, ClassSeat, TrainingClass, TrainingPlan, class_agency
from app.training.queries import plan_counts, roles_at_seats, roster
from app.training.services import (ClassData, Mark, TrainingError, add_person, close_class, create_plan,
                                   invite_owing, record_attendance, remove_seat, reopen_class, save_class)

bp = Blueprint("training", __name__, url_prefix="/training")


def _visible_plans():
    """select() of the plans the signed-in person manages, newest year first, with what the list shows."""
    query = (select(TrainingPlan).order_by(TrainingPlan.year.desc(), TrainingPlan.id.desc())
             .options(selectinload(TrainingPlan.classes), joinedload(TrainingPlan.owner_agency)))
    ids = editable_agency_ids(current_user)
    if ids is not None:
        query = query.where(TrainingPlan.owner_agency_id.in_(ids))
    return query


def _invited_classes():
    """Open and recent classes inviting an agency the signed-in head or secretary manages."""
    ids = managed_agency_ids(current_user)
    if ids is None or not ids:
        return []
    return list(db.session.scalars(
        select(TrainingClass).join(class_agency, class_agency.c.class_id == TrainingClass.id)
        .where(class_agency.c.agency_id.in_(ids)).distinct()
        .order_by(TrainingClass.start_date.desc(), TrainingClass.id.desc()).limit(50)
        .options(joinedload(TrainingClass.course))))


@bp.get("/")
@require(sees_training)
def index():
    plans = list(db.session.scalars(_visible_plans())) if can_plan_training(current_user) else []
    return render_template("training/index.html", plans=plans, classes=_invited_classes(),
                           can_plan=can_plan_training(current_user))


@bp.get("/mine")
@login_required
def mine():
    """The signed-in person's invitations and attendance."""
    seats = list(db.session.scalars(
        select(ClassSeat).join(TrainingClass, TrainingClass.id == ClassSeat.class_id)
        .where(ClassSeat.person_id == current_user.id)
        .order_by(TrainingClass.start_date.desc())
        .options(contains_eager(ClassSeat.training_class).joinedload(TrainingClass.course))))
    return render_template("training/mine.html", seats=seats, day=today())


def _owner_choices() -> list[tuple]:
    ids = editable_agency_ids(current_user)
    query = select(Agency.id, Agency.name).where(Agency.valid_to.is_(None)).order_by(Agency.code)
    if ids is not None:
        return [(i, name) for i, name in db.session.execute(query.where(Agency.id.in_(ids)))]
    return [(None, _("Toàn tỉnh (Sở Khoa học và Công nghệ)"))]


@bp.route("/plans/new", methods=["GET", "POST"])
@require(can_plan_training)
def new_plan():
    form = PlanForm()
    form.owner.choices = _owner_choices()
    if request.method == "GET":
        form.year.data = today().year
        form.title.data = _("Kế hoạch đào tạo HTQLCL năm %(year)s", year=today().year)
    if form.validate_on_submit():
        allowed = {value for value, _label in form.owner.choices}
        if form.owner.data not in allowed:
            abort(403)
        try:
            plan = create_plan(form.year.data, form.title.data, current_user, form.owner.data)
        except TrainingError as exc:
            db.session.rollback()
            flash(str(exc), "error")
        else:
            db.session.commit()
            flash(_("Đã lập kế hoạch."), "success")
            return redirect(url_for("training.plan", plan_id=plan.id))
    return render_template("training/plan_form.html", form=form), 400 if form.errors else 200


def _plan_or_404(plan_id: int) -> TrainingPlan:
    plan = db.get_or_404(TrainingPlan, plan_id)
    ensure(can_manage_plan(current_user, plan))
    return plan


@bp.get("/plans/<int:plan_id>")
@login_required
def plan(plan_id: int):
    plan = _plan_or_404(plan_id)
    classes = list(db.session.scalars(
        select(TrainingClass).where(TrainingClass.plan_id == plan.id)
        .order_by(TrainingClass.start_date, TrainingClass.id)
        .options(joinedload(TrainingClass.course), selectinload(TrainingClass.agencies))))
    return render_template("training/plan.html", plan=plan, classes=classes, counts=plan_counts(plan.id, plan.year))


def _report_of(plan: TrainingPlan):
    """(report, freeze): as stored when the year was frozen, else live (freeze None)."""
    stored = training_report.stored_report(plan.id, plan.year)
    return stored if stored is not None else (training_report.plan_report(plan), None)


@bp.get("/plans/<int:plan_id>/report")
@login_required
def report(plan_id: int):
    """What the plan achieved: each class's attendance, and per course the share of those owing it reached."""
    plan = _plan_or_404(plan_id)
    shown, freeze = _report_of(plan)
    return render_template("training/report.html", plan=plan, report=shown, freeze=freeze)


@bp.get("/plans/<int:plan_id>/report.xlsx")
@login_required
def report_xlsx(plan_id: int):
    plan = _plan_or_404(plan_id)
    shown, freeze = _report_of(plan)
    body = training_report.to_xlsx(shown, format_datetime(freeze.frozen_at) if freeze is not None else None)
    return Response(body, mimetype=XLSX_TYPE, headers={
        "Content-Disposition": f'attachment; filename="bao-cao-ke-hoach-dao-tao-{plan.year}-{plan.id}.xlsx"'})


def _course_choices() -> list[tuple[int, str]]:
    """Every listed course, with the title of its current version when it has one."""
    rows = db.session.execute(
        select(Course.id, Course.code, CourseVersion.title)
        .outerjoin(CourseVersion, and_(CourseVersion.course_id == Course.id, CourseVersion.is_current.is_(True)))
        .where(Course.listed.is_(True)).order_by(Course.code))
    return [(course_id, f"{code} — {title}" if title else code) for course_id, code, title in rows]


def _agency_choices(plan: TrainingPlan) -> list[tuple[int, str]]:
    """The agencies a class of this plan may invite: in scope and active; an agency's own plan
    only its own agencies."""
    day = today()
    query = (select(Agency.id, Agency.code, Agency.name)
             .where(Agency.in_iso_scope.is_(True), active_on(day)).order_by(Agency.code))
    ids = editable_agency_ids(current_user)
    if ids is not None:
        query = query.where(Agency.id.in_(ids))
    return [(i, f"{name} ({code})") for i, code, name in db.session.execute(query)]


def _class_form(plan: TrainingPlan, klass: TrainingClass | None):
    form = ClassForm(obj=None)
    form.course.choices = _course_choices()
    agencies = _agency_choices(plan)
    form.agencies.choices = agencies
    form.parents.choices = agencies
    types = sorted({t for (t,) in db.session.execute(select(Agency.type).where(Agency.in_iso_scope.is_(True)).distinct())})
    form.agency_types.choices = [(t, type_label(t, str(get_locale()))) for t in types]
    if request.method == "GET" and klass is not None:
        for name in ("title", "start_date", "end_date", "hours", "place", "online_url", "trainer", "capacity",
                     "cutoff_date", "has_test", "notes"):
            getattr(form, name).data = getattr(klass, name)
        form.course.data = klass.course_id
        form.agencies.data = [a.id for a in klass.agencies]
    return form, {i for i, _label in agencies}


def _save_class_page(plan: TrainingPlan, klass: TrainingClass | None):
    form, allowed = _class_form(plan, klass)
    if form.validate_on_submit():
        picked = set(form.agencies.data or []) | set(form.parents.data or [])
        if not picked <= allowed or form.course.data not in {i for i, _label in form.course.choices}:
            abort(400)
        types = list(form.agency_types.data or []) if editable_agency_ids(current_user) is None else []
        data = ClassData(course_id=form.course.data, title=form.title.data, start_date=form.start_date.data,
                         end_date=form.end_date.data, capacity=form.capacity.data, cutoff_date=form.cutoff_date.data,
                         hours=form.hours.data or "", place=form.place.data or "", online_url=form.online_url.data or "",
                         trainer=form.trainer.data or "", has_test=form.has_test.data, notes=form.notes.data or "",
                         agency_ids=list(form.agencies.data or []), agency_types=types,
                         parent_ids=list(form.parents.data or []))
        try:
            saved = save_class(plan, data, current_user, klass)
        except TrainingError as exc:
            db.session.rollback()
            flash(str(exc), "error")
            return render_template("training/class_form.html", form=form, plan=plan, klass=klass), 400
        db.session.commit()
        flash(_("Đã lưu lớp."), "success")
        return redirect(url_for("training.show_class", class_id=saved.id))
    status = 400 if form.errors else 200
    return render_template("training/class_form.html", form=form, plan=plan, klass=klass), status


@bp.route("/plans/<int:plan_id>/classes/new", methods=["GET", "POST"])
@login_required
def new_class(plan_id: int):
    return _save_class_page(_plan_or_404(plan_id), None)


def _class_or_404(class_id: int) -> TrainingClass:
    return db.get_or_404(TrainingClass, class_id)


def _managed_class(class_id: int) -> TrainingClass:
    """The class, 404 if there is none, 403 unless the signed-in person manages its plan."""
    klass = _class_or_404(class_id)
    ensure(can_manage_plan(current_user, klass.plan))
    return klass


@bp.route("/classes/<int:class_id>/edit", methods=["GET", "POST"])
@login_required
def edit_class(class_id: int):
    klass = _managed_class(class_id)
    return _save_class_page(klass.plan, klass)


def _addable_people(klass: TrainingClass, within: set[int] | None) -> list[tuple[int, str]]:
    """People assigned today to an invited agency (within `within`) who have no seat yet."""
    day = today()
    seated = select(ClassSeat.person_id).where(ClassSeat.class_id == klass.id)
    query = (select(Person.id, Person.full_name, Agency.name)
             .join(Assignment, Assignment.person_id == Person.id)
             .join(class_agency, and_(class_agency.c.agency_id == Assignment.agency_id,
                                      class_agency.c.class_id == klass.id))
             .join(Agency, Agency.id == Assignment.agency_id)
             .where(Person.active.is_(True), covers(day), Person.id.not_in(seated))
             .order_by(Agency.code, Person.sort_name).limit(2000))
    if within is not None:
        query = query.where(Assignment.agency_id.in_(within))
    seen, choices = set(), []
    for person_id, name, agency in db.session.execute(query):
        if person_id not in seen:
            seen.add(person_id)
            choices.append((person_id, f"{name} — {agency}"))
    return choices


def _class_page(klass: TrainingClass, status: int = 200, upload_form=None, problems=None):
    """The class page: details, counts, the roster with what the viewer may do to it."""
    within = class_agency_ids(current_user, klass)
    manages = can_manage_plan(current_user, klass.plan)
    edits = can_edit_class_seats(current_user, klass)
    add_form = AddPersonForm()
    if edits:
        add_form.person.choices = _addable_people(klass, within)
    counts = plan_counts(klass.plan_id, klass.plan.year).get(klass.id) if manages else None
    return render_template("training/class.html", klass=klass, seats=roster(klass.id, within), counts=counts,
                           manages=manages, edits=edits, add_form=add_form, form=EmptyForm(),
                           reopen_form=ReopenForm(), upload_form=upload_form or AttendanceUploadForm(),
                           problems=problems, attendance=ATTENDANCE, day=today()), status


@bp.get("/classes/<int:class_id>")
@login_required
def show_class(class_id: int):
    klass = _class_or_404(class_id)
    ensure(can_view_class(current_user, klass))
    return _class_page(klass)


@bp.get("/classes/<int:class_id>/attendance.<any(csv, xlsx):fmt>")
@login_required
def attendance_file(class_id: int, fmt: str):
    """The invited people as a sheet to fill in (and upload back): staff code, name, agency, ticks."""
    klass = _managed_class(class_id)
    seats = [s for s in roster(klass.id) if s.status == "invited"]
    body = attendance_sheet.sheet(seats, fmt)
    mimetype = "text/csv; charset=utf-8" if fmt == "csv" else XLSX_TYPE
    return Response(body, mimetype=mimetype, headers={
        "Content-Disposition": f'attachment; filename="diem-danh-lop-{klass.id}.{fmt}"'})


@bp.post("/classes/<int:class_id>/attendance/upload")
@login_required
def upload_attendance(class_id: int):
    """The filled-in sheet: every row checked first; one bad row and nothing is recorded."""
    klass = _managed_class(class_id)
    form = AttendanceUploadForm()
    if not form.validate_on_submit():
        return _class_page(klass, 400, upload_form=form)
    upload = form.file.data
    try:
        result = attendance_sheet.read_sheet(klass, ImportSource(upload.filename or "", data=upload.read()))
    except ImportFileError as exc:
        return _class_page(klass, 400, upload_form=form, problems=exc.problems)
    if result.problems:
        return _class_page(klass, 400, upload_form=form, problems=result.problems.sorted())
    try:
        changed = record_attendance(klass, result.marks, current_user)
    except TrainingError as exc:
        _refused(exc)
        return _class_page(klass, 400, upload_form=form)
    _done(_("Đã nhập điểm danh từ tệp: %(rows)d dòng, %(n)d thay đổi.", rows=result.rows, n=changed))
    return _back(klass)


def _done(message: str):
    db.session.commit()
    flash(message, "success")


def _refused(exc: TrainingError) -> None:
    db.session.rollback()
    flash(str(exc), "error")


def _back(klass: TrainingClass):
    return redirect(url_for("training.show_class", class_id=klass.id))


def _organiser_action(class_id: int, act, say):
    """A one-click POST of the class's organiser: run `act(klass)`, flash `say(result)` or why not."""
    klass = _managed_class(class_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        result = act(klass)
    except TrainingError as exc:
        _refused(exc)
    else:
        _done(say(result))
    return _back(klass)


@bp.post("/classes/<int:class_id>/invite")
@login_required
def invite(class_id: int):
    return _organiser_action(class_id, lambda klass: invite_owing(klass, current_user), lambda result: _(
        "Đã mời %(invited)d người; %(waiting)d người vào danh sách chờ.", invited=result.invited, waiting=result.waiting))


@bp.post("/classes/<int:class_id>/seats")
@login_required
def add_seat(class_id: int):
    klass = _class_or_404(class_id)
    ensure(can_edit_class_seats(current_user, klass))
    form = AddPersonForm()
    form.person.choices = []
    if not form.validate_on_submit():
        abort(400)
    person = db.get_or_404(Person, form.person.data)
    try:
        seat = add_person(klass, person, current_user, class_agency_ids(current_user, klass))
    except TrainingError as exc:
        _refused(exc)
    else:
        _done(_("Đã thêm %(name)s vào lớp.", name=person.full_name) if seat.status == "invited"
              else _("Lớp đã đủ chỗ: %(name)s vào danh sách chờ.", name=person.full_name))
    return _back(klass)


@bp.post("/classes/<int:class_id>/seats/<int:seat_id>/remove")
@login_required
def remove(class_id: int, seat_id: int):
    klass = _class_or_404(class_id)
    ensure(can_edit_class_seats(current_user, klass))
    seat = db.get_or_404(ClassSeat, seat_id)
    within = class_agency_ids(current_user, klass)
    if seat.class_id != klass.id:
        abort(404)
    ensure(within is None or seat.agency_id in within)
    if not EmptyForm().validate_on_submit():
        abort(400)
    name = seat.person.full_name
    try:
        remove_seat(klass, seat, current_user)
    except TrainingError as exc:
        _refused(exc)
    else:
        _done(_("Đã bớt %(name)s khỏi lớp.", name=name))
    return _back(klass)


def _marks() -> dict[int, Mark]:
    """The attendance form's ticks: attendance-<seat id> and score-<seat id>. Raises TrainingError
    for a score that is not a whole number."""
    marks = {}
    for key, value in request.form.items():
        if not key.startswith("attendance-"):
            continue
        try:
            seat_id = int(key.removeprefix("attendance-"))
            score_text = request.form.get(f"score-{seat_id}", "").strip()
            score = int(score_text) if score_text else None
        except ValueError:
            raise TrainingError(_("Điểm phải là số nguyên từ 0 đến 100.")) from None
        marks[seat_id] = Mark(value or None, score)
    return marks


@bp.post("/classes/<int:class_id>/attendance")
@login_required
def attendance(class_id: int):
    return _organiser_action(class_id, lambda klass: record_attendance(klass, _marks(), current_user),
                             lambda changed: _("Đã lưu điểm danh (%(n)d thay đổi).", n=changed))


@bp.post("/classes/<int:class_id>/close")
@login_required
def close(class_id: int):
    return _organiser_action(class_id, lambda klass: close_class(klass, current_user), lambda recorded: _(
        "Đã đóng lớp: ghi nhận hoàn thành khóa học cho %(n)d người có mặt.", n=recorded))


@bp.post("/classes/<int:class_id>/reopen")
@login_required
def reopen(class_id: int):
    klass = _managed_class(class_id)
    form = ReopenForm()
    if not form.validate_on_submit():
        flash(_("Hãy ghi lý do mở lại lớp."), "error")
        return _back(klass)
    try:
        reopen_class(klass, current_user, form.reason.data)
    except TrainingError as exc:
        _refused(exc)
    else:
        _done(_("Đã mở lại lớp để sửa điểm danh. Kết quả đã ghi nhận được giữ nguyên."))
    return _back(klass)


@bp.get("/classes/<int:class_id>/roster")
@login_required
def print_roster(class_id: int):
    """The A4 roster and attendance sheet, for printing (invited people only)."""
    klass = _class_or_404(class_id)
    ensure(can_view_class(current_user, klass))
    seats = [s for s in roster(klass.id, class_agency_ids(current_user, klass)) if s.status == "invited"]
    owner = klass.plan.owner_agency
    if owner is not None:
        issuer, above = owner.name, owner.parent.name if owner.parent is not None else ""
    else:
        issuer, above = current_app.config["ISSUING_BODY"], current_app.config["ISSUING_PARENT"]
    return render_template("training/roster.html", klass=klass, seats=seats, issuer=issuer, above=above,
                           roles=roles_at_seats(klass.id, min(klass.start_date, today())))
