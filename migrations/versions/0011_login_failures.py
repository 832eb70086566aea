"""login_failure: failed sign-ins per username, so an account can be throttled across every worker

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07

"""
import sqlalchemy as sa
from alembic import op

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "login_failure",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("username", sa.String(length=80), nullable=False),
        sa.Column("failed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("address", sa.String(length=64), nullable=True),
    )
    op.create_index("ix_login_failure_username_failed_at", "login_failure", ["username", "failed_at"])


def downgrade():
    op.drop_index("ix_login_failure_username_failed_at", table_name="login_failure")
    op.drop_table("login_failure")
