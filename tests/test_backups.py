"""`backup create` and `backup restore`: on SQLite, and on PostgreSQL when TEST_DATABASE_URL is set."""
from __future__ import annotations

import io
import json
import sqlite3
import tarfile
import threading
from datetime import date

import pytest
from flask import has_app_context
from alembic.config import Config
from alembic.script import ScriptDirectory
from flask_migrate import upgrade
from sqlalchemy import create_engine, inspect, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from app import create_app
from app.audit.models import AuditEvent
from app.backups.services import DATA_FILES, MANIFEST, known_revisions, row_counts
from app.certificates.services import issue_missing
from app.core.dates import today
from app.core.health import MIGRATIONS, head_revision
from app.coverage.queries import coverage_table
from app.extensions import db as _db
from tests.conftest import FIXTURE_COURSES
from tests.factories import make_agency, make_completion, make_iso_courses, make_person

UNREACHABLE_PG = "postgresql+psycopg://nobody@127.0.0.1:1/none"


def is_postgresql(app) -> bool:
    return app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql")


def _admin(app, *statements: str) -> None:
    with app.app_context(), _db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        for statement in statements:
            conn.exec_driver_sql(statement)


def other_app(url: str):
    return create_app("testing", {"SQLALCHEMY_DATABASE_URI": url, "COURSES_DIR": str(FIXTURE_COURSES)})


@pytest.fixture
def fresh_app(app, tmp_path):
    """Makes apps on new, empty databases: a SQLite file, or a PostgreSQL database named after the
    test database (`<testdb>_restore`), dropped at the end."""
    made = []

    def make(suffix: str = "restore"):
        url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
        if is_postgresql(app):
            url = url.set(database=f"{url.database}_{suffix}")
            _admin(app, f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)', f'CREATE DATABASE "{url.database}"')
        else:
            url = url.set(database=str(tmp_path / f"{suffix}.sqlite3"))
        made.append((other_app(url.render_as_string(hide_password=False)), url.database))
        return made[-1][0]

    yield make
    for other, name in made:
        with other.app_context():
            _db.engine.dispose()
        if is_postgresql(app):
            _admin(app, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def invoke(target, *args: str):
    """`flask backup ARGS` on `target`'s database, in its own app context (the CLI runner would
    otherwise reuse the test's). The test's session ends its transaction first: it must hold no
    locks on tables a restore replaces."""
    if has_app_context():
        _db.session.commit()
    with target.app_context():
        return target.test_cli_runner().invoke(args=["backup", *args])


def refused(result, *words: str) -> None:
    """The command failed with one clear line naming `words`, not a traceback."""
    assert result.exit_code == 1, result.output
    assert len(result.output.strip().splitlines()) == 1 and result.output.startswith("Error: "), result.output
    for word in words:
        assert word in result.output


def table_counts() -> dict[str, int]:
    with _db.engine.connect() as conn:
        return row_counts(conn)


def tables_of(target) -> list[str]:
    with target.app_context(), _db.engine.connect() as conn:
        return inspect(conn).get_table_names()


def coverage_rows() -> list[dict]:
    return [row.as_dict() for row in coverage_table(today().year).rows]


def read_backup(path) -> tuple[dict, bytes]:
    with tarfile.open(path, "r:*") as tar:
        manifest, data = (tar.extractfile(member).read() for member in tar.getmembers())
    return json.loads(manifest), data


def rewrite(path, out, *, manifest=lambda m: m, data=lambda d: d):
    """A copy of a backup with its manifest and data changed by these functions."""
    old_manifest, old_data = read_backup(path)
    new_manifest, new_data = json.dumps(manifest(old_manifest)).encode(), data(old_data)
    with tarfile.open(out, "w:gz" if old_manifest["kind"] == "sqlite" else "w") as tar:
        for name, blob in ((MANIFEST, new_manifest), (DATA_FILES[old_manifest["kind"]], new_data)):
            info = tarfile.TarInfo(name)
            info.size = len(blob)
            tar.addfile(info, io.BytesIO(blob))
    return out


def seed(db):
    """Agency A with a newcomer who did ISO-01 (certificate issued) and a leader who owes the
    refresher; agency B with nobody."""
    year = today().year
    courses = make_iso_courses()
    agency = make_agency("AG-A", valid_from=date(year - 1, 1, 1))
    make_agency("AG-B", valid_from=date(year - 1, 1, 1))
    newcomer = make_person(agency=agency, start=date(year, 1, 1))
    leader = make_person(agency=agency, roles=("leader",), start=date(year - 1, 7, 1))
    make_completion(newcomer, courses["ISO-01"], date(year, 1, 1), agency=agency)
    issue_missing()
    db.session.commit()
    return courses, agency, leader


def backup(app, db, tmp_path, name: str = "nightly.backup"):
    seed(db)
    result = invoke(app, "create", str(tmp_path / name))
    assert result.exit_code == 0, result.output
    return tmp_path / name


def test_a_restored_backup_holds_the_rows_and_coverage_of_backup_time_not_later_writes(app, db, fresh_app,
                                                                                        tmp_path):
    courses, agency, leader = seed(db)
    counts, coverage = table_counts(), coverage_rows()
    assert (counts["person"], counts["completion"], counts["certificate"], counts["agency"]) == (2, 1, 1, 2)
    file = tmp_path / "nightly.backup"
    result = invoke(app, "create", str(file))
    assert result.exit_code == 0, result.output
    assert str(file) in result.output and f"{sum(counts.values())} rows in {len(counts)} tables" in result.output
    manifest, _data = read_backup(file)
    assert manifest["tables"] == counts and manifest["revision"] == head_revision()
    assert f"schema revision {head_revision()}" in result.output

    make_completion(leader, courses["ISO-05"], today(), agency=agency)  # after the backup: not in it
    make_person(agency=agency)
    db.session.commit()
    assert coverage_rows() != coverage

    target = fresh_app()
    result = invoke(target, "restore", str(file))
    assert result.exit_code == 0, result.output
    assert "as in the backup; audit log: backup.restore" in result.output and "db upgrade" not in result.output
    with target.app_context():
        restored, restored_coverage = table_counts(), coverage_rows()
        actions = _db.session.scalars(select(AuditEvent.action)).all()
    assert restored == counts | {"audit_event": counts["audit_event"] + 1}
    assert actions == ["backup.restore"]
    assert restored_coverage == coverage


def test_restore_into_a_database_that_has_the_app_tables_refuses_without_force_and_changes_nothing(app, db,
                                                                                                   tmp_path):
    file = backup(app, db, tmp_path)
    make_person()
    db.session.commit()
    before = table_counts()
    refused(invoke(app, "restore", str(file)), "not empty", "--force", "nothing was restored")
    assert table_counts() == before


def test_restore_with_force_replaces_the_content_with_the_backup(app, db, tmp_path):
    file = backup(app, db, tmp_path)
    make_person()
    make_agency()
    db.session.commit()
    result = invoke(app, "restore", "--force", str(file))
    assert result.exit_code == 0, result.output
    manifest, _data = read_backup(file)
    assert table_counts() == manifest["tables"] | {"audit_event": manifest["tables"]["audit_event"] + 1}


def test_a_backup_whose_data_was_altered_is_refused_on_its_checksum(app, db, fresh_app, tmp_path):
    file = backup(app, db, tmp_path)

    def flip_a_byte(data: bytes) -> bytes:
        middle = len(data) // 2
        return data[:middle] + bytes([data[middle] ^ 0xFF]) + data[middle + 1:]

    tampered = rewrite(file, tmp_path / "tampered.backup", data=flip_a_byte)
    target = fresh_app()
    refused(invoke(target, "restore", str(tampered)), "checksum mismatch", "nothing was restored")
    assert tables_of(target) == []


def test_a_backup_at_a_schema_revision_this_code_does_not_know_is_refused(app, db, fresh_app, tmp_path):
    file = backup(app, db, tmp_path)
    unknown = "f" * 12
    assert unknown not in known_revisions()
    future = rewrite(file, tmp_path / "future.backup", manifest=lambda m: m | {"revision": unknown})
    target = fresh_app()
    refused(invoke(target, "restore", str(future)), f"schema revision {unknown}", "does not know")
    assert tables_of(target) == []


def older_backup(fresh_app, tmp_path):
    """A backup of an empty database at the first revision (later ones add tables), and that revision."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    older = ScriptDirectory.from_config(config).get_base()
    assert older != head_revision()
    source = fresh_app("older")
    with source.app_context():
        upgrade(directory=str(MIGRATIONS), revision=older)
    file = tmp_path / "older.backup"
    assert invoke(source, "create", str(file)).exit_code == 0
    return file, older


def test_a_backup_of_an_older_schema_is_restored_and_the_operator_is_told_to_upgrade(fresh_app, tmp_path):
    file, older = older_backup(fresh_app, tmp_path)
    target = fresh_app()
    result = invoke(target, "restore", str(file))
    assert result.exit_code == 0, result.output
    assert f"schema revision {older} is older" in result.output and "flask --app wsgi db upgrade" in result.output
    assert "audit log" not in result.output
    with target.app_context():
        assert _db.session.scalar(text("SELECT version_num FROM alembic_version")) == older


def test_a_forced_restore_of_an_older_backup_over_a_newer_schema_can_then_be_upgraded(fresh_app, tmp_path):
    file, older = older_backup(fresh_app, tmp_path)
    target = fresh_app("newer")
    with target.app_context():
        upgrade(directory=str(MIGRATIONS))
    assert set(tables_of(target)) - set(read_backup(file)[0]["tables"])  # tables the backup does not have
    result = invoke(target, "restore", "--force", str(file))
    assert result.exit_code == 0, result.output
    with target.app_context():
        assert table_counts() == read_backup(file)[0]["tables"]  # no table of the newer schema is left
        upgrade(directory=str(MIGRATIONS))
        assert _db.session.scalar(text("SELECT version_num FROM alembic_version")) == head_revision()


def test_a_restore_whose_rows_differ_from_the_manifest_exits_1_naming_the_tables(app, db, fresh_app, tmp_path):
    file = backup(app, db, tmp_path)

    def one_more_agency(manifest: dict) -> dict:
        return manifest | {"tables": manifest["tables"] | {"agency": manifest["tables"]["agency"] + 1}}

    wrong = rewrite(file, tmp_path / "wrong.backup", manifest=one_more_agency)
    result = invoke(fresh_app(), "restore", str(wrong))
    assert result.exit_code == 1
    assert "backup: 3" in result.output and "differ from the backup's manifest in 1 table(s): agency" in result.output


def test_a_backup_cannot_be_restored_into_the_other_kind_of_database(app, db, tmp_path):
    file = backup(app, db, tmp_path)
    other = other_app(f"sqlite:///{tmp_path / 'other.sqlite3'}" if is_postgresql(app) else UNREACHABLE_PG)
    refused(invoke(other, "restore", str(file)), "restores only into the same kind of database")


def test_backup_create_without_pg_dump_names_it_and_the_client_package_to_install(app, db, tmp_path, monkeypatch):
    target = app if is_postgresql(app) else other_app(UNREACHABLE_PG)
    major = None
    if is_postgresql(app):
        major = int(db.session.scalar(text("SHOW server_version_num"))) // 10000
    monkeypatch.setenv("PATH", str(tmp_path))  # no pg_dump in there
    result = invoke(target, "create", str(tmp_path / "x.backup"))
    refused(result, "pg_dump not found on PATH", "apt-get install postgresql-client")
    if major:
        assert f"postgresql-client-{major}" in result.output
    assert list(tmp_path.iterdir()) == []


def test_a_backup_that_fails_half_way_leaves_the_previous_file_under_the_final_name(app, db, tmp_path,
                                                                                     monkeypatch):
    file = backup(app, db, tmp_path)
    good = file.read_bytes()

    def disk_full(*_args, **_kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(tarfile.TarFile, "add", disk_full)  # after the manifest, while adding the data
    refused(invoke(app, "create", str(file)), "No space left on device")
    assert file.read_bytes() == good and list(tmp_path.iterdir()) == [file]


def test_backup_create_refuses_a_database_without_schema(fresh_app, tmp_path):
    refused(invoke(fresh_app(), "create", str(tmp_path / "x.backup")), "no schema yet")
    assert not (tmp_path / "x.backup").exists()


def test_restore_refuses_a_file_that_is_not_a_backup(app, db, fresh_app, tmp_path):
    junk = tmp_path / "notes.backup"
    junk.write_text("not a backup")
    target = fresh_app()
    refused(invoke(target, "restore", str(junk)), "is not a readable backup")
    refused(invoke(target, "restore", str(tmp_path / "missing.backup")), "no such file")


def test_a_backup_taken_while_another_connection_writes_counts_exactly_the_rows_it_holds(app, db, fresh_app,
                                                                                         tmp_path):
    writer_engine = create_engine(app.config["SQLALCHEMY_DATABASE_URI"], poolclass=NullPool)
    insert = text("INSERT INTO agency (code, name, type, valid_from, in_iso_scope) "
                  "VALUES (:code, :name, 'UBND_XA', :day, :scope)")
    row = {"name": "x" * 200, "day": date(2025, 7, 1), "scope": True}
    with writer_engine.begin() as conn:  # a few MB, so that the backup takes a while
        conn.execute(insert, [row | {"code": f"BULK-{n}"} for n in range(20_000)])
    written, stop = [0], threading.Event()

    def write() -> None:
        with writer_engine.connect() as conn:
            while not stop.is_set():
                conn.execute(insert, row | {"code": f"LIVE-{written[0]}"})
                conn.commit()
                written[0] += 1

    writer = threading.Thread(target=write)
    writer.start()
    try:
        while written[0] < 10:
            stop.wait(0.01)
        before = written[0]
        result = invoke(app, "create", str(tmp_path / "live.backup"))
        during = written[0] - before
    finally:
        stop.set()
        writer.join()
        writer_engine.dispose()
    assert result.exit_code == 0, result.output
    assert during > 0  # the writer did commit while the backup ran
    manifest, data = read_backup(tmp_path / "live.backup")
    assert 20_010 <= manifest["tables"]["agency"] < table_counts()["agency"]
    if is_postgresql(app):  # the restore checks every table's count against the manifest
        result = invoke(fresh_app(), "restore", str(tmp_path / "live.backup"))
        assert result.exit_code == 0 and "as in the backup" in result.output, result.output
        return
    copy = tmp_path / "copy.sqlite3"
    copy.write_bytes(data)
    with sqlite3.connect(copy) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert conn.execute("PRAGMA journal_mode").fetchone() == ("delete",)
        assert conn.execute("SELECT count(*) FROM agency").fetchone()[0] == manifest["tables"]["agency"]
