"""course HTML already stored: only text-align kept of any style, ids only on headings

An author's `<td style="position:fixed;inset:0">` could cover the whole page. The sanitiser now keeps
no style property but text-align and no id except a heading's; this cleans what earlier versions
stored, the same way, so no course needs republishing.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07

"""
import json

import nh3
import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

# the allow-list as of this revision (a copy: a migration must not change when the app does)
TAGS = {
    "a", "abbr", "b", "blockquote", "br", "caption", "code", "col", "colgroup", "dd", "del", "details",
    "div", "dl", "dt", "em", "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i",
    "img", "ins", "kbd", "li", "mark", "ol", "p", "pre", "q", "s", "small", "span", "strong", "sub",
    "summary", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "u", "ul",
}
ATTRIBUTES = {"*": {"id", "title"}, "a": {"href"}, "img": {"src", "alt", "width", "height", "loading"},
              "td": {"colspan", "rowspan", "style"}, "th": {"colspan", "rowspan", "style", "scope"},
              "ol": {"start"}}
RESERVED = {"username", "password", "upload", "trend-title", "obligations", "kind", "invite-url",
            "giay-chung-nhan", "file", "confirm", "clause-chart-title", "agencies", "main"}


def _keep(tag, attribute, value):
    if attribute == "id" and (tag not in {"h1", "h2", "h3", "h4", "h5", "h6"} or value in RESERVED):
        return None
    return value


def clean(html):
    if not html:
        return html
    return nh3.clean(html, tags=TAGS, attributes=ATTRIBUTES, attribute_filter=_keep,
                     filter_style_properties={"text-align"}, url_schemes={"http", "https", "mailto"},
                     link_rel="noopener noreferrer")


def upgrade():
    bind = op.get_bind()
    meta = sa.MetaData()
    module = sa.Table("module", meta, sa.Column("id", sa.Integer), sa.Column("html", sa.Text))
    version = sa.Table("course_version", meta, sa.Column("id", sa.Integer), sa.Column("intro_html", sa.Text))
    question = sa.Table("question", meta, sa.Column("id", sa.Integer), sa.Column("stem_html", sa.Text),
                        sa.Column("explanation_html", sa.Text), sa.Column("options", sa.JSON))
    for table, column in ((module, "html"), (version, "intro_html")):
        for row_id, html in bind.execute(sa.select(table.c.id, table.c[column])).all():
            if clean(html) != html:
                bind.execute(table.update().where(table.c.id == row_id).values({column: clean(html)}))
    for q in bind.execute(sa.select(question)).all():
        options = q.options if isinstance(q.options, list) else json.loads(q.options or "[]")
        cleaned = [{**o, "html": clean(o.get("html", "")), "feedback_html": clean(o.get("feedback_html", ""))}
                   for o in options]
        values = {"stem_html": clean(q.stem_html), "explanation_html": clean(q.explanation_html)}
        if cleaned != options:
            values["options"] = cleaned
        if values["stem_html"] != q.stem_html or values["explanation_html"] != q.explanation_html or "options" in values:
            bind.execute(question.update().where(question.c.id == q.id).values(values))


def downgrade():
    pass  # what was removed was never meant to be served
