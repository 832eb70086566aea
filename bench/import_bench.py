"""Import benchmark: generated staff and completions CSV files imported (check + apply) on SQLite and
PostgreSQL, with rows/second per pass and the peak memory of the importing process."""
from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

OUT = ROOT / "bench" / "out"
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
PG_BENCH = "postgresql+psycopg://postgres@127.0.0.1:5432/htqlcl_importbench"
COURSES = [f"BC-{n:02d}" for n in range(1, 9)]
START = date(2025, 7, 1)
SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Huỳnh", "Võ", "Phan", "Trương", "Bùi", "Đặng", "Đỗ", "Ngô"]
GIVEN = ["An", "Bình", "Châu", "Dũng", "Giang", "Hà", "Hải", "Khoa", "Linh", "Mai", "Nam", "Phúc", "Yến"]


# --- generating the files (not timed) ---

def generate(folder: Path, staff_rows: int, completion_rows: int) -> dict[str, Path]:
    """agencies.csv (about 110 people per commune, 120 communes per province), staff.csv (one
    current period per person) and completions.csv (unique person × course × day, all in the past)."""
    folder.mkdir(parents=True, exist_ok=True)
    communes = max(10, staff_rows // 110)
    provinces = max(1, communes // 120)
    paths = {kind: folder / f"{kind}.csv" for kind in ("agencies", "staff", "completions")}
    with paths["agencies"].open("w", encoding="utf-8", newline="") as out:
        out.write("code,name,type,parent_code,valid_from,valid_to,in_iso_scope\n")
        for p in range(provinces):
            out.write(f"BA-P{p:02d},UBND tỉnh Thử {p},UBND_TINH,,{START},,1\n")
        for c in range(communes):
            out.write(f"BA-{c:05d},UBND xã Thử {c},UBND_XA,BA-P{c % provinces:02d},{START},,1\n")
    roles = ["leader", "iso_secretary;internal_auditor"] + [""] * 28
    with paths["staff"].open("w", encoding="utf-8", newline="") as out:
        out.write("staff_code,full_name,email,agency_code,roles,start_date,end_date\n")
        for i in range(staff_rows):
            name = f"{SURNAMES[i % 12]} Văn {GIVEN[(i // 12) % 13]} {i}"
            email = f"cc{i}@xa.gov.vn" if i % 3 == 0 else ""
            out.write(f"BS-{i:07d},{name},{email},BA-{i % communes:05d},{roles[i % 30]},"
                      f"{START + timedelta(days=i % 60)},\n")
    per_round = staff_rows * len(COURSES)
    with paths["completions"].open("w", encoding="utf-8", newline="") as out:
        out.write("staff_code,course_code,completed_on,score,source\n")
        for j in range(completion_rows):
            # (person, course) is unique within a round; rounds use disjoint days, so rows never repeat
            day = date(2025, 9, 1) + timedelta(days=(j // per_round) * 40 + j % 37)
            out.write(f"BS-{j % staff_rows:07d},{COURSES[(j // staff_rows) % 8]},{day},{60 + j % 41},offline\n")
    assert date(2025, 9, 1) + timedelta(days=(completion_rows // per_round) * 40 + 36) <= date.today()
    return paths


# --- one measured run, in its own process so that its peak memory is its own ---

def rss_now_mb() -> float:
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmRSS")) / 1024


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def worker(target: str, folder: Path, kinds: list[str]) -> dict:
    """Import the files of `kinds` in order; starting with agencies means starting from an empty
    database. Each kind is committed like the command does."""
    from flask_migrate import upgrade
    from sqlalchemy import text

    from app import create_app
    from app.courses.models import Course
    from app.extensions import db
    from app.imports.readers import ImportSource
    from app.imports.services import run_import

    database = folder / "bench.sqlite3"
    fresh = kinds[0] == "agencies"
    if target == "sqlite" and fresh:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{database}{suffix}").unlink(missing_ok=True)
    url = f"sqlite:///{database}" if target == "sqlite" else PG_BENCH
    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": url})
    result = {"target": target, "steps": {}}
    with app.app_context():
        if fresh:
            if target == "postgresql":
                with db.engine.begin() as connection:
                    connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
            upgrade(directory=str(ROOT / "migrations"))
            db.session.add_all(Course(code=code) for code in COURSES)
            db.session.commit()
        result["baseline_rss_mb"] = round(rss_now_mb(), 1)
        for kind in kinds:
            path = folder / f"{kind}.csv"
            report = run_import(kind, ImportSource(path.name, path=str(path)))
            started = time.perf_counter()
            db.session.commit()
            commit = time.perf_counter() - started
            assert report.applied and not report.problems, [str(p) for p in report.problems.kept[:5]]
            result["steps"][kind] = {
                "rows": report.rows, "check_s": round(report.check_seconds, 2),
                "apply_s": round(report.apply_seconds + commit, 2),
                "peak_rss_mb": round(peak_mb(), 1), "counts": dict(report.counts),
            }
            db.session.remove()
    return result


def run_worker(target: str, folder: Path) -> dict:
    """One measured run: agencies and staff in one process, completions in another, so that the
    peak memory reported for completions is that import's own."""
    merged: dict = {"target": target, "steps": {}}
    for kinds in ("agencies,staff", "completions"):
        completed = subprocess.run([sys.executable, __file__, "--worker", target, str(folder), kinds],
                                   capture_output=True, text=True, check=False)
        if completed.returncode:
            sys.stderr.write(completed.stderr[-4000:])
            raise SystemExit(f"worker {target} {kinds} failed")
        result = json.loads(completed.stdout.strip().splitlines()[-1])
        merged["steps"].update(result["steps"])
        merged["baseline_rss_mb"] = max(merged.get("baseline_rss_mb", 0), result["baseline_rss_mb"])
    return merged


def ensure_pg_database() -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN, autocommit=True) as connection:
        if not connection.execute("SELECT 1 FROM pg_database WHERE datname = 'htqlcl_importbench'").fetchone():
            connection.execute("CREATE DATABASE htqlcl_importbench")


# --- the report ---

def rate(rows: int, seconds: float) -> str:
    return f"{rows / seconds:,.0f}" if seconds else "–"


def table(results: list[dict]) -> str:
    lines = ["| database | size (staff / completions) | runs | file | rows | check rows/s | apply rows/s "
             "| check s | apply s | peak RSS (MB) |",
             "|---|---|---|---|---:|---:|---:|---:|---:|---:|"]
    for r in results:
        for kind in ("staff", "completions"):
            s = r["steps"][kind]
            lines.append(f"| {r['target']} | {r['size']} | {r['runs']} | {kind} | {s['rows']:,} "
                         f"| {rate(s['rows'], s['check_s'])} | {rate(s['rows'], s['apply_s'])} "
                         f"| {s['check_s']:.1f} | {s['apply_s']:.1f} | {s['peak_rss_mb']:.0f} |")
    return "\n".join(lines)


def median_run(runs: list[dict]) -> dict:
    """Per step, the median of each time and the highest peak memory."""
    merged = {"target": runs[0]["target"], "runs": len(runs), "steps": {},
              "baseline_rss_mb": max(r["baseline_rss_mb"] for r in runs)}
    for kind in runs[0]["steps"]:
        steps = [r["steps"][kind] for r in runs]
        merged["steps"][kind] = {"rows": steps[0]["rows"],
                                 "check_s": statistics.median(s["check_s"] for s in steps),
                                 "apply_s": statistics.median(s["apply_s"] for s in steps),
                                 "peak_rss_mb": max(s["peak_rss_mb"] for s in steps)}
    return merged


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--staff-rows", type=int, default=470_000, help="large run: staff rows (national)")
    parser.add_argument("--completion-rows", type=int, default=1_000_000, help="large run: completion rows")
    parser.add_argument("--small-rows", type=int, default=100_000, help="small run: rows of each file")
    parser.add_argument("--runs", type=int, default=3, help="repetitions of the small run (median reported)")
    parser.add_argument("--large-runs", type=int, default=1)
    parser.add_argument("--targets", default="sqlite,postgresql")
    parser.add_argument("--skip-large", action="store_true")
    parser.add_argument("--worker", nargs=3, metavar=("TARGET", "FOLDER", "KINDS"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(args.worker[0], Path(args.worker[1]), args.worker[2].split(","))))
        return
    targets = args.targets.split(",")
    if "postgresql" in targets:
        ensure_pg_database()
    sizes = [("small", args.small_rows, args.small_rows, args.runs)]
    if not args.skip_large:
        sizes.append(("large", args.staff_rows, args.completion_rows, args.large_runs))
    results = []
    with tempfile.TemporaryDirectory(prefix="htqlcl-import-bench-") as tmp:
        for label, staff_rows, completion_rows, runs in sizes:
            folder = Path(tmp) / label
            started = time.perf_counter()
            generate(folder, staff_rows, completion_rows)
            print(f"generated {label}: {staff_rows:,} staff, {completion_rows:,} completions "
                  f"in {time.perf_counter() - started:.0f}s", flush=True)
            for target in targets:
                measured = []
                for n in range(runs):
                    measured.append(run_worker(target, folder))
                    steps = measured[-1]["steps"]
                    print(f"  {target} run {n + 1}/{runs}: " + ", ".join(
                        f"{k} check {s['check_s']}s apply {s['apply_s']}s peak {s['peak_rss_mb']} MB"
                        for k, s in steps.items()), flush=True)
                merged = median_run(measured)
                merged["size"] = f"{staff_rows:,} / {completion_rows:,}"
                results.append(merged)
    print(table(results))
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "import_bench.json").write_text(json.dumps(results, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
