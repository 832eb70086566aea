"""What the learner's pages cost in SQL, pinned; and that the per-process content of a version
never outlives the version."""
import shutil
from datetime import date

import pytest

from app.courses.services import sync_courses
from tests.conftest import FIXTURE_COURSES
from tests.factories import make_agency, make_person


@pytest.fixture
def lan(db, courses):
    make_person("lan", agency=make_agency("A"), full_name="Nguyễn Thị Lan")
    db.session.commit()


def statements(client, count_queries, url: str) -> list[str]:
    client.get(url)  # the first request of a process reads the version's content once
    with count_queries() as seen:
        assert client.get(url).status_code == 200
    return seen


def test_a_module_page_takes_two_statements_the_user_and_the_reading(client, login, lan, count_queries):
    login("lan")
    seen = statements(client, count_queries, "/courses/FX-01/01-mo-dau")
    assert len(seen) == 2
    assert "FROM person" in seen[0] and "module_read" in seen[1]


@pytest.mark.parametrize("url", ["/courses/FX-01/", "/"])
def test_the_course_page_and_the_home_take_at_most_four(client, login, lan, count_queries, url):
    login("lan")
    assert len(statements(client, count_queries, url)) <= 4


def test_the_bell_count_comes_with_the_user(client, login, db, lan, count_queries):
    from sqlalchemy import select

    from app.accounts.models import Person
    from app.notifications.models import Notification

    person = db.session.scalar(select(Person).where(Person.username == "lan"))
    db.session.add_all([Notification(person_id=person.id, kind="start", subject=f"Thông báo {i}", period=f"p{i}",
                                     title=f"Thông báo {i}", body_text="…", body_html="<p>…</p>",
                                     planned_for=date(2026, 11, 1)) for i in range(3)])
    db.session.commit()
    login("lan")
    seen = statements(client, count_queries, "/courses/FX-01/01-mo-dau")
    assert len(seen) == 2
    page = client.get("/courses/FX-01/01-mo-dau").text
    assert '<span class="count">3<' in page
    client.get("/notifications/")
    assert '<span class="count">' not in client.get("/courses/FX-01/01-mo-dau").text  # read now


def test_a_new_version_is_served_at_once_though_the_old_one_is_kept(client, login, db, lan, tmp_path):
    login("lan")
    assert "Mở đầu" in client.get("/courses/FX-01/01-mo-dau").text  # version 1, now in memory
    folder = tmp_path / "courses"
    shutil.copytree(FIXTURE_COURSES, folder)
    module = folder / "FX-01" / "01-mo-dau.md"
    module.write_text(module.read_text(encoding="utf-8") + "\nĐoạn mới của phiên bản hai.\n", encoding="utf-8")
    assert sync_courses(folder).updated == ["FX-01"]
    db.session.commit()
    page = client.get("/courses/FX-01/01-mo-dau").text
    assert "Đoạn mới của phiên bản hai." in page
    assert "phiên bản 2" in client.get("/courses/FX-01/").text
