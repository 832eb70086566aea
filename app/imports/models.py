"""Uploaded import files kept between the preview and the confirmation (any worker can confirm)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.dates import utcnow
from app.extensions import db


class ImportUpload(db.Model):
    __tablename__ = "import_upload"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: agencies | staff | completions | lineage
    kind: Mapped[str] = mapped_column(String(20))
    filename: Mapped[str] = mapped_column(String(255))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: set once the import was applied; a second confirmation then changes nothing
    applied_at: Mapped[datetime | None]
    #: the summary shown after applying (counts of rows created, updated, unchanged)
    result: Mapped[dict | None] = mapped_column(JSON)

    uploaded_by: Mapped["Person"] = relationship()  # noqa: F821

    def __repr__(self) -> str:
        return f"<ImportUpload {self.id} {self.kind} {self.filename}>"
