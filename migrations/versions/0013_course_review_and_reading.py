"""course_version.review and course_version.require_reading, from course.md

`review` says when a quiz result shows the answer key (after_pass, the default; always; never);
`require_reading` keeps the quiz closed until every module is marked read. Versions published
before said neither, so they take the defaults: after_pass, and no reading rule.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-09

"""
import sqlalchemy as sa
from alembic import op

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade():
    # plain ADD COLUMN: a batch copy of course_version would fail on SQLite, whose foreign keys from
    # module, question and the attempts point at it
    op.add_column("course_version", sa.Column("review", sa.String(length=20), nullable=False,
                                              server_default="after_pass"))
    op.add_column("course_version", sa.Column("require_reading", sa.Boolean(), nullable=False,
                                              server_default=sa.false()))


def downgrade():
    # a plain DROP COLUMN (SQLite 3.35+ and PostgreSQL): a batch copy of course_version would fail on
    # SQLite, whose foreign keys from module, question and the attempts point at it
    op.execute("ALTER TABLE course_version DROP COLUMN require_reading")
    op.execute("ALTER TABLE course_version DROP COLUMN review")
