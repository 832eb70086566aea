"""Date arithmetic that SQLAlchemy does not abstract: `date + n days` on PostgreSQL and SQLite."""
from __future__ import annotations

from sqlalchemy import Date
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import FunctionElement


class add_days(FunctionElement):
    """add_days(column, n): the date n days after column (n a Python int)."""

    type = Date()
    inherit_cache = False  # `days` is not a clause, so the statement cache must not reuse it
    name = "add_days"

    def __init__(self, column, days: int):
        self.days = int(days)
        super().__init__(column)


@compiles(add_days)
def _add_days_default(element, compiler, **kw):
    column = compiler.process(list(element.clauses)[0], **kw)
    return f"({column} + {element.days})"  # PostgreSQL: date + integer is a date


@compiles(add_days, "sqlite")
def _add_days_sqlite(element, compiler, **kw):
    column = compiler.process(list(element.clauses)[0], **kw)
    return f"date({column}, '{element.days:+d} days')"
