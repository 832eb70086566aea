"""What every import kind shares: the report, the two-pass contract and row errors."""
from __future__ import annotations

from abc import ABC, abstractmethod
from collections import Counter
from dataclasses import dataclass, field

from flask_babel import gettext as _

from app.imports.bulk import analyze, bulk_insert
from app.imports.fields import Cells, Problems
from app.imports.ledger import Ledger

SAMPLE_LIMIT = 20
SHOWN_PROBLEMS = 500
#: planner statistics are refreshed when the rows an import added to a table reach this, then double
ANALYZE_FROM = 10_000


class RowError(Exception):
    """A row that turned out impossible while applying; the whole import is rolled back."""

    def __init__(self, row: int, column: str, message: str) -> None:
        super().__init__(message)
        self.row, self.column, self.message = row, column, message


@dataclass
class ImportReport:
    """What an import found and did. `applied` is False whenever nothing was written."""

    kind: str
    filename: str
    rows: int = 0
    #: created / updated / unchanged rows, plus kind-specific counts (people_created, moved, …)
    counts: Counter = field(default_factory=Counter)
    problems: Problems = field(default_factory=Problems)
    #: the first rows that would be (or were) created or updated: {"row", "action", "text"}
    samples: list[dict] = field(default_factory=list)
    #: extra lines worth reading, e.g. people a split left without an agency
    notes: list[str] = field(default_factory=list)
    #: rows accepted with a warning, by kind of warning (see formats.WARNING_LABELS): row numbers
    warnings: dict[str, list[int]] = field(default_factory=dict)
    applied: bool = False
    check_seconds: float = 0.0
    apply_seconds: float = 0.0

    def summary(self) -> str:
        c = self.counts
        extra = "".join(f", {k}: {v}" for k, v in sorted(c.items())
                        if v and k not in ("created", "updated", "unchanged"))
        return (f"rows: {self.rows}, created: {c['created']}, updated: {c['updated']}, "
                f"unchanged: {c['unchanged']}{extra}")

    def as_dict(self) -> dict:
        """JSON for ImportUpload.result: counts, the first SHOWN_PROBLEMS problems and the samples."""
        return {
            "rows": self.rows, "counts": dict(self.counts), "applied": self.applied,
            "problem_count": self.problems.count,
            "problems": [list(p) for p in self.problems.sorted()[:SHOWN_PROBLEMS]],
            "samples": self.samples, "notes": self.notes[:SHOWN_PROBLEMS], "warnings": self.warnings,
            "seconds": round(self.check_seconds + self.apply_seconds, 2),
        }


class BaseImport(ABC):
    """One kind of import. Pass 1 calls check() per batch, then finish_check(); only when no problem
    was found does pass 2 stream the file again through apply() and finish_apply()."""

    kind = ""
    columns: tuple[str, ...] = ()
    batch_size = 2000
    #: tables of the scratch ledger for this kind's cross-row checks
    ledger_schema = ""
    #: tables looked up per batch, whose planner statistics must be fresh (PostgreSQL)
    reads: tuple = ()
    #: False when check() keeps what apply needs (small files): the file is then read once
    second_pass = True

    def __init__(self, report: ImportReport, ledger: Ledger, *, actor=None, scope: set[int] | None = None):
        self.report, self.ledger, self.actor, self.scope = report, ledger, actor, scope
        self.problems = report.problems
        self.inserted: Counter = Counter()

    def cells(self, number: int, values: dict[str, str]) -> Cells:
        return Cells(number, values, self.problems)

    def count(self, action: str, row: int | None = None, describe=None) -> None:
        """Count one row's outcome; keep the first few creations and updates to show, described by
        calling `describe()` (only then: formatting every row of a big file would cost seconds)."""
        self.report.counts[action] += 1
        if describe and action in ("created", "updated") and len(self.report.samples) < SAMPLE_LIMIT:
            self.report.samples.append({"row": row, "action": action, "text": describe()})

    def warn(self, kind: str, row: int) -> None:
        """Accept a row but tell the importer about it (first pass only: the rows do not change)."""
        self.report.warnings.setdefault(kind, []).append(row)

    def insert(self, table, rows: list[dict]) -> None:
        """bulk_insert, refreshing the table's statistics each time this import's rows double."""
        before = self.inserted[table.name]
        after = self.inserted[table.name] = before + len(rows)
        bulk_insert(table, rows)
        if (after // ANALYZE_FROM).bit_length() > (before // ANALYZE_FROM).bit_length():
            analyze(table)

    @abstractmethod
    def check(self, batch: list[tuple[int, dict[str, str]]]) -> None:
        """First pass: check a batch of rows, adding problems to the report."""

    def finish_check(self) -> None:
        """Cross-row checks once every row was seen."""

    @abstractmethod
    def apply(self, batch: list[tuple[int, dict[str, str]]]) -> None:
        """Second pass: write a batch of rows (the file was clean)."""

    def finish_apply(self) -> None:
        """Work that needs every row applied first."""


def out_of_scope_message() -> str:
    return _("cơ quan ngoài phạm vi quản lý")
