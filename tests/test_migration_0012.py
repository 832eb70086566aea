"""Migration 0012 fills search_name and sort_name for the people already stored."""
from pathlib import Path

from flask_migrate import downgrade, upgrade
from sqlalchemy import text

from app import create_app
from app.core.vnsort import name_key
from app.extensions import db

MIGRATIONS = str(Path(__file__).parent.parent / "migrations")


def test_upgrade_backfills_the_search_and_sort_columns_and_downgrade_drops_them(tmp_path):
    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'old.sqlite3'}"})
    with app.app_context():
        upgrade(directory=MIGRATIONS, revision="0011")
        with db.engine.begin() as conn:
            conn.execute(text("INSERT INTO person (staff_code, full_name, email, username, access_role, active, "
                              "created_at, language, digest_mail, reminders_weekly, session_generation) VALUES "
                              "('S-1', 'Đỗ Thị Hà', 'ha@xa.vn', 'hadt', 'learner', 1, '2025-01-01', 'vi', 1, 0, 0)"))
        upgrade(directory=MIGRATIONS)
        with db.engine.connect() as conn:
            row = conn.execute(text("SELECT search_name, sort_name FROM person")).one()
            indexes = {r[1] for r in conn.execute(text("PRAGMA index_list('person')"))}
        assert row == ("do thi ha | hadt | s-1 | ha@xa.vn", name_key("Đỗ Thị Hà"))
        assert {"ix_person_search_name", "ix_person_sort_name"} <= indexes
        downgrade(directory=MIGRATIONS, revision="0011")
        with db.engine.connect() as conn:
            columns = {r[1] for r in conn.execute(text("PRAGMA table_info('person')"))}
        assert "search_name" not in columns and "sort_name" not in columns
        db.engine.dispose()
