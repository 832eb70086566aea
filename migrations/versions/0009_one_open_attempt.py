"""at most one open quiz attempt per person and course version (partial unique index)

Concurrent "Bắt đầu làm bài" requests could each open an attempt and so exceed the attempt limit.
Extra open attempts left by that (never submitted, so nothing graded is lost) are removed first,
keeping the newest of each person and version.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07

"""
import sqlalchemy as sa
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    op.execute("""
        DELETE FROM quiz_attempt
        WHERE submitted_at IS NULL AND id NOT IN (
            SELECT max(id) FROM quiz_attempt WHERE submitted_at IS NULL GROUP BY person_id, course_version_id)
    """)
    op.create_index("uq_quiz_attempt_one_open", "quiz_attempt", ["person_id", "course_version_id"], unique=True,
                    sqlite_where=sa.text("submitted_at IS NULL"), postgresql_where=sa.text("submitted_at IS NULL"))


def downgrade():
    op.drop_index("uq_quiz_attempt_one_open", table_name="quiz_attempt")
