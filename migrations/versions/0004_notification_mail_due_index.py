"""the mail queue: partial indexes of the messages still to send and of those that failed

The index on (mail_status, next_attempt_at) led PostgreSQL, right after a run had queued 227,000
messages and before any ANALYZE, to a bitmap scan of every queued row for each claim of 500.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-07

"""
from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

QUEUED = "mail_status IN ('pending', 'sending')"
FAILED = "last_error IS NOT NULL"


def upgrade():
    op.drop_index('ix_notification_mail_queue', table_name='notification')
    op.create_index('ix_notification_mail_due', 'notification', ['id'], unique=False,
                    postgresql_where=sa.text(QUEUED), sqlite_where=sa.text(QUEUED))
    op.create_index('ix_notification_mail_errors', 'notification', ['id'], unique=False,
                    postgresql_where=sa.text(FAILED), sqlite_where=sa.text(FAILED))


def downgrade():
    op.drop_index('ix_notification_mail_errors', table_name='notification')
    op.drop_index('ix_notification_mail_due', table_name='notification')
    op.create_index('ix_notification_mail_queue', 'notification', ['mail_status', 'next_attempt_at'], unique=False)
