"""Revoking a certificate."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import TextAreaField
from wtforms.validators import DataRequired, Length


class RevokeForm(FlaskForm):
    reason = TextAreaField(_l("Lý do thu hồi"), validators=[
        DataRequired(message=_l("Hãy ghi lý do thu hồi.")), Length(max=1000)])
