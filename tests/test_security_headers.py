"""Security headers on every response: a strict Content-Security-Policy with no inline script or
style, no framing, no sniffing, a modest Referer, HSTS once cookies are HTTPS-only, and no cached
copy of a page; a production-config gunicorn sends them and throttles sign-in as specified."""
from __future__ import annotations

import re
from http.cookiejar import CookieJar
from urllib.error import HTTPError
from urllib.parse import urlencode, urljoin
from urllib.request import HTTPCookieProcessor, Request, build_opener

import pytest

from app.core.security import POLICY
from tests.browser_support import browser, server  # noqa: F401  (fixtures)
from tests.factories import make_agency, make_person
from tests.server_support import gunicorn, production_env


@pytest.fixture
def lan(db):
    person = make_person("lan", agency=make_agency("XA-1"))
    db.session.commit()
    return person


def test_the_policy_allows_only_this_site_and_nothing_inline():
    assert POLICY == ("default-src 'self'; frame-ancestors 'none'; object-src 'none'; base-uri 'self'; "
                      "form-action 'self'")
    assert "unsafe" not in POLICY


@pytest.mark.parametrize("path", ["/login", "/healthz", "/verify/AAAA-BBBB", "/khong-co"])
def test_public_pages_errors_included_carry_every_header(client, path):
    headers = client.get(path).headers
    assert headers["Content-Security-Policy"] == POLICY
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert headers["Cache-Control"] == "no-store"
    assert "Strict-Transport-Security" not in headers  # the test app serves plain HTTP cookies


def test_signed_in_pages_are_never_stored_by_a_cache(client, login, lan, courses):
    login("lan")
    for path in ("/", "/me", "/courses/FX-01/", "/notifications/"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert response.headers["Cache-Control"] == "no-store", path


def test_a_course_picture_keeps_its_own_sandbox_and_year_long_cache(client, login, lan, courses):
    login("lan")
    page = client.get("/courses/FX-01/01-mo-dau").text
    src = re.search(r'<img[^>]+src="([^"]+)"', page).group(1)
    picture = client.get(urljoin("/courses/FX-01/01-mo-dau", src))
    assert picture.status_code == 200
    assert picture.headers["Content-Security-Policy"] == "default-src 'none'; style-src 'unsafe-inline'; sandbox"
    assert picture.headers["Cache-Control"] == "private, max-age=31536000, immutable"
    assert picture.headers["X-Content-Type-Options"] == "nosniff"


def test_the_one_time_link_page_keeps_its_stricter_referrer_rule(client):
    assert client.get("/invite/not-a-token").headers["Referrer-Policy"] == "no-referrer"


def test_hsts_is_sent_once_session_cookies_are_https_only(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "SESSION_COOKIE_SECURE", True)
    headers = client.get("/login").headers
    assert headers["Strict-Transport-Security"] == "max-age=31536000"


def _csrf(html: str) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)


def test_a_production_server_sends_the_headers_and_locks_an_account_after_ten_failures(app, lan):
    env = production_env(app.config["SQLALCHEMY_DATABASE_URI"], SESSION_COOKIE_SECURE="1")
    with gunicorn(env) as base:
        opener = build_opener(HTTPCookieProcessor(CookieJar()))
        page = opener.open(f"{base}/login")
        headers = page.headers
        assert headers["Content-Security-Policy"] == POLICY and headers["X-Frame-Options"] == "DENY"
        assert headers["Strict-Transport-Security"] == "max-age=31536000"
        assert headers["Cache-Control"] == "no-store" and headers["X-Content-Type-Options"] == "nosniff"
        # the session cookie is HTTPS-only, so send it back by hand over this plain-HTTP loopback
        cookie = re.search(r"(session=[^;]+)", headers["Set-Cookie"]).group(1)
        token = _csrf(page.read().decode())

        def sign_in(password: str) -> int:
            body = urlencode({"csrf_token": token, "username": "lan", "password": password}).encode()
            request = Request(f"{base}/login", data=body, headers={"Cookie": cookie})
            try:
                return build_opener().open(request).status
            except HTTPError as exc:
                return exc.code

        assert [sign_in("sai-mat-khau") for _ in range(10)] == [200] * 10
        assert sign_in("mat-khau-123") == 429


@pytest.mark.browser
def test_the_browser_tests_catch_a_page_that_breaks_the_policy(browser, server):
    """The check every browser test makes at its end is real: an inline style and an inline script,
    served under the app's own policy, are both reported."""
    found = browser.csp_violations
    page = browser.new_page()
    policy = page.request.get(f"{server}/login").headers["content-security-policy"]
    page.route(f"{server}/broken", lambda route: route.fulfill(
        status=200, headers={"Content-Type": "text/html", "Content-Security-Policy": policy},
        body='<p style="color:red">x</p><script>document.title = "ran"</script>'))
    page.goto(f"{server}/broken")
    page.wait_for_timeout(200)
    assert page.title() != "ran"
    assert any("inline style" in line for line in found) and any("inline script" in line for line in found)
    page.close()
    found.clear()  # seen and expected: not a failure of this test
