"""Quiz statistics: item analysis of a course and weakness by clause, on national (PostgreSQL) and
province (SQLite) synthetic data, against `SELECT count(*) FROM quiz_response` in the same rounds."""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import func, select, text  # noqa: E402

from bench.coverage_bench import OUT, TARGETS, make_app, p90, prepare, statements, time_interleaved  # noqa: E402

BASELINE = "SELECT count(*) FROM quiz_response"


def operations() -> tuple[dict, dict]:
    """(name -> callable, what they run on): the baseline, item analysis of the course with the most
    answers this year (this year; all years), and the clause report for everyone and for one commune."""
    from app.agencies.models import Agency
    from app.core.dates import today
    from app.courses.models import Course
    from app.extensions import db
    from app.quiz_stats.clauses import clause_weakness
    from app.quiz_stats.items import item_analysis
    from app.quizzes.models import QuizResponse
    from app.reports.queries import subtree

    year = today().year
    course_id, answers = db.session.execute(
        select(QuizResponse.course_id, func.count()).where(QuizResponse.year == year)
        .group_by(QuizResponse.course_id).order_by(func.count().desc()).limit(1)).one()
    code = db.session.scalar(select(Course.code).where(Course.id == course_id))
    commune = db.session.scalar(select(Agency.id).where(Agency.type == "UBND_XA", Agency.valid_to.is_(None))
                                .order_by(Agency.code).limit(1))
    scope = set(db.session.scalars(subtree([commune])))
    ops = {
        BASELINE: lambda: db.session.scalar(text(BASELINE)),
        f"item_analysis({code}, {year})": lambda: item_analysis(course_id, year=year),
        f"item_analysis({code}, all years)": lambda: item_analysis(course_id),
        f"clause_weakness({year}), everyone": lambda: clause_weakness(year),
        f"clause_weakness({year}), one commune": lambda: clause_weakness(year, scope),
    }
    return ops, {"course": code, "answers_this_year": answers, "year": year}


def bench_target(name: str, url: str, scale: str, args) -> dict:
    print(f"\n=== {name}: {scale} data at {url}")
    started = time.perf_counter()
    prepared = prepare(url, scale, args.seed, regenerate=False)
    print(f"{prepared} ({time.perf_counter() - started:.1f}s)")
    app = make_app(url)
    with app.app_context():
        from app.extensions import db

        ops, subject = operations()
        total = db.session.scalar(text(BASELINE))
        print(f"{total:,} answers in all; {subject['answers_this_year']:,} to {subject['course']} in {subject['year']}")
        samples = time_interleaved(ops, args.repeats, args.warmup)
        base = statistics.median(samples[BASELINE])
        result = {"target": name, "scale": scale, "answers": total, **subject, "timings": {}}
        print("\n| operation | median ms | p90 ms | × count(*) | statements |\n|---|---:|---:|---:|---:|")
        for op_name, values in samples.items():
            issued = statements(ops[op_name])
            median = statistics.median(values)
            result["timings"][op_name] = {"median": median, "p90": p90(values), "ratio": median / base,
                                          "statements": len(issued), "samples": values}
            print(f"| {op_name} | {median * 1000:,.0f} | {p90(values) * 1000:,.0f} | {median / base:.2f} "
                  f"| {len(issued)} |")
    return result


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--only", choices=sorted(TARGETS), help="one database only")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--warmup", type=int, default=1)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args(argv)
    results = [bench_target(name, url, scale, args) for name, (scale, url) in TARGETS.items()
               if args.only in (None, name)]
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "quiz_stats.json").write_text(json.dumps(results, indent=2, default=str), encoding="utf-8")
    print(f"\nwritten {OUT / 'quiz_stats.json'}")


if __name__ == "__main__":
    main()
