"""Forms for signing in, setting a password from a link, and one-click actions."""
from flask_babel import lazy_gettext as _l
from wtforms import PasswordField, StringField, SubmitField
from wtforms.validators import DataRequired, EqualTo, Length, Regexp

from app.core.forms import Form


class LoginForm(Form):
    username = StringField(_l("Tên đăng nhập"), validators=[DataRequired(), Length(max=80)])
    password = PasswordField(_l("Mật khẩu"), validators=[DataRequired(), Length(max=200)])
    submit = SubmitField(_l("Đăng nhập"))


class EmptyForm(Form):
    """A POST with nothing but the CSRF token (buttons such as 'Đánh dấu đã đọc')."""

    submit = SubmitField()


class InviteForm(Form):
    """Choose a username and a password on the page a one-time link opens."""

    username = StringField(_l("Tên đăng nhập"), validators=[
        DataRequired(message=_l("Mục này là bắt buộc.")),
        Length(min=3, max=80, message=_l("Tên đăng nhập dài từ 3 đến 80 ký tự.")),
        Regexp(r"^[A-Za-z0-9._-]+$", message=_l("Chỉ dùng chữ không dấu, chữ số, dấu chấm, gạch ngang hoặc gạch dưới.")),
    ])
    password = PasswordField(_l("Mật khẩu mới"), validators=[
        DataRequired(message=_l("Mục này là bắt buộc.")),
        Length(min=8, max=200, message=_l("Mật khẩu cần ít nhất 8 ký tự.")),
    ])
    confirm = PasswordField(_l("Nhập lại mật khẩu"), validators=[
        DataRequired(message=_l("Mục này là bắt buộc.")),
        EqualTo("password", message=_l("Hai lần nhập mật khẩu không giống nhau.")),
    ])
    submit = SubmitField(_l("Đặt mật khẩu"))


class ForgotPasswordForm(Form):
    """Ask for a link to set a new password (“quên mật khẩu”)."""

    identifier = StringField(_l("Tên đăng nhập hoặc thư điện tử"), validators=[DataRequired(), Length(max=254)])
    submit = SubmitField(_l("Gửi liên kết đặt lại mật khẩu"))
