"""Sessions end: on sign-out (a copied cookie with it), on a password change or reset, on
deactivation, and after SESSION_IDLE_MINUTES unused."""
import time
from datetime import date

from flask.testing import FlaskClient

from tests.factories import make_agency, make_person


def signed_in(app, username: str) -> FlaskClient:
    client = app.test_client()
    assert client.post("/login", data={"username": username, "password": "mat-khau-123"}).status_code == 302
    return client


def copy_of(app, client: FlaskClient) -> FlaskClient:
    """Another browser holding the same session cookie."""
    other = app.test_client()
    other.set_cookie("session", client.get_cookie("session").value)
    return other


def opens_me(client: FlaskClient) -> bool:
    return client.get("/me").status_code == 200


def test_a_cookie_copied_before_sign_out_no_longer_works_after_it(app, db):
    make_person("lan")
    db.session.commit()
    browser = signed_in(app, "lan")
    stolen = copy_of(app, browser)
    assert opens_me(stolen)
    browser.post("/logout")
    assert not opens_me(stolen) and not opens_me(browser)
    assert opens_me(signed_in(app, "lan"))  # signing in again works


def test_a_password_reset_ends_the_sessions_opened_before(app, db):
    from app.accounts.invites import accept_invite, create_invite

    lan = make_person("lan")
    db.session.commit()
    before = signed_in(app, "lan")
    token = create_invite(lan, "reset", None)
    accept_invite(token, "lan", "mat-khau-moi-456")
    db.session.commit()
    assert not opens_me(before)
    client = app.test_client()
    assert client.post("/login", data={"username": "lan", "password": "mat-khau-moi-456"}).status_code == 302


def test_deactivating_a_person_ends_their_session(app, db):
    from app.people.services import deactivate

    lan = make_person("lan", agency=make_agency("A"))
    db.session.commit()
    browser = signed_in(app, "lan")
    deactivate(lan, date(2026, 1, 31), actor=None)
    db.session.commit()
    assert not opens_me(browser)


def test_a_session_unused_for_the_idle_limit_ends(app, db):
    make_person("lan")
    db.session.commit()
    browser = signed_in(app, "lan")
    limit = app.config["SESSION_IDLE_MINUTES"] * 60
    with browser.session_transaction() as session:
        session["seen"] = int(time.time()) - limit + 120  # used two minutes before the limit
    assert opens_me(browser)  # and so refreshed
    with browser.session_transaction() as session:
        assert session["seen"] >= int(time.time()) - 5
        session["seen"] = int(time.time()) - limit - 1
    assert not opens_me(browser)


def test_the_default_idle_limit_is_eight_hours_and_the_cookie_expires_with_it(app):
    assert app.config["SESSION_IDLE_MINUTES"] == 480 and app.config["PERMANENT_SESSION_LIFETIME"] == 480 * 60


def test_the_cookie_is_rewritten_only_when_the_last_use_is_refreshed(app, db):
    """A page view inside the minute leaves the cookie alone (signing it costs a tenth of a page);
    the first view after it writes the new last-used time, and with it a new expiry."""
    make_person("lan")
    db.session.commit()
    browser = signed_in(app, "lan")
    browser.get("/me")  # the CSRF token of the page's forms is in the session from now on
    response = browser.get("/me")
    assert response.status_code == 200 and "Set-Cookie" not in response.headers
    with browser.session_transaction() as session:
        session["seen"] = int(time.time()) - 61
    response = browser.get("/me")
    assert "session=" in response.headers["Set-Cookie"] and "Expires=" in response.headers["Set-Cookie"]
