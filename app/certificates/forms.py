"""Revoking a certificate."""
from flask_babel import lazy_gettext as _l
from wtforms import TextAreaField
from wtforms.validators import DataRequired, Length

from app.core.forms import Form


class RevokeForm(Form):
    reason = TextAreaField(_l("Lý do thu hồi"), validators=[
        DataRequired(message=_l("Hãy ghi lý do thu hồi.")), Length(max=1000)])
