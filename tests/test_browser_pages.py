"""Every page each demo role can reach, in Chromium: no axe-core violation, nothing wider than the screen."""
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.browser_support import ARTIFACTS, browser, server, sign_in  # noqa: F401  (fixtures)
from tests.conftest import REAL_COURSES

pytestmark = pytest.mark.browser
AXE = (Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js").read_text(encoding="utf-8")
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
PHONE, DESKTOP = {"width": 390, "height": 844}, {"width": 1366, "height": 768}
DEMO_PASSWORD = "demo-htqlcl-2026"
#: links not to follow: signing out, downloads, language switch (it redirects back)
SKIP = re.compile(r"^/(logout|static/)|\.(csv|xlsx|json|pdf|png|svg|zip)$|/export|/lang/")
PAGES_PER_ROLE = 45
SHOTS = ARTIFACTS / "pages"


@pytest.fixture
def demo(db, runner):
    assert runner.invoke(args=["courses", "sync", str(REAL_COURSES)]).exit_code == 0
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output


def shape(path: str) -> str:
    """Pages that differ only by ids or codes have the same template: check one of each."""
    path = re.sub(r"/\d+", "/N", urlsplit(path).path)
    path = re.sub(r"/(AG|ISO|SO|XA|TT)[-A-Z0-9]*", "/CODE", path)
    path = re.sub(r"^/verify/.+", "/verify/CODE", path)
    return re.sub(r"^/courses/CODE/(?!quiz$)[^/]+$", "/courses/CODE/MODULE", path)


def crawl(page, base: str, check) -> list[str]:
    """Same-site pages reachable by links from the home page, one per shape, breadth first; `check(path)`
    runs on each page once it has loaded."""
    seen, queue, pages = set(), ["/"], []
    while queue and len(pages) < PAGES_PER_ROLE:
        path = queue.pop(0)
        if shape(path) in seen:
            continue
        seen.add(shape(path))
        response = page.goto(base + path)
        if response is None or response.status >= 400 or urlsplit(page.url).path == "/login":
            continue
        pages.append(path)
        check(path)
        for href in page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))"):
            parts = urlsplit(href)
            if parts.netloc or not parts.path.startswith("/") or SKIP.search(parts.path):
                continue
            target = parts.path + (f"?{parts.query}" if parts.query else "")
            if shape(target) not in seen:
                queue.append(target)
    return pages


def violations(page) -> list[str]:
    page.evaluate(AXE)
    result = page.evaluate("opts => axe.run(document, opts)", {"runOnly": {"type": "tag", "values": WCAG}})
    return [f"{v['id']} ({v['impact']}): {n['target']}" for v in result["violations"] for n in v["nodes"][:3]]


def overflow(page) -> int:
    """How many CSS pixels the page is wider than the window (0 when it fits)."""
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def take_a_quiz(page, base: str, check) -> None:
    """Pages reached by forms, not links: a module just marked read, an attempt in progress, the
    question before grading an incomplete attempt, and its result."""
    page.goto(f"{base}/courses/ISO-01/quiz")
    while page.locator(".reading-left a").count():  # ISO-01 opens its quiz once every module is read
        page.locator(".reading-left a").first.click()
        page.click("text=Đánh dấu đã đọc")
        check("module marked read")
        page.goto(f"{base}/courses/ISO-01/quiz")
    page.click("text=Bắt đầu làm bài")
    check("attempt in progress")
    page.click("button[type=submit]:has-text('Nộp bài')")
    check("submission to confirm")
    page.click("text=Vẫn nộp bài")
    check("attempt result")


def preview_an_import(page, base: str, check) -> None:
    page.goto(f"{base}/imports/")
    page.select_option("select[name=kind]", "completions")
    page.set_input_files("input[type=file]", files=[{
        "name": "ket-qua.csv", "mimeType": "text/csv",
        "buffer": b"staff_code,course_code,completed_on,score,source\nDEMO-HOCVIEN,ISO-01,2020-01-10,80,offline\n"}])
    page.click(".upload-form button[type=submit]")
    check("import preview")
    page.click("text=Xác nhận nhập dữ liệu")
    check("import applied")


def signed_out_pages(page, base: str, check) -> None:
    page.context.clear_cookies()
    for path in ("/login", "/privacy", "/no-such-page"):
        page.goto(base + path)
        check(path)


FLOWS = {"hocvien": (take_a_quiz, signed_out_pages), "quantri": (preview_an_import,)}


@pytest.mark.parametrize("username", ["hocvien", "thuky", "lanhdao", "sokhcn", "quantri"])
def test_every_reachable_page_passes_axe_and_fits_phone_and_desktop(demo, server, browser, username):
    found = {}
    SHOTS.mkdir(parents=True, exist_ok=True)
    for name, viewport in (("phone", PHONE), ("desktop", DESKTOP)):
        page = browser.new_page(viewport=viewport)
        sign_in(page, server, username, DEMO_PASSWORD)

        def check(path, page=page, name=name):
            slug = re.sub(r"[^a-z0-9]+", "-", path.lower()).strip("-") or "home"
            page.screenshot(path=str(SHOTS / f"{username}-{name}-{slug}.png"), full_page=True)
            problems = violations(page)
            if overflow(page) > 0:
                problems.append(f"page is {overflow(page)} px wider than the {name} screen")
            if problems:
                found[f"{name} {path}"] = problems

        assert len(crawl(page, server, check)) >= 3
        for flow in FLOWS.get(username, ()):
            flow(page, server, check)
        page.close()
    assert not found, "\n".join(f"{where}: {'; '.join(p)}" for where, p in sorted(found.items()))


def test_the_coverage_tables_fit_a_1366_px_screen_without_scrolling(demo, server, browser):
    page = browser.new_page(viewport=DESKTOP)
    sign_in(page, server, "sokhcn", DEMO_PASSWORD)
    page.goto(f"{server}/reports/coverage")
    widths = page.eval_on_selector_all(".scroll", "els => els.map(e => [e.scrollWidth, e.clientWidth])")
    assert len(widths) == 2 and all(scroll <= client for scroll, client in widths), widths
    assert page.locator("th", has_text="Tỷ lệ %").first.is_visible()


def test_a_wide_table_on_a_phone_scrolls_with_the_keyboard(demo, server, browser):
    page = browser.new_page(viewport=PHONE)
    sign_in(page, server, "sokhcn", DEMO_PASSWORD)
    page.goto(f"{server}/reports/coverage")
    region = page.get_by_role("region", name="Theo cơ quan")
    region.focus()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    assert region.evaluate("e => e.scrollLeft") > 0
