"""Daily use in Chromium: a module page costs little on a repeat visit; the menu folds on a phone; the
keyboard reaches the content at once and can see where it is; the agency matrix keeps its names."""
import pytest

from tests.browser_support import browser, server, sign_in  # noqa: F401  (fixtures)
from tests.conftest import REAL_COURSES
from tests.factories import make_agency, make_person
from tests.test_browser_pages import DESKTOP, PHONE, violations

pytestmark = pytest.mark.browser
MODULE = "/courses/ISO-01/01-vi-sao-ap-dung-iso"


@pytest.fixture
def people(db, runner):
    assert runner.invoke(args=["courses", "sync", str(REAL_COURSES)]).exit_code == 0
    agency = make_agency("XA-AP", name="UBND xã An Phú")
    make_person("lan", agency=agency, full_name="Nguyễn Thị Lan")
    make_person("hung", agency=agency, roles=("leader",), full_name="Trần Văn Hùng")
    for n in range(6):
        make_person(agency=agency, full_name=f"Công Chức Số {n}")
    make_person("quantri", access_role="admin", agency=agency, full_name="Võ Quốc Bảo")
    db.session.commit()


def wire_bytes(page, url: str) -> tuple[int, dict[str, int]]:
    """Bytes received from the network (headers and encoded body) while `url` loads, by URL."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    urls, received = {}, {}
    cdp.on("Network.requestWillBeSent", lambda e: urls.__setitem__(e["requestId"], e["request"]["url"]))
    cdp.on("Network.loadingFinished",
           lambda e: received.__setitem__(urls.get(e["requestId"], e["requestId"]), e["encodedDataLength"]))
    page.goto(url, wait_until="networkidle")
    cdp.detach()
    return sum(received.values()), received


def test_a_module_page_costs_under_15_kb_on_a_repeat_visit(people, server, browser):
    page = browser.new_page(viewport=PHONE)
    sign_in(page, server, "lan")
    first, _ = wire_bytes(page, server + MODULE)
    page.goto(server + "/")
    again, by_url = wire_bytes(page, server + MODULE)
    print(f"module page on the wire: first visit {first} B, repeat visit {again} B: {by_url}")
    assert again < 15_000, by_url
    assert not [u for u, n in by_url.items() if "/static/" in u and n], by_url  # the style sheet came from the cache


def test_on_a_phone_the_links_fold_behind_the_menu(people, server, browser):
    page = browser.new_page(viewport=PHONE)
    sign_in(page, server, "quantri")
    assert page.locator("header").bounding_box()["height"] < 80
    assert not page.get_by_role("link", name="Nhập dữ liệu").is_visible()
    page.click("summary:has-text('Menu')")
    assert page.get_by_role("link", name="Nhập dữ liệu").is_visible()
    assert not violations(page)
    page.get_by_role("link", name="Nhập dữ liệu").click()
    assert page.url.endswith("/imports/")


def test_on_a_desktop_the_links_are_one_row_and_there_is_no_menu(people, server, browser):
    page = browser.new_page(viewport=DESKTOP)
    sign_in(page, server, "quantri")
    assert not page.locator("summary:has-text('Menu')").is_visible()
    tops = page.eval_on_selector_all("nav.links > a, nav.links button",
                                     "els => els.map(e => Math.round(e.getBoundingClientRect().top))")
    assert len(tops) >= 10 and len(set(tops)) == 1, tops
    assert page.locator("header").bounding_box()["height"] < 80


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_the_first_tab_shows_the_skip_link_and_it_leads_to_the_content(people, server, browser, viewport):
    page = browser.new_page(viewport=viewport)
    sign_in(page, server, "lan")
    page.goto(server + MODULE)
    page.keyboard.press("Tab")
    skip = page.locator(":focus")
    assert skip.inner_text() == "Bỏ qua, đến nội dung chính"
    box = skip.bounding_box()
    assert box["y"] >= 0 and box["x"] >= 0  # on the screen once focused
    assert skip.evaluate("e => getComputedStyle(e).outlineStyle") == "solid"
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    assert page.locator(":focus").evaluate("e => !!e.closest('main')")


def test_a_header_link_shows_a_yellow_ring_a_page_link_a_blue_one(people, server, browser):
    page = browser.new_page(viewport=DESKTOP)
    sign_in(page, server, "lan")
    page.keyboard.press("Tab")  # the skip link
    page.keyboard.press("Tab")  # the brand, on the blue header
    header_ring = page.locator(":focus").evaluate("e => getComputedStyle(e).outlineColor")
    assert header_ring == "rgb(255, 211, 77)"
    page.locator("main a").first.focus()
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Tab")
    assert page.locator(":focus").evaluate("e => getComputedStyle(e).outlineColor") == "rgb(11, 83, 148)"


def test_the_agency_matrix_keeps_the_names_while_the_courses_scroll(people, server, browser):
    page = browser.new_page(viewport=PHONE)
    sign_in(page, server, "hung")
    page.goto(f"{server}/agencies/XA-AP")
    region = page.locator(".scroll").first
    assert region.evaluate("e => e.scrollWidth > e.clientWidth")
    name = page.locator(".status-table td", has_text="Nguyễn Thị Lan")
    left = name.bounding_box()["x"]
    region.evaluate("e => e.scrollLeft = 300")
    assert region.evaluate("e => e.scrollLeft") > 0
    assert name.bounding_box()["x"] == left
    assert not violations(page)


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_the_changed_pages_pass_axe(people, server, browser, viewport):
    page = browser.new_page(viewport=viewport)
    sign_in(page, server, "hung")
    found = {}
    for path in ("/", MODULE, "/agencies/XA-AP"):
        page.goto(server + path)
        page.keyboard.press("Tab")  # the skip link shown
        if problems := violations(page):
            found[path] = problems
    assert not found, found
