"""Agency pages: who works there and what each person has done."""
from flask import Blueprint, render_template
from flask_login import current_user
from sqlalchemy import select

from app.agencies.models import Agency
from app.core.dates import today
from app.coverage.obligations import agency_obligations
from app.coverage.rules import current_rules
from app.extensions import db
from app.policy import can_view_agency, ensure, managed_agency_ids, require, sees_agencies
from app.reports.queries import agency_people_status

bp = Blueprint("agencies", __name__, url_prefix="/agencies")


@bp.get("/")
@require(sees_agencies)
def index():
    """The agencies the signed-in person may look into."""
    ids = managed_agency_ids(current_user)
    query = select(Agency).order_by(Agency.code)
    if ids is not None:
        query = query.where(Agency.id.in_(ids))
    return render_template("agencies/index.html", agencies=db.session.scalars(query).all(), day=today())


@bp.get("/<code>")
@require(sees_agencies)
def show(code: str):
    agency = db.first_or_404(select(Agency).where(Agency.code == code))
    ensure(can_view_agency(current_user, agency.id))
    day = today()
    versions, module_count, people = agency_people_status(agency.id, day)
    obligations = agency_obligations(agency.id, day.year, day, current_rules())
    return render_template("agencies/show.html", agency=agency, versions=versions,
                           module_count=module_count, people=people, day=day, obligations=obligations)
