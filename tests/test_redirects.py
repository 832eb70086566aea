"""`next=` sends the browser only to a path on this site, read as a browser reads it."""
from urllib.parse import quote

import pytest

from app.core.urls import safe_next
from tests.factories import make_person

HOSTILE = [
    "/\t/evil.example", "/\r\n/evil.example", "/\n/evil.example", "\t//evil.example", " //evil.example",
    "//evil.example", "/\\evil.example", "\\\\evil.example", "\\/evil.example", "https://evil.example/",
    "javascript:alert(1)", "evil.example", "/\x00/evil.example", "\x01//evil.example",
]


@pytest.mark.parametrize("target", HOSTILE)
def test_a_hostile_next_falls_back_to_the_home_page(target):
    assert safe_next(target, "/") == "/"


@pytest.mark.parametrize("target", ["/courses/ISO-01/", "/reports/coverage?year=2025&type=UBND_XA", "/me#giay"])
def test_a_path_on_this_site_is_kept(target):
    assert safe_next(target, "/") == target


@pytest.mark.parametrize("target", HOSTILE)
def test_choosing_a_language_never_leaves_the_site(client, target):
    response = client.get(f"/lang/en?next={quote(target, safe='')}")
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location.startswith("/") and not location.startswith("//") and "\\" not in location


@pytest.mark.parametrize("target", HOSTILE)
def test_signing_in_never_leaves_the_site(client, db, target):
    make_person("lan")
    db.session.commit()
    response = client.post(f"/login?next={quote(target, safe='')}",
                           data={"username": "lan", "password": "mat-khau-123"})
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location.startswith("/") and not location.startswith("//") and "\\" not in location


def test_an_encoded_newline_gives_the_home_page_not_an_error(client):
    response = client.get("/lang/en?next=/%0d%0a/evil.example")
    assert response.status_code == 302 and response.headers["Location"] == "/"
