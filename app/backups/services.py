"""Making and restoring backups: a tar holding manifest.json, then the data (SQLite copy or pg_dump)."""
from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import zlib
from dataclasses import dataclass
from pathlib import Path

from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, func, inspect, select, table, text
from sqlalchemy.engine import URL, Connection, Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import NullPool

from app.audit.services import record
from app.core.dates import format_date, utcnow
from app.core.health import MIGRATIONS, head_revision
from app.extensions import db

FORMAT = 1
MANIFEST = "manifest.json"
DATA_FILES = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
KIND_NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
UNREADABLE = (tarfile.TarError, OSError, EOFError, zlib.error, ValueError)
CHUNK = 1 << 20


class BackupError(Exception):
    """A backup that cannot be made or restored; the message is one line for the operator."""


@dataclass
class RestoreReport:
    manifest: dict
    #: rows per table of the database just after the restore (before the audit event)
    counts: dict[str, int]
    audited: bool = False

    @property
    def mismatches(self) -> list[str]:
        """Tables whose row count is not the manifest's (or that only one side has)."""
        expected = self.manifest["tables"]
        names = sorted(set(expected) | set(self.counts))
        return [name for name in names if expected.get(name) != self.counts.get(name)]

    @property
    def needs_upgrade(self) -> bool:
        return self.manifest["revision"] != head_revision()


def database_kind(engine: Engine) -> str:
    """"sqlite" or "postgresql"; BackupError for any other database."""
    if engine.dialect.name not in DATA_FILES:
        raise BackupError(f"backups support SQLite and PostgreSQL, not {engine.dialect.name}")
    return engine.dialect.name


def known_revisions() -> set[str]:
    """Every schema revision in migrations/versions."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return {script.revision for script in ScriptDirectory.from_config(config).walk_revisions()}


def row_counts(connection: Connection) -> dict[str, int]:
    """Rows in each table of the database's default schema, alembic_version included, by name."""
    names = sorted(inspect(connection).get_table_names())
    return {name: connection.scalar(select(func.count()).select_from(table(name))) for name in names}


def create_backup(path: str | Path) -> dict:
    """Back up the app's database to `path` while the app keeps serving, and return the manifest.

    The file is written under a temporary name beside `path` and renamed once complete, so a backup
    that fails half-way never carries the final name. Raises BackupError (no schema to back up,
    pg_dump missing or failing, the folder missing)."""
    path = Path(path)
    engine = db.engine
    kind = database_kind(engine)
    if not path.parent.is_dir():
        raise BackupError(f"{path.parent} is not a folder")
    with tempfile.TemporaryDirectory(dir=path.parent, prefix=".backup-") as work:
        data = Path(work) / DATA_FILES[kind]
        revision, counts = (_copy_sqlite if kind == "sqlite" else _dump_postgresql)(engine, data)
        now = utcnow()
        manifest = {"format": FORMAT, "kind": kind, "revision": revision, "tables": counts,
                    "rows": sum(counts.values()), "created_at_utc": now.isoformat(timespec="seconds"),
                    "created_on_vn": format_date(now), "data_file": data.name,
                    "data_bytes": data.stat().st_size, "sha256": _sha256(data)}
        partial = Path(work) / f"{path.name}.partial"
        _write_archive(partial, manifest, data, compress=kind == "sqlite")
        os.replace(partial, path)
    return manifest


def _describe(connection: Connection) -> tuple[str, dict[str, int]]:
    counts = row_counts(connection)
    if "alembic_version" not in counts:
        raise BackupError("the database has no schema yet (run `flask --app wsgi db upgrade`): nothing to back up")
    return connection.scalar(text("SELECT version_num FROM alembic_version")), counts


def _copy_sqlite(engine: Engine, target: Path) -> tuple[str, dict[str, int]]:
    """Copy the live file with SQLite's backup API in one step: a single read transaction, so in WAL
    mode the app keeps writing while the copy sees one consistent state. Revision and counts are
    read from the copy, so they describe exactly what it holds."""
    source = engine.raw_connection()
    copy = sqlite3.connect(target)
    try:
        source.driver_connection.backup(copy)
        copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
    except sqlite3.Error as exc:
        raise BackupError(f"SQLite backup failed: {exc}") from exc
    finally:
        copy.close()
        source.close()
    reader = create_engine(f"sqlite:///{target}", poolclass=NullPool)
    try:
        with reader.connect() as connection:
            return _describe(connection)
    finally:
        reader.dispose()


def _dump_postgresql(engine: Engine, target: Path) -> tuple[str, dict[str, int]]:
    """pg_dump --format=custom of the database, counted in the very snapshot pg_dump reads."""
    pg_dump = _client_tool("pg_dump", engine)
    with engine.connect().execution_options(isolation_level="REPEATABLE READ") as connection:
        with connection.begin():
            snapshot = connection.scalar(text("SELECT pg_export_snapshot()"))
            revision, counts = _describe(connection)
            # the exported snapshot lives as long as this transaction: pg_dump must finish inside it
            _run([pg_dump, "--format=custom", "--no-password", f"--snapshot={snapshot}", f"--file={target}",
                  f"--dbname={_libpq_url(engine.url)}"], engine.url)
    return revision, counts


def _write_archive(partial: Path, manifest: dict, data: Path, compress: bool) -> None:
    """The tar: manifest.json first (restore reads it before the data), then the data. The file is
    created readable by its owner only: it holds personal data. A pg_dump archive is compressed
    already; a SQLite file is gzipped."""
    blob = json.dumps(manifest, ensure_ascii=False, indent=2).encode("utf-8")
    info = tarfile.TarInfo(MANIFEST)
    info.size, info.mode, info.mtime = len(blob), 0o600, int(data.stat().st_mtime)
    options = {"mode": "w:gz", "compresslevel": 6} if compress else {"mode": "w"}
    with os.fdopen(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as out:
        with tarfile.open(fileobj=out, **options) as tar:
            tar.addfile(info, io.BytesIO(blob))
            tar.add(data, arcname=data.name)
        out.flush()
        os.fsync(out.fileno())


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for chunk in iter(lambda: stream.read(CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def read_manifest(path: str | Path) -> dict:
    """The manifest of a backup file. Raises BackupError when the file is not a backup."""
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"{path}: no such file")
    try:
        with tarfile.open(path, "r:*") as tar:
            first = tar.next()
            is_manifest = first is not None and first.name == MANIFEST and first.isfile()
            manifest = json.load(tar.extractfile(first)) if is_manifest else None
    except UNREADABLE as exc:
        raise BackupError(f"{path} is not a readable backup ({_reason(exc)})") from exc
    required = ("kind", "revision", "tables", "sha256")
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT or any(k not in manifest for k in required):
        raise BackupError(f"{path} is not a backup made by `flask --app wsgi backup create`")
    return manifest


def restore_backup(path: str | Path, *, force: bool = False) -> RestoreReport:
    """Restore a backup into the app's database and count the rows it then holds.

    Before touching anything: the backup must be of the same kind of database, at a schema revision
    this code knows, with data matching its checksum, and the database must have none of the app's
    tables unless `force` (then they are replaced). Records backup.restore in the audit log when the
    restored schema is this code's (an older one must be upgraded first); the caller commits.
    Raises BackupError."""
    path = Path(path)
    engine = db.engine
    kind = database_kind(engine)
    manifest = read_manifest(path)
    if manifest["kind"] != kind:
        raise BackupError(f"{path.name} is a backup of a {KIND_NAMES.get(manifest['kind'], manifest['kind'])} "
                          f"database and this app's database is {KIND_NAMES[kind]}: a backup restores only "
                          f"into the same kind of database")
    if manifest["revision"] not in known_revisions():
        raise BackupError(f"{path.name} has schema revision {manifest['revision']}, which this code does not know "
                          f"(made by newer code?): restore it with the code that made it; nothing was restored")
    db.session.remove()  # no transaction of ours may hold locks on the tables being replaced
    with tempfile.TemporaryDirectory(prefix="htqlcl-restore-") as work:
        data = _extract_data(path, kind, manifest["sha256"], Path(work))
        with engine.connect() as connection:
            present = set(inspect(connection).get_table_names())
        occupied = present & (set(db.metadata.tables) | set(manifest["tables"]) | {"alembic_version"})
        if occupied and not force:
            raise BackupError(f"the database is not empty ({len(occupied)} table(s) of the app): restore only into "
                              f"an empty database, or add --force to replace its content; nothing was restored")
        if kind == "sqlite":
            _restore_sqlite(engine, data)
        else:
            _restore_postgresql(engine, data, force, stale=occupied - set(manifest["tables"]))
    with engine.connect() as connection:
        report = RestoreReport(manifest, row_counts(connection))
    if not report.needs_upgrade:  # the audit table of an older schema may not match the model
        record("backup.restore", target_type="database", target_label=path.name,
               details={"file": str(path), "created_at_utc": manifest.get("created_at_utc"),
                        "revision": manifest["revision"], "rows": sum(report.counts.values()),
                        "forced": force, "counts_match": not report.mismatches})
        report.audited = True
    return report


def _extract_data(path: Path, kind: str, sha256: str, work: Path) -> Path:
    """Unpack the data into `work`, checking its checksum on the way."""
    target, digest = work / DATA_FILES[kind], hashlib.sha256()
    try:
        with tarfile.open(path, "r:*") as tar:
            tar.next()  # manifest.json
            member = tar.next()
            if member is None or member.name != target.name or not member.isfile():
                raise BackupError(f"{path.name} holds no {target.name}: it is not a whole backup")
            with tar.extractfile(member) as source, target.open("wb") as out:
                for chunk in iter(lambda: source.read(CHUNK), b""):
                    digest.update(chunk)
                    out.write(chunk)
    except UNREADABLE as exc:
        raise BackupError(f"{path} is damaged ({_reason(exc)}); nothing was restored") from exc
    if digest.hexdigest() != sha256:
        raise BackupError(f"{path.name}: checksum mismatch, the data is not what was backed up (damaged or "
                          f"altered); nothing was restored")
    return target


def _reason(exc: Exception) -> str:
    """One line about why a file could not be read (tarfile lists every compression it tried)."""
    if isinstance(exc, tarfile.ReadError):
        return "not a tar archive, or a damaged one"
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


def _restore_sqlite(engine: Engine, data: Path) -> None:
    """Replace the whole content of the app's database, through the backup API into its connection."""
    source = sqlite3.connect(data)
    target = engine.raw_connection()
    try:
        source.backup(target.driver_connection)
        target.driver_connection.execute("PRAGMA journal_mode=WAL")  # as `db upgrade` leaves a file
    except sqlite3.Error as exc:
        raise BackupError(f"SQLite restore failed ({exc}): stop the app and try again") from exc
    finally:
        target.close()
        source.close()
    engine.dispose()  # pooled connections have the old schema cached


def _restore_postgresql(engine: Engine, data: Path, force: bool, stale: set[str]) -> None:
    """pg_restore in one transaction; with `force`, --clean replaces the tables the dump holds."""
    pg_restore = _client_tool("pg_restore", engine)
    if stale:
        # Tables of a newer schema than the backup's: --clean drops only what the dump holds, and
        # their foreign keys would stop it dropping the tables they point to.
        with engine.begin() as connection:
            quote = connection.dialect.identifier_preparer.quote
            for name in sorted(stale):
                connection.execute(text(f"DROP TABLE IF EXISTS {quote(name)} CASCADE"))
    args = [pg_restore, "--no-owner", "--single-transaction", "--exit-on-error", "--no-password"]
    if force:
        args += ["--clean", "--if-exists"]
    _run([*args, f"--dbname={_libpq_url(engine.url)}", str(data)], engine.url)


def _client_tool(name: str, engine: Engine) -> str:
    """The path of pg_dump or pg_restore; BackupError saying how to install it when missing."""
    found = shutil.which(name)
    if found:
        return found
    try:
        with engine.connect() as connection:
            major = int(connection.scalar(text("SHOW server_version_num"))) // 10000
    except SQLAlchemyError:
        major = None
    package = f"postgresql-client-{major}" if major else "postgresql-client-<server major version>"
    raise BackupError(f"{name} not found on PATH: install the PostgreSQL client tools of the server's major "
                      f"version{f' ({major})' if major else ''}; on Debian: apt-get install {package}")


def _libpq_url(url: URL) -> str:
    """The URL for libpq tools, without the driver name and password (that goes in PGPASSWORD)."""
    return url.set(drivername="postgresql", password=None).render_as_string(hide_password=False)


def _run(args: list[str], url: URL) -> None:
    env = dict(os.environ, PGPASSWORD=url.password) if url.password else None
    done = subprocess.run(args, env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True)
    if done.returncode:
        lines = [line.strip() for line in done.stderr.splitlines() if line.strip()]
        reason = next((line for line in lines if "error" in line.lower()), lines[-1] if lines else
                      f"exit status {done.returncode}")
        raise BackupError(f"{Path(args[0]).name} failed: {reason}")
