"""The certificate PDF and its verification code, read back with poppler."""
import math
import shutil
import subprocess
from dataclasses import replace
from datetime import date

import pytest

from app.certificates.codes import ALPHABET, LENGTH, new_code, normalise
from app.certificates.pdf import Printed, render
from tests.pdf_support import qr_modules, qr_of, render_page

needs_poppler = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils is not installed")

LAN = Printed(
    code="K7QX-M2PD-9HTW-ZR4C", full_name="Nguyễn Thị Lan",
    agency_name="Trung tâm Phục vụ hành chính công xã An Phú", course_code="ISO-01",
    course_title="Nhập môn HTQLCL theo TCVN ISO 9001:2015", completed_on=date(2026, 11, 20), score=90,
    valid_until=None, issued_on=date(2026, 11, 20), verify_url="https://htqlcl.example.vn/verify/K7QX-M2PD-9HTW-ZR4C",
    issuing_body="Sở Khoa học và Công nghệ tỉnh An Giang", issuing_parent="UBND tỉnh An Giang")


def test_codes_carry_at_least_64_bits_and_no_ambiguous_characters():
    assert LENGTH * math.log2(len(ALPHABET)) >= 64
    assert not set("01ILO") & set(ALPHABET)
    codes = {new_code() for _ in range(2000)}
    assert len(codes) == 2000
    assert all(len(c) == 19 and c.count("-") == 3 for c in codes)


@pytest.mark.parametrize("typed,stored", [
    ("k7qx m2pd 9htw zr4c", "K7QX-M2PD-9HTW-ZR4C"), ("K7QXM2PD9HTWZR4C", "K7QX-M2PD-9HTW-ZR4C"),
    ("K7QX-M2PD-9HTW-ZR4", None), ("K7QX-M2PD-9HTW-ZR40", None), ("<script>", None)])
def test_a_typed_code_is_read_in_any_case_and_grouping(typed, stored):
    assert normalise(typed) == stored


@needs_poppler
def test_the_pdf_holds_the_name_as_stored_the_course_the_code_and_the_dates(tmp_path):
    path = tmp_path / "c.pdf"
    path.write_bytes(render(replace(LAN, valid_until=date(2026, 12, 31))))
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    for expected in ("Nguyễn Thị Lan", "ISO-01", "Nhập môn HTQLCL theo TCVN ISO 9001:2015", "K7QX-M2PD-9HTW-ZR4C",
                     "20/11/2026", "31/12/2026", "90/100", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
                     "Độc lập - Tự do - Hạnh phúc", "SỞ KHOA HỌC VÀ CÔNG NGHỆ TỈNH AN GIANG",
                     "Trung tâm Phục vụ hành chính công xã An Phú"):
        assert expected in text
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    assert fonts.count("DejaVuSans") == 2 and all(line.split()[-5] == "yes" for line in fonts.splitlines()[2:])
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    assert "841.89 x 595.28 pts (A4)" in info  # landscape: wider than tall


def test_rendering_again_gives_the_same_bytes():
    assert render(LAN) == render(LAN)


def test_no_score_and_no_validity_print_nothing_about_them(tmp_path):
    path = tmp_path / "c.pdf"
    path.write_bytes(render(replace(LAN, score=None)))
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
        assert "Điểm" not in text and "giá trị đến" not in text


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler-utils is not installed")
def test_the_qr_code_printed_on_the_page_is_the_verify_link(tmp_path):
    """The page rendered by poppler at 300 dpi, read back module by module at the printed position."""
    from app.certificates.pdf import QR_BOX

    (tmp_path / "c.pdf").write_bytes(render(LAN))
    expected = qr_of(LAN.verify_url)
    assert qr_modules(render_page(tmp_path / "c.pdf", tmp_path / "page"), QR_BOX, len(expected)) == expected
    assert sum(map(sum, expected)) > 400  # a real symbol, not a blank square


def test_the_shipped_fonts_have_every_vietnamese_letter():
    from fontTools.ttLib import TTFont

    from app.certificates.pdf import FONTS

    base = "aăâbcdđeêghiklmnoôơpqrstuưvxy"
    tones = "àáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ"
    letters = set(base + tones + (base + tones).upper()) | set("0123456789 -–—·/:.,()%")
    for name in ("DejaVuSans-vi.ttf", "DejaVuSans-Bold-vi.ttf"):
        cmap = TTFont(FONTS / name).getBestCmap()
        assert not {ch for ch in letters if ord(ch) not in cmap}, name
