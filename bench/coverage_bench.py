"""Coverage benchmark: coverage_table() against a count(*) baseline on national (PostgreSQL) and
province (SQLite) synthetic data, generated once and reused."""
from __future__ import annotations

import argparse
import json
import math
import statistics
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import event, func, select, text  # noqa: E402

from app import create_app  # noqa: E402
from app.core.dates import today  # noqa: E402
from app.extensions import db  # noqa: E402

TARGETS = {
    "postgresql": ("national", "postgresql+psycopg://postgres@127.0.0.1:5432/htqlcl_bench"),
    "sqlite": ("province", "sqlite:////tmp/htqlcl_bench_province.sqlite3"),
}
OUT = ROOT / "bench" / "out"


def make_app(url: str):
    return create_app("testing", {"SQLALCHEMY_DATABASE_URI": url, "COURSES_DIR": str(ROOT / "courses")})


def prepare(url: str, scale: str, seed: int, regenerate: bool) -> str:
    """Migrate, and load the scale data unless it is there already; returns what was done."""
    from app.demo_scale import load_scale, scale_data_present, vacuum_analyze

    if regenerate and url.startswith("sqlite:///"):
        for suffix in ("", "-wal", "-shm"):
            Path(url[len("sqlite:///"):] + suffix).unlink(missing_ok=True)
    app = make_app(url)
    with app.app_context():
        if regenerate and db.engine.dialect.name == "postgresql":
            with db.engine.begin() as connection:
                connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        upgrade(directory=str(ROOT / "migrations"))
        if scale_data_present():
            return "reused the data already loaded"
        summary = load_scale(scale, seed, courses_dir=str(ROOT / "courses"), echo=print)
        db.session.commit()
        seconds = vacuum_analyze()
        db.session.remove()
        return f"generated: {summary}" + (f", vacuum analyze {seconds:.1f}s" if seconds else "")


def sizes() -> dict[str, int]:
    """What the database holds (all data, the small demo included if loaded)."""
    from app.accounts.models import Assignment, Person
    from app.agencies.models import Agency, LineageEvent
    from app.completions.models import Completion

    def count(model, *where):
        return db.session.scalar(select(func.count()).select_from(model).where(*where))

    return {
        "agencies current": count(Agency, Agency.valid_to.is_(None)),
        "agencies historical": count(Agency, Agency.valid_to.is_not(None)),
        "lineage edges": count(LineageEvent), "people": count(Person),
        "assignments": count(Assignment), "completions": count(Completion),
    }


def operations(coverage_table) -> dict:
    """name -> callable; the baseline first, then the coverage table (current and last year)."""
    from app.core.dates import today
    from app.reports.queries import agency_completion_table

    day = today()
    ops = {
        "SELECT count(*) FROM completion": lambda: db.session.scalar(text("SELECT count(*) FROM completion")),
        "agency_completion_table(today)": lambda: agency_completion_table(day),
    }
    if coverage_table is not None:
        ops[f"coverage_table({day.year}, today)"] = lambda: coverage_table(day.year, day)
        ops[f"coverage_table({day.year - 1}, 31/12)"] = lambda: coverage_table(day.year - 1, date(day.year - 1, 12, 31))
    return ops


def p90(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[math.ceil(0.9 * len(ordered)) - 1]


def time_interleaved(ops: dict, repeats: int, warmup: int) -> dict[str, list[float]]:
    """Every operation once per round, rounds repeated; the warm-up rounds are dropped."""
    samples: dict[str, list[float]] = {name: [] for name in ops}
    for round_ in range(warmup + repeats):
        for name, op in ops.items():
            started = time.perf_counter()
            op()
            elapsed = time.perf_counter() - started
            db.session.rollback()
            if round_ >= warmup:
                samples[name].append(elapsed)
    return samples


def statements(op) -> list[tuple[float, str, object]]:
    """(seconds, SQL, parameters) of every statement one call issues."""
    seen: list = []
    started: dict = {}

    def before(_conn, cursor, statement, parameters, *_args):
        started[id(cursor)] = time.perf_counter()

    def after(_conn, cursor, statement, parameters, *_args):
        seen.append((time.perf_counter() - started.pop(id(cursor)), statement, parameters))

    event.listen(db.engine, "before_cursor_execute", before)
    event.listen(db.engine, "after_cursor_execute", after)
    try:
        op()
    finally:
        event.remove(db.engine, "before_cursor_execute", before)
        event.remove(db.engine, "after_cursor_execute", after)
        db.session.rollback()
    return seen


def explain(statement: str, parameters) -> str:
    """EXPLAIN (ANALYZE, BUFFERS) of one captured statement, run through the driver as captured."""
    driver = db.session.connection().connection.driver_connection
    with driver.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + statement, parameters)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    db.session.rollback()
    return plan


def bench_target(name: str, url: str, scale: str, args) -> dict:
    print(f"\n=== {name}: {scale} data at {url}")
    started = time.perf_counter()
    prepared = prepare(url, scale, args.seed, args.regenerate)
    print(f"{prepared} ({time.perf_counter() - started:.1f}s)")
    app = make_app(url)
    with app.app_context():
        result = {"target": name, "scale": scale, "prepared": prepared, "sizes": sizes()}
        print("sizes: " + ", ".join(f"{k} {v:,}" for k, v in result["sizes"].items()))
        try:
            from app.coverage.queries import coverage_table
        except ImportError:
            coverage_table = None
            print("app.coverage.queries.coverage_table is not there yet: baseline only")
        ops = operations(coverage_table)
        samples = time_interleaved(ops, args.repeats, args.warmup)
        base = statistics.median(samples["SELECT count(*) FROM completion"])
        result["timings"] = {}
        print("\n| operation | median ms | p90 ms | × count(*) | statements |\n|---|---:|---:|---:|---:|")
        for op_name, values in samples.items():
            issued = statements(ops[op_name])
            median = statistics.median(values)
            result["timings"][op_name] = {"median": median, "p90": p90(values), "ratio": median / base,
                                          "statements": len(issued), "samples": values,
                                          "slowest_statement_s": max(s for s, _q, _p in issued)}
            print(f"| {op_name} | {median * 1000:,.0f} | {p90(values) * 1000:,.0f} | {median / base:.1f} "
                  f"| {len(issued)} |")
            if args.explain and op_name.startswith("coverage_table") \
                    and db.engine.dialect.name == "postgresql":
                seconds, sql, parameters = max(issued, key=lambda s: s[0])
                result["timings"][op_name]["explain"] = explain(sql, parameters)
                print(f"\nslowest statement of {op_name} ({seconds * 1000:,.0f} ms):\n{sql}\n")
                print(result["timings"][op_name]["explain"])
        if coverage_table is not None:
            table = coverage_table(today().year)
            result["coverage_rows"] = len(table.rows)
            print(f"\ncoverage rows this year: {len(table.rows):,}; totals: due {table.totals.obligations_due:,}, "
                  f"met {table.totals.obligations_met:,}")
    return result


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--only", choices=sorted(TARGETS), help="one database only")
    parser.add_argument("--regenerate", action="store_true", help="drop the data and generate it again")
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--warmup", type=int, default=1)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--explain", action="store_true",
                        help="print EXPLAIN (ANALYZE, BUFFERS) of the slowest coverage statement (PostgreSQL)")
    args = parser.parse_args(argv)
    results = [bench_target(name, url, scale, args) for name, (scale, url) in TARGETS.items()
               if args.only in (None, name)]
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "coverage.json").write_text(json.dumps(results, indent=2, default=str), encoding="utf-8")
    print(f"\nwritten {OUT / 'coverage.json'}")


if __name__ == "__main__":
    main()
