"""Running an import (check the whole file, then apply it all or nothing) and the upload workflow."""
from __future__ import annotations

from collections.abc import Callable, Iterator
from time import perf_counter

from sqlalchemy import update

from app.audit.services import record
from app.core.dates import utcnow
from app.extensions import db
from app.imports.agencies import AgencyImport
from app.imports.base import BaseImport, ImportReport, RowError
from app.imports.bulk import analyze_stale
from app.imports.completions import CompletionImport
from app.imports.ledger import Ledger
from app.imports.lineage import LineageImport
from app.imports.models import ImportUpload
from app.imports.readers import ImportFileError, ImportSource, TableReader
from app.imports.staff import StaffImport

KINDS: dict[str, type[BaseImport]] = {k.kind: k for k in (AgencyImport, StaffImport, CompletionImport, LineageImport)}

#: progress(done, total) in the reader's units (bytes of a CSV, rows of an XLSX), per pass
Progress = Callable[[int, int], None]


def _batches(reader: TableReader, report: ImportReport, size: int, progress: Progress | None) -> Iterator[list]:
    batch, rows = [], 0
    for item in reader.rows(report.problems):
        batch.append(item)
        rows += 1
        if len(batch) >= size:
            yield batch
            batch = []
            if progress:
                progress(reader.position, reader.total)
    if batch:
        yield batch
    if progress:
        progress(reader.total, reader.total)
    report.rows = rows


def run_import(kind: str, source: ImportSource, *, actor=None, scope: set[int] | None = None, dry_run: bool = False,
               progress: Progress | None = None, upload_id: int | None = None) -> ImportReport:
    """Check every row of the file, then, when nothing is wrong and this is not a dry run, apply it.

    `scope` limits the agencies rows may name (None = all). The second pass streams the file again
    inside a savepoint: a row that fails there rolls everything back. Flushes; the caller commits.
    Writes one audit event (import.<kind>) when the import changed something. `report.applied`
    tells whether anything was written; the problems are in `report.problems`.
    """
    importer_class = KINDS[kind]
    report = ImportReport(kind, source.filename)
    started = perf_counter()
    try:
        reader = TableReader(source, importer_class.columns)
        with Ledger(importer_class.ledger_schema) as ledger:
            importer = importer_class(report, ledger, actor=actor, scope=scope)
            analyze_stale(importer.reads)
            for batch in _batches(reader, report, importer.batch_size, progress):
                importer.check(batch)
            importer.finish_check()
            report.check_seconds = perf_counter() - started
            if report.problems or dry_run:
                return report
            _apply(importer, reader, report, progress, upload_id)
    except ImportFileError as exc:
        for problem in exc.problems:
            report.problems.add(*problem)
    except RowError as exc:
        report.problems.add(exc.row, exc.column, exc.message)
    return report


def _apply(importer: BaseImport, reader: TableReader, report: ImportReport, progress: Progress | None,
           upload_id: int | None) -> None:
    started = perf_counter()
    report.counts.clear()
    report.notes.clear()
    with db.session.begin_nested():
        if importer.second_pass:
            for batch in _batches(reader, report, importer.batch_size, progress):
                importer.apply(batch)
        importer.finish_apply()
        # the audit log records changes: a re-import that changed nothing leaves no trace there
        if any(n for key, n in report.counts.items() if key != "unchanged"):
            record(f"import.{report.kind}", actor=importer.actor, target_type="import", target_id=upload_id,
                   target_label=report.filename,
                   details={"file": report.filename, "rows": report.rows, **report.counts})
        db.session.flush()
    report.applied = True
    report.apply_seconds = perf_counter() - started


def create_upload(kind: str, filename: str, data: bytes, actor, scope: set[int] | None) -> ImportUpload:
    """Store an uploaded file and check it (a dry run); the result is kept for the preview. Flushes."""
    upload = ImportUpload(kind=kind, filename=filename[:255], data=data, uploaded_by_id=actor.id)
    db.session.add(upload)
    db.session.flush()
    report = run_import(kind, ImportSource(upload.filename, data=data), actor=actor, scope=scope, dry_run=True)
    upload.result = report.as_dict()
    db.session.flush()
    return upload


def confirm_upload(upload: ImportUpload, actor, scope: set[int] | None) -> ImportReport | None:
    """Apply a previewed upload once. Returns None when it was already applied (a double submit or
    the back button): the conditional UPDATE claims the upload before any work, and on PostgreSQL
    its row lock makes a concurrent confirmation wait and then find it taken. The file is checked
    again (the database may have changed since the preview); when problems appear nothing is
    written and the upload stays unapplied, with the new problems as its result. Flushes."""
    claimed = db.session.execute(
        update(ImportUpload).where(ImportUpload.id == upload.id, ImportUpload.applied_at.is_(None))
        .values(applied_at=utcnow()).execution_options(synchronize_session=False)
    ).rowcount
    if not claimed:
        return None
    report = run_import(upload.kind, ImportSource(upload.filename, data=upload.data), actor=actor, scope=scope,
                        upload_id=upload.id)
    db.session.refresh(upload)
    if not report.applied:
        upload.applied_at = None
    upload.result = report.as_dict()
    db.session.flush()
    return report
