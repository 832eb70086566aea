"""The upload form of the import pages (the confirmation is a one-click EmptyForm)."""
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import SelectField, SubmitField

from app.core.forms import Form


class UploadForm(Form):
    kind = SelectField(_l("Loại dữ liệu"), choices=[])
    file = FileField(_l("Tệp CSV (UTF-8) hoặc XLSX"), validators=[
        FileRequired(_l("Hãy chọn một tệp.")),
        FileAllowed(["csv", "xlsx"], _l("Chỉ nhận tệp .csv hoặc .xlsx.")),
    ])
    submit = SubmitField(_l("Tải lên và kiểm tra"))
