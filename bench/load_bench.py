"""Load and faults: 32 clients for 60 s against gunicorn (production config) on SQLite and PostgreSQL,
without faults, with a worker killed (-9) twice during the run, and with the whole server killed (-9)
and restarted while the clients go on. After each run the acknowledged submits are held against the
database (bench/load_check.py): none may be lost, none doubled, no attempt limit exceeded. Exits 1
otherwise, or when SQLite's integrity check fails.

Each target gets a database of its own, made afresh: the SQLite file SQLITE_FILE, the PostgreSQL
database PG_DATABASE (dropped again at the end when every run passed). Everything is on 127.0.0.1;
every process started is stopped by its PID, on Ctrl-C too."""
from __future__ import annotations

import argparse
import json
import math
import os
import random
import re
import secrets
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.load_check import account, integrity_check  # noqa: E402
from bench.load_client import Client  # noqa: E402
from bench.load_server import Gunicorn  # noqa: E402
from tests.server_support import free_port, production_env  # noqa: E402

OUT = ROOT / "bench" / "out"
SQLITE_FILE = "/tmp/htqlcl_bench_load.sqlite3"
PG_SERVER = "postgresql://postgres@127.0.0.1:5432"
PG_DATABASE = "htqlcl_bench_load"  # this bench's own database; it never touches another
SCENARIOS = ("steady", "worker-kill", "server-kill")
#: how long the server stays dead in the server-kill scenario before it is started again
DOWN_S = 3.0
FLASK = [str(Path(sys.prefix) / "bin" / "flask"), "--app", "wsgi"]
SERVER_ERROR = re.compile(r" 5\d\d [\d.]+ms id=")  # a request log line with a 5xx status


def app_env(url: str, secret: str) -> dict:
    """The production configuration, rate-limit counts shared by the workers in Redis, and a sign-in
    limit far above the 64 sign-ins a second that the clients make from 127.0.0.1 when they start."""
    return production_env(url, SECRET_KEY=secret, REQUEST_LOG="1", PYTHONUNBUFFERED="1",
                          RATELIMIT_STORAGE_URI="redis://127.0.0.1:6379/15", RATELIMIT_KEY_PREFIX="htqlcl-loadbench",
                          LOGIN_RATE_LIMIT="100000 per minute")


def pg_admin(statement: str) -> None:
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
        conn.execute(statement)


def drop_database(target: str) -> None:
    if target == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(SQLITE_FILE + suffix).unlink(missing_ok=True)
    else:
        pg_admin(f"DROP DATABASE IF EXISTS {PG_DATABASE} WITH (FORCE)")


def prepare(target: str, learners: int, secret: str) -> tuple[str, dict, float]:
    """A fresh database loaded with the app's own commands (migrations, courses, the demo, the
    province scale data) and the bench's accounts; returns (DATABASE_URL, the clients' plan, seconds)."""
    started = time.monotonic()
    drop_database(target)
    if target == "sqlite":
        url = f"sqlite:///{SQLITE_FILE}"
    else:
        pg_admin(f"CREATE DATABASE {PG_DATABASE}")
        url = f"{PG_SERVER}/{PG_DATABASE}"
    OUT.mkdir(exist_ok=True)
    plan_file = OUT / f"load_plan_{target}.json"
    for argv in ([*FLASK, "db", "upgrade"], [*FLASK, "courses", "sync"], [*FLASK, "demo"],
                 [*FLASK, "demo", "--scale", "province"],
                 [sys.executable, "bench/load_setup.py", "--learners", str(learners), "--out", str(plan_file)]):
        done = subprocess.run(argv, cwd=ROOT, env=app_env(url, secret), capture_output=True, text=True)
        if done.returncode:
            raise SystemExit(f"{' '.join(argv[1:])} failed:\n{done.stdout[-2000:]}{done.stderr[-4000:]}")
    return url, json.loads(plan_file.read_text()), time.monotonic() - started


def run_scenario(target: str, scenario: str, url: str, plan: dict, learners: list[str], args, secret: str) -> dict:
    """One run of `args.duration` seconds, the learners shared out between `args.clients` clients;
    the figures and the accounting."""
    from sqlalchemy import create_engine

    log = OUT / f"load_{target}_{scenario}.log"
    log.unlink(missing_ok=True)
    server = Gunicorn(app_env(url, secret), free_port(), args.workers, log)
    rng = random.Random(2026)
    stop, faults = threading.Event(), []
    ready = threading.Barrier(args.clients + 1, timeout=180)
    clients = [Client(learners[n::args.clients], server.port, plan, stop, ready, seed=n) for n in range(args.clients)]
    fault_at = {"worker-kill": [args.duration / 3, 2 * args.duration / 3], "server-kill": [args.duration / 3]}
    pending = fault_at.get(scenario, [])
    try:
        server.start()
        for client in clients:
            client.start()
        ready.wait()
        t0 = time.monotonic()
        while (now := time.monotonic() - t0) < args.duration:
            if pending and now >= pending[0]:
                pending.pop(0)
                if scenario == "worker-kill":
                    faults.append(f"{now:.0f} s: kill -9 worker {server.kill_worker(rng)}")
                else:
                    killed = server.kill_all()
                    time.sleep(DOWN_S)
                    took = server.start()
                    faults.append(f"{now:.0f} s: kill -9 {len(killed)} processes, restarted after "
                                  f"{DOWN_S:.0f} s, up {took:.1f} s later")
            time.sleep(min(0.25, args.duration - now))
        t_stop = time.monotonic()
        stop.set()
        for client in clients:
            client.join(60)
    finally:
        stop.set()
        server.stop()
    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    try:
        accounting = account(engine, learners, [c.tally for c in clients])
    finally:
        engine.dispose()
    server_log = log.read_text(errors="replace")
    return {"target": target, "scenario": scenario, "clients": args.clients, "workers": args.workers,
            "learners": f"{sum(c.tally.learners for c in clients)} of {len(learners)}",
            "duration_s": round(t_stop - t0, 1), "faults": faults,
            "kinds": figures([c.tally for c in clients], t0, t_stop), "accounting": accounting,
            "integrity_check": integrity_check(SQLITE_FILE) if target == "sqlite" else "n/a",
            "server_5xx": len(SERVER_ERROR.findall(server_log)), "tracebacks": server_log.count("Traceback")}


def percentile(ordered: list[float], p: float) -> float:
    """Nearest rank, of values sorted ascending."""
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def figures(tallies: list, t0: float, t_stop: float) -> dict:
    """Per request kind and for all: good answers in the measured window, their rate, p50/p95/p99
    latency, and the errors by class."""
    times, errors = {"all": []}, {"all": Counter()}
    for t in tallies:
        for kind, seconds, at in t.ok:
            if t0 <= at <= t_stop:
                times.setdefault(kind, []).append(seconds)
                times["all"].append(seconds)
        for kind, what, at in t.errors:
            if t0 <= at <= t_stop:
                errors.setdefault(kind, Counter())[what] += 1
                errors["all"][what] += 1
    table = {}
    for kind in sorted(times.keys() | errors.keys(), key=lambda k: (k == "all", k)):
        ordered = sorted(times.get(kind, []))
        table[kind] = {"ok": len(ordered), "per_s": round(len(ordered) / (t_stop - t0), 1),
                       **{f"p{p}_ms": round(percentile(ordered, p) * 1000) if ordered else None for p in (50, 95, 99)},
                       "errors": dict(errors.get(kind, {}))}
    return table


def print_run(r: dict) -> None:
    a = r["accounting"]
    print(f"\n### {r['target']} · {r['scenario']} · {r['clients']} clients ({r['learners']} learners signed in) · "
          f"{r['workers']} workers · {r['duration_s']} s" + "".join(f"\n- {f}" for f in r["faults"]))
    print("\n| requests | answered | per s | p50 ms | p95 ms | p99 ms | errors |\n|---|---:|---:|---:|---:|---:|---|")
    for kind, k in r["kinds"].items():
        errors = ", ".join(f"{n} {what}" for what, n in sorted(k["errors"].items())) or "0"
        print(f"| {kind} | {k['ok']} | {k['per_s']} | {k['p50_ms']} | {k['p95_ms']} | {k['p99_ms']} | {errors} |")
    print(f"\nsubmits: {a['sent']} sent, {a['acknowledged']} acknowledged, {a['graded']} graded "
          f"({a['of_which_graded']} of the {a['sent_not_acknowledged']} unacknowledged), {a['passed']} passed, "
          f"{a['completions']} completions, {a['open_left']} attempts left open; "
          f"**lost {a['lost']}, doubled {a['doubled']}**; integrity_check: {r['integrity_check']}; "
          f"5xx in the server log: {r['server_5xx']}, tracebacks: {r['tracebacks']}")
    for what, ids in a["violations"].items():
        print(f"VIOLATION {what}: attempts {ids[:20]}{' …' if len(ids) > 20 else ''}")


def failed(r: dict) -> bool:
    return bool(r["accounting"]["violations"]) or r["integrity_check"] not in ("ok", "n/a")


def _interrupt(_signum, _frame) -> None:
    raise KeyboardInterrupt


def main() -> None:
    # Ctrl-C and `kill PID` both unwind through the finally blocks that stop the servers, also when
    # the bench was started in the background (where SIGINT is ignored by default).
    signal.signal(signal.SIGINT, _interrupt)
    signal.signal(signal.SIGTERM, _interrupt)
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--scenarios", default=",".join(SCENARIOS), help=f"comma-separated, of {', '.join(SCENARIOS)}")
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--learners", type=int, default=3, help="per client and run (they take turns)")
    parser.add_argument("--duration", type=float, default=60.0, help="seconds per run")
    parser.add_argument("--quick", action="store_true", help="15 s runs")
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1, help="default 2 × cores + 1")
    args = parser.parse_args()
    if args.quick:
        args.duration = min(args.duration, 15.0)
    scenarios = [s for s in args.scenarios.split(",") if s]
    if unknown := set(scenarios) - set(SCENARIOS):
        parser.error(f"unknown scenario {', '.join(sorted(unknown))}")
    secret = secrets.token_hex(32)  # one key for the whole bench: sessions outlive a server restart
    runs, started = [], time.monotonic()
    for target in ("sqlite", "postgresql") if args.db == "both" else (args.db,):
        per_run = args.clients * args.learners
        url, plan, took = prepare(target, per_run * len(scenarios), secret)
        print(f"\n## {target}: fresh database loaded in {took:.0f} s", flush=True)
        for n, scenario in enumerate(scenarios):
            learners = plan["learners"][n * per_run:(n + 1) * per_run]  # each run its own
            runs.append(run_scenario(target, scenario, url, plan, learners, args, secret))
            print_run(runs[-1])
            sys.stdout.flush()
        if not any(failed(r) for r in runs if r["target"] == target):
            drop_database(target)  # a failed run's database stays, to be looked into
    print(f"\nwhole bench {time.monotonic() - started:.0f} s; {os.cpu_count()} cores, "
          f"load average {os.getloadavg()[0]:.1f}")
    (OUT / "load.json").write_text(json.dumps({"when": datetime.now(timezone.utc).isoformat(), "runs": runs},
                                              indent=2))
    if any(failed(r) for r in runs):
        print("FAILED: submits lost or doubled, an attempt limit exceeded, wrong grades or a damaged SQLite file")
        sys.exit(1)


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        sys.exit("interrupted; every server the bench started is stopped")
