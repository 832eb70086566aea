"""In real headless Chromium: a learner passes ISO-01 on a phone and downloads the certificate; its
QR code, read back from the printed page, opens the verify page; an admin revokes it and the page
says so."""
import re
import shutil
import subprocess

import pytest

from app.certificates.pdf import QR_BOX
from app.core.dates import format_date, today
from tests.browser_support import ARTIFACTS, browser, server, sign_in  # noqa: F401  (fixtures)
from tests.conftest import REAL_COURSES
from tests.factories import make_agency, make_person
from tests.pdf_support import qr_modules, qr_of, render_page

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler-utils is not installed")]


def answer_from_the_key(page, db) -> None:
    """Tick the keyed options of the open attempt, as a learner who knows the answers would."""
    from sqlalchemy import select

    from app.courses.models import Question
    from app.quizzes.models import QuizAttempt

    db.session.expire_all()
    attempt = db.session.scalar(select(QuizAttempt).where(QuizAttempt.submitted_at.is_(None)))
    for qid in attempt.question_ids:
        for key in db.session.get(Question, qid).correct_keys:
            page.check(f"input[name='q{qid}'][value='{key}']")


def read_every_module(person, code: str) -> None:
    from app.courses.services import current_version, mark_read

    version = current_version(code)
    for module in version.modules:
        mark_read(person.id, version.course_id, module.slug)


def test_pass_iso_01_download_the_certificate_scan_it_and_see_it_revoked(app, db, server, browser, tmp_path):
    from app.courses.services import sync_courses

    sync_courses(REAL_COURSES)
    agency = make_agency("XA-AP", name="UBND xã An Phú")
    lan = make_person("lan", agency=agency, full_name="Nguyễn Thị Lan")
    make_person("quantri", access_role="admin", full_name="Quản Trị Viên")
    read_every_module(lan, "ISO-01")  # ISO-01 opens its quiz once every module is read
    db.session.commit()
    ARTIFACTS.mkdir(exist_ok=True)
    before, app.config["PUBLIC_BASE_URL"] = app.config["PUBLIC_BASE_URL"], server
    try:
        phone = browser.new_context(viewport={"width": 390, "height": 844}, accept_downloads=True)
        page = phone.new_page()
        sign_in(page, server, "lan")
        page.goto(f"{server}/courses/ISO-01/")
        page.click("text=Đến bài kiểm tra")
        page.click("text=Bắt đầu làm bài")
        answer_from_the_key(page, db)
        page.click("text=Nộp bài")
        assert "Đạt. Khóa học đã được ghi nhận hoàn thành." in page.content()

        page.goto(f"{server}/courses/ISO-01/")
        assert f"Đã hoàn thành ngày {format_date(today())}" in page.content()
        page.screenshot(path=str(ARTIFACTS / "certificate-course-page.png"), full_page=True)
        with page.expect_download() as download:
            page.click("text=Tải giấy chứng nhận (PDF)")
        assert download.value.suggested_filename == f"NguyenThiLan_ISO-01_{today().year}.pdf"
        pdf = tmp_path / "certificate.pdf"
        download.value.save_as(pdf)

        text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
        assert "Nguyễn Thị Lan" in text and "UBND xã An Phú" in text and "ISO-01" in text
        code = re.search(r"[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}", text).group(0)
        link = f"{server}/verify/{code}"
        assert link in text
        png = render_page(pdf, tmp_path / "certificate")
        shutil.copy(png, ARTIFACTS / "certificate.png")
        expected = qr_of(link)  # the printed QR code carries exactly the verify link
        assert qr_modules(png, QR_BOX, len(expected)) == expected

        inspector = browser.new_page()  # anyone, not signed in, follows the QR code
        inspector.goto(link)
        assert "Còn hiệu lực" in inspector.content() and "Nguyễn Thị Lan" in inspector.content()
        inspector.screenshot(path=str(ARTIFACTS / "certificate-verify.png"), full_page=True)

        admin = browser.new_page()
        sign_in(admin, server, "quantri")
        admin.goto(link)
        admin.click("text=Thu hồi giấy chứng nhận")
        admin.fill("textarea[name=reason]", "Cấp nhầm khóa học")
        admin.get_by_role("button", name="Thu hồi", exact=True).click()
        assert "Đã thu hồi giấy chứng nhận" in admin.content()

        inspector.reload()
        assert f"Đã thu hồi ngày {format_date(today())}" in re.sub(r"\s+", " ", inspector.inner_text("main"))
        assert "Cấp nhầm khóa học" not in inspector.content()  # the reason is for admins only
        inspector.screenshot(path=str(ARTIFACTS / "certificate-revoked.png"), full_page=True)
    finally:
        app.config["PUBLIC_BASE_URL"] = before
