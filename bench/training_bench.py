"""Training classes on the province data (SQLite): a class inviting every agency of the province,
"mời những người còn nợ" for about 8,000 people, the plan's counts, and closing the class with
everyone present, against `SELECT count(*) FROM assignment` in the same process."""
from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import func, select, text, update  # noqa: E402

from bench.coverage_bench import OUT, make_app, prepare  # noqa: E402
from bench.notify_bench import counted  # noqa: E402

SOURCE = "/tmp/htqlcl_bench_province.sqlite3"
COPY = "/tmp/htqlcl_bench_training.sqlite3"
#: the course few have done yet: nearly everyone in the province owes it
COURSE = "ISO-08"


def one_round() -> dict:
    """A fresh copy of the province data; plan a class for the whole province and time the steps."""
    for suffix in ("", "-wal", "-shm"):
        Path(COPY + suffix).unlink(missing_ok=True)
    shutil.copy(SOURCE, COPY)
    app = make_app(f"sqlite:///{COPY}")
    with app.app_context():
        from app.agencies.models import Agency
        from app.core.dates import today
        from app.courses.models import Course
        from app.extensions import db
        from app.training.models import ClassSeat
        from app.training.queries import plan_counts
        from app.training.services import ClassData, close_class, create_plan, invite_owing, save_class

        day = today()
        start = day + timedelta(days=1) if (day + timedelta(days=1)).year == day.year else day
        plan = create_plan(day.year, "Kế hoạch đo hiệu năng", None)
        course_id = db.session.scalar(select(Course.id).where(Course.code == COURSE))
        every_agency = list(db.session.scalars(select(Agency.id).where(Agency.in_iso_scope.is_(True),
                                                                        Agency.valid_to.is_(None))))
        klass = save_class(plan, ClassData(course_id=course_id, title="Cả tỉnh", start_date=start, end_date=start,
                                           capacity=100_000, cutoff_date=start, agency_ids=every_agency), None)
        db.session.commit()
        baseline = counted(lambda: db.session.scalar(text("SELECT count(*) FROM assignment")))
        invite = counted(lambda: invite_owing(klass, None))
        db.session.commit()
        counts = counted(lambda: plan_counts(plan.id, plan.year))
        invited = db.session.scalar(select(func.count()).select_from(ClassSeat).where(ClassSeat.class_id == klass.id))
        # the class is held: everyone came; closing records one completion each
        klass.start_date = klass.end_date = klass.cutoff_date = day
        db.session.execute(update(ClassSeat).where(ClassSeat.class_id == klass.id).values(attendance="present"))
        db.session.commit()
        close = counted(lambda: close_class(klass, None))
        db.session.commit()
        db.session.remove()
    return {"baseline_s": baseline[0], "invite_s": invite[0], "invite_statements": invite[1],
            "counts_s": counts[0], "counts_statements": counts[1], "close_s": close[0],
            "close_statements": close[1], "invited": invited, "completions": close[2]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    print(prepare(f"sqlite:///{SOURCE}", "province", args.seed, regenerate=False))
    rounds = [one_round() for _ in range(args.rounds)]
    median = {k: statistics.median(r[k] for r in rounds) for k in rounds[0]}
    base = median["baseline_s"]
    print(f"\n| province, SQLite | median of {len(rounds)} | ratio | statements |")
    print("|---|---:|---:|---:|")
    print(f"| `SELECT count(*) FROM assignment` — baseline | {base * 1000:.1f} ms | 1× | 1 |")
    print(f"| invite those who owe {COURSE}: {median['invited']:,.0f} people | {median['invite_s']:.2f} s | "
          f"{median['invite_s'] / base:.0f}× | {median['invite_statements']:.0f} |")
    print(f"| the plan's counts (reach, seats) | {median['counts_s']:.2f} s | {median['counts_s'] / base:.0f}× | "
          f"{median['counts_statements']:.0f} |")
    print(f"| close the class: {median['completions']:,.0f} completions | {median['close_s']:.2f} s | "
          f"{median['close_s'] / base:.0f}× | {median['close_statements']:.0f} |")
    OUT.mkdir(exist_ok=True)
    (OUT / "training.json").write_text(json.dumps({"rounds": rounds, "median": median}, indent=2))


if __name__ == "__main__":
    main()
