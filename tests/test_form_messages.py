"""Every form speaks Vietnamese: WTForms' own messages are translated, for empty and for bad input."""
import importlib
import pkgutil

import pytest
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from wtforms import BooleanField, FileField, SubmitField

import app as app_package
from app.core.forms import Form
from tests.factories import make_person


def app_forms() -> list[type]:
    """Every form class the application defines (each module imported first)."""
    for module in pkgutil.walk_packages(app_package.__path__, "app."):
        if not module.name.startswith("app.demo_scale"):
            importlib.import_module(module.name)
    found, queue = [], list(FlaskForm.__subclasses__())
    while queue:
        cls = queue.pop()
        queue.extend(cls.__subclasses__())
        if cls.__module__.startswith("app.") and cls is not Form:
            found.append(cls)
    return sorted(found, key=lambda c: f"{c.__module__}.{c.__name__}")


FORMS = app_forms()
#: input that breaks each kind of field: too long for text, not a number, not a choice, not a date
JUNK = "x" * 5000


def errors_of(form_class, data: dict) -> list[str]:
    form = form_class(formdata=MultiDict(data), meta={"csrf": False})
    for field in form:
        if getattr(field, "choices", False) is None:
            field.choices = [("1", "một")]
    form.validate()
    return [message for messages in form.errors.values() for message in messages]


def test_every_form_of_the_app_derives_from_the_translated_base():
    assert len(FORMS) >= 24
    assert [f.__name__ for f in FORMS if not issubclass(f, Form)] == []


@pytest.mark.parametrize("form_class", FORMS, ids=lambda c: c.__name__)
def test_no_english_message_for_empty_or_bad_input(app, form_class):
    with app.test_request_context("/"):
        form = form_class(meta={"csrf": False})
        fields = [f.name for f in form if not isinstance(f, (SubmitField, BooleanField, FileField))]
        messages = errors_of(form_class, {}) + errors_of(form_class, {name: JUNK for name in fields})
        # English is plain ASCII; every Vietnamese message has a letter outside it
        assert [m for m in messages if str(m).isascii()] == []


def test_the_empty_sign_in_form_says_it_in_vietnamese(client):
    page = client.post("/login", data={"username": "", "password": ""}).text
    assert "Mục này là bắt buộc." in page and "This field is required." not in page


def test_the_inspection_share_out_of_range_is_explained_in_vietnamese(client, login, db):
    make_person("sokhcn", access_role="dost")
    db.session.commit()
    login("sokhcn")
    page = client.post("/reports/inspections/2025", data={"share_pct": "150", "seed": ""}).text
    assert "Số phải từ 1 đến 100." in page and "Number must be" not in page


def test_english_visitors_get_wtforms_english(client, login, db):
    """Needs the English catalogue with the messages of app/core/forms.py."""
    make_person("sokhcn", access_role="dost")
    db.session.commit()
    login("sokhcn")
    client.set_cookie("lang", "en")
    page = client.post("/reports/inspections/2025", data={"share_pct": "150", "seed": "-1"}).text
    assert "Number must be between 1 and 100." in page and "Number must be between 0 and 2147483647." in page
    assert "Số phải từ" not in page
