"""Bulk writes for the synthetic data: COPY on PostgreSQL, Core executemany on SQLite."""
from __future__ import annotations

import time
from collections import Counter
from contextlib import contextmanager
from typing import Iterable

from psycopg.types.json import Json
from sqlalchemy import Connection, func, insert, select, text

from app.extensions import db

#: the columns each table is written with, in row order, and their PostgreSQL types (for binary COPY)
COLUMNS = {
    "agency": (("id", "int4"), ("code", "varchar"), ("name", "varchar"), ("type", "varchar"),
               ("parent_id", "int4"), ("valid_from", "date"), ("valid_to", "date"), ("in_iso_scope", "bool")),
    "agency_lineage": (("id", "int4"), ("event", "varchar"), ("predecessor_id", "int4"), ("successor_id", "int4"),
                       ("effective_date", "date"), ("created_at", "timestamptz")),
    "person": (("id", "int4"), ("staff_code", "varchar"), ("full_name", "varchar"), ("access_role", "varchar"),
               ("active", "bool"), ("created_at", "timestamptz"), ("search_name", "text"), ("sort_name", "text")),
    "assignment": (("id", "int4"), ("person_id", "int4"), ("agency_id", "int4"), ("is_leader", "bool"),
                   ("is_iso_secretary", "bool"), ("is_internal_auditor", "bool"), ("start_date", "date"),
                   ("end_date", "date")),
    "quiz_attempt": (("id", "int4"), ("person_id", "int4"), ("course_version_id", "int4"),
                     ("started_at", "timestamptz"), ("submitted_at", "timestamptz"), ("drawn", "json"),
                     ("answers", "json"), ("correct_count", "int4"), ("score", "int4"), ("passed", "bool")),
    "completion": (("id", "int4"), ("person_id", "int4"), ("course_id", "int4"), ("course_version_id", "int4"),
                   ("completed_on", "date"), ("score", "int4"), ("source", "varchar"), ("agency_id", "int4"),
                   ("agency_code", "varchar"), ("agency_name", "varchar"), ("created_at", "timestamptz"),
                   ("attempt_id", "int4")),
    "quiz_response": (("attempt_id", "int4"), ("question_id", "int4"), ("course_id", "int4"), ("person_id", "int4"),
                      ("agency_id", "int4"), ("year", "int4"), ("chosen", "varchar"), ("correct", "bool"),
                      ("rest", "int4")),
}
#: the tables whose ids the generator allocates (quiz_response has a composite key)
WITH_IDS = [name for name, columns in COLUMNS.items() if columns[0][0] == "id"]
SQLITE_BATCH = 5_000


class BulkWriter:
    """Writes rows given as tuples in column order, inside the session's transaction; keeps the
    seconds and rows per table."""

    def __init__(self, connection: Connection):
        self.connection = connection
        self.postgres = connection.dialect.name == "postgresql"
        self.seconds: Counter = Counter()
        self.rows: Counter = Counter()

    def next_ids(self) -> dict[str, int]:
        """The first free id of every table the generator fills (ids are allocated here, not by the
        database, so that completions can point at people before they are read back)."""
        metadata = db.metadata.tables
        return {name: (self.connection.scalar(select(func.max(metadata[name].c.id))) or 0) + 1 for name in WITH_IDS}

    def write(self, table: str, rows: Iterable[tuple]) -> None:
        """Write rows whose values follow COLUMNS[table]."""
        started = time.perf_counter()
        count = 0
        columns = [name for name, _type in COLUMNS[table]]
        if self.postgres:
            driver = self.connection.connection.driver_connection
            sql = f"COPY {table} ({', '.join(columns)}) FROM STDIN (FORMAT BINARY)"
            json_at = [i for i, (_name, type_) in enumerate(COLUMNS[table]) if type_ == "json"]
            with driver.cursor() as cursor, cursor.copy(sql) as copy:
                copy.set_types([type_ for _name, type_ in COLUMNS[table]])
                for row in rows:
                    if json_at:  # a plain str would be stored as a JSON string, not as the document
                        row = list(row)
                        for i in json_at:
                            row[i] = Json(row[i])
                    copy.write_row(row)
                    count += 1
        else:
            statement = insert(db.metadata.tables[table])
            batch: list[dict] = []
            for row in rows:
                batch.append(dict(zip(columns, row)))
                if len(batch) == SQLITE_BATCH:
                    self.connection.execute(statement, batch)
                    count, batch = count + len(batch), []
            if batch:
                self.connection.execute(statement, batch)
                count += len(batch)
        self.seconds[table] += time.perf_counter() - started
        self.rows[table] += count

    @contextmanager
    def foreign_keys_checked_at_the_end(self, tables: Iterable[str]):
        """On PostgreSQL, drop the tables' foreign keys for the block and add them back after it.

        Adding a foreign key back validates every row in one join, which is many times cheaper than
        the per-row trigger a COPY fires (the completion and answer tables of the national data):
        the rows are still checked, all of them, before the transaction can commit.
        """
        if not self.postgres:
            yield
            return
        keys = self.connection.execute(text(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE contype = 'f' AND conrelid::regclass::text = ANY(:tables)"), {"tables": list(tables)}).all()
        for table, name, _definition in keys:
            self.connection.execute(text(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"'))
        yield
        started = time.perf_counter()
        for table, name, definition in keys:
            self.connection.execute(text(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}'))
        self.seconds["foreign keys"] += time.perf_counter() - started

    def fix_sequences(self) -> None:
        """PostgreSQL hands out ids from sequences: move them past the ids written here."""
        if self.postgres:
            for table in WITH_IDS:
                self.connection.execute(text(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"))


def vacuum_analyze() -> float:
    """VACUUM (ANALYZE) the bulk-filled tables on PostgreSQL; returns the seconds taken.

    Besides the planner statistics, the vacuum fills the visibility map that index-only scans need;
    a fresh COPY leaves it empty, and autovacuum would fill it at some unpredictable later moment.
    """
    if db.engine.dialect.name != "postgresql":
        return 0.0
    started = time.perf_counter()
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text(f"VACUUM (ANALYZE) {', '.join(COLUMNS)}"))
    return time.perf_counter() - started
