"""Course HTML cannot restyle or cover the page: no style attribute at all (a column's alignment
becomes a class, so the page's CSP needs no inline style), ids only on headings and never one of the
page's own."""
import re
from pathlib import Path
from urllib.parse import urljoin

from flask_migrate import downgrade, upgrade
from sqlalchemy import text

from app.core.markdown import RESERVED_IDS, render_inline, render_markdown, sanitise

TEMPLATES = Path(__file__).parent.parent / "app" / "templates"
MIGRATIONS = str(Path(__file__).parent.parent / "migrations")
FAKE_LOGIN = ('<table><tr><td style="position:fixed;inset:0;z-index:9999;background:#fff">Phiên đã hết hạn, '
              '<a href="https://evil.example/login">đăng nhập lại</a></td></tr></table>')


def test_a_cell_cannot_cover_the_page():
    html = render_markdown(FAKE_LOGIN).html
    assert "position" not in html and "z-index" not in html and "inset" not in html and "background" not in html
    assert "đăng nhập lại" in html  # the text stays, harmless


def test_a_column_keeps_its_alignment_as_a_class_not_a_style():
    html = render_markdown("| a | b |\n|:-:|--:|\n| 1 | 2 |\n").html
    assert html.count('class="align-center"') == 2 and html.count('class="align-right"') == 2
    assert "style" not in html
    assert sanitise(html) == html  # cleaning clean HTML changes nothing


def test_a_cell_keeps_no_other_class_and_no_other_style():
    html = sanitise('<table><tr><td class="flash-error" style="text-align:justify;color:red">x</td>'
                    '<th class="align-left" style="text-align:right">y</th></tr></table>')
    assert '<td>x</td>' in html and '<th class="align-left">y</th>' in html


def test_ids_only_on_headings_and_never_the_pages_own():
    rendered = render_markdown('## Phần một\n\n## Mục {#username}\n\n<p id="confirm">x</p><span id="m">y</span>')
    assert '<h2 id="phan-mot">' in rendered.html
    assert 'id="username"' not in rendered.html and 'id="confirm"' not in rendered.html and 'id="m"' not in rendered.html
    assert [anchor for _level, anchor, _text in rendered.toc] == ["phan-mot"]
    assert "style" not in render_inline('<span style="position:fixed">Đúng</span>')


def test_every_id_the_templates_use_is_reserved():
    used = {m for path in TEMPLATES.rglob("*.html")
            for m in re.findall(r'\bid="([a-z][a-z0-9-]*)"', path.read_text(encoding="utf-8"))}
    assert used <= RESERVED_IDS, sorted(used - RESERVED_IDS)


def test_the_migration_cleans_what_was_stored_before(app, db, courses):
    """Down to 0007, store HTML as the old allow-list let it through, up again: it is clean."""
    version_id = courses["FX-01"].id
    db.session.remove()
    downgrade(directory=MIGRATIONS, revision="0007")
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE module SET html = :h WHERE version_id = :v"),
                     {"h": FAKE_LOGIN + '<h2 id="phan-mot">Phần một</h2>', "v": version_id})
    upgrade(directory=MIGRATIONS)
    with db.engine.connect() as conn:
        stored = conn.execute(text("SELECT html FROM module WHERE version_id = :v"), {"v": version_id}).scalars().all()
    assert stored and all("position" not in h and '<h2 id="phan-mot">' in h for h in stored)


def test_a_picture_links_to_its_full_size_view_unless_it_is_in_a_link_already():
    html = render_markdown("![Chu trình PDCA](images/p.svg)\n\n[![Sơ đồ](images/s.svg)](https://tcvn.gov.vn)\n\n"
                           "![](images/trang-tri.svg)", lambda target: f"/courses/X/assets/1/{target}").html
    assert ('<a href="/courses/X/assets/1/images/p.svg" rel="noopener noreferrer"><img alt="Chu trình PDCA"'
            in html)
    assert html.count("<a ") == 2 and '<a href="https://tcvn.gov.vn"' in html  # no link inside a link
    assert '<p><img alt="" loading="lazy" src="/courses/X/assets/1/images/trang-tri.svg"></p>' in html
    assert sanitise(html) == html


def test_the_module_page_links_its_picture_and_says_so_on_a_phone(client, login, db, courses):
    from tests.factories import make_agency, make_person

    make_person("lan", agency=make_agency("A"))
    db.session.commit()
    login("lan")
    page = client.get("/courses/FX-01/01-mo-dau").text
    src = re.search(r'<a href="([^"]+)" rel="noopener noreferrer"><img alt="Chu trình"[^>]* src="([^"]+)"', page)
    assert src and src.group(1) == src.group(2) and src.group(1).startswith("assets/")
    assert client.get(urljoin("/courses/FX-01/01-mo-dau", src.group(1))).mimetype == "image/svg+xml"
    assert "Chạm vào hình để xem ở kích thước đầy đủ." in page


def test_an_unchanged_course_synced_again_gets_today_s_html_in_the_same_version(db, courses):
    """HTML stored by an older renderer (here: a style attribute a cell kept then) is rendered again
    by the next sync, without a new version: attempts and reading stay counted on it."""
    from sqlalchemy import select

    from app.courses.models import Module, Question
    from app.courses.services import current_version, sync_courses
    from tests.conftest import FIXTURE_COURSES

    version = courses["FX-01"]
    module = db.session.scalar(select(Module).where(Module.version_id == version.id, Module.position == 1))
    today_html = module.html
    module.html = '<td style="position:fixed;inset:0">old</td>'
    question = db.session.scalar(select(Question).where(Question.version_id == version.id).limit(1))
    today_stem, question.stem_html = question.stem_html, "<p>old</p>"
    db.session.commit()

    report = sync_courses(FIXTURE_COURSES)
    db.session.commit()
    assert report.rerendered == ["FX-01"] and report.unchanged == ["FX-02"]
    assert current_version("FX-01").id == version.id
    db.session.expire_all()
    assert (db.session.get(Module, module.id).html, db.session.get(Question, question.id).stem_html) == \
        (today_html, today_stem)
    assert sorted(sync_courses(FIXTURE_COURSES).unchanged) == ["FX-01", "FX-02"]
