"""The base of every form: WTForms' built-in messages in the visitor's language.

WTForms ships no Vietnamese catalogue, so its messages are given Vietnamese msgids of our own here
and go through Flask-Babel like every other string (the English catalogue has WTForms' wording)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm

#: WTForms' and Flask-WTF's message -> ours (placeholders kept: WTForms fills them in afterwards)
MESSAGES = {
    "Submit": _l("Gửi"),  # the label of a submit button that was given none
    "This field is required.": _l("Mục này là bắt buộc."),
    "Not a valid integer value.": _l("Cần nhập một số nguyên."),
    "Not a valid decimal value.": _l("Cần nhập một số."),
    "Not a valid float value.": _l("Cần nhập một số."),
    "Not a valid choice.": _l("Lựa chọn không hợp lệ."),
    "Invalid Choice: could not coerce.": _l("Lựa chọn không hợp lệ."),
    "Invalid choice(s): one or more data inputs could not be coerced.": _l("Có lựa chọn không hợp lệ."),
    "Number must be at least %(min)s.": _l("Số phải từ %(min)s trở lên."),
    "Number must be at most %(max)s.": _l("Số không được lớn hơn %(max)s."),
    "Number must be between %(min)s and %(max)s.": _l("Số phải từ %(min)s đến %(max)s."),
    "Field must be between %(min)d and %(max)d characters long.": _l("Cần từ %(min)d đến %(max)d ký tự."),
    "Field must be equal to %(other_name)s.": _l("Phải giống ô %(other_name)s."),
    "Invalid input.": _l("Giá trị không hợp lệ."),
    "Invalid URL.": _l("Đường dẫn không hợp lệ."),
    "Invalid email address.": _l("Địa chỉ thư điện tử không hợp lệ."),
    "File does not have an approved extension.": _l("Loại tệp này không được nhận."),
    "File does not have an approved extension: {extensions}": _l("Chỉ nhận tệp {extensions}."),
}
#: (singular, plural) -> our msgid: Vietnamese has one form, and so has the English catalogue
#: (worded to read for any number)
PLURAL_MESSAGES = {
    ("Field must be at least %(min)d character long.", "Field must be at least %(min)d characters long."):
        _l("Cần ít nhất %(min)d ký tự."),
    ("Field cannot be longer than %(max)d character.", "Field cannot be longer than %(max)d characters."):
        _l("Không được dài quá %(max)d ký tự."),
    ("Field must be exactly %(max)d character long.", "Field must be exactly %(max)d characters long."):
        _l("Cần đúng %(max)d ký tự."),
    ("'%(value)s' is not a valid choice for this field.", "'%(value)s' are not valid choices for this field."):
        _l("“%(value)s” không phải là lựa chọn hợp lệ."),
}


class Translations:
    """What WTForms asks for its messages: ours through Flask-Babel (str() of a lazy string
    translates it without filling the placeholders), anything unknown as it is."""

    def gettext(self, string: str) -> str:
        ours = MESSAGES.get(string)
        return string if ours is None else str(ours)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        ours = PLURAL_MESSAGES.get((singular, plural))
        if ours is None:
            return singular if n == 1 else plural
        return str(ours)


TRANSLATIONS = Translations()


class Form(FlaskForm):
    """A Flask-WTF form (CSRF included) whose built-in messages are translated."""

    class Meta:
        def get_translations(self, form):
            return TRANSLATIONS
