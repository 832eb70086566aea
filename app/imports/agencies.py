"""Agencies import: upsert by code; a parent may be another row of the file, in any order."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import bindparam, insert, select, update

from app.agencies.models import Agency
from app.agencies.types import AGENCY_TYPES
from app.extensions import db
from app.imports.base import BaseImport
from app.imports.fields import period_text

AGENCY = Agency.__table__


@dataclass(slots=True)
class AgencyRow:
    row: int
    code: str
    name: str
    type: str
    parent_code: str | None
    valid_from: date
    valid_to: date | None
    in_iso_scope: bool

    def fields(self) -> tuple:
        return self.name, self.type, self.parent_code, self.valid_from, self.valid_to, self.in_iso_scope


class AgencyImport(BaseImport):
    """Agencies number in the thousands, so their codes and parents are kept in memory."""

    kind = "agencies"
    columns = ("code", "name", "type", "parent_code", "valid_from", "valid_to", "in_iso_scope")

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        rows = list(db.session.execute(select(
            Agency.id, Agency.code, Agency.name, Agency.type, Agency.parent_id, Agency.valid_from,
            Agency.valid_to, Agency.in_iso_scope)))
        code_of = {r.id: r.code for r in rows}
        #: code -> (id, fields as in AgencyRow.fields())
        self.stored = {r.code: (r.id, (r.name, r.type, code_of.get(r.parent_id), r.valid_from, r.valid_to,
                                       r.in_iso_scope)) for r in rows}
        #: code -> (row, parent code) for every good row of the file
        self.in_file: dict[str, tuple[int, str | None]] = {}

    def parse(self, number: int, values: dict[str, str]) -> AgencyRow | None:
        c = self.cells(number, values)
        code = c.text("code", max_len=40, code=True)
        name = c.text("name", max_len=255)
        type_ = c.text("type", max_len=40)
        parent_code = c.text("parent_code", required=False, max_len=40)
        valid_from, valid_to = c.date("valid_from"), c.date("valid_to", required=False)
        in_scope = c.flag("in_iso_scope")
        if type_ and type_ not in AGENCY_TYPES:
            c.fail("type", _("loại cơ quan không hợp lệ: %(type)s", type=type_))
        if code and parent_code == code:
            c.fail("parent_code", _("cơ quan không thể là cấp trên của chính nó"))
        if valid_from and valid_to and valid_to < valid_from:
            c.fail("valid_to", _("ngày kết thúc trước ngày bắt đầu"))
        if not c.ok:
            return None
        return AgencyRow(number, code, name, type_, parent_code, valid_from, valid_to, in_scope)

    def _action(self, r: AgencyRow) -> str:
        stored = self.stored.get(r.code)
        if stored is None:
            return "created"
        return "unchanged" if stored[1] == r.fields() else "updated"

    @staticmethod
    def _text(r: AgencyRow) -> str:
        return f"{r.code} · {r.name} · {r.type} · {period_text(r.valid_from, r.valid_to)}"

    def check(self, batch) -> None:
        for r in (self.parse(n, v) for n, v in batch):
            if r is None:
                continue
            if r.code in self.in_file:
                self.problems.add(r.row, "code", _("mã cơ quan trùng với dòng %(n)d", n=self.in_file[r.code][0]))
                continue
            self.in_file[r.code] = (r.row, r.parent_code)
            self.count(self._action(r), r.row, lambda: self._text(r))

    def _parent_of(self, code: str) -> str | None:
        if code in self.in_file:
            return self.in_file[code][1]
        stored = self.stored.get(code)
        return stored[1][2] if stored else None

    def finish_check(self) -> None:
        safe: set[str] = set()  # codes whose chain of parents is known to end without a loop
        for code, (row, parent) in self.in_file.items():
            if parent and parent not in self.in_file and parent not in self.stored:
                self.problems.add(row, "parent_code", _("mã cơ quan cấp trên không tồn tại: %(code)s", code=parent))
                continue
            chain, current = [code], parent
            while current and current not in safe and current not in chain:
                chain.append(current)
                current = self._parent_of(current)
            if current in chain:
                self.problems.add(row, "parent_code", _("cấp trên tạo thành vòng lặp: %(chain)s",
                                                        chain=" → ".join([*chain, current])[:200]))
            else:
                safe.update(chain)

    def apply(self, batch) -> None:
        inserts, updates = [], []
        for r in (self.parse(n, v) for n, v in batch):
            action = self._action(r)
            self.count(action)
            values = {"name": r.name, "type": r.type, "valid_from": r.valid_from, "valid_to": r.valid_to,
                      "in_iso_scope": r.in_iso_scope}
            if action == "created":
                inserts.append({"code": r.code, **values})
            elif action == "updated":
                updates.append({"b_id": self.stored[r.code][0], **{f"b_{k}": v for k, v in values.items()}})
        if inserts:
            db.session.execute(insert(AGENCY), inserts)
        if updates:
            db.session.execute(update(AGENCY).where(AGENCY.c.id == bindparam("b_id")).values(
                **{k: bindparam(f"b_{k}") for k in ("name", "type", "valid_from", "valid_to", "in_iso_scope")}),
                updates)

    def finish_apply(self) -> None:
        """Parents last, once every agency of the file has an id."""
        ids = dict(db.session.execute(select(Agency.code, Agency.id)).all())
        parents = dict(db.session.execute(select(Agency.id, Agency.parent_id)).all())
        changes = [{"b_id": ids[code], "b_parent": ids[parent] if parent else None}
                   for code, (_row, parent) in self.in_file.items()
                   if parents[ids[code]] != (ids[parent] if parent else None)]
        if changes:
            db.session.execute(update(AGENCY).where(AGENCY.c.id == bindparam("b_id")).values(
                parent_id=bindparam("b_parent")), changes)
