"""“Quên mật khẩu”: a person asks by username or email and the link reaches the email on their record
through a real SMTP server; the answer never says whether the account exists; one mail per person per
interval; the link sets a new password and ends the old sessions."""
from __future__ import annotations

import re
import time

import pytest
from sqlalchemy import func, select

from app.accounts.models import Invite
from app.audit.models import AuditEvent
from tests.factories import make_agency, make_person
from tests.smtp_support import smtp  # noqa: F401 (fixture)

SAME_ANSWER = "Nếu tên đăng nhập hoặc thư điện tử này thuộc một tài khoản có thư điện tử"


@pytest.fixture
def lan(db):
    person = make_person("lan", agency=make_agency("XA-1"), full_name="Nguyễn Thị Lan")
    person.email = "lan@xa-a.example"
    db.session.commit()
    return person


def ask(client, identifier: str, address: str = "10.0.0.1"):
    return client.post("/password/forgot", data={"identifier": identifier}, environ_base={"REMOTE_ADDR": address},
                       follow_redirects=True)


def wait_for_mail(inbox, count: int, seconds: float = 5.0) -> None:
    deadline = time.monotonic() + seconds
    while len(inbox.messages) < count and time.monotonic() < deadline:
        time.sleep(0.05)


def test_the_login_page_links_to_the_forgotten_password_page(client):
    assert 'href="/password/forgot"' in client.get("/login").text


def test_a_reset_link_reaches_the_email_on_record_and_sets_a_new_password(client, db, smtp, lan):
    answer = ask(client, "LAN")
    assert SAME_ANSWER in answer.text
    wait_for_mail(smtp, 1)
    [mail] = smtp.to("lan@xa-a.example")
    assert mail["Subject"] == "Đặt lại mật khẩu trên nền tảng đào tạo HTQLCL"
    text = mail.get_body(preferencelist=("plain",)).get_content()
    assert "Chào Nguyễn Thị Lan," in text and "7 ngày" in text
    link = re.search(r"http://\S+/invite/\S+", text).group(0)
    path = link.split("127.0.0.1:5000", 1)[1]
    set_password = client.post(path, data={"username": "lan", "password": "mat-khau-moi-1", "confirm": "mat-khau-moi-1"},
                               follow_redirects=True)
    assert "Đã đặt mật khẩu" in set_password.text
    assert client.post("/login", data={"username": "lan", "password": "mat-khau-moi-1"}).status_code == 302
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "password.reset"))
    assert event.actor_id == lan.id  # asked for by the person themselves


def test_asking_by_email_works_too(client, smtp, lan):
    ask(client, "Lan@XA-A.example")
    wait_for_mail(smtp, 1)
    assert len(smtp.to("lan@xa-a.example")) == 1


def test_an_unknown_name_gets_the_same_answer_and_no_mail(client, db, smtp, lan):
    real, ghost = ask(client, "lan"), ask(client, "khong-co-ai")
    assert ghost.status_code == real.status_code == 200
    assert SAME_ANSWER in ghost.text and SAME_ANSWER in real.text
    wait_for_mail(smtp, 2, seconds=1.0)
    assert [m["To"] for m in smtp.messages] == ["lan@xa-a.example"]


def test_asking_again_within_the_interval_sends_nothing_more(client, db, smtp, lan):
    for _ in range(3):
        assert SAME_ANSWER in ask(client, "lan").text
    wait_for_mail(smtp, 2, seconds=1.0)
    assert len(smtp.messages) == 1
    assert db.session.scalar(select(func.count(Invite.id))) == 1


def test_an_account_without_email_or_a_locked_one_gets_no_mail(client, db, smtp, lan):
    make_person("binh", agency=make_agency("XA-2"))  # no email on record
    locked = make_person("cuong", agency=make_agency("XA-3"), active=False)
    locked.email = "cuong@xa-c.example"
    db.session.commit()
    assert SAME_ANSWER in ask(client, "binh").text and SAME_ANSWER in ask(client, "cuong").text
    wait_for_mail(smtp, 1, seconds=1.0)
    assert smtp.messages == []


def test_requests_are_limited_per_address(app, client, smtp, lan, monkeypatch):
    monkeypatch.setitem(app.config, "INVITE_RATE_LIMIT", "3 per minute")
    statuses = [ask(client, f"ai-{n}", address="10.8.8.8").status_code for n in range(4)]
    assert statuses == [200, 200, 200, 429]


def test_without_a_mail_server_the_page_says_to_ask_an_administrator(client, db, lan):
    page = client.get("/password/forgot")
    assert "chưa được cấu hình để gửi thư" in page.text and 'name="identifier"' not in page.text
    client.post("/password/forgot", data={"identifier": "lan"})
    assert db.session.scalar(select(func.count(Invite.id))) == 0
