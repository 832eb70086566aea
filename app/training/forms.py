"""Forms of the training plan pages."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import BooleanField, IntegerField, SelectField, SelectMultipleField, StringField, SubmitField, TextAreaField
from wtforms.validators import URL, InputRequired, Length, NumberRange, Optional

from app.core.forms import Form
from app.people.forms import DATE_REQUIRED, REQUIRED, TOO_LONG, DateText, _int_or_none

NUMBER_REQUIRED = InputRequired(message=_l("Cần nhập một số."))


class PlanForm(Form):
    year = IntegerField(_l("Năm"), validators=[NUMBER_REQUIRED, NumberRange(2000, 2100, message=_l("Năm không hợp lệ."))])
    title = StringField(_l("Tên kế hoạch"), validators=[REQUIRED, Length(max=255, message=TOO_LONG)])
    owner = SelectField(_l("Cơ quan lập kế hoạch"), coerce=_int_or_none, validate_choice=False)
    submit = SubmitField(_l("Lập kế hoạch"))


class ClassForm(Form):
    course = SelectField(_l("Khóa học"), coerce=_int_or_none, validate_choice=False, validators=[REQUIRED])
    title = StringField(_l("Tên lớp"), validators=[REQUIRED, Length(max=255, message=TOO_LONG)])
    start_date = DateText(_l("Ngày bắt đầu"), validators=[DATE_REQUIRED])
    end_date = DateText(_l("Ngày kết thúc"), validators=[DATE_REQUIRED])
    hours = StringField(_l("Giờ học"), validators=[Optional(), Length(max=60, message=TOO_LONG)])
    place = StringField(_l("Địa điểm"), validators=[Optional(), Length(max=255, message=TOO_LONG)])
    online_url = StringField(_l("Đường dẫn học trực tuyến (nếu có)"),
                             validators=[Optional(), Length(max=500, message=TOO_LONG),
                                         URL(require_tld=False, message=_l("Đường dẫn không hợp lệ."))])
    trainer = StringField(_l("Giảng viên"), validators=[Optional(), Length(max=200, message=TOO_LONG)])
    capacity = IntegerField(_l("Số chỗ"), validators=[NUMBER_REQUIRED, NumberRange(1, 100000, message=_l("Số chỗ phải lớn hơn 0."))])
    cutoff_date = DateText(_l("Hạn chốt danh sách"), validators=[DATE_REQUIRED])
    has_test = BooleanField(_l("Lớp có bài kiểm tra (ghi điểm khi điểm danh)"))
    agency_types = SelectMultipleField(_l("Mời theo loại cơ quan"), validate_choice=False)
    parents = SelectMultipleField(_l("Mời cơ quan và các đơn vị trực thuộc"), coerce=int, validate_choice=False)
    agencies = SelectMultipleField(_l("Mời từng cơ quan"), coerce=int, validate_choice=False)
    notes = TextAreaField(_l("Ghi chú"), validators=[Optional(), Length(max=4000, message=TOO_LONG)])
    submit = SubmitField(_l("Lưu lớp"))


class AddPersonForm(Form):
    person = SelectField(_l("Người"), coerce=_int_or_none, validate_choice=False, validators=[REQUIRED])
    submit = SubmitField(_l("Thêm vào lớp"))


class ReopenForm(Form):
    reason = StringField(_l("Lý do mở lại"), validators=[REQUIRED, Length(max=500, message=TOO_LONG)])
    submit = SubmitField(_l("Mở lại lớp"))


class AttendanceUploadForm(Form):
    file = FileField(_l("Bảng điểm danh (CSV UTF-8 hoặc XLSX)"), validators=[
        FileRequired(_l("Hãy chọn một tệp.")), FileAllowed(["csv", "xlsx"], _l("Chỉ nhận tệp .csv hoặc .xlsx."))])
    submit = SubmitField(_l("Tải lên điểm danh"))
