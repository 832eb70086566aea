"""Report pages printed by Chromium to A4: landscape, the national heading, no menu, every column on
paper and the table headings repeated on each page."""
import re
import shutil
import subprocess
from datetime import date

import pytest

from tests.browser_support import ARTIFACTS, browser, server, sign_in  # noqa: F401  (fixtures)
from tests.factories import make_agency, make_completion, make_iso_courses, make_person

pytestmark = pytest.mark.browser
YEAR = 2025
AGENCIES = 45  # more than one landscape page holds


@pytest.fixture
def province(db):
    """AG-00..AG-44, three leaders each, of whom (n % 3) did the 2025 refresher: 0.0, 33.3 or 66.7 %."""
    iso = make_iso_courses()
    for n in range(AGENCIES):
        agency = make_agency(f"AG-{n:02d}", name=f"UBND xã Thử Nghiệm Số {n:02d}", valid_from=date(2020, 1, 1))
        for k in range(3):
            leader = make_person(agency=agency, roles=("leader",), start=date(2020, 1, 1))
            if k < n % 3:
                make_completion(leader, iso["ISO-05"], date(2025, 4, 1))
    make_person("sokhcn", access_role="dost", full_name="Phạm Thị Hoa")
    db.session.commit()


def pdf_text(pdf, page: int) -> str:
    return subprocess.run(["pdftotext", "-layout", "-f", str(page), "-l", str(page), str(pdf), "-"],
                          capture_output=True, text=True, check=True).stdout


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils (pdftotext) not installed")
def test_the_dashboard_prints_every_column_on_landscape_a4_under_the_national_heading(db, province, server,
                                                                                       browser, tmp_path):
    ARTIFACTS.mkdir(exist_ok=True)
    page = browser.new_page(viewport={"width": 1366, "height": 768})
    sign_in(page, server, "sokhcn")
    page.goto(f"{server}/reports/coverage?year={YEAR}")
    pdf = ARTIFACTS / "dashboard-print.pdf"
    page.pdf(path=str(pdf), format="A4", prefer_css_page_size=True)
    for old in ARTIFACTS.glob("dashboard-print-*.png"):  # pictures of an earlier run's pages
        old.unlink()
    subprocess.run(["pdftoppm", "-png", "-r", "60", str(pdf), str(ARTIFACTS / "dashboard-print")], check=True)

    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    width, height = (float(v) for v in re.search(r"Page size:\s+([\d.]+) x ([\d.]+) pts", info).groups())
    assert (round(width / 72 * 25.4), round(height / 72 * 25.4)) == (297, 210)  # A4 across
    first = pdf_text(pdf, 1)
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in first and "Độc lập - Tự do - Hạnh phúc" in first
    assert "Nhật ký" not in first and "Đăng xuất" not in first and "Tải Excel" not in first  # no menu, no buttons
    pages = int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))
    texts = [pdf_text(pdf, n) for n in range(1, pages + 1)]
    def agency_rows(text: str) -> list[str]:  # the agency table's lines, not the list of those without a secretary
        return [line for line in text.splitlines() if "UBND xã Thử Nghiệm Số" in line and "chưa phân công" not in line]

    table_pages = [t for t in texts if agency_rows(t)]
    assert len(table_pages) >= 2
    for text in table_pages:  # the last column's heading on every page the agency table reaches
        assert "Tỷ lệ %" in text and "Đúng hạn" in text
    # every agency's row ends with its percentage: 0.0, 33.3 or 66.7 (3 due each)
    rows = [line for text in table_pages for line in agency_rows(text)]
    assert len(rows) == AGENCIES
    assert all(line.rstrip().endswith(("0.0", "33.3", "66.7")) for line in rows), rows


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils (pdftotext) not installed")
def test_the_completion_table_by_agency_prints_its_year_and_heading(db, province, server, browser, tmp_path):
    page = browser.new_page(viewport={"width": 1366, "height": 768})
    sign_in(page, server, "sokhcn")
    page.goto(f"{server}/reports/agencies?year={YEAR}")
    pdf = tmp_path / "agencies.pdf"
    page.pdf(path=str(pdf), format="A4", prefer_css_page_size=True)
    text = pdf_text(pdf, 1)
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text and f"năm {YEAR}" in text
    assert "31/12/2025" in text and "Tải CSV" not in text
