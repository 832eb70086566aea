"""People pages: the roster, a person's record and the forms that change it (thin views)."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.accounts import throttle
from app.accounts.forms import EmptyForm
from app.accounts.invites import InviteError, create_invite, invite_url
from app.accounts.models import Person
from app.audit.services import record
from app.core.dates import format_date, today
from app.core.labels import role_label
from app.coverage.obligations import my_obligations
from app.coverage.rules import current_rules
from app.extensions import db
from app.people import services
from app.people.export import json_download
from app.people.forms import (AccessRoleForm, DeactivateForm, DetailsForm, PeopleFilterForm, PersonForm, RolesForm,
                              TransferForm, options)
from app.people.queries import (agency_choices, completion_history, home_assignments_of, open_invite, people_query,
                               recent_events)
from app.people.services import PeopleError, open_assignments
from app.policy import (can_change_access_role, can_edit_agency_people, can_edit_person, can_export_person_data,
                        can_manage_people, can_reset_password, ensure, require)

bp = Blueprint("people", __name__, url_prefix="/people")
PER_PAGE = 25


def _person(person_id: int) -> Person:
    """The person, or 404; 403 unless the signed-in user may manage them."""
    person = db.get_or_404(Person, person_id)
    ensure(can_edit_person(current_user, person))
    return person


def _period_choices(person: Person) -> list[tuple[int, str]]:
    return [(a.id, f"{a.agency.name} · {', '.join(role_label(r) for r in a.roles) or role_label('staff')}"
                   f" · {_('từ')} {format_date(a.start_date)}") for a in open_assignments(person)]


def _saved(person: Person, message: str):
    db.session.commit()
    flash(message, "success")
    return redirect(url_for("people.show", person_id=person.id))


def _refused(exc: Exception) -> None:
    db.session.rollback()
    flash(str(exc), "error")


@bp.get("/")
@require(can_manage_people)
def index():
    day = today()
    form = PeopleFilterForm(formdata=request.args)
    form.agency.choices = options([("", _("Tất cả cơ quan")), *agency_choices(current_user)])
    form.validate()
    query = people_query(current_user, text=form.q.data or "", agency_id=form.agency.data,
                         status=form.status.data or "", day=day)
    page = db.paginate(query, per_page=PER_PAGE, error_out=False)
    filters = {k: v for k, v in request.args.items() if k != "page" and v}
    return render_template("people/index.html", form=form, page=page, filters=filters, today=day,
                           homes=home_assignments_of([p.id for p in page.items], day))


@bp.route("/new", methods=["GET", "POST"])
@require(can_manage_people)
def new():
    form = PersonForm()
    form.agency.choices = options([("", "—"), *agency_choices(current_user, today())])
    if request.method == "GET":
        form.start_date.data = today()
    if form.validate_on_submit():
        ensure(can_edit_agency_people(current_user, form.agency.data))
        try:
            person = services.add_person(form.staff_code.data, form.full_name.data, email=form.email.data,
                                         agency_id=form.agency.data, roles=form.roles.data,
                                         start_date=form.start_date.data, actor=current_user)
        except PeopleError as exc:
            _refused(exc)
        else:
            return _saved(person, _("Đã thêm %(p)s.", p=person.label))
    return render_template("people/new.html", form=form)


@bp.get("/<int:person_id>")
@require(can_manage_people)
def show(person_id: int):
    person = _person(person_id)
    obligations = my_obligations(person, today(), current_rules())
    return render_template("people/show.html", person=person, day=today(), events=recent_events(person.id),
                           obligations=obligations, completions=completion_history(person.id),
                           invite=open_invite(person.id), action=EmptyForm(),
                           can_reset=can_reset_password(current_user),
                           login_lock=throttle.lock_of(person.username) if person.username else None,
                           can_set_access=can_change_access_role(current_user),
                           can_export=can_export_person_data(current_user))


@bp.route("/<int:person_id>/edit", methods=["GET", "POST"])
@require(can_manage_people)
def edit(person_id: int):
    person = _person(person_id)
    form = DetailsForm(obj=person)
    if form.validate_on_submit():
        try:
            services.update_details(person, full_name=form.full_name.data, email=form.email.data, actor=current_user)
        except PeopleError as exc:
            _refused(exc)
        else:
            return _saved(person, _("Đã lưu thông tin của %(p)s.", p=person.full_name))
    return render_template("people/edit.html", person=person, form=form)


@bp.route("/<int:person_id>/transfer", methods=["GET", "POST"])
@require(can_manage_people)
def transfer(person_id: int):
    person = _person(person_id)
    form = TransferForm()
    form.assignment.choices = options(_period_choices(person))
    form.agency.choices = options([("", "—"), *agency_choices(current_user, today())])
    if request.method == "GET":
        form.effective_date.data = today()
    if form.validate_on_submit():
        # Managers move people only within their own area; across areas it is DOST's or an admin's job.
        ensure(can_edit_agency_people(current_user, form.agency.data))
        try:
            services.transfer(person, form.agency.data, form.effective_date.data, roles=form.roles.data,
                              actor=current_user, assignment_id=form.assignment.data)
        except PeopleError as exc:
            _refused(exc)
        else:
            return _saved(person, _("Đã chuyển công tác %(p)s.", p=person.full_name))
    return render_template("people/transfer.html", person=person, form=form, periods=open_assignments(person))


@bp.route("/<int:person_id>/roles", methods=["GET", "POST"])
@require(can_manage_people)
def roles(person_id: int):
    person = _person(person_id)
    form = RolesForm()
    form.assignment.choices = options(_period_choices(person))
    periods = open_assignments(person)
    if request.method == "GET":
        form.effective_date.data = today()
        if len(periods) == 1:
            form.roles.data = periods[0].roles
    if form.validate_on_submit():
        try:
            services.change_roles(person, form.roles.data, form.effective_date.data, actor=current_user,
                                  assignment_id=form.assignment.data)
        except PeopleError as exc:
            _refused(exc)
        else:
            return _saved(person, _("Đã đổi vai trò của %(p)s.", p=person.full_name))
    return render_template("people/roles.html", person=person, form=form, periods=periods)


@bp.route("/<int:person_id>/deactivate", methods=["GET", "POST"])
@require(can_manage_people)
def deactivate(person_id: int):
    person = _person(person_id)
    form = DeactivateForm()
    if request.method == "GET":
        form.end_date.data = today()
    if form.validate_on_submit():
        try:
            services.deactivate(person, form.end_date.data, actor=current_user)
        except PeopleError as exc:
            _refused(exc)
        else:
            return _saved(person, _("Đã kết thúc công tác và khóa tài khoản của %(p)s.", p=person.full_name))
    return render_template("people/deactivate.html", person=person, form=form,
                           periods=open_assignments(person))


@bp.post("/<int:person_id>/reactivate")
@require(can_manage_people)
def reactivate(person_id: int):
    person = _person(person_id)
    if EmptyForm().validate_on_submit():
        try:
            services.reactivate(person, actor=current_user)
        except PeopleError as exc:
            _refused(exc)
        else:
            return _saved(person, _("Đã mở lại tài khoản của %(p)s.", p=person.full_name))
    return redirect(url_for("people.show", person_id=person.id))


@bp.route("/<int:person_id>/access", methods=["GET", "POST"])
@require(can_change_access_role)
def access(person_id: int):
    person = _person(person_id)
    form = AccessRoleForm(data={"access_role": person.access_role} if request.method == "GET" else None)
    if form.validate_on_submit():
        try:
            services.change_access_role(person, form.access_role.data, actor=current_user)
        except PeopleError as exc:
            _refused(exc)
        else:
            return _saved(person, _("Đã đổi quyền truy cập của %(p)s.", p=person.full_name))
    return render_template("people/access.html", person=person, form=form)


@bp.post("/<int:person_id>/invite")
@require(can_manage_people)
def invite(person_id: int):
    return _one_time_link(_person(person_id), "invite")


@bp.post("/<int:person_id>/reset")
@require(can_reset_password)
def reset(person_id: int):
    return _one_time_link(_person(person_id), "reset")


@bp.post("/<int:person_id>/unlock-login")
@require(can_reset_password)
def unlock_login(person_id: int):
    """Lift the lock that failed sign-ins put on the person's username (before the window passes)."""
    person = _person(person_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    if throttle.lift(person, current_user):
        return _saved(person, _("Đã mở khóa đăng nhập cho %(p)s.", p=person.full_name))
    flash(_("Tài khoản này không bị khóa đăng nhập."), "info")
    return redirect(url_for("people.show", person_id=person.id))


def _one_time_link(person: Person, purpose: str):
    """Create the link and show it in this response only: never flashed, never kept in the session."""
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        token = create_invite(person, purpose, current_user)
    except InviteError as exc:
        _refused(exc)
        return redirect(url_for("people.show", person_id=person.id))
    db.session.commit()
    base, here = current_app.config["PUBLIC_BASE_URL"].rstrip("/"), request.host_url.rstrip("/")
    response = make_response(render_template(
        "people/invite_link.html", person=person, purpose=purpose, url=invite_url(token),
        days=current_app.config["INVITE_VALID_DAYS"], base_mismatch=(base, here) if base != here else None))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/<int:person_id>/data.json")
@require(can_export_person_data)
def export(person_id: int):
    """An administrator answers a data-subject request for someone; the download is audited."""
    person = _person(person_id)
    record("person.export", actor=current_user, target_type="person", target_id=person.id,
           target_label=person.label)
    db.session.commit()
    return json_download(person)
