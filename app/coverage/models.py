"""Frozen yearly coverage tables and on-site inspection plans: stored as they were produced."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.dates import utcnow
from app.extensions import db


class CoverageFreeze(db.Model):
    """The coverage table of a year as DOST closed it ("chốt số liệu"); later changes do not move it."""

    __tablename__ = "coverage_freeze"

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(unique=True)
    as_of: Mapped[date]
    frozen_at: Mapped[datetime] = mapped_column(default=utcnow)
    frozen_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), index=True)
    frozen_by_label: Mapped[str] = mapped_column(String(200))
    #: the obligation rules in force when frozen
    rules: Mapped[dict] = mapped_column(JSON)
    #: one dict per agency, with exactly the columns of the coverage table
    rows: Mapped[list] = mapped_column(JSON)
    #: the reports of the year's training plans as they were (app.training.report.PlanReport)
    training: Mapped[list | None] = mapped_column(JSON)

    frozen_by: Mapped["Person | None"] = relationship()  # noqa: F821

    def __repr__(self) -> str:
        return f"<CoverageFreeze {self.year}>"


class InspectionPlan(db.Model):
    """Agencies picked for on-site inspection in a year, with the seed that reproduces the draw."""

    __tablename__ = "inspection_plan"

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(index=True)
    seed: Mapped[int]
    #: share of in-scope agencies to visit, e.g. 0.30
    share: Mapped[float]
    #: "frozen" when drawn from the year's frozen table, else "live"
    source: Mapped[str] = mapped_column(String(10))
    as_of: Mapped[date]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), index=True)
    created_by_label: Mapped[str] = mapped_column(String(200))
    agencies_in_scope: Mapped[int]
    #: [{"agency_code", "agency_name", "agency_type", "coverage_pct", "weight", "reasons": [...]}, ...]
    picks: Mapped[list] = mapped_column(JSON)

    created_by: Mapped["Person | None"] = relationship()  # noqa: F821

    def __repr__(self) -> str:
        return f"<InspectionPlan {self.year} seed={self.seed}>"
