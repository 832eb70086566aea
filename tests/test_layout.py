"""The frame of every page on a phone and from the keyboard: a skip link first, a menu that folds
without script, a focus ring that can be seen on the page and on the blue header; and the learner's
obligations as links to their courses with the days left."""
import re
from datetime import date, timedelta
from pathlib import Path

import pytest

from app.core.dates import today
from app.core.labels import due_label
from app.courses.models import Course
from tests.factories import make_agency, make_person

CSS = (Path(__file__).parent.parent / "app" / "static" / "css" / "app.css").read_text(encoding="utf-8")


def colour(name: str) -> str:
    value = re.search(rf"--{name}:\s*#([0-9a-fA-F]{{6}}|[0-9a-fA-F]{{3}})\b", CSS).group(1)
    return "#" + (value if len(value) == 6 else "".join(c * 2 for c in value))


def luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    r, g, b = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


@pytest.fixture
def lan(db):
    person = make_person("lan", agency=make_agency("XA-1", valid_from=date(2020, 1, 1)), start=today() - timedelta(days=48))
    db.session.commit()
    return person


@pytest.mark.parametrize("ring, background", [("focus", "bg"), ("focus", "card"), ("focus-on-brand", "brand")])
def test_the_focus_ring_stands_out_3_to_1_on_the_page_and_on_the_header(ring, background):
    assert contrast(colour(ring), colour(background)) >= 3
    assert ":focus-visible { outline: 3px solid var(--focus)" in CSS
    assert ".topbar :focus-visible, .skip:focus-visible { outline-color: var(--focus-on-brand); }" in CSS


def test_the_skip_link_is_the_first_thing_to_focus_and_leads_to_main(client, login, lan):
    login("lan")
    page = client.get("/").text
    first = re.search(r"<(a|button|summary|input|select|textarea)\b[^>]*>", page[page.index("<body"):])
    assert first.group(0) == '<a class="skip" href="#main">'
    assert "Bỏ qua, đến nội dung chính" in page and '<main id="main"' in page


def test_the_links_fold_behind_a_menu_with_the_unread_count_on_it(client, login, lan):
    login("lan")
    page = client.get("/").text
    assert '<details class="menu"><summary>Menu</summary></details>' in page
    assert '<nav class="links folding">' in page
    assert page.index('class="menu"') < page.index('class="links folding"')  # the open state shows what follows


def test_signed_out_there_is_nothing_to_fold(client):
    page = client.get("/login").text
    assert 'class="menu"' not in page and '<nav class="links">' in page


@pytest.mark.parametrize("days, label", [(12, "còn 12 ngày"), (1, "còn 1 ngày"), (0, "hạn hôm nay"),
                                         (-1, "quá hạn 1 ngày"), (-3, "quá hạn 3 ngày")])
def test_a_deadline_says_how_far_it_is(app, days, label):
    day = date(2026, 3, 1)
    with app.test_request_context():
        assert due_label(day + timedelta(days=days), day) == label


def test_the_learners_obligations_link_to_their_course_with_the_days_left(client, login, db, lan):
    db.session.add(Course(code="ISO-01"))
    db.session.commit()
    login("lan")
    page = client.get("/").text
    item = re.search(r'<li class="obligation open">(.*?)</li>', page, re.S).group(1)
    assert '<a href="/courses/ISO-01/"><strong>ISO-01</strong> · Nhập môn cho công chức mới</a>' in item
    assert '<strong class="due">còn 12 ngày</strong>' in item  # 60 days from a start 48 days ago


def test_an_overdue_obligation_says_by_how_many_days(client, login, db):
    make_person("tam", agency=make_agency("XA-2", valid_from=date(2020, 1, 1)), start=today() - timedelta(days=63))
    db.session.add(Course(code="ISO-01"))
    db.session.commit()
    login("tam")
    assert '<strong class="due bad">quá hạn 3 ngày</strong>' in client.get("/").text


def test_english_labels(client, login, db, lan):
    """Pass once instance/translations_helper_d.tsv is merged into the catalogue."""
    db.session.add(Course(code="ISO-01"))
    db.session.commit()
    login("lan")
    client.get("/lang/en?next=/")
    page = client.get("/").text
    assert "Skip to main content" in page and "12 days left" in page
