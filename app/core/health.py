"""Health check for load balancers and monitoring, and the schema check done at start-up."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from alembic.config import Config
from alembic.script import ScriptDirectory
from flask import Blueprint, jsonify
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from app.extensions import db

bp = Blueprint("health", __name__)
MIGRATIONS = Path(__file__).resolve().parent.parent.parent / "migrations"


@lru_cache(maxsize=1)
def head_revision() -> str:
    """The newest migration shipped with this code (read once per process: files do not change)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return ScriptDirectory.from_config(config).get_current_head()


def schema_state() -> tuple[str, str | None]:
    """("ok" | "unmigrated" | "outdated" | "unreachable", the database's revision)."""
    try:
        revision = db.session.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except SQLAlchemyError:
        db.session.rollback()
        try:
            db.session.execute(text("SELECT 1"))
        except SQLAlchemyError:
            db.session.rollback()
            return "unreachable", None
        return "unmigrated", None
    return ("ok" if revision == head_revision() else "outdated"), revision


@bp.get("/healthz")
def healthz():
    """200 when the database answers and its schema is this code's; 503 otherwise, saying why."""
    state, revision = schema_state()
    if state == "unreachable":
        return jsonify(status="error", db="unreachable"), 503
    if state != "ok":
        return jsonify(status="error", db="ok", schema=state, revision=revision, expected=head_revision()), 503
    return jsonify(status="ok", db="ok", schema="ok", revision=revision)


def warn_about_schema(app) -> str:
    """Log a clear warning at start-up when the database is down or its schema is not this code's
    (the first request would otherwise fail with "no such table"). Returns the state."""
    with app.app_context():
        state, revision = schema_state()
        db.session.remove()
    if state == "unreachable":
        app.logger.warning("The database (DATABASE_URL) cannot be reached; pages will fail until it answers.")
    elif state == "unmigrated":
        app.logger.warning("The database has no schema: run `flask --app wsgi db upgrade` before serving.")
    elif state == "outdated":
        app.logger.warning("The database schema is at revision %s, this code expects %s: run "
                           "`flask --app wsgi db upgrade`.", revision, head_revision())
    return state
