"""person.session_generation: sessions end when the password changes, on deactivation and on sign-out

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07

"""
import sqlalchemy as sa
from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("person") as batch:
        batch.add_column(sa.Column("session_generation", sa.Integer(), nullable=False, server_default="0"))


def downgrade():
    with op.batch_alter_table("person") as batch:
        batch.drop_column("session_generation")
