"""A scratch SQLite file for checks that span rows, so a big import never holds its rows in memory."""
from __future__ import annotations

import os
import sqlite3
import tempfile

#: stands for an open end date in the scratch tables (date.max.toordinal())
OPEN_END = 3_652_059


class Ledger:
    """Temporary on-disk tables (dates as ordinals); deleted on close. Used as a context manager."""

    def __init__(self, schema: str) -> None:
        handle, self.path = tempfile.mkstemp(prefix="htqlcl-import-", suffix=".sqlite3")
        os.close(handle)
        self.conn = sqlite3.connect(self.path)
        # a scratch file: losing it in a crash costs nothing, so skip the journal and fsync; a small
        # page cache keeps memory flat however big the file (sorts spill to temporary files)
        self.conn.executescript(
            "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA cache_size=-8000; "
            "PRAGMA temp_store=FILE;" + schema
        )

    def insert(self, table: str, rows: list[tuple]) -> None:
        if rows:
            marks = ",".join("?" * len(rows[0]))
            self.conn.executemany(f"INSERT OR IGNORE INTO {table} VALUES ({marks})", rows)

    def query(self, sql: str, params: tuple = ()) -> sqlite3.Cursor:
        return self.conn.execute(sql, params)

    def scalar(self, sql: str):
        return self.conn.execute(sql).fetchone()[0]

    def close(self) -> None:
        self.conn.close()
        os.unlink(self.path)

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *_exc) -> None:
        self.close()
