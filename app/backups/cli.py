"""`flask backup create FILE` and `flask backup restore FILE [--force]`."""
from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup
from sqlalchemy.exc import SQLAlchemyError

from app.backups.services import KIND_NAMES, BackupError, create_backup, restore_backup
from app.core.health import head_revision
from app.extensions import db

backup_cli = AppGroup("backup", help="Back up the database to one file, and restore such a file.")


def _size(path: str) -> str:
    size = Path(path).stat().st_size
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024


def _call(service, *args, **kwargs):
    """The service's result; its failures become one-line errors (exit 1), never a traceback."""
    try:
        return service(*args, **kwargs)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    except SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        raise click.ClickException(f"database error: {reason}") from exc
    except OSError as exc:
        raise click.ClickException(str(exc)) from exc


@backup_cli.command("create")
@click.argument("file", type=click.Path(dir_okay=False))
def backup_create(file: str) -> None:
    """Write a backup of the database to FILE; the app may keep serving meanwhile."""
    manifest = _call(create_backup, file)
    click.echo(f"backup written to {file} ({_size(file)}): {KIND_NAMES[manifest['kind']]} database, "
               f"schema revision {manifest['revision']}, {manifest['rows']} rows in {len(manifest['tables'])} tables")


@backup_cli.command("restore")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--force", is_flag=True, help="Replace the content of a database that is not empty.")
def backup_restore(file: str, force: bool) -> None:
    """Restore FILE into an empty database (or, with --force, over the current content)."""
    report = _call(restore_backup, file, force=force)
    db.session.commit()  # the audit event
    manifest = report.manifest
    click.echo(f"restored {file} ({_size(file)}): {KIND_NAMES[manifest['kind']]} database made "
               f"{manifest.get('created_at_utc')} ({manifest.get('created_on_vn')} in Vietnam), "
               f"schema revision {manifest['revision']}")
    for name in sorted(set(report.counts) | set(manifest["tables"])):
        found, expected = report.counts.get(name, "-"), manifest["tables"].get(name, "-")
        click.echo(f"  {name:<32} {found:>10}" + ("" if found == expected else f"   backup: {expected}"))
    if report.mismatches:
        raise click.ClickException(f"row counts differ from the backup's manifest in {len(report.mismatches)} "
                                   f"table(s): {', '.join(report.mismatches)}")
    click.echo(f"{sum(report.counts.values())} rows in {len(report.counts)} tables, as in the backup"
               f"{'; audit log: backup.restore' if report.audited else ''}")
    if report.needs_upgrade:
        click.echo(f"the backup's schema revision {manifest['revision']} is older than this code's "
                   f"({head_revision()}): run `flask --app wsgi db upgrade` now")
