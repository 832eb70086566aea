"""Helpers for the import tests: run an import from lines of CSV, count the tables imports touch."""
from __future__ import annotations

import io
from datetime import date

from sqlalchemy import func, select

from app.extensions import db
from app.imports.readers import ImportSource
from app.imports.services import KINDS, run_import
from tests.conftest import FIXTURES

IMPORT_FIXTURES = FIXTURES / "imports"
TABLES = ("agency", "person", "assignment", "completion", "agency_lineage", "audit_event")


def csv_bytes(kind: str, *lines: str, bom: bool = False, encoding: str = "utf-8") -> bytes:
    text = "\n".join([",".join(KINDS[kind].columns), *lines]) + "\n"
    return ("\ufeff" if bom else "").encode(encoding) + text.encode(encoding)


def xlsx_bytes(kind: str, *rows: tuple) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(list(KINDS[kind].columns))
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def run(kind: str, *lines: str, data: bytes | None = None, filename: str = "test.csv", **kwargs):
    """Import lines (or raw bytes) like the CLI does: commit when applied, roll back otherwise."""
    report = run_import(kind, ImportSource(filename, data=data if data is not None else csv_bytes(kind, *lines)),
                        **kwargs)
    if report.applied:
        db.session.commit()
    else:
        db.session.rollback()
    return report


def run_fixture(name: str, **kwargs):
    """Import a file of tests/fixtures/imports (its kind is the first word of its name), streamed from disk."""
    path = IMPORT_FIXTURES / name
    report = run_import(path.stem.split("_")[0], ImportSource(path.name, path=str(path)), **kwargs)
    if report.applied:
        db.session.commit()
    return report


def problems(report) -> list[tuple[int, str, str]]:
    return [tuple(p) for p in report.problems.sorted()]


def table_counts() -> dict[str, int]:
    return {t: db.session.scalar(select(func.count()).select_from(db.metadata.tables[t])) for t in TABLES}


D = date.fromisoformat
