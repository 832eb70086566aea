"""One-time links: invite and reset, end to end with the test client, and the `users invite` command."""
import hashlib
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.accounts import invites
from app.accounts.invites import InviteError, accept_invite, create_invite
from app.accounts.models import Invite, Person
from app.audit.models import AuditEvent
from app.core.dates import utcnow
from app.people import services
from tests.factories import make_agency, make_person

BASE = "http://127.0.0.1:5000"


@pytest.fixture
def office(db):
    a = make_agency("A", name="UBND xã A")
    admin = make_person("admin", access_role="admin")
    make_person("manager", agency=a, access_role="agency_manager")
    newcomer = make_person(agency=a, full_name="Đỗ Thị Mới")
    db.session.commit()
    return {"admin": admin, "newcomer": newcomer, "agency": a}


def path_of(url: str) -> str:
    assert url.startswith(BASE + "/invite/")
    return url[len(BASE):]


def link_from(page: str) -> str:
    return path_of(re.search(r'id="invite-url"[^>]*value="([^"]+)"', page).group(1))


def accept(client, path, password="mat-khau-moi-1", username="do.moi"):
    return client.post(path, data={"username": username, "password": password, "confirm": password})


def test_only_the_hash_of_the_token_is_stored(db, office):
    token = create_invite(office["newcomer"], "invite", office["admin"])
    stored = db.session.scalar(select(Invite))
    assert stored.token_hash == hashlib.sha256(token.encode()).hexdigest() != token
    assert stored.expires_at.date() in {(utcnow() + timedelta(days=7)).date(), (utcnow() + timedelta(days=6)).date()}


def test_invite_end_to_end_create_accept_sign_in(client, login, db, office):
    login("admin")
    page = client.post(f"/people/{office['newcomer'].id}/invite")
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    path = link_from(page.text)
    with client.session_transaction() as session:  # shown once: neither flashed nor kept in the session
        assert path.rsplit("/", 1)[1] not in repr(dict(session))
    client.post("/logout")

    form = client.get(path)
    assert form.status_code == 200
    assert f'value="{office["newcomer"].staff_code.lower()}"' in form.text  # prefilled username
    assert form.headers["Referrer-Policy"] == "no-referrer"
    done = accept(client, path)
    assert done.status_code == 302 and done.headers["Location"].endswith("/login")
    assert login("do.moi", "mat-khau-moi-1").status_code == 302
    actions = list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))
    assert actions == ["invite.create", "account.activate"]
    activate = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "account.activate")).one()
    assert activate.actor_id == office["newcomer"].id and activate.details == {"purpose": "invite", "username": [None, "do.moi"]}


def test_a_used_link_cannot_be_used_again(client, db, office):
    path = "/invite/" + create_invite(office["newcomer"], "invite", office["admin"])
    db.session.commit()
    assert accept(client, path).status_code == 302
    assert client.get(path).status_code == 410
    again = accept(client, path, password="mat-khau-khac-2", username="khac")
    assert again.status_code == 410 and "đã được dùng" in again.text
    db.session.expire_all()
    person = db.session.get(Person, office["newcomer"].id)
    assert person.username == "do.moi" and person.check_password("mat-khau-moi-1")


def test_an_expired_link_is_refused_and_changes_nothing(client, db, office):
    path = "/invite/" + create_invite(office["newcomer"], "invite", office["admin"])
    db.session.scalar(select(Invite)).expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    assert client.get(path).status_code == 410
    assert accept(client, path).status_code == 410
    db.session.expire_all()
    assert db.session.get(Person, office["newcomer"].id).password_hash is None


def test_an_unknown_link_is_404(client, office):
    response = client.get("/invite/not-a-real-token")
    assert response.status_code == 404 and "Không tìm thấy liên kết" in response.text


def test_a_newer_invite_invalidates_the_older_one(client, db, office):
    older = "/invite/" + create_invite(office["newcomer"], "invite", office["admin"])
    newer = "/invite/" + create_invite(office["newcomer"], "invite", office["admin"])
    db.session.commit()
    assert client.get(older).status_code == 410
    assert client.get(newer).status_code == 200


def test_a_double_submit_sets_the_password_once(client, db, office):
    path = "/invite/" + create_invite(office["newcomer"], "invite", office["admin"])
    db.session.commit()
    first, second = accept(client, path, "mat-khau-lan-1"), accept(client, path, "mat-khau-lan-2")
    assert (first.status_code, second.status_code) == (302, 410)
    db.session.expire_all()
    assert db.session.get(Person, office["newcomer"].id).check_password("mat-khau-lan-1")


def test_the_conditional_update_refuses_a_link_claimed_between_check_and_write(db, office, monkeypatch):
    """Two requests both passed the 'is it still unused?' check; only the first UPDATE claims the row."""
    token = create_invite(office["newcomer"], "invite", office["admin"])
    accept_invite(token, "do.moi", "mat-khau-lan-1")
    db.session.commit()
    invite = db.session.scalar(select(Invite))
    monkeypatch.setattr(invites, "find_invite", lambda _token: (invite, "ok"))
    with pytest.raises(InviteError):
        accept_invite(token, "do.moi", "mat-khau-lan-2")
    db.session.rollback()
    assert db.session.get(Person, office["newcomer"].id).check_password("mat-khau-lan-1")


def test_short_or_mismatched_passwords_are_refused_on_the_page(client, db, office):
    path = "/invite/" + create_invite(office["newcomer"], "invite", office["admin"])
    db.session.commit()
    short = accept(client, path, password="ngan")
    assert short.status_code == 200 and "ít nhất 8 ký tự" in short.text
    mismatch = client.post(path, data={"username": "do.moi", "password": "mat-khau-1", "confirm": "mat-khau-2"})
    assert "không giống nhau" in mismatch.text
    assert client.get(path).status_code == 200  # still usable


def test_a_taken_username_is_refused_and_the_link_stays_usable(client, db, office):
    path = "/invite/" + create_invite(office["newcomer"], "invite", office["admin"])
    db.session.commit()
    response = accept(client, path, username="ADMIN")
    assert response.status_code == 200 and "đã có người dùng" in response.text
    assert client.get(path).status_code == 200


def test_reset_changes_nothing_until_the_link_is_used(client, login, db, office):
    login("admin")
    target = make_person("lan", agency=office["agency"])
    db.session.commit()
    page = client.post(f"/people/{target.id}/reset")
    path = link_from(page.text)
    client.post("/logout")
    assert login("lan").status_code == 302  # the old password still works
    client.post("/logout")
    assert client.get(path).text.count('value="lan"') == 1  # username kept
    accept(client, path, password="mat-khau-moi-9", username="lan")
    assert login("lan").status_code == 200  # old password refused now
    assert login("lan", "mat-khau-moi-9").status_code == 302
    actions = list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))
    assert actions == ["password.reset", "account.activate"]


def test_invite_refused_for_someone_who_has_an_account_and_reset_for_someone_who_has_not(db, office):
    with pytest.raises(InviteError, match="đã có tài khoản"):
        create_invite(office["admin"], "invite", office["admin"])
    with pytest.raises(InviteError, match="chưa có tài khoản"):
        create_invite(office["newcomer"], "reset", office["admin"])


def test_deactivation_kills_an_unused_link(client, db, office):
    from datetime import date

    path = "/invite/" + create_invite(office["newcomer"], "invite", office["admin"])
    services.deactivate(office["newcomer"], date(2026, 1, 31), actor=office["admin"])
    db.session.commit()
    assert client.get(path).status_code == 410


def test_cli_users_invite_prints_a_working_link(runner, client, db, office):
    code = office["newcomer"].staff_code
    result = runner.invoke(args=["users", "invite", code.lower()])
    assert result.exit_code == 0, result.output
    url = result.stdout.strip()
    assert client.get(path_of(url)).status_code == 200
    event = db.session.scalars(select(AuditEvent)).one()
    assert (event.action, event.actor_id, event.actor_label) == ("invite.create", None, "CLI")


def test_cli_users_invite_uses_the_public_base_url(app, runner, db, office):
    app.config["PUBLIC_BASE_URL"] = "https://daotao.example.gov.vn/"
    try:
        result = runner.invoke(args=["users", "invite", office["newcomer"].staff_code])
    finally:
        app.config["PUBLIC_BASE_URL"] = BASE
    assert re.fullmatch(r"https://daotao\.example\.gov\.vn/invite/[A-Za-z0-9_-]{43}", result.stdout.strip())


@pytest.mark.parametrize("args,message", [
    (["NOPE"], "no person with staff code 'NOPE'"),
    (["{code}", "--reset"], "chưa có tài khoản"),
])
def test_cli_users_invite_refuses_bad_input(runner, db, office, args, message):
    args = [a.format(code=office["newcomer"].staff_code) for a in args]
    result = runner.invoke(args=["users", "invite", *args])
    assert result.exit_code == 1 and message in result.output
    assert db.session.scalar(select(Invite)) is None


def test_the_link_page_warns_when_the_public_address_is_not_the_one_in_use(app, client, login, office, monkeypatch):
    login("admin")  # the test client's address is http://localhost
    page = client.post(f"/people/{office['newcomer'].id}/invite")
    assert "Chú ý: liên kết bắt đầu bằng http://127.0.0.1:5000" in page.text and "(http://localhost)" in page.text
    monkeypatch.setitem(app.config, "PUBLIC_BASE_URL", "http://localhost")
    again = client.post(f"/people/{office['newcomer'].id}/invite")
    assert "Chú ý" not in again.text
    assert 'value="http://localhost/invite/' in again.text
