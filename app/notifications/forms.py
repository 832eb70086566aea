"""The person's choices about mail."""
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, SubmitField

from app.core.forms import Form


class MailPreferencesForm(Form):
    digest_mail = BooleanField(_l("Nhận bản tin định kỳ qua thư điện tử"))
    reminders_weekly = BooleanField(_l("Chỉ nhắc tôi mỗi tuần một lần về khóa học phải hoàn thành"))
    submit = SubmitField(_l("Lưu"))
