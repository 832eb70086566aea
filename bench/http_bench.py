"""HTTP throughput of the learner pages and the quiz under gunicorn, against bare-Flask ceilings served
by the same gunicorn in the same run (issue 15).

For each database the bench builds a fresh one with the project's own commands (db upgrade, courses
sync, demo), adds learner accounts through the accounts service, and starts two gunicorns on
127.0.0.1: the project (wsgi:app, production configuration) and bench/ceiling_app (a 20 KB page from
a template file; a one-row INSERT per POST), with the same number of sync workers. Each pair is then
run with wrk, closed loop, interleaved: ceiling, project, ceiling, project, … The POST flows are wrk
Lua scripts too (bench/http_flows.lua: CSRF token, the session cookie kept as a browser keeps it,
the attempt id taken from the redirect), so both sides of every ratio are driven by the same client.
After the quiz runs the rows are counted against what the clients were told; after 10,000 mixed
requests the resident memory of each worker is read from /proc/<pid>/status."""
from __future__ import annotations

import argparse
import json
import os
import re
import resource
import secrets
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from http.cookiejar import CookieJar
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.load_server import GUNICORN, Gunicorn  # noqa: E402

OUT = ROOT / "bench" / "out"
FLOWS = ROOT / "bench" / "http_flows.lua"
SQLITE_DB, SQLITE_CEILING = "/tmp/htqlcl_bench_http.sqlite3", "/tmp/htqlcl_bench_http_ceiling.sqlite3"
PG_SERVER, PG_DB = "postgresql://postgres@127.0.0.1:5432", "htqlcl_bench_http"
WORKERS = {"sqlite": 2, "postgresql": 4}
CLIENTS = 32
PREFIX, PASSWORD = "httpbench", "httpbench-pass-2026"
#: a fast hash for the bench learners only, so that 3,072 of them sign in within seconds (the demo
#: accounts keep the production default, scrypt); checking it is not part of anything measured
FAST_HASH = "pbkdf2:sha256:1000"
AGENCY = "AG-XA-ANPHU-PVHCC"  # the demo's commune service centre: completions carry an agency
MIXED_REQUESTS = 10_000
#: (label, ceiling flow, project flow, goal: the least share of the ceiling)
PAIRS = (("module page", "page", "module", 0.50), ("course page", "page", "course", 0.40),
         ("learner home", "page", "home", 0.40), ("quiz start + submit", "insert", "quiz", 0.25))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server(Gunicorn):
    """bench/load_server.py's gunicorn on a free port, with the CPU time and memory of its workers."""

    def __init__(self, app: str, env: dict, workers: int, log: Path):
        super().__init__(env, free_port(), workers, log, app=app)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> float:
        took = super().start()
        while len(self.worker_pids()) < self.workers:  # every worker up before anything is measured
            time.sleep(0.1)
        return took

    def cpu_seconds(self) -> float:
        """User + system CPU time of the workers so far."""
        total = 0
        for pid in self.worker_pids():
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
        return total / os.sysconf("SC_CLK_TCK")

    def rss(self) -> list[dict]:
        """VmRSS (now) and VmHWM (peak) of each worker, in MB."""
        found = []
        for pid in self.worker_pids():
            fields = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines())
            found.append({"pid": pid, "rss_mb": int(fields["VmRSS"].split()[0]) / 1024,
                          "hwm_mb": int(fields["VmHWM"].split()[0]) / 1024})
        return found


def project_env(url: str) -> dict:
    """Production configuration over plain HTTP on loopback, without request logs or sign-in limits."""
    lots = "1000000 per minute"
    return os.environ | {"FLASK_CONFIG": "production", "SECRET_KEY": secrets.token_hex(32), "DATABASE_URL": url,
                         "SESSION_COOKIE_SECURE": "0", "REQUEST_LOG": "0", "LOGIN_RATE_LIMIT": lots,
                         "VERIFY_RATE_LIMIT": lots, "INVITE_RATE_LIMIT": lots, "LOGIN_FAILURE_LIMIT": "1000000",
                         "RATELIMIT_STORAGE_URI": "memory://"}


def fresh_databases(kind: str) -> tuple[str, str]:
    """Drop and create the bench's databases; returns (project DATABASE_URL, ceiling target)."""
    if kind == "sqlite":
        for path in (SQLITE_DB, SQLITE_CEILING):
            for suffix in ("", "-wal", "-shm"):
                Path(path + suffix).unlink(missing_ok=True)
        with sqlite3.connect(SQLITE_CEILING) as db:  # WAL once, here, as the project's first migration does
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("CREATE TABLE http_ceiling_row (id INTEGER PRIMARY KEY, created_at REAL, token TEXT)")
        return f"sqlite:///{SQLITE_DB}", SQLITE_CEILING
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {PG_DB}")
        admin.execute(f"CREATE DATABASE {PG_DB}")
    url = f"{PG_SERVER}/{PG_DB}"
    with psycopg.connect(url) as db:
        db.execute("CREATE TABLE http_ceiling_row (id bigserial PRIMARY KEY, created_at double precision, "
                   "token text)")
    return url, url


def setup_project(env: dict, plan_path: Path, learners: int) -> dict:
    flask = [str(Path(sys.prefix) / "bin" / "flask"), "--app", "wsgi"]
    for command in (["db", "upgrade"], ["courses", "sync"], ["demo"]):
        run = subprocess.run(flask + command, cwd=ROOT, env=env, capture_output=True, text=True)
        if run.returncode:
            raise RuntimeError(f"flask {' '.join(command)} failed:\n{run.stdout}{run.stderr}")
    subprocess.run([sys.executable, str(Path(__file__)), "--prepare", str(plan_path), "--learners", str(learners)],
                   cwd=ROOT, env=env, check=True)
    return json.loads(plan_path.read_text())


def prepare(plan_path: str, learners: int) -> None:
    """In the project's environment: the bench learners (accounts service) and, of every current
    course version, its pages and the form fields that answer every question right, or wrong."""
    from urllib.parse import quote

    from app import create_app
    from app.accounts.services import create_account
    from app.courses.services import current_versions_query, mark_read
    from app.extensions import db

    app = create_app(overrides={"PASSWORD_HASH_METHOD": FAST_HASH})
    with app.app_context():
        versions = list(db.session.scalars(current_versions_query()))
        for n in range(learners):
            person = create_account(f"{PREFIX}{n:04d}", PASSWORD, "learner", full_name=f"Học viên đo tải {n:04d}",
                                    agency_code=AGENCY)
            for version in versions:  # every module read where a course requires it before its quiz
                for module in version.modules if version.require_reading else ():
                    mark_read(person.id, version.course_id, module.slug)
        db.session.commit()
        courses = []
        for version in versions:
            right, wrong = [], []
            for q in version.questions:
                keys, correct = [o["key"] for o in q.options], q.correct_keys
                right += [f"q{q.id}={quote(k)}" for k in sorted(correct)]
                wrong.append(f"q{q.id}={quote(next((k for k in keys if k not in correct), keys[0]))}")
            code = version.course.code
            courses.append({"code": code, "page": f"/courses/{code}/", "start": f"/courses/{code}/quiz",
                            "modules": [f"/courses/{code}/{m.slug}" for m in version.modules],
                            "right": "&".join(right), "wrong": "&".join(wrong)})
    Path(plan_path).write_text(json.dumps({"courses": courses,
                                           "learners": [f"{PREFIX}{n:04d}" for n in range(learners)]}))


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def sign_in(base: str, username: str, password: str, form_page: str) -> tuple[str, str]:
    """Sign in through the login form; returns (session cookie, CSRF token) as left by a form page."""
    jar = CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), _NoRedirect)

    def csrf(path: str) -> str:
        html = opener.open(base + path, timeout=30).read().decode()
        found = re.search(r'<input[^>]*name="csrf_token"[^>]*value="([^"]+)"', html)
        return found.group(1)

    body = urllib.parse.urlencode({"csrf_token": csrf("/login"), "username": username, "password": password})
    try:
        opener.open(base + "/login", body.encode(), timeout=30)
        raise RuntimeError(f"signing in {username} did not redirect")
    except urllib.error.HTTPError as exc:
        if exc.code != 302:
            raise
    token_value = csrf(form_page)
    cookie = next(c.value for c in jar if c.name == "session")
    return cookie, token_value


def lua_data(target: Path, **values) -> Path:
    """The plan as a Lua table (every string is ASCII, so JSON's escapes are Lua's)."""
    def lua(value) -> str:
        if isinstance(value, dict):
            return "{" + ", ".join(f"{k} = {lua(v)}" for k, v in value.items()) + "}"
        if isinstance(value, (list, tuple)):
            return "{" + ", ".join(lua(v) for v in value) + "}"
        if isinstance(value, str):
            assert value.isascii(), value
            return json.dumps(value)
        return str(value)

    target.write_text("return " + lua(values) + "\n")
    return target


def wrk(server: Server, data: Path, mode: str, seconds: float, threads: int) -> dict:
    """One closed-loop run; with the cores the server's workers and wrk kept busy on average, and
    the load average of the machine (other work included) after it."""
    url = server.url
    command = ["wrk", "-t", str(threads), "-c", str(CLIENTS), "-d", f"{seconds}s", "--timeout", "10s",
               "-s", str(FLOWS), url, "--", str(data), mode]
    cpu, client = server.cpu_seconds(), resource.getrusage(resource.RUSAGE_CHILDREN)
    run = subprocess.run(command, capture_output=True, text=True, check=True)
    cpu, after = server.cpu_seconds() - cpu, resource.getrusage(resource.RUSAGE_CHILDREN)
    line = next(x for x in run.stdout.splitlines() if x.startswith("HTTPBENCH "))
    got = json.loads(line.removeprefix("HTTPBENCH "))
    got["ids"] = [tuple(x.split(":")) for x in got["ids"].split(",") if x]
    got["rate"] = (got["acked"] if mode == "quiz" else got["ok"]) / got["seconds"]
    got["server_cores"] = cpu / got["seconds"]
    got["wrk_cores"] = (after.ru_utime + after.ru_stime - client.ru_utime - client.ru_stime) / got["seconds"]
    got["load1"] = os.getloadavg()[0]
    return got


def run_database(kind: str, quick: bool, learners: int, work: Path) -> dict:
    workers = WORKERS[kind]
    url, ceiling_target = fresh_databases(kind)
    env = project_env(url)
    started = time.perf_counter()
    plan = setup_project(env, work / f"plan_{kind}.json", learners)
    print(f"[{kind}] set up in {time.perf_counter() - started:.0f}s", flush=True)
    project = Server("wsgi:app", env, workers, OUT / f"http_{kind}_project.log")
    ceiling = Server("bench.ceiling_app:app", env | {"CEILING_DATABASE": ceiling_target}, workers,
                     OUT / f"http_{kind}_ceiling.log")
    seconds, rounds, warm = (3, 1, 1) if quick else (10, 3, 3)
    acked: list[tuple[str, str]] = []
    inflight = 0
    try:
        project.start()
        ceiling.start()
        iso01 = next(c for c in plan["courses"] if c["code"] == "ISO-01")
        cookie, csrf = sign_in(project.url, "hocvien", "demo-htqlcl-2026", iso01["start"])
        with ThreadPoolExecutor(8) as pool:
            accounts = list(pool.map(lambda u: sign_in(project.url, u, PASSWORD, iso01["start"]), plan["learners"]))
        print(f"[{kind}] {len(accounts) + 1} sessions signed in", flush=True)
        paths = {"module": iso01["modules"][0], "course": iso01["page"], "home": "/", "page": "/page"}
        data = {name: lua_data(work / f"{kind}_{name}.lua", threads=CLIENTS, path=path, cookie=cookie, csrf=csrf,
                               learners=[], courses=[iso01], insert="/insert") for name, path in paths.items()}
        data["insert"] = data["page"]
        # wrk's Lua state starts again with every run while the attempts stay in the database, so each
        # quiz run (the warm-up and each round) has learners of its own, who have used no attempt yet
        share = len(accounts) // (1 + rounds)
        quiz_learners = iter(accounts[i * share:(i + 1) * share] for i in range(1 + rounds))
        # the mixed flow takes the other courses: the quiz runs above completed ISO-01 for these learners
        others = [c for c in plan["courses"] if c["code"] != "ISO-01"]

        def mixed_data(run: int) -> Path:
            """Run `run` starts 100 turns after the one before: no (learner, course) is taken twice."""
            return lua_data(work / f"{kind}_mixed_{run}.lua", threads=CLIENTS, learners=accounts, courses=others,
                            insert="/insert", first=1 + 100 * run)

        def one(flow: str, server: Server, length: float) -> dict:
            nonlocal inflight
            post = flow in ("quiz", "insert")
            if flow == "quiz":
                data["quiz"] = lua_data(work / f"{kind}_quiz.lua", threads=CLIENTS, learners=next(quiz_learners),
                                        courses=[iso01], insert="/insert")
            got = wrk(server, data[flow], "quiz" if flow == "quiz" else "insert" if flow == "insert" else "get",
                      length, CLIENTS if post else 2)
            acked.extend(got["ids"])
            inflight += got["sent_submits"] - got["acked"]
            return got

        results = {}
        for label, ceiling_flow, project_flow, goal in PAIRS:
            one(ceiling_flow, ceiling, warm), one(project_flow, project, warm)  # warm caches, pools, pages
            runs = {"ceiling": [], "project": []}
            for _ in range(rounds):
                runs["ceiling"].append(one(ceiling_flow, ceiling, seconds))
                runs["project"].append(one(project_flow, project, seconds))
            results[label] = summarise(runs, goal)
            r = results[label]
            print(f"[{kind}] {label}: ceiling {r['ceiling']:.0f}/s, project {r['project']:.0f}/s, "
                  f"ratio {r['ratio']:.0%} (goal {goal:.0%}); cores busy: server {r['ceiling_server_cores']:.2f} / "
                  f"{r['project_server_cores']:.2f}, wrk {r['ceiling_wrk_cores']:.2f} / {r['project_wrk_cores']:.2f}; "
                  f"load {r['project_load1']:.1f}", flush=True)
        rss_before = project.rss()
        # wrk stops on time, not on a count: mixed runs of 10 s until 10,000 requests are answered
        # (a wrk thread stopped early would leave a connection open that a sync worker waits on)
        mixed_runs = []
        while sum(r["requests"] for r in mixed_runs) < (1000 if quick else MIXED_REQUESTS):
            mixed_runs.append(wrk(project, mixed_data(len(mixed_runs)), "mixed", 10, CLIENTS))
            acked.extend(mixed_runs[-1]["ids"])
            inflight += mixed_runs[-1]["sent_submits"] - mixed_runs[-1]["acked"]
        rss_after = project.rss()
        got = {key: sum(r[key] for r in mixed_runs) for key in ("requests", "ok", "bad", "seconds", "acked")}
        sizes = ", ".join(f"{w['rss_mb']:.0f}" for w in rss_after)
        print(f"[{kind}] mixed: {got['requests']} requests ({got['bad']} not as expected) in {got['seconds']:.1f}s; "
              f"worker RSS {sizes} MB", flush=True)
    finally:
        project.stop()
        ceiling.stop()
    return {"workers": workers, "results": results, "mixed": got, "worker_restarts": len(project.seen) - workers,
            "rss_before_mixed": rss_before, "rss_after_mixed": rss_after,
            "rows": count_rows(kind, url, acked, inflight)}


def summarise(runs: dict, goal: float) -> dict:
    ceiling = statistics.median(r["rate"] for r in runs["ceiling"])
    project = statistics.median(r["rate"] for r in runs["project"])
    for side in runs.values():
        for r in side:
            r.pop("ids")
    unexpected = sum(r["bad"] + r["socket_errors"] for side in runs.values() for r in side)
    def median(side: str, key: str) -> float:
        return statistics.median(r[key] for r in runs[side])

    return {"ceiling": ceiling, "project": project, "ratio": project / ceiling, "goal": goal, "unexpected": unexpected,
            **{f"{side}_{key}": median(side, key) for side in runs
               for key in ("p50_ms", "p99_ms", "server_cores", "wrk_cores", "load1")},
            "runs": runs}


def count_rows(kind: str, url: str, acked: list[tuple[str, str]], inflight: int) -> dict:
    """The bench learners' attempts, completions and answers against the submits the clients saw
    acknowledged (a 302 back to the attempt): none lost, none doubled."""
    query = (
        "SELECT a.id, a.submitted_at IS NOT NULL, a.passed, a.drawn,"
        " (SELECT count(*) FROM completion c WHERE c.attempt_id = a.id),"
        " (SELECT count(*) FROM quiz_response r WHERE r.attempt_id = a.id)"
        " FROM quiz_attempt a JOIN person p ON p.id = a.person_id WHERE p.username LIKE 'httpbench%'")
    completions_query = ("SELECT count(*), count(c.attempt_id) FROM completion c JOIN person p ON p.id = c.person_id"
                         " WHERE p.username LIKE 'httpbench%'")
    if kind == "sqlite":
        with sqlite3.connect(SQLITE_DB) as db:
            rows, (completions, with_attempt) = db.execute(query).fetchall(), db.execute(completions_query).fetchone()
    else:
        import psycopg

        with psycopg.connect(url) as db:
            rows, (completions, with_attempt) = db.execute(query).fetchall(), db.execute(completions_query).fetchone()
    attempts = {r[0]: {"graded": bool(r[1]), "passed": bool(r[2]),
                       "drawn": len(json.loads(r[3]) if isinstance(r[3], str) else r[3]),
                       "completions": r[4], "responses": r[5]} for r in rows}
    expected = {}
    for attempt_id, how in acked:
        expected[int(attempt_id)] = how
    graded = {i for i, a in attempts.items() if a["graded"]}
    lost = [i for i, how in expected.items() if i not in graded or (how == "p") != attempts[i]["passed"]
            or attempts[i]["completions"] != (1 if how == "p" else 0)]
    doubled = [i for i, a in attempts.items() if a["completions"] > 1 or (a["graded"] and a["responses"] != a["drawn"])
               or (not a["graded"] and (a["completions"] or a["responses"]))]
    passed = sum(1 for i in graded if attempts[i]["passed"])
    return {"acknowledged_submits": len(acked), "distinct_acknowledged": len(expected),
            "acknowledged_passes": sum(1 for how in expected.values() if how == "p"),
            "graded_rows": len(graded), "graded_unacknowledged": len(graded - set(expected)),
            "submits_in_flight_at_stops": inflight, "open_rows": len(attempts) - len(graded),
            "passed_rows": passed, "completion_rows": completions, "completions_with_attempt": with_attempt,
            "lost": len(lost), "doubled": len(doubled) + (len(acked) - len(expected)) + abs(completions - passed)}


def machine() -> dict:
    def first(command: list[str]) -> str:
        run = subprocess.run(command, capture_output=True, text=True)
        return (run.stdout or run.stderr).splitlines()[0].strip()

    cpu = next(line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
               if line.startswith("model name"))
    return {"date": time.strftime("%d/%m/%Y %H:%M"), "nproc": os.cpu_count(), "cpu": cpu,
            "python": sys.version.split()[0], "gunicorn": first([str(GUNICORN), "--version"]),
            "wrk": first(["wrk", "-v"]), "sqlite": sqlite3.sqlite_version, "load_average": os.getloadavg()}


def results_table(report: dict, kinds) -> str:
    lines = ["| database, workers | what | ceiling, median | project, median | ratio | goal | result |",
             "|---|---|---:|---:|---:|---:|---|"]
    for kind in kinds:
        for label, r in report[kind]["results"].items():
            unit = "cycles/s" if label.startswith("quiz") else "req/s"
            ceiling_unit = "inserts/s" if label.startswith("quiz") else "req/s"
            lines.append(f"| {kind}, {report[kind]['workers']} | {label} | {r['ceiling']:,.0f} {ceiling_unit} | "
                         f"{r['project']:,.0f} {unit} | {r['ratio']:.0%} | ≥ {r['goal']:.0%} | "
                         f"{'pass' if r['ratio'] >= r['goal'] else 'miss'} |")
    return "\n".join(lines)


def checks_table(report: dict, kinds) -> str:
    lines = ["| database | acknowledged submits (passes) | graded rows | graded, not acknowledged (in flight ≤) | "
             "completions = passed rows | lost | doubled | worker RSS after 10,000 mixed, MB (peak) | responses not as expected |",
             "|---|---:|---:|---:|---|---:|---:|---|---:|"]
    for kind in kinds:
        k = report[kind]
        rows = k["rows"]
        rss = ", ".join(f"{w['rss_mb']:.0f} ({w['hwm_mb']:.0f})" for w in k["rss_after_mixed"])
        unexpected = sum(r["unexpected"] for r in k["results"].values()) + k["mixed"]["bad"]
        lines.append(f"| {kind} | {rows['acknowledged_submits']:,} ({rows['acknowledged_passes']:,}) | "
                     f"{rows['graded_rows']:,} | {rows['graded_unacknowledged']} ({rows['submits_in_flight_at_stops']}) | "
                     f"{rows['completion_rows']:,} = {rows['passed_rows']:,} | {rows['lost']} | {rows['doubled']} | "
                     f"{rss} | {unexpected} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="one 3 s run of each side, 256 learners (a smoke run)")
    parser.add_argument("--database", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--learners", type=int, help="bench learner accounts, shared by the clients "
                                                     "(default 3,072; 256 with --quick)")
    parser.add_argument("--prepare", help=argparse.SUPPRESS)  # internal: run in the project's environment
    args = parser.parse_args()
    if args.prepare:
        return prepare(args.prepare, args.learners)
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is needed: apt-get install wrk")
    OUT.mkdir(exist_ok=True)
    kinds = ("sqlite", "postgresql") if args.database == "both" else (args.database,)
    if args.learners is None:
        args.learners = 256 if args.quick else 3072
    report = {"machine": machine(), "quick": args.quick, "clients": CLIENTS}
    with tempfile.TemporaryDirectory(prefix="htqlcl_http_") as work:
        for kind in kinds:
            report[kind] = run_database(kind, args.quick, args.learners, Path(work))
    print()
    print(results_table(report, kinds))
    print()
    print(checks_table(report, kinds))
    (OUT / "http.json").write_text(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
