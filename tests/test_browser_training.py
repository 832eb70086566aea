"""In real headless Chromium: DOST plans a class, invites those who owe, prints the roster, ticks
attendance and closes it; the coverage XLSX counts it; a secretary and a learner see it on a phone."""
import io
import shutil
import subprocess
from datetime import date, timedelta

import pytest
from openpyxl import load_workbook

from app.core.dates import today
from app.coverage.queries import COLUMNS
from tests.browser_support import ARTIFACTS, browser, server, sign_in  # noqa: F401  (fixtures)
from tests.factories import make_agency, make_iso_courses, make_person

pytestmark = pytest.mark.browser
DESKTOP, PHONE = {"width": 1366, "height": 768}, {"width": 390, "height": 844}


@pytest.mark.parametrize("screen", ["desktop", "phone"])
def test_dost_runs_a_class_from_plan_to_close_and_the_coverage_counts_it(db, server, browser, tmp_path, screen):
    make_iso_courses()
    a = make_agency("AG-XA-AP", name="UBND xã An Phú")
    make_person(agency=a, roles=("leader",), full_name="Trần Văn Hùng", start=date(2020, 1, 1))
    make_person("thuky", agency=a, roles=("iso_secretary",), full_name="Lê Minh Tâm", start=date(2020, 1, 1))
    make_person("hocvien", agency=a, full_name="Nguyễn Thị Lan", start=date(2020, 1, 1))
    make_person("sokhcn", access_role="dost", full_name="Phạm Thị Hoa")
    db.session.commit()
    ARTIFACTS.mkdir(exist_ok=True)
    held = today() - timedelta(days=1) if (today() - timedelta(days=1)).year == today().year else today()
    day = held.strftime("%d/%m/%Y")

    page = browser.new_page(viewport=DESKTOP if screen == "desktop" else PHONE)
    sign_in(page, server, "sokhcn")
    if screen == "phone":
        page.click("summary:has-text('Menu')")  # the links fold behind it on a phone
    page.click("nav >> text=Lớp tập huấn")
    page.click("text=Lập kế hoạch đào tạo năm")
    page.fill("#year", str(held.year))
    page.click("button:has-text('Lập kế hoạch')")
    assert "Đã lập kế hoạch." in page.content()
    page.click("text=Thêm lớp")
    page.select_option("#course", label="ISO-05")
    page.fill("#title", "Lớp cập nhật HTQLCL cho lãnh đạo và thư ký ISO")
    for field in ("#start_date", "#end_date", "#cutoff_date"):
        page.fill(field, day)
    page.fill("#place", "Hội trường UBND xã An Phú")
    page.fill("#capacity", "20")
    page.select_option("#agencies", label="UBND xã An Phú (AG-XA-AP)")
    page.click("button:has-text('Lưu lớp')")
    assert "Đã lưu lớp." in page.content()
    page.click("button:has-text('Mời những người còn nợ')")
    assert "Đã mời 2 người; 0 người vào danh sách chờ." in page.content()
    page.screenshot(path=str(ARTIFACTS / f"training-class-{screen}.png"), full_page=True)

    page.click("text=In danh sách, bảng điểm danh")
    pdf = tmp_path / "roster.pdf"
    page.pdf(path=str(pdf), format="A4")
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
        assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text and "Trần Văn Hùng" in text and "Lê Minh Tâm" in text
    page.go_back()

    for name, tick in (("Trần Văn Hùng", "có mặt"), ("Lê Minh Tâm", "vắng")):
        page.locator("tr", has_text=name).locator(f"label:has-text('{tick}') input").first.check()
    page.click("button:has-text('Lưu điểm danh')")
    assert "Đã lưu điểm danh (2 thay đổi)." in page.content()
    page.click("button:has-text('Đóng lớp, ghi nhận hoàn thành')")
    assert "ghi nhận hoàn thành khóa học cho 1 người có mặt" in page.content()
    page.screenshot(path=str(ARTIFACTS / f"training-closed-{screen}.png"), full_page=True)

    if held.year == today().year:
        data = page.request.get(f"{server}/reports/coverage.xlsx").body()
        ws = load_workbook(io.BytesIO(data))["data"]
        [row] = [dict(zip(COLUMNS, r)) for r in ws.iter_rows(values_only=True) if r and r[0] == "AG-XA-AP"]
        assert (row["refresher_required"], row["refresher_done"]) == (2, 1)

    phone = browser.new_page(viewport=PHONE)
    sign_in(phone, server, "thuky")
    phone.click("summary:has-text('Menu')")
    phone.click("nav >> text=Lớp tập huấn")
    phone.click("text=Lớp cập nhật HTQLCL cho lãnh đạo và thư ký ISO")
    assert "vắng" in phone.locator("tr", has_text="Lê Minh Tâm").inner_text()
    phone.screenshot(path=str(ARTIFACTS / f"training-secretary-{screen}-run.png"), full_page=True)
    phone.goto(f"{server}/training/mine")
    assert "vắng" in phone.content() and "Lớp cập nhật HTQLCL" in phone.content()
