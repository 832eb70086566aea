"""On-site inspection plans: a reproducible weighted draw of agencies, leaning toward the largest gaps."""
from __future__ import annotations

import math
import random
import secrets
from decimal import Decimal

from flask_babel import force_locale, gettext as _
from sqlalchemy import select

from app.agencies.types import INSPECTING_TYPES
from app.audit.services import record
from app.coverage.freeze import frozen_table
from app.coverage.models import InspectionPlan
from app.coverage.queries import CoverageRow, YearError, coverage_table
from app.coverage.rules import current_rules
from app.extensions import db

#: the seed column is a 32-bit integer on PostgreSQL
SEED_LIMIT = 2**31
#: an agency with people and no trained ISO secretary weighs as much as a gap of this many obligations
NO_SECRETARY_BONUS = 20
ZERO_COVERAGE_BONUS = 5
#: from this many unmet obligations a gap is called large in the reasons
LARGE_GAP = 10


class PlanError(ValueError):
    """A plan that cannot be drawn; the message is for the user."""


def weight(row: CoverageRow) -> int:
    """1 for everyone (any agency may be visited), plus its gap, plus bonuses for no trained
    secretary among its people and for nothing done at all."""
    value = 1 + max(row.gap, 0)
    if row.has_trained_secretary == 0 and row.headcount > 0:
        value += NO_SECRETARY_BONUS
    if row.coverage_pct == 0:  # None (nothing due) is not 0 %
        value += ZERO_COVERAGE_BONUS
    return value


def reasons(row: CoverageRow) -> list[str]:
    """Why the agency weighed what it did, in Vietnamese (stored with the plan as it was drawn)."""
    with force_locale("vi"):
        found = []
        if row.headcount == 0:
            found.append(_("Chưa khai báo công chức nào"))
        elif row.has_trained_secretary == 0:
            found.append(_("Chưa có thư ký ISO đã được đào tạo"))
        if row.coverage_pct == 0:
            found.append(_("Tỷ lệ hoàn thành 0 %"))
        if row.gap >= LARGE_GAP:
            found.append(_("Khoảng trống lớn: %(n)s nghĩa vụ chưa hoàn thành", n=row.gap))
        elif row.gap > 0:
            found.append(_("Còn %(n)s nghĩa vụ chưa hoàn thành", n=row.gap))
        if not found:
            found.append(_("Chọn ngẫu nhiên theo tỷ lệ"))
        return found


def pick_count(share: float, agencies: int) -> int:
    """ceil(share × agencies), in decimal so that 0.3 × 10 is 3 and not 4 (0.3 * 10 = 3.0000000000000004)."""
    return math.ceil(Decimal(str(share)) * agencies)


def weighted_draw(rows: list[CoverageRow], k: int, seed: int) -> list[CoverageRow]:
    """k rows without replacement, each with a chance growing with its weight (Efraimidis–Spirakis:
    key u^(1/w), the k largest keys win). Rows are keyed in agency-code order and ties go to the
    smaller code, so the same table and seed give the same picks on any database."""
    rng = random.Random(seed)
    ordered = sorted(rows, key=lambda row: row.agency_code)
    keyed = [(rng.random() ** (1 / weight(row)), row) for row in ordered]
    keyed.sort(key=lambda pair: (-pair[0], pair[1].agency_code))
    return [row for _key, row in keyed[:k]]


def inspectable(rows: list[CoverageRow]) -> list[CoverageRow]:
    """The rows an inspection may pick: every agency but the inspecting bodies themselves."""
    return [row for row in rows if row.agency_type not in INSPECTING_TYPES]


def draw_plan(year: int, seed: int | None, actor, share: float | None = None) -> InspectionPlan:
    """Draw and store the agencies to inspect on site for `year`, from the frozen table when the year
    is frozen (source "frozen"), else from a live computation ("live"); the inspecting bodies
    (INSPECTING_TYPES) are left out of the draw and of `agencies_in_scope`.

    `share` defaults to the inspection share of the current rules; `seed` None draws one at random
    (it is stored, so the draw can be checked). Raises PlanError for a bad seed or share, a future
    year, or a table without agencies.
    """
    if seed is None:
        seed = secrets.randbelow(SEED_LIMIT)
    if not 0 <= seed < SEED_LIMIT:
        raise PlanError(_("Số khởi tạo phải từ 0 đến %(max)s.", max=SEED_LIMIT - 1))
    share = current_rules().inspection_share if share is None else share
    if not 0 < share <= 1:
        raise PlanError(_("Tỷ lệ kiểm tra phải lớn hơn 0 và không quá 100 %."))
    frozen = frozen_table(year)
    if frozen is not None:
        table, source = frozen[0], "frozen"
    else:
        try:
            table, source = coverage_table(year), "live"
        except YearError as exc:
            raise PlanError(_("Năm %(year)s chưa bắt đầu.", year=year)) from exc
    rows = inspectable(table.rows)
    if not rows:
        raise PlanError(_("Không có cơ quan nào trong phạm vi HTQLCL năm %(year)s.", year=year))
    chosen = weighted_draw(rows, pick_count(share, len(rows)), seed)
    picks = [
        {"rank": rank, "agency_code": row.agency_code, "agency_name": row.agency_name,
         "agency_type": row.agency_type, "headcount": row.headcount, "obligations_due": row.obligations_due,
         "obligations_met": row.obligations_met, "coverage_pct": row.coverage_pct, "gap": row.gap,
         "has_trained_secretary": row.has_trained_secretary, "weight": weight(row), "reasons": reasons(row)}
        for rank, row in enumerate(chosen, start=1)
    ]
    plan = InspectionPlan(year=year, seed=seed, share=share, source=source, as_of=table.as_of,
                          created_by_id=actor.id if actor is not None else None,
                          created_by_label=actor.full_name if actor is not None else "CLI",
                          agencies_in_scope=len(rows), picks=picks)
    db.session.add(plan)
    db.session.flush()
    record("inspection.plan", actor=actor, target_type="inspection_plan", target_id=plan.id,
           target_label=str(year),
           details={"year": year, "seed": seed, "share": share, "source": source,
                    "agencies": [p["agency_code"] for p in picks]})
    return plan


def plans_for(year: int) -> list[InspectionPlan]:
    """The year's plans, newest first."""
    return list(db.session.scalars(select(InspectionPlan).where(InspectionPlan.year == year)
                                   .order_by(InspectionPlan.created_at.desc(), InspectionPlan.id.desc())))
