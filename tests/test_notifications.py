"""Reminders and digests: who is told what, when, once; mail through a real SMTP server."""
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from app.core.dates import as_utc, utcnow
from app.coverage.obligations import Obligation
from app.notifications.models import Notification
from app.notifications.reminders import reminder_for
from app.notifications.services import run
from tests.factories import make_agency, make_completion, make_iso_courses, make_person
from tests.smtp_support import free_port, smtp  # noqa: F401 (fixture)

MONDAY = date(2026, 12, 7)
START = date(2026, 11, 2)  # + 60 days: due 01/01/2027


def digest_text(inbox, address: str) -> str:
    """The plain text of the one digest mailed to this address."""
    [digest] = [m for m in inbox.to(address) if m["Subject"].startswith("Bản tin")]
    return digest.get_body(("plain",)).get_content()


def obligation(due: date, completed_on: date | None = None) -> Obligation:
    status = "done" if completed_on else ("overdue" if due < MONDAY else "open")
    return Obligation("onboarding", "ISO-01", START, due, completed_on, status)


@pytest.mark.parametrize("day, expected", [
    (date(2026, 11, 2), ("start", "once")),
    (date(2026, 12, 17), ("start", "once")),       # 15 days before
    (date(2026, 12, 18), ("due_soon", "once")),    # 14 days before
    (date(2026, 12, 31), ("due_soon", "once")),
    (date(2027, 1, 1), ("due_today", "once")),
    (date(2027, 1, 2), ("overdue", "week-0")),
    (date(2027, 1, 8), ("overdue", "week-0")),
    (date(2027, 1, 9), ("overdue", "week-1")),
    (date(2027, 3, 5), ("overdue", "week-8")),
])
def test_reminders_start_come_14_days_before_on_the_day_then_weekly(day, expected):
    assert reminder_for(obligation(date(2027, 1, 1)), day) == expected


def test_no_reminder_before_the_obligation_starts_or_once_it_is_met():
    assert reminder_for(obligation(date(2027, 1, 1)), date(2026, 11, 1)) is None
    assert reminder_for(obligation(date(2027, 1, 1), completed_on=date(2026, 12, 1)), date(2027, 1, 9)) is None


@pytest.fixture
def commune(db):
    """A commune with a newcomer who has mail, one who has none, and a head who has done everything."""
    courses = make_iso_courses()
    agency = make_agency("AG-XA-A", name="UBND xã A")
    lan = make_person("lan", agency=agency, start=START, full_name="Nguyễn Thị Lan")
    lan.email = "lan@xa-a.example"
    binh = make_person("binh", agency=agency, start=START, full_name="Trần Văn Bình")
    head = make_person("head", agency=agency, roles=("leader",), start=date(2020, 1, 1), full_name="Lê Văn Cường")
    head.email = "cuong@xa-a.example"
    for code, day in (("ISO-01", date(2020, 2, 1)), ("ISO-05", date(2026, 3, 1))):
        make_completion(head, courses[code], day, agency)
    db.session.commit()
    return {"agency": agency, "lan": lan, "binh": binh, "head": head, "courses": courses}


def test_a_newcomer_is_mailed_what_she_owes_and_a_second_run_sends_nothing(db, smtp, commune):
    run(MONDAY)
    [mail] = smtp.to("lan@xa-a.example")
    assert mail["Subject"] == "Bạn cần hoàn thành ISO-01 trước 01/01/2027"
    text = mail.get_body(("plain",)).get_content()
    assert "Chào Nguyễn Thị Lan," in text
    assert "http://127.0.0.1:5000/courses/ISO-01/" in text
    assert "Hạn hoàn thành: 01/01/2027" in text
    html = mail.get_body(("html",)).get_content()
    assert 'href="http://127.0.0.1:5000/courses/ISO-01/"' in html
    assert mail["List-Unsubscribe"].startswith("<http://127.0.0.1:5000/unsubscribe/")
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    received = len(smtp.messages)
    second = run(MONDAY)
    assert second.created == 0 and second.mail.sent == 0
    assert len(smtp.messages) == received


def test_a_person_without_mail_gets_the_notice_in_the_app(db, smtp, commune, client, login):
    run(MONDAY)
    row = db.session.scalar(select(Notification).where(Notification.person_id == commune["binh"].id))
    assert (row.kind, row.mail_status, row.email) == ("start", "none", None)
    login("binh")
    home = client.get("/").get_data(as_text=True)
    assert '<span class="count">1<span class="sr-only"> chưa đọc</span></span>' in home
    page = client.get("/notifications/").get_data(as_text=True)
    assert "Bạn cần hoàn thành ISO-01 trước 01/01/2027" in page and 'href="/courses/ISO-01/"' in page
    assert "Bạn chưa có địa chỉ thư điện tử" in page
    assert '<span class="count">' not in client.get("/").get_data(as_text=True)  # seen: no longer counted


def test_reminders_stop_once_the_course_is_completed(db, smtp, commune):
    run(MONDAY)
    make_completion(commune["lan"], commune["courses"]["ISO-01"], date(2026, 12, 20), commune["agency"])
    db.session.commit()
    run(date(2027, 1, 1))
    assert [m["Subject"] for m in smtp.to("lan@xa-a.example")] == ["Bạn cần hoàn thành ISO-01 trước 01/01/2027"]
    assert [m["Subject"] for m in smtp.to("binh@xa-a.example")] == []
    kinds = db.session.scalars(select(Notification.kind).where(Notification.person_id == commune["binh"].id)
                               .order_by(Notification.id)).all()
    assert kinds == ["start", "due_today"]


def test_weekly_reminders_skip_a_week_that_already_had_one(db, smtp, commune):
    commune["lan"].reminders_weekly = True
    db.session.commit()
    run(date(2026, 12, 15))          # start
    run(date(2026, 12, 18))          # due soon, but 3 days after the last: waits
    run(date(2026, 12, 22))          # 7 days later: due soon goes
    subjects = [m["Subject"] for m in smtp.to("lan@xa-a.example")]
    assert subjects == ["Bạn cần hoàn thành ISO-01 trước 01/01/2027",
                        "Còn 10 ngày để hoàn thành ISO-01 (hạn 01/01/2027)"]


def test_the_agency_head_gets_a_weekly_digest_of_who_owes_what(db, smtp, commune):
    run(MONDAY)
    [digest] = smtp.to("cuong@xa-a.example")
    assert digest["Subject"] == "Bản tin đào tạo HTQLCL tuần này: UBND xã A"
    text = digest.get_body(("plain",)).get_content()
    assert "- Nguyễn Thị Lan (UBND xã A): ISO-01, hạn 01/01/2027" in text
    assert "- Trần Văn Bình (UBND xã A): ISO-01, hạn 01/01/2027" in text
    assert "CẢNH BÁO: UBND xã A chưa có Thư ký ISO đã được đào tạo." in text
    # this year the head's ISO-05 is the one obligation due (met); last year he owed ISO-05 and did none
    assert "Tỷ lệ hoàn thành nghĩa vụ đào tạo năm 2026: 100.0 % (năm trước: 0.0 %)" in text
    run(MONDAY + timedelta(days=3))  # same ISO week: no second digest
    assert len(smtp.to("cuong@xa-a.example")) == 1
    run(MONDAY + timedelta(days=7))
    assert len(smtp.to("cuong@xa-a.example")) == 2


def test_no_digest_for_an_agency_with_nothing_open(db, smtp):
    courses = make_iso_courses()
    agency = make_agency("AG-XA-B", name="UBND xã B")
    head = make_person("head", agency=agency, roles=("leader", "iso_secretary"), start=date(2020, 1, 1))
    head.email = "head@xa-b.example"
    for code, day in (("ISO-01", date(2020, 2, 1)), ("ISO-02", date(2020, 1, 15)), ("ISO-05", date(2026, 3, 1))):
        make_completion(head, courses[code], day, agency)
    db.session.commit()
    report = run(MONDAY)
    assert report.created == 0 and smtp.messages == []


def test_the_digest_follows_the_agency_a_person_works_at_today(db, smtp, commune):
    other = make_agency("AG-XA-C", name="UBND xã C")
    head_c = make_person("headc", agency=other, roles=("leader",), start=date(2020, 1, 1))
    head_c.email = "head@xa-c.example"
    lan = commune["lan"]
    lan.assignments[0].end_date = MONDAY - timedelta(days=1)
    from tests.factories import make_assignment
    make_assignment(lan, other, start=MONDAY)
    db.session.commit()
    run(MONDAY)
    text_a = digest_text(smtp, "cuong@xa-a.example")
    text_c = digest_text(smtp, "head@xa-c.example")
    assert "Nguyễn Thị Lan" not in text_a
    assert "- Nguyễn Thị Lan (UBND xã C): ISO-01, hạn 01/01/2027" in text_c


def test_an_agency_merged_yesterday_gets_no_digest(db, smtp, commune):
    agency = commune["agency"]
    agency.valid_to = MONDAY - timedelta(days=1)
    db.session.commit()
    run(MONDAY)
    assert smtp.to("cuong@xa-a.example") == []
    assert smtp.to("lan@xa-a.example") == []  # nobody works at an agency that is gone


def test_dost_gets_a_monthly_province_digest_with_the_table_attached(db, smtp, commune):
    import io

    from openpyxl import load_workbook

    dost = make_person("sokhcn", access_role="dost", full_name="Phạm Thị Hoa")
    dost.email = "hoa@sokhcn.example"
    db.session.commit()
    run(MONDAY)
    [digest] = smtp.to("hoa@sokhcn.example")
    assert digest["Subject"] == "Bản tin đào tạo HTQLCL của tỉnh, tháng 12/2026"
    text = digest.get_body(("plain",)).get_content()
    assert "Cơ quan chưa có Thư ký ISO đã được đào tạo (1): UBND xã A" in text
    [attachment] = list(digest.iter_attachments())
    assert attachment.get_filename() == "do-phu-dao-tao-2026-12-07.xlsx"
    sheet = load_workbook(io.BytesIO(attachment.get_content())).active
    assert "UBND xã A" in [cell.value for row in sheet.iter_rows() for cell in row]
    run(date(2026, 12, 28))
    assert len(smtp.to("hoa@sokhcn.example")) == 1
    run(date(2027, 1, 4))
    assert len(smtp.to("hoa@sokhcn.example")) == 2


def test_mail_is_in_the_persons_language(db, smtp, commune):
    commune["lan"].language = "en"
    db.session.commit()
    run(MONDAY)
    [mail] = smtp.to("lan@xa-a.example")
    assert mail["Subject"] == "You need to complete ISO-01 by 01/01/2027"
    assert "Dear Nguyễn Thị Lan," in mail.get_body(("plain",)).get_content()


def test_when_the_mail_server_is_down_the_run_fails_and_keeps_everything(app, db, runner, commune, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", free_port())  # nothing listens there
    result = runner.invoke(args=["notify", "run", "--today", MONDAY.isoformat()])
    assert result.exit_code == 1
    assert "error: cannot reach the mail server 127.0.0.1" in result.output
    rows = db.session.scalars(select(Notification).order_by(Notification.id)).all()
    assert len(rows) == 3  # Lan, Bình (in-app) and the head's digest; the head owes nothing himself
    mailed = [r for r in rows if r.email]
    assert {r.mail_status for r in mailed} == {"pending"} and {r.attempts for r in mailed} == {1}
    assert all(as_utc(r.next_attempt_at) > utcnow() for r in mailed)


def test_mail_that_failed_is_sent_by_a_later_run_after_the_backoff(app, db, smtp, commune, monkeypatch):
    port = smtp.port
    monkeypatch.setitem(app.config, "MAIL_PORT", free_port())
    assert run(MONDAY).mail_error
    monkeypatch.setitem(app.config, "MAIL_PORT", port)
    assert run(MONDAY).mail.sent == 0  # too early: the retry waits 30 minutes
    later = run(MONDAY, now=utcnow() + timedelta(minutes=31))
    assert later.mail.sent == 2
    assert len(smtp.to("lan@xa-a.example")) == 1


def test_a_refused_recipient_is_retried_then_given_up_and_reported_to_the_admin(app, db, smtp, commune, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_MAX_ATTEMPTS", 2)
    admin = make_person("quantri", access_role="admin")
    admin.email = "admin@so.example"
    db.session.commit()
    smtp.refuse.add("lan@xa-a.example")
    first = run(MONDAY)
    assert first.mail.failed == 1 and first.mail.sent == 1
    second = run(MONDAY, now=utcnow() + timedelta(hours=1))
    assert second.mail.given_up == 1
    row = db.session.scalar(select(Notification).where(Notification.email == "lan@xa-a.example"))
    assert (row.mail_status, row.attempts) == ("failed", 2) and "550" in row.last_error
    run(MONDAY + timedelta(days=1))
    # one summary a day while mail fails: the day it was being retried, and the day after it was given up
    first_summary, summary = smtp.to("admin@so.example")
    assert "Đang chờ gửi lại: 1" in first_summary.get_body(("plain",)).get_content()
    assert summary["Subject"] == "1 thư chưa gửi được"
    text = summary.get_body(("plain",)).get_content()
    assert "Đã dừng gửi (quá số lần thử): 1" in text
    assert "- lan@xa-a.example: Bạn cần hoàn thành ISO-01 trước 01/01/2027 — " in text


def test_dry_run_prints_what_would_go_and_records_nothing(db, runner, commune):
    result = runner.invoke(args=["notify", "run", "--dry-run", "--today", MONDAY.isoformat()])
    assert result.exit_code == 0, result.output
    assert "would send: lan@xa-a.example\tstart\tonboarding:ISO-01:2026-11-02\tonce" in result.output
    assert "would send: (in-app only)\tstart\tonboarding:ISO-01:2026-11-02\tonce" in result.output
    assert "3 notification(s) would be created for 2026-12-07; nothing sent." in result.output
    assert db.session.scalars(select(Notification)).all() == []


def test_one_click_unsubscribe_turns_off_digests_and_the_next_one_stays_in_the_app(db, smtp, commune, client):
    run(MONDAY)
    link = smtp.to("cuong@xa-a.example")[0]["List-Unsubscribe"].strip("<>")
    path = link.replace("http://127.0.0.1:5000", "")
    assert "Ngừng nhận bản tin định kỳ" in client.get(path).get_data(as_text=True)
    response = client.post(path, data={"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    db.session.refresh(commune["head"])
    assert commune["head"].digest_mail is False
    run(MONDAY + timedelta(days=7))
    assert len(smtp.to("cuong@xa-a.example")) == 1
    latest = db.session.scalars(select(Notification).where(Notification.person_id == commune["head"].id)
                                .order_by(Notification.id.desc())).first()
    assert (latest.kind, latest.mail_status) == ("agency_digest", "none")


def test_a_reminder_link_only_reduces_reminders_to_weekly(db, smtp, commune, client):
    run(MONDAY)
    path = smtp.to("lan@xa-a.example")[0]["List-Unsubscribe"].strip("<>").replace("http://127.0.0.1:5000", "")
    client.post(path, data={"List-Unsubscribe": "One-Click"})
    db.session.refresh(commune["lan"])
    assert commune["lan"].reminders_weekly is True and commune["lan"].digest_mail is True
    assert client.get("/unsubscribe/not-a-token").status_code == 404


def test_two_runs_at_the_same_moment_send_each_message_once(app, db, smtp, commune):
    """Two hosts running `notify run` against one database at once (real processes)."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    env = dict(os.environ, DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"], MAIL_SERVER="127.0.0.1",
               MAIL_PORT=str(smtp.port), FLASK_CONFIG="development")
    command = [str(Path(sys.executable).parent / "flask"), "--app", "wsgi", "notify", "run", "--today", MONDAY.isoformat()]
    root = Path(__file__).parent.parent
    runs = [subprocess.Popen(command, cwd=root, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            for _ in range(2)]
    outputs = [r.communicate(timeout=120) for r in runs]
    assert [r.returncode for r in runs] == [0, 0], outputs
    assert sorted(m["To"] for m in smtp.messages) == ["cuong@xa-a.example", "lan@xa-a.example"]
    assert len({m["Message-ID"] for m in smtp.messages}) == 2
    db.session.expire_all()
    rows = db.session.scalars(select(Notification)).all()
    assert len(rows) == 3
    assert sorted(r.mail_status for r in rows) == ["none", "sent", "sent"]


def test_planning_takes_the_same_number_of_queries_for_three_times_the_people(db, commune, count_queries):
    from app.notifications.services import drafts_for

    with count_queries() as few:
        small = list(drafts_for(MONDAY))
    for i in range(6):
        make_person(agency=commune["agency"], start=START).email = f"p{i}@xa-a.example"
    db.session.commit()
    with count_queries() as many:
        large = list(drafts_for(MONDAY))
    assert (len(small), len(large)) == (3, 9)  # Lan, Bình, the head's digest; then six more newcomers
    assert len(many) == len(few)


def test_the_province_digest_shows_the_change_since_the_last_one_and_says_when_the_year_turned(db, smtp, commune):
    dost = make_person("sokhcn", access_role="dost", full_name="Phạm Thị Hoa")
    dost.email = "hoa@sokhcn.example"
    db.session.commit()
    run(MONDAY)
    first = digest_text(smtp, "hoa@sokhcn.example")
    assert "Đây là bản tin đầu tiên" in first
    make_completion(commune["lan"], commune["courses"]["ISO-01"], MONDAY, commune["agency"])
    db.session.commit()
    smtp.messages.clear()
    run(date(2027, 1, 4))
    january = digest_text(smtp, "hoa@sokhcn.example")
    assert "So với bản tin trước (07/12/2026):" in january
    # December: the head's 2026 refresher was the one obligation due, and done (the newcomers' were not
    # due yet); January: the head's 2027 refresher counts and is not done yet
    assert "- Tỷ lệ hoàn thành: 100.0 % → 0.0 %" in january
    assert "- Cơ quan có tỷ lệ 0 %: 0 → 1" in january
    # UBND xã A, the only agency: still no trained secretary then and now
    assert "- Cơ quan chưa có Thư ký ISO đã được đào tạo: 1 → 1" in january
    assert "Bản tin trước tính cho năm 2026. Từ 01/01/2027" in january


def test_a_backlog_goes_out_in_chunks_over_several_connections_each_message_once(app, db, smtp, commune, monkeypatch):
    monkeypatch.setattr("app.notifications.mail.CHUNK", 3)
    monkeypatch.setitem(app.config, "MAIL_CONNECTIONS", 2)
    for i in range(8):
        make_person(agency=commune["agency"], start=START).email = f"p{i}@xa-a.example"
    db.session.commit()
    report = run(MONDAY)
    # Lan and eight newcomers owe ISO-01, the head gets the digest: 10 mails, in chunks of 3, 3, 3, 1
    assert (report.mail.sent, report.mail.failed) == (10, 0)
    addresses = [m["To"] for m in smtp.messages]
    assert len(addresses) == len(set(addresses)) == 10
    assert len({m["Message-ID"] for m in smtp.messages}) == 10
    assert db.session.scalar(select(func.count()).select_from(Notification).where(Notification.mail_status == "sent")) == 10
    assert run(MONDAY).mail.sent == 0


def test_an_unsubscribe_link_mailed_by_the_earlier_version_still_works(app, db, commune, client):
    from itsdangerous import URLSafeSerializer

    token = URLSafeSerializer(app.config["SECRET_KEY"], salt="unsubscribe").dumps([commune["head"].id, "digest"])
    assert client.post(f"/unsubscribe/{token}", data={"List-Unsubscribe": "One-Click"}).status_code == 200
    db.session.refresh(commune["head"])
    assert commune["head"].digest_mail is False
    assert client.post(f"/unsubscribe/{token[:-2]}xx", data={"List-Unsubscribe": "One-Click"}).status_code == 404


def test_an_address_with_a_line_break_is_refused_and_cannot_add_a_header(app, db, smtp, commune):
    commune["lan"].email = "lan@xa-a.example\r\nBcc: spy@example.com"
    db.session.commit()
    report = run(MONDAY)
    assert (report.mail.sent, report.mail.failed) == (1, 1)  # the head's digest goes; Lan's reminder does not
    assert [m["To"] for m in smtp.messages] == ["cuong@xa-a.example"]
    assert all(m["Bcc"] is None for m in smtp.messages)


def test_people_owing_the_same_course_each_get_their_own_name_date_and_link(db, smtp, commune, client):
    """Thousands get the same reminder but for their name, due date and unsubscribe link; each
    message must carry only its own, with the name escaped in HTML, in the person's language."""
    agency = commune["agency"]
    later = make_person(agency=agency, start=date(2026, 11, 16), full_name="Đỗ <b>Hà</b> & Cộng")
    later.email = "ha@xa-a.example"
    english = make_person(agency=agency, start=START, full_name="Phạm Thu")
    english.email, english.language = "thu@xa-a.example", "en"
    secretary = make_person(agency=agency, roles=("iso_secretary",), start=date(2020, 1, 1), full_name="Vũ Minh")
    secretary.email = "minh@xa-a.example"
    db.session.commit()
    run(MONDAY)

    [lan] = smtp.to("lan@xa-a.example")
    [ha] = smtp.to("ha@xa-a.example")
    [thu] = smtp.to("thu@xa-a.example")
    assert ha["Subject"] == "Bạn cần hoàn thành ISO-01 trước 15/01/2027"  # 16/11/2026 + 60 days
    ha_text, ha_html = (ha.get_body((kind,)).get_content() for kind in ("plain", "html"))
    assert "Chào Đỗ <b>Hà</b> & Cộng," in ha_text and "Hạn hoàn thành: 15/01/2027" in ha_text
    assert "Chào Đỗ &lt;b&gt;Hà&lt;/b&gt; &amp; Cộng," in ha_html and "<b>Hà" not in ha_html
    assert "<strong>Bạn cần hoàn thành ISO-01 trước 15/01/2027.</strong>" in ha_html
    assert "Nguyễn Thị Lan" not in ha_text + ha_html and "01/01/2027" not in ha_text + ha_html
    assert "Chào Nguyễn Thị Lan," in lan.get_body(("plain",)).get_content()
    assert thu["Subject"] == "You need to complete ISO-01 by 01/01/2027"
    assert "Dear Phạm Thu," in thu.get_body(("plain",)).get_content()

    # the head and the secretary get the same digest, each greeted by name, each with their own link
    [secretary_digest] = [m for m in smtp.to("minh@xa-a.example") if m["Subject"].startswith("Bản tin")]
    assert "Chào Lê Văn Cường," in digest_text(smtp, "cuong@xa-a.example")
    assert "Chào Vũ Minh," in digest_text(smtp, "minh@xa-a.example")
    assert "Vũ Minh," not in digest_text(smtp, "cuong@xa-a.example")
    assert "- Đỗ <b>Hà</b> & Cộng (UBND xã A): ISO-01, hạn 15/01/2027" in digest_text(smtp, "minh@xa-a.example")

    # each link acts on its own person only
    for mail in (ha, secretary_digest):
        path = mail["List-Unsubscribe"].strip("<>").replace("http://127.0.0.1:5000", "")
        assert client.post(path, data={"List-Unsubscribe": "One-Click"}).status_code == 200
    for person in (later, secretary, commune["lan"], commune["head"]):
        db.session.refresh(person)
    assert (later.reminders_weekly, secretary.digest_mail) == (True, False)
    assert (commune["lan"].reminders_weekly, commune["head"].digest_mail) == (False, True)


def test_a_digest_lists_the_first_hundred_overdue_first_and_counts_a_person_with_two_posts_once(db, smtp):
    courses = make_iso_courses()
    parent = make_agency("AG-SO", name="Sở Thử", type="SO")
    a = make_agency("AG-XA-A", name="UBND xã A", parent=parent)
    b = make_agency("AG-XA-B", name="UBND xã B", parent=parent)
    head = make_person("giamdoc", agency=parent, roles=("leader",), start=date(2020, 1, 1), full_name="Giám Đốc")
    head.email = "gd@so.example"
    for code, day in (("ISO-01", date(2020, 2, 1)), ("ISO-05", date(2026, 3, 1))):
        make_completion(head, courses[code], day, parent)  # the head owes nothing
    for _ in range(70):  # started 02/11/2026: ISO-01 due 01/01/2027
        make_person(agency=a, start=START)
    for _ in range(50):  # started 01/09/2026: ISO-01 was due 31/10/2026
        make_person(agency=b, start=date(2026, 9, 1))
    both = make_person(agency=a, start=START, full_name="Hai Chức")
    from tests.factories import make_assignment
    make_assignment(both, b, start=START)
    db.session.commit()
    run(MONDAY)

    text = digest_text(smtp, "gd@so.example")
    # 70 + 50 + Hai Chức, whose one obligation is listed under both communes: 121 people, 122 items
    assert "121 người còn 122 nghĩa vụ, 50 đã quá hạn" in text
    rows = [line for line in text.splitlines() if line.startswith("- ")]
    assert len(rows) == 100
    assert all(row.endswith("31/10/2026 — QUÁ HẠN") and "(UBND xã B)" in row for row in rows[:50])
    assert all(row.endswith("hạn 01/01/2027") for row in rows[50:])
    assert "… và 22 mục khác" in text
