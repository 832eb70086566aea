"""End to end in real headless Chromium: a learner finishes a course and the agency page shows it."""
import pytest

from app.core.dates import format_date, today
from tests.browser_support import ARTIFACTS, browser, server, sign_in  # noqa: F401  (fixtures)
from tests.factories import make_agency, make_person

pytestmark = pytest.mark.browser


def test_learner_finishes_a_course_and_the_agency_page_shows_it(db, courses, server, browser):
    agency = make_agency("XA-AP", name="UBND xã An Phú")
    make_person("lan", agency=agency, full_name="Nguyễn Thị Lan")
    make_person("hung", agency=agency, roles=("leader",), full_name="Trần Văn Hùng")
    db.session.commit()
    ARTIFACTS.mkdir(exist_ok=True)

    page = browser.new_page(viewport={"width": 390, "height": 844})  # a phone
    sign_in(page, server, "lan")
    assert page.locator("h1").inner_text() == "Khóa học của tôi"
    page.click("text=FX-02 · Khóa thử nghiệm hai")
    page.click("text=Mô-đun duy nhất")
    page.click("text=Đánh dấu đã đọc")
    assert "Đã ghi nhận: bạn đã đọc mô-đun “Mô-đun duy nhất”." in page.content()
    page.click("text=Đến bài kiểm tra")
    page.click("text=Bắt đầu làm bài")
    page.check("label.option:has-text('Giải quyết thủ tục hành chính') input")
    page.screenshot(path=str(ARTIFACTS / "quiz.png"), full_page=True)
    page.click("text=Nộp bài")
    assert page.locator(".score").inner_text() == "100%"
    assert "Đạt. Khóa học đã được ghi nhận hoàn thành." in page.content()
    assert "Phạm vi bao gồm các hoạt động giải quyết TTHC." in page.content()
    page.screenshot(path=str(ARTIFACTS / "result.png"), full_page=True)

    leader = browser.new_page()
    sign_in(leader, server, "hung")
    leader.goto(f"{server}/agencies/XA-AP")
    row = leader.locator(".status-table tr", has_text="Nguyễn Thị Lan")
    obligation = leader.locator("#obligations + .scroll tr", has_text="Nguyễn Thị Lan")
    assert "ISO-01" in obligation.inner_text()  # her onboarding obligation is listed for the leader
    assert format_date(today()) in row.inner_text()
    leader.screenshot(path=str(ARTIFACTS / "agency.png"), full_page=True)
