"""Where a request of bench/http_bench.py spends its time: the project's pages and quiz POSTs in one
process (Flask test client, production configuration, CSRF on), on the SQLite database the bench
left behind, beside the ceiling page. Per request: the time, the SQL statements, and with
--tree the functions that take the most time (cProfile, cumulative).

    .venv/bin/python bench/http_bench.py --database sqlite      # leaves /tmp/htqlcl_bench_http.sqlite3
    .venv/bin/python bench/http_profile.py [--tree] [--repeats 300]
"""
from __future__ import annotations

import argparse
import os
import re
import secrets
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
DB = "/tmp/htqlcl_bench_http.sqlite3"
os.environ.update(FLASK_CONFIG="production", SECRET_KEY=secrets.token_hex(32), SESSION_COOKIE_SECURE="0",
                  REQUEST_LOG="0", DATABASE_URL=f"sqlite:///{DB}", LOGIN_RATE_LIMIT="1000000 per minute")


def csrf_of(html: str) -> str:
    return re.search(r'<input[^>]*name="csrf_token"[^>]*value="([^"]+)"', html).group(1)


def signed_in(app, username: str, password: str):
    client = app.test_client()
    token = csrf_of(client.get("/login").get_data(as_text=True))
    response = client.post("/login", data={"csrf_token": token, "username": username, "password": password})
    assert response.status_code == 302, response.status_code
    return client


def measure(label: str, call, repeats: int, statements: list, tree: bool) -> None:
    call()  # warm: templates compiled, content cached, statements cached
    statements.clear()
    started = time.perf_counter()
    for _ in range(repeats):
        call()
    ms = (time.perf_counter() - started) / repeats * 1000
    print(f"| {label} | {ms:.2f} ms | {len(statements) / repeats:.1f} |")
    if tree:
        import cProfile
        import pstats

        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(repeats):
            call()
        profiler.disable()
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(40)


def quiz_cycle(app, learners: int, answers: dict) -> callable:
    """A start POST and a submit POST, as the bench's quiz flow: each of `learners` fresh learners
    (created here, every module read) fails twice, then passes on the third attempt."""
    import itertools
    import secrets as token

    from app.accounts.services import create_account
    from app.courses.services import current_version, mark_read
    from app.extensions import db

    names = [f"profile{token.token_hex(4)}" for _ in range(learners)]
    with app.app_context():
        version = current_version("ISO-01")
        for name in names:
            person = create_account(name, "profile-pass-2026", "learner", full_name="Học viên đo",
                                    agency_code="AG-XA-ANPHU-PVHCC")
            for module in version.modules:
                mark_read(person.id, version.course_id, module.slug)
        db.session.commit()
    clients = [signed_in(app, name, "profile-pass-2026") for name in names]
    tokens = [csrf_of(c.get("/courses/ISO-01/quiz").get_data(as_text=True)) for c in clients]
    turns = itertools.cycle([(c, t, n) for n in range(3) for c, t in zip(clients, tokens)])
    wrong = {key: ["zz"] for key in answers}  # no option is called that: every question wrong

    def cycle() -> None:
        client, csrf, n = next(turns)
        started = client.post("/courses/ISO-01/quiz", data={"csrf_token": csrf})
        assert started.status_code == 302, started.status_code
        submitted = client.post(started.headers["Location"],
                                data={"csrf_token": csrf, "confirm": "1", **(answers if n == 2 else wrong)})
        assert submitted.status_code == 302, submitted.status_code

    return cycle


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=300)
    parser.add_argument("--tree", action="store_true", help="print cProfile's top functions of each")
    args = parser.parse_args()
    if not Path(DB).exists():
        raise SystemExit(f"{DB} is missing: run bench/http_bench.py --database sqlite first")

    from sqlalchemy import event, select

    from app import create_app
    from app.courses.services import current_version
    from app.courses.models import Question
    from app.extensions import db
    from bench.ceiling_app import app as ceiling

    app = create_app()
    statements: list[str] = []
    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
        version = current_version("ISO-01")
        answers = {f"q{q.id}": sorted(q.correct_keys)
                   for q in db.session.scalars(select(Question).where(Question.version_id == version.id))}
    learner = signed_in(app, "hocvien", "demo-htqlcl-2026")
    page = ceiling.test_client()
    print("| request, in one process | time | SQL statements |\n|---|---:|---:|")
    measure("ceiling page (bare Flask + Jinja, 20 KB)", lambda: page.get("/page"), args.repeats, statements,
            args.tree)
    for label, path in (("module page", "/courses/ISO-01/01-vi-sao-ap-dung-iso"), ("course page", "/courses/ISO-01/"),
                        ("learner home", "/")):
        measure(label, lambda path=path: learner.get(path), args.repeats, statements, args.tree)
    cycles = max(args.repeats // 5, 20)
    measure("quiz start + submit (two POSTs; two fails, then a pass)", quiz_cycle(app, cycles // 3 + 1, answers),
            cycles - 1, statements, args.tree)


if __name__ == "__main__":
    main()
