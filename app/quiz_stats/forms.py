"""The filters of the statistics pages (GET forms, no CSRF: they change nothing)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectField

from app.core.forms import Form
from app.people.forms import options

#: the platform's first year of data: the year lists start there
FIRST_YEAR = 2022


def year_choices(current: int, everything: bool) -> list:
    years = [(str(y), str(y)) for y in range(current, FIRST_YEAR - 1, -1)]
    return options(([("", _l("Tất cả các năm"))] if everything else []) + years)


class ItemFilterForm(Form):
    class Meta:
        csrf = False

    course = SelectField(_l("Khóa học"))
    version = SelectField(_l("Phiên bản"), default="")
    year = SelectField(_l("Năm"))


class ClauseFilterForm(Form):
    class Meta:
        csrf = False

    year = SelectField(_l("Năm"))
