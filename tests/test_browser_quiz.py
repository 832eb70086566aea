"""The quiz in real headless Chromium, on a phone and on a desktop: a stray Enter in a radio group
asks before grading; a failed result hides the key until the last attempt; a course that requires
reading leads the learner through its modules; a learner with only a keyboard answers and submits."""
import pytest
from sqlalchemy import func, select

from app.courses.models import Question
from app.quizzes.models import QuizAttempt
from tests.browser_support import ARTIFACTS, browser, server, sign_in  # noqa: F401  (fixtures)
from tests.factories import make_agency, make_person
from tests.test_browser_pages import DESKTOP, PHONE, violations
from tests.test_quiz_review import KEY, set_course

pytestmark = pytest.mark.browser
VIEWPORTS = pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])


@pytest.fixture
def lan(db, courses):
    make_person("lan", agency=make_agency("XA-AP", name="UBND xã An Phú"), full_name="Nguyễn Thị Lan")
    db.session.commit()
    ARTIFACTS.mkdir(exist_ok=True)


def graded(db) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count(QuizAttempt.id)).where(QuizAttempt.submitted_at.is_not(None)))


def open_attempt(db) -> QuizAttempt:
    db.session.expire_all()
    return db.session.scalar(select(QuizAttempt).where(QuizAttempt.submitted_at.is_(None)))


def focused(page) -> dict:
    return page.evaluate("() => { const e = document.activeElement;"
                         " return {tag: e.tagName, type: e.type || '', name: e.name || '', value: e.value || '',"
                         " checked: !!e.checked, text: e.innerText || ''}; }")


def shot(page, name: str, viewport: dict) -> None:
    page.screenshot(path=str(ARTIFACTS / f"quiz-{name}-{viewport['width']}.png"), full_page=True)


@VIEWPORTS
def test_enter_in_a_radio_group_asks_before_grading_and_keeps_the_answer(lan, db, server, browser, viewport):
    page = browser.new_page(viewport=viewport)
    sign_in(page, server, "lan")
    page.goto(f"{server}/courses/FX-01/quiz")
    page.click("text=Bắt đầu làm bài")
    radio = page.locator("input[type=radio]").first
    radio.focus()
    page.keyboard.press("Space")  # choose it, then the stray key
    chosen = radio.get_attribute("value"), radio.get_attribute("name")
    page.keyboard.press("Enter")

    page.wait_for_url("**/confirm")
    assert page.locator("h1").inner_text().startswith("Bạn còn 3 câu chưa trả lời")
    assert graded(db) == 0
    assert not violations(page)
    shot(page, "confirm", viewport)

    page.click("text=Quay lại làm tiếp")
    assert page.locator(f"input[name='{chosen[1]}'][value='{chosen[0]}']").is_checked()
    page.click("button[type=submit]:has-text('Nộp bài')")
    page.click("text=Vẫn nộp bài")
    assert "Chưa đạt" in page.content() and graded(db) == 1


@VIEWPORTS
def test_a_failed_result_hides_the_key_until_no_attempt_is_left(lan, db, server, browser, viewport):
    page = browser.new_page(viewport=viewport)
    sign_in(page, server, "lan")
    for attempt_number in (1, 2):  # FX-01 allows two
        page.goto(f"{server}/courses/FX-01/quiz")
        page.click("text=Bắt đầu làm bài")
        page.click("button[type=submit]:has-text('Nộp bài')")
        page.click("text=Vẫn nộp bài")
        result = page.content()
        assert "Chưa đạt" in result
        if attempt_number == 1:
            assert KEY not in result and "Còn 1 lần làm bài." in result
            assert page.locator(".question .bad").count() == 4
            assert not violations(page)
            shot(page, "failed-key-hidden", viewport)
    assert KEY in result and "Giải thích" in result
    assert not violations(page)
    shot(page, "failed-last-key-shown", viewport)


@VIEWPORTS
def test_a_course_that_requires_reading_leads_through_its_modules_to_the_quiz(lan, db, server, browser,
                                                                              viewport):
    set_course(db, "FX-01", require_reading=True)
    page = browser.new_page(viewport=viewport)
    sign_in(page, server, "lan")
    page.goto(f"{server}/courses/FX-01/")
    assert page.locator(".reading-left a").count() == 2
    assert not page.locator("text=Đến bài kiểm tra").count()
    assert not violations(page)
    shot(page, "reading-left", viewport)

    page.locator(".reading-left a").first.click()
    page.click("text=Đánh dấu đã đọc")
    assert "Đã ghi nhận: bạn đã đọc mô-đun" in page.content()
    assert page.locator("#module-actions").is_visible() and not page.locator("text=Đánh dấu đã đọc").count()
    shot(page, "marked-read", viewport)
    page.click("#module-actions >> text=Đọc tiếp")
    page.click("text=Đánh dấu đã đọc")
    page.click("#module-actions >> text=Đến bài kiểm tra")
    page.click("text=Bắt đầu làm bài")
    assert "/attempts/" in page.url


@VIEWPORTS
def test_a_learner_with_only_a_keyboard_answers_from_the_key_and_passes(lan, db, server, browser, viewport):
    page = browser.new_page(viewport=viewport)
    sign_in(page, server, "lan")
    page.goto(f"{server}/courses/FX-01/quiz")
    page.locator("button:has-text('Bắt đầu làm bài')").focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/attempts/*")
    attempt = open_attempt(db)
    key = {f"q{qid}": db.session.get(Question, qid).correct_keys for qid in attempt.question_ids}

    for _ in range(80):  # Tab through the page; in a radio group, the arrows move the choice
        page.keyboard.press("Tab")
        at = focused(page)
        if at["tag"] == "BUTTON" and "Nộp bài" in at["text"]:
            break
        if at["type"] == "radio":
            page.keyboard.press("Space")
            for _step in range(6):
                if focused(page)["value"] in key[at["name"]]:
                    break
                page.keyboard.press("ArrowDown")
        elif at["type"] == "checkbox" and at["value"] in key[at["name"]]:
            page.keyboard.press("Space")
    else:
        pytest.fail("the submit button was never reached with Tab")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/attempts/{attempt.id}")
    assert page.locator(".score").inner_text() == "100%"
    assert graded(db) == 1
    shot(page, "keyboard-passed", viewport)

    page.goto(f"{server}/courses/FX-01/")
    assert "Đã hoàn thành ngày" in page.content() and not page.locator("text=Đến bài kiểm tra").count()
    assert not violations(page)
    shot(page, "course-completed", viewport)
