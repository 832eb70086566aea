"""The menu of each role shows exactly the pages that role may open: every link in it opens (no 403
behind a menu item), and each role sees the items the README's role table gives it."""
from __future__ import annotations

import re

import pytest

from tests.factories import make_agency, make_person

MENU = {
    "learner": {"Khóa học của tôi", "Lớp tập huấn", "Thông báo", "Hồ sơ của tôi"},
    "leader": {"Khóa học của tôi", "Cơ quan", "Báo cáo", "Lớp tập huấn", "Thông báo", "Hồ sơ của tôi"},
    "secretary": {"Khóa học của tôi", "Cơ quan", "Báo cáo", "Lớp tập huấn", "Nhân sự", "Nhập dữ liệu", "Thông báo",
                  "Hồ sơ của tôi"},
    "manager": {"Khóa học của tôi", "Cơ quan", "Báo cáo", "Lớp tập huấn", "Nhân sự", "Nhập dữ liệu", "Thông báo",
                "Hồ sơ của tôi"},
    "dost": {"Khóa học của tôi", "Cơ quan", "Báo cáo", "Lớp tập huấn", "Nhân sự", "Nhập dữ liệu", "Nhật ký",
             "Thông báo", "Hồ sơ của tôi"},
    "admin": {"Khóa học của tôi", "Cơ quan", "Báo cáo", "Lớp tập huấn", "Nhân sự", "Nhập dữ liệu", "Nhật ký",
              "Thư đã gửi", "Thông báo", "Hồ sơ của tôi"},
}


@pytest.fixture
def province(db, courses):
    top = make_agency("P", name="UBND tỉnh", type="UBND_TINH")
    dost = make_agency("DOST", name="Sở KH&CN", type="OVERSIGHT_DOST", parent=top)
    a = make_agency("A", name="UBND xã A")
    make_person("learner", agency=a)
    make_person("leader", agency=a, roles=("leader",))
    make_person("secretary", agency=a, roles=("iso_secretary",))
    make_person("manager", agency=a, access_role="agency_manager")
    make_person("dost", agency=dost, access_role="dost")
    make_person("admin", access_role="admin")
    db.session.commit()


def menu_of(html: str) -> dict[str, str]:
    nav = re.search(r"<nav[^>]*>(.*?)</nav>", html, re.S).group(1)
    links = re.findall(r'<a href="([^"]+)"[^>]*>([^<]+)', nav)
    return {text.strip(): href for href, text in links if not href.startswith("/lang/")}


@pytest.mark.parametrize("role", sorted(MENU))
def test_each_role_sees_its_menu_and_every_item_opens(client, login, province, role):
    assert login(role).status_code == 302
    menu = menu_of(client.get("/").text)
    assert set(menu) == MENU[role]
    for label, href in menu.items():
        assert client.get(href).status_code == 200, (label, href)
