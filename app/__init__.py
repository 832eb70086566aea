"""Application factory: wires configuration, extensions, blueprints and commands."""
from __future__ import annotations

import os
from datetime import date

from flask import Flask, has_request_context, render_template, request
from flask_babel import get_locale
from sqlalchemy import event
from sqlalchemy.engine import Engine
from werkzeug.routing import IntegerConverter

from app.core.compress import init_compression
from app.core.i18n import init_template_gettext
from app.core.request_log import LoggingFlask, init_request_log, request_id
from app.core.security import init_security_headers
from app.core.static import init_static
from app.extensions import babel, csrf, db, limiter, login_manager, migrate
from config import CONFIGS


def select_locale() -> str:
    """Vietnamese unless the visitor chose English (a cookie set by /lang/en)."""
    if not has_request_context():  # CLI commands: messages of shared services in Vietnamese
        return "vi"
    choice = request.cookies.get("lang")
    return choice if choice in ("vi", "en") else "vi"


@event.listens_for(Engine, "connect")
def _sqlite_foreign_keys(dbapi_connection, _record) -> None:
    # SQLite ignores foreign keys unless each connection asks; WAL is set once, at setup.
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.close()
        # SQLite's lower() only folds ASCII; searches for "đỗ" must find "Đỗ" as on PostgreSQL.
        dbapi_connection.create_function("lower", 1, lambda s: s.lower() if isinstance(s, str) else s,
                                         deterministic=True)


def _tune_postgresql(app: Flask) -> None:
    """Session settings for PostgreSQL connections (PG_OPTIONS overrides them): JIT compiling costs
    the coverage report more than it saves, and its hash aggregates need more than the 4 MB default
    work_mem (docs/BENCHMARKS.md)."""
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
        options.setdefault("connect_args", {"options": app.config["PG_OPTIONS"]})
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options


class DatabaseIntConverter(IntegerConverter):
    """`<int:…>` in every route: a number no id column can hold (above 2**31 - 1, PostgreSQL's
    integer) is not a page, so 404, instead of an overflow error from the database."""

    def __init__(self, map, fixed_digits=0, min=None, max=2**31 - 1, signed=False):  # noqa: A002
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def create_app(config_name: str | None = None, overrides: dict | None = None) -> Flask:
    config_name = config_name or os.environ.get("FLASK_CONFIG", "development")
    if config_name not in CONFIGS:
        raise RuntimeError(f"FLASK_CONFIG={config_name!r} is not a configuration; choose one of "
                           f"{', '.join(sorted(CONFIGS))}.")
    config = CONFIGS[config_name]
    if hasattr(config, "validate"):
        config.validate()
    app = LoggingFlask(__name__, instance_relative_config=True)
    app.url_map.converters["int"] = DatabaseIntConverter  # before any route is added
    app.config.from_object(config)
    app.config.update(overrides or {})
    _tune_postgresql(app)
    os.makedirs(app.instance_path, exist_ok=True)

    if app.config["TRUSTED_PROXIES"]:  # the client's address as the proxies saw it, for rate limits and logs
        from werkzeug.middleware.proxy_fix import ProxyFix

        n = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)
    init_compression(app)  # first registered: runs after every other after-request hook
    init_static(app)
    init_request_log(app)
    init_security_headers(app)
    _limit_bodies(app)  # before CSRF protection, which reads the body first
    db.init_app(app)
    limiter.init_app(app)
    migrate.init_app(app, db, render_as_batch=True)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    init_template_gettext(app)
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = None

    from app import models  # noqa: F401  (every model registered before use)
    from app.accounts.routes import bp as accounts_bp
    from app.agencies.routes import bp as agencies_bp
    from app.audit.routes import bp as audit_bp
    from app.core.health import bp as health_bp
    from app.courses.routes import bp as courses_bp
    from app.coverage.routes import bp as coverage_bp
    from app.coverage.year_routes import bp as coverage_year_bp
    from app.imports.routes import bp as imports_bp
    from app.notifications.log_routes import bp as notifications_log_bp
    from app.notifications.routes import bp as notifications_bp
    from app.people.me import bp as me_bp
    from app.people.routes import bp as people_bp
    from app.quizzes.routes import bp as quizzes_bp
    from app.reports.routes import bp as reports_bp
    from app.training.routes import bp as training_bp
    from app.quiz_stats.routes import bp as quiz_stats_bp
    from app.certificates.routes import bp as certificates_bp

    for bp in (accounts_bp, agencies_bp, audit_bp, health_bp, courses_bp, coverage_bp, coverage_year_bp,
               imports_bp, me_bp, notifications_bp, notifications_log_bp, people_bp, quizzes_bp, reports_bp,
               training_bp, quiz_stats_bp, certificates_bp):
        app.register_blueprint(bp)

    from app.cli import register_commands

    register_commands(app)
    _register_template_helpers(app)
    _register_error_pages(app)
    return app


def _limit_bodies(app: Flask) -> None:
    """Request bodies up to MAX_CONTENT_LENGTH (1 MB), except on the upload routes, which take a
    file up to IMPORT_MAX_UPLOAD_BYTES and a little more for the form around it."""
    uploads = set(app.config["UPLOAD_ENDPOINTS"])

    @app.before_request
    def _upload_limit() -> None:
        if request.endpoint in uploads:
            request.max_content_length = app.config["IMPORT_MAX_UPLOAD_BYTES"] + 1024 * 1024


def _register_template_helpers(app: Flask) -> None:
    from app.agencies.types import type_label
    from app.core.dates import format_date, format_datetime
    from app.core import labels
    from app.courses.rule_text import fill_rules
    from app.coverage.labels import column_label
    from app.coverage.rules import current_rules
    from app.policy import (can_import, can_manage_people, can_view_audit, can_view_item_analysis,
                            can_view_mail_log, sees_agencies, sees_training)

    app.jinja_env.filters["vndate"] = format_date
    app.jinja_env.filters["vndatetime"] = format_datetime
    app.jinja_env.filters["isodate"] = date.fromisoformat  # a date kept as text in JSON
    app.jinja_env.filters["pct"] = labels.format_pct
    # stored course HTML, with the training rules it quotes filled in from courses/obligations.yml
    app.jinja_env.filters["with_rules"] = lambda html: fill_rules(html, current_rules())

    @app.context_processor
    def inject() -> dict:
        locale = str(get_locale())
        return {
            "current_locale": locale,
            "agency_type_label": lambda code: type_label(code, locale),
            "role_label": labels.role_label,
            "obligation_rule_label": labels.obligation_rule_label,
            "obligation_status_label": labels.obligation_status_label,
            "due_label": labels.due_label,
            "column_label": column_label,
            "audience_label": labels.audience_label,
            "policy_sees_agencies": sees_agencies,
            "policy_can_manage_people": can_manage_people,
            "policy_can_view_audit": can_view_audit,
            "policy_can_import": can_import,
            "policy_can_view_mail_log": can_view_mail_log,
            "policy_sees_training": sees_training,
            "policy_can_view_item_analysis": can_view_item_analysis,
        }


def _register_error_pages(app: Flask) -> None:
    for code in (400, 403, 404, 405, 409, 413, 429):
        app.register_error_handler(
            code, lambda e, code=code: (render_template("error.html", code=code, error=e, request_id=request_id()),
                                        code)
        )

    @app.errorhandler(500)
    def _server_error(error):
        """The page in Vietnamese with the request id, even when the database is what failed."""
        db.session.rollback()
        try:
            return render_template("error.html", code=500, error=error, request_id=request_id()), 500
        except Exception:  # noqa: BLE001 (the page itself cannot be drawn: plain text, still useful)
            return (f"Đã có lỗi trong hệ thống. Mã yêu cầu: {request_id()}\n", 500,
                    {"Content-Type": "text/plain; charset=utf-8"})
