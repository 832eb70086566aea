"""The ceilings of bench/http_bench.py: what bare Flask reaches on this machine under the same gunicorn.

GET /page renders a 20 KB page from a template file, its body HTML made once per process (as the
project keeps a course version's rendered HTML); POST /insert writes one row and redirects, on SQLite
(WAL, set once by the bench) or PostgreSQL, over one connection per worker opened at its first request.
CEILING_DATABASE names the database: a SQLite file path or a postgresql:// URL."""
from __future__ import annotations

import os
import sqlite3
import time

from flask import Flask, redirect, render_template, request

#: the one-row table, created by the bench before the server starts (never by a worker)
TABLE = "http_ceiling_row"
MODULES = [f"Mô-đun {n}: Tiếp cận theo quá trình và chu trình PDCA" for n in range(1, 9)]
#: about 18 KB of article HTML: the same paragraph with a heading every few
BODY = "".join(
    (f"<h2 id=\"phan-{n}\">Phần {n}. Trách nhiệm của công chức</h2>" if n % 4 == 0 else "")
    + "<p>Cơ quan của bạn đang áp dụng <strong>hệ thống quản lý chất lượng theo TCVN ISO 9001:2015</strong>: "
      "tiếp nhận hồ sơ ở Bộ phận Một cửa, theo dõi hạn giải quyết, dùng đúng biểu mẫu còn hiệu lực và "
      "xử lý khi có sai sót. Mỗi bước đều để lại hồ sơ, để lần sau làm tốt hơn lần trước.</p>\n"
    for n in range(48))

_connection = None  # one per worker process: sync workers serve one request at a time


def connection():
    global _connection
    if _connection is None:
        target = os.environ["CEILING_DATABASE"]
        if target.startswith("postgresql"):
            import psycopg

            _connection = psycopg.connect(target)
        else:
            _connection = sqlite3.connect(target, timeout=5)  # the project's busy_timeout is 5 s
    return _connection


def create_app() -> Flask:
    app = Flask(__name__)

    @app.get("/page")
    def page():
        return render_template("page.html", title=MODULES[2], modules=MODULES, body=BODY, user="Nguyễn Thị Lan",
                               position=3)

    @app.post("/insert")
    def insert():
        db = connection()
        placeholder = "%s" if type(db).__module__.startswith("psycopg") else "?"
        db.execute(f"INSERT INTO {TABLE} (created_at, token) VALUES ({placeholder}, {placeholder})",
                   (time.time(), request.form.get("csrf_token", "")[:100]))
        db.commit()
        return redirect("/page", 302)

    @app.get("/healthz")
    def healthz():
        return {"status": "ok"}

    return app


app = create_app()
