"""`flask import KIND FILE [--dry-run]`: the same checks and writes as the upload pages."""
from __future__ import annotations

import os
import sys

import click

from app.extensions import db

#: what a warning means, for the console
WARNINGS = {"outside_assignment": "dated outside every assignment of the person, recorded with no agency "
                                  "(they count for the person's obligations, for no agency)"}
#: below this size the import is quick and a progress bar would only flicker
PROGRESS_FROM_BYTES = 1_000_000


class _Bar:
    """A click progress bar on stderr fed with (done, total) per pass; one bar per pass."""

    def __init__(self, size: int) -> None:
        self.show = size >= PROGRESS_FROM_BYTES
        self.bar = None
        self.done = 0
        self.passes = 0

    def __call__(self, done: int, total: int) -> None:
        if not self.show:
            return
        if self.bar is None:
            self.passes += 1
            label = "checking" if self.passes == 1 else "applying"
            self.bar = click.progressbar(length=max(total, 1), label=label, file=sys.stderr)
            self.bar.__enter__()
            self.done = 0
        self.bar.update(max(done - self.done, 0))
        self.done = done
        if done >= total:
            self.bar.__exit__(None, None, None)
            self.bar = None


@click.command("import")
@click.argument("kind", type=click.Choice(["agencies", "staff", "completions", "lineage"]))
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--dry-run", is_flag=True, help="Check the file and count what would change; write nothing.")
def import_command(kind: str, file: str, dry_run: bool) -> None:
    """Import a CSV or XLSX file of agencies, staff, completions or lineage events.

    The whole file is checked first; any problem is printed as `row N, column C: message` and
    nothing is written (exit status 1). Otherwise everything is applied in one transaction.
    """
    from app.imports.formats import row_ranges
    from app.imports.readers import ImportSource
    from app.imports.services import run_import

    source = ImportSource(os.path.basename(file), path=file)
    report = run_import(kind, source, dry_run=dry_run, progress=_Bar(source.size))
    for problem in report.problems.sorted():
        click.echo(str(problem))
    seconds = report.check_seconds + report.apply_seconds
    if report.problems:
        db.session.rollback()
        more = report.problems.count - len(report.problems.kept)
        if more:
            click.echo(f"… and {more} more problem(s) not shown")
        click.echo(f"{report.problems.count} problem(s) in {report.rows} row(s): nothing written "
                   f"({seconds:.1f} s)", err=True)
        sys.exit(1)
    for kind_of_warning, rows in report.warnings.items():
        click.echo(f"warning: {len(rows)} row(s) {WARNINGS[kind_of_warning]}: rows {row_ranges(rows)}")
    for note in report.notes:
        click.echo(note)
    if dry_run:
        click.echo(f"dry run, nothing written: {report.summary()} ({seconds:.1f} s)")
        return
    db.session.commit()
    click.echo(f"imported {kind}: {report.summary()} (checked in {report.check_seconds:.1f} s, "
               f"applied in {report.apply_seconds:.1f} s)")
