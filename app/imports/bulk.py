"""Database helpers for big imports: array parameters instead of long IN lists, COPY and fresh planner
statistics on PostgreSQL."""
from __future__ import annotations

from sqlalchemy import ARRAY, Table, bindparam, func, insert, select, text

from app.extensions import db


def _postgresql() -> bool:
    return db.session.get_bind().dialect.name == "postgresql"


def among(column, values):
    """`column IN values`. On PostgreSQL `IN (SELECT unnest(array))`: one parameter, so the statement
    text is the same for every batch (parsed once, not once per 5,000-item list), and a semi-join
    that uses the column's index even where the planner has no statistics yet."""
    values = list(values)
    if _postgresql():
        return column.in_(select(func.unnest(bindparam(None, values, type_=ARRAY(column.type)))))
    return column.in_(values)


def bulk_insert(table: Table, rows: list[dict]) -> None:
    """Insert many rows in the session's transaction: COPY on PostgreSQL, executemany elsewhere.
    Columns missing from the rows get their Python-side defaults (e.g. created_at)."""
    if not rows:
        return
    if not _postgresql():
        db.session.execute(insert(table), rows)
        return
    names = list(rows[0])
    defaults = {c.name: c.default for c in table.columns
                if c.name not in names and c.default is not None and not c.primary_key}
    fixed = {name: (d.arg(None) if d.is_callable else d.arg) for name, d in defaults.items()}
    columns = names + list(fixed)
    raw = db.session.connection().connection.driver_connection
    with raw.cursor() as cursor, cursor.copy(f"COPY {table.name} ({', '.join(columns)}) FROM STDIN") as copy:
        tail = tuple(fixed.values())
        for row in rows:
            copy.write_row(tuple(row[n] for n in names) + tail)


def analyze(table: Table) -> None:
    """Fresh planner statistics for a table that an import is filling (PostgreSQL; ANALYZE counts
    the rows this transaction inserted). Without them the planner guesses that each person has
    hundreds of assignments and turns every per-batch look-up into a full scan: quadratic time."""
    if _postgresql():
        db.session.execute(text(f"ANALYZE {table.name}"))


def analyze_stale(tables) -> None:
    """ANALYZE the tables whose statistics miss more than a fifth of their rows (at least 10,000
    changed since the last ANALYZE), e.g. after an earlier big import when autovacuum is off or has
    not come round yet. Statistics only: no data changes."""
    if not _postgresql():
        return
    stale = db.session.scalars(text(
        "SELECT relname FROM pg_stat_user_tables WHERE relname = ANY(:names) "
        "AND n_mod_since_analyze >= GREATEST(10000, n_live_tup / 5)"), {"names": [t.name for t in tables]})
    for name in list(stale):
        db.session.execute(text(f"ANALYZE {name}"))
