"""Forms of the people pages, and a date field that reads dd/mm/yyyy as well as YYYY-MM-DD."""
from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from wtforms import SelectField, SelectMultipleField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional, Regexp
from wtforms.widgets import CheckboxInput, ListWidget

from app.accounts.models import ACCESS_ROLES, ASSIGNMENT_ROLES
from app.core.dates import parse_date
from app.core.forms import Form
from app.core.labels import ROLE_LABELS

DATE_FORMATS = ("%d/%m/%Y", "%Y-%m-%d")
REQUIRED = DataRequired(message=_l("Mục này là bắt buộc."))
DATE_REQUIRED = InputRequired(message=_l("Cần nhập ngày."))
TOO_LONG = _l("Quá dài.")
EMAIL = Regexp(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", message=_l("Địa chỉ thư điện tử không hợp lệ."))


def options(pairs) -> list[SelectChoice]:
    """(value, label) pairs as select options."""
    return [SelectChoice(value, label) for value, label in pairs]


class DateText(StringField):
    """A text box for a date: shown as dd/mm/yyyy, read in either format."""

    def process_formdata(self, valuelist):
        self.raw_data = valuelist
        text = (valuelist[0] if valuelist else "").strip()
        self.data = parse_date(text) if text else None
        if text and self.data is None:
            raise ValueError(str(_l("Ngày không hợp lệ: dùng dạng ngày/tháng/năm, ví dụ 01/07/2026.")))

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        return self.data.strftime("%d/%m/%Y") if isinstance(self.data, date) else ""


class RoleChoices(SelectMultipleField):
    """The QMS roles held at an agency, as checkboxes."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def __init__(self, label=None, **kwargs):
        super().__init__(label, choices=options((r, ROLE_LABELS[r]) for r in ASSIGNMENT_ROLES), **kwargs)


def _int_or_none(value):
    return int(value) if value not in (None, "", "None") else None


class PersonForm(Form):
    staff_code = StringField(_l("Mã công chức"), validators=[REQUIRED, Length(max=40, message=TOO_LONG)])
    full_name = StringField(_l("Họ và tên"), validators=[REQUIRED, Length(max=200, message=TOO_LONG)])
    email = StringField(_l("Thư điện tử (không bắt buộc)"), validators=[Optional(), Length(max=254, message=TOO_LONG), EMAIL])
    agency = SelectField(_l("Cơ quan"), coerce=_int_or_none, validate_choice=False, validators=[REQUIRED])
    roles = RoleChoices(_l("Vai trò tại cơ quan"))
    start_date = DateText(_l("Ngày bắt đầu công tác"), validators=[DATE_REQUIRED])
    submit = SubmitField(_l("Thêm công chức"))


class DetailsForm(Form):
    full_name = StringField(_l("Họ và tên"), validators=[REQUIRED, Length(max=200, message=TOO_LONG)])
    email = StringField(_l("Thư điện tử (không bắt buộc)"), validators=[Optional(), Length(max=254, message=TOO_LONG), EMAIL])
    submit = SubmitField(_l("Lưu"))


class TransferForm(Form):
    assignment = SelectField(_l("Chuyển từ"), coerce=_int_or_none, validate_choice=False)
    agency = SelectField(_l("Đến cơ quan"), coerce=_int_or_none, validate_choice=False, validators=[REQUIRED])
    effective_date = DateText(_l("Ngày bắt đầu tại cơ quan mới"), validators=[DATE_REQUIRED])
    roles = RoleChoices(_l("Vai trò tại cơ quan mới"))
    submit = SubmitField(_l("Chuyển công tác"))


class RolesForm(Form):
    assignment = SelectField(_l("Phân công"), coerce=_int_or_none, validate_choice=False)
    roles = RoleChoices(_l("Vai trò từ ngày hiệu lực"))
    effective_date = DateText(_l("Ngày hiệu lực"), validators=[DATE_REQUIRED])
    submit = SubmitField(_l("Đổi vai trò"))


class DeactivateForm(Form):
    end_date = DateText(_l("Ngày làm việc cuối cùng"), validators=[DATE_REQUIRED])
    submit = SubmitField(_l("Kết thúc công tác và khóa tài khoản"))


class AccessRoleForm(Form):
    access_role = SelectField(_l("Quyền truy cập"), choices=options((r, ROLE_LABELS[r]) for r in ACCESS_ROLES))
    submit = SubmitField(_l("Lưu quyền truy cập"))


class PeopleFilterForm(Form):
    """The list's search box and filters (GET, so no CSRF token)."""

    class Meta:
        csrf = False

    q = StringField(_l("Tìm theo tên hoặc mã"), validators=[Optional(), Length(max=100, message=TOO_LONG)])
    agency = SelectField(_l("Cơ quan"), coerce=_int_or_none, validate_choice=False)
    status = SelectField(_l("Trạng thái"), default="", choices=options([
        ("", _l("Tất cả")), ("active", _l("Đang hoạt động")), ("inactive", _l("Đã khóa"))]))
