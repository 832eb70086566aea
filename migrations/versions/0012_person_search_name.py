"""person.search_name and person.sort_name: searches without diacritics, names in Vietnamese order

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-08

"""
import sqlalchemy as sa
from alembic import op

from app.people.naming import name_columns

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None

BATCH = 5000


def upgrade():
    bind = op.get_bind()
    # the sort key is compared by code point; PostgreSQL's default collation would reorder it
    key_type = sa.Text(collation="C") if bind.dialect.name == "postgresql" else sa.Text()
    with op.batch_alter_table("person") as batch:
        batch.add_column(sa.Column("search_name", sa.Text(), nullable=False, server_default=""))
        batch.add_column(sa.Column("sort_name", key_type, nullable=False, server_default=""))
    person = sa.table("person", sa.column("id", sa.Integer), sa.column("full_name", sa.Text),
                      sa.column("username", sa.Text), sa.column("staff_code", sa.Text), sa.column("email", sa.Text),
                      sa.column("search_name", sa.Text), sa.column("sort_name", sa.Text))
    fill = (sa.update(person).where(person.c.id == sa.bindparam("b_id"))
            .values(search_name=sa.bindparam("b_search"), sort_name=sa.bindparam("b_sort")))
    last = 0
    while True:
        rows = bind.execute(sa.select(person.c.id, person.c.full_name, person.c.username, person.c.staff_code,
                                      person.c.email).where(person.c.id > last).order_by(person.c.id)
                            .limit(BATCH)).all()
        if not rows:
            break
        values = []
        for row in rows:
            columns = name_columns(row.full_name, row.username, row.staff_code, row.email)
            values.append({"b_id": row.id, "b_search": columns["search_name"], "b_sort": columns["sort_name"]})
        bind.execute(fill, values)
        last = rows[-1].id
    op.create_index("ix_person_search_name", "person", ["search_name"])
    op.create_index("ix_person_sort_name", "person", ["sort_name"])


def downgrade():
    op.drop_index("ix_person_sort_name", table_name="person")
    op.drop_index("ix_person_search_name", table_name="person")
    # a plain DROP COLUMN (SQLite 3.35+ and PostgreSQL): a batch copy of person would fail on SQLite,
    # whose foreign keys from assignments, attempts and completions point at it
    op.execute("ALTER TABLE person DROP COLUMN sort_name")
    op.execute("ALTER TABLE person DROP COLUMN search_name")
