"""notify run benchmark: a first run (plan, record, mail to an SMTP sink on 127.0.0.1) and a second
run (nothing new) on a fresh copy of the province data, against coverage_table() in the same process."""
from __future__ import annotations

import argparse
import json
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import event, func, select, text  # noqa: E402

from bench.coverage_bench import OUT, make_app, prepare  # noqa: E402

SOURCE = "/tmp/htqlcl_bench_province.sqlite3"
COPY = "/tmp/htqlcl_bench_notify.sqlite3"
#: the generator leaves addresses empty: give everyone one, so every reminder is mailed
EVERYONE_MAILED = "UPDATE person SET email = lower(staff_code) || '@bench.example' WHERE email IS NULL"


def counted(op):
    """(seconds, statements, result) of one call."""
    from app.extensions import db

    seen = []
    listener = lambda *_a: seen.append(1)  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    started = time.perf_counter()
    try:
        result = op()
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    return time.perf_counter() - started, len(seen), result


def measure(*prepare_sql: str) -> dict:
    """In the current app: run the `prepare_sql` statements, then time the baseline, a first and a
    second run."""
    from app.core.dates import today
    from app.coverage.queries import coverage_table
    from app.extensions import db
    from app.notifications.models import Notification
    from app.notifications.mail import send_pending
    from app.notifications.services import plan_and_record, run

    for statement in prepare_sql:
        db.session.execute(text(statement))
    db.session.commit()
    day = today()
    baseline = counted(lambda: coverage_table(day.year, day))
    db.session.rollback()
    # the first run as `run()` does it, in its two halves, so that each can be quoted
    plan = counted(lambda: plan_and_record(day))
    mail = counted(send_pending)
    first = (plan[0] + mail[0], plan[1] + mail[1])
    second = counted(lambda: run(day))
    count = lambda *where: db.session.scalar(select(func.count()).select_from(Notification).where(*where))  # noqa: E731
    return {"baseline_s": baseline[0], "baseline_statements": baseline[1], "first_s": first[0],
            "first_statements": first[1], "plan_s": plan[0], "plan_statements": plan[1], "mail_s": mail[0],
            "mail_statements": mail[1], "second_s": second[0], "second_statements": second[1],
            "created": count(), "mailed": count(Notification.mail_status == "sent")}


def one_round(port: int) -> dict:
    """A fresh copy of the province data, everyone with an address, mail to the sink on `port`."""
    for suffix in ("", "-wal", "-shm"):
        Path(COPY + suffix).unlink(missing_ok=True)
    shutil.copy(SOURCE, COPY)
    app = make_app(f"sqlite:///{COPY}")
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port)
    with app.app_context():
        result = measure(EVERYONE_MAILED)
        from app.extensions import db
        db.session.remove()
    return result


def national_round(port: int) -> dict:
    """Plan, record and mail on the national data (PostgreSQL), everyone with an address, then delete
    what was recorded so the next round starts empty."""
    from bench.coverage_bench import TARGETS

    app = make_app(TARGETS["postgresql"][1])
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port)
    with app.app_context():
        from app.extensions import db

        result = measure(EVERYONE_MAILED, "DELETE FROM notification")
        db.session.execute(text("DELETE FROM notification"))
        db.session.commit()
        db.session.remove()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--national", action="store_true",
                        help="the national data in PostgreSQL (load it first with coverage_bench)")
    args = parser.parse_args()
    if args.national:
        from bench.coverage_bench import TARGETS

        print(prepare(TARGETS["postgresql"][1], "national", args.seed, regenerate=False))
    else:
        print(prepare(f"sqlite:///{SOURCE}", "province", args.seed, regenerate=False))
    from tests.smtp_support import free_port

    port = free_port()
    # the sink runs in its own process, as a real mail server would: it does not share our GIL
    sink = subprocess.Popen([sys.executable, "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{port}",
                             "-c", "aiosmtpd.handlers.Sink"])
    time.sleep(1.5)
    try:
        if args.national:
            rounds = [national_round(port) for _ in range(args.rounds)]
        else:
            rounds = [one_round(port) for _ in range(args.rounds)]
    finally:
        sink.terminate()
        sink.wait(timeout=10)
    report(rounds, "national, PostgreSQL" if args.national else "province, SQLite")


def report(rounds: list[dict], title: str) -> None:
    median = {k: statistics.median(r[k] for r in rounds) for k in rounds[0]}
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\n| {title} | median of {len(rounds)} | statements |")
    print("|---|---:|---:|")
    print(f"| coverage_table(this year) — baseline | {median['baseline_s']:.2f} s | {median['baseline_statements']:.0f} |")
    print(f"| notify run, first (plan, record, mail) | {median['first_s']:.2f} s ({median['first_s'] / median['baseline_s']:.1f}×) | {median['first_statements']:.0f} |")
    print(f"| … of which plan and record | {median['plan_s']:.2f} s | {median['plan_statements']:.0f} |")
    print(f"| … of which mail | {median['mail_s']:.2f} s ({median['mailed'] / median['mail_s']:.0f} msg/s) | {median['mail_statements']:.0f} |")
    print(f"| notify run, second (nothing new) | {median['second_s']:.2f} s ({median['second_s'] / median['baseline_s']:.1f}×) | {median['second_statements']:.0f} |")
    print(f"\nnotifications created {median['created']:.0f}, mailed {median['mailed']:.0f}; "
          f"peak RSS {peak_mb:.0f} MB")
    OUT.mkdir(exist_ok=True)
    (OUT / f"notify-{title.split(',')[0]}.json").write_text(json.dumps({"rounds": rounds, "median": median, "peak_rss_mb": peak_mb}, indent=2))


if __name__ == "__main__":
    main()
