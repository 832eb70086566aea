"""The certificate as an A4 landscape PDF (fpdf2), with the project's DejaVu Sans embedded and a QR
code of the verify link. The same printed facts give the same bytes."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timezone
from pathlib import Path

import segno
from fpdf import FPDF

from app.core.dates import format_date

FONTS = Path(__file__).parent / "fonts"
NAVY = (16, 52, 107)
GOLD = (176, 141, 62)
#: where the QR code is printed: x and y of its top left corner and its side, in mm
QR_BOX = (22.0, 150.0, 36.0)


@dataclass(frozen=True)
class Printed:
    """What a certificate shows, as it was when it was issued."""
    code: str
    full_name: str
    agency_name: str | None
    course_code: str
    course_title: str
    completed_on: date
    score: int | None
    valid_until: date | None
    issued_on: date
    verify_url: str
    issuing_body: str
    issuing_parent: str


def qr_matrix(url: str) -> list[list[bool]]:
    """The QR code of a link, row by row, dark modules True (medium error correction, with the
    4-module quiet zone)."""
    return [[bool(bit) for bit in row] for row in segno.make(url, error="m", micro=False).matrix_iter(border=4)]


def _draw_qr(pdf: FPDF, url: str, x: float, y: float, size: float) -> None:
    """The QR code as filled rectangles, one per run of dark modules in a row: sharp at any zoom, and
    no picture to encode and decode. Runs overlap their neighbours by a hair so no seam shows."""
    matrix = qr_matrix(url)
    module = size / len(matrix)
    pdf.set_fill_color(0, 0, 0)
    for r, row in enumerate(matrix):
        c = 0
        while c < len(row):
            if not row[c]:
                c += 1
                continue
            start = c
            while c < len(row) and row[c]:
                c += 1
            pdf.rect(x + start * module, y + r * module, (c - start) * module + 0.02, module + 0.02, style="F")


def render(p: Printed) -> bytes:
    """The certificate's PDF."""
    pdf = FPDF(orientation="L", unit="mm", format="A4")
    pdf.set_creation_date(datetime.combine(p.issued_on, time(0), timezone.utc))  # no clock in the bytes
    pdf.set_title(f"Giấy chứng nhận {p.course_code} - {p.full_name}")
    pdf.set_author(p.issuing_body)
    pdf.set_producer("Đào tạo HTQLCL")
    pdf.add_font("DejaVu", "", str(FONTS / "DejaVuSans-vi.ttf"))
    pdf.add_font("DejaVu", "B", str(FONTS / "DejaVuSans-Bold-vi.ttf"))
    for font in pdf.fonts.values():  # the glyphs are embedded as they are: their boxes need no
        font.ttfont.recalcBBoxes = False  # recomputing, which costs fontTools half the render
    pdf.set_auto_page_break(False)
    pdf.add_page()
    width = pdf.w
    _frame(pdf)

    # the issuing body on the left, the national heading on the right, as on official papers
    pdf.set_text_color(0, 0, 0)
    pdf.set_xy(18, 18)
    pdf.set_font("DejaVu", "", 10)
    pdf.cell(115, 5.5, p.issuing_parent.upper(), align="C", new_x="LEFT", new_y="NEXT")
    pdf.set_font("DejaVu", "B", 10)
    pdf.multi_cell(115, 5.5, p.issuing_body.upper(), align="C")
    pdf.set_xy(width - 18 - 130, 18)
    pdf.set_font("DejaVu", "B", 10.5)
    pdf.cell(130, 5.5, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", align="C", new_x="LEFT", new_y="NEXT")
    pdf.cell(130, 5.5, "Độc lập - Tự do - Hạnh phúc", align="C", new_x="LEFT", new_y="NEXT")
    pdf.set_draw_color(0, 0, 0)
    pdf.line(width - 18 - 65 - 24, pdf.get_y() + 0.6, width - 18 - 65 + 24, pdf.get_y() + 0.6)

    pdf.set_text_color(*NAVY)
    pdf.set_xy(15, 50)
    pdf.set_font("DejaVu", "B", 30)
    pdf.cell(width - 30, 14, "GIẤY CHỨNG NHẬN", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "B", 14)
    pdf.set_x(15)
    pdf.cell(width - 30, 8, "HOÀN THÀNH KHÓA HỌC", align="C", new_x="LMARGIN", new_y="NEXT")

    pdf.set_text_color(0, 0, 0)
    pdf.set_font("DejaVu", "", 12)
    pdf.set_xy(15, 78)
    pdf.cell(width - 30, 7, "Chứng nhận ông/bà", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "B", 22)
    pdf.set_text_color(*NAVY)
    pdf.set_x(15)
    pdf.cell(width - 30, 12, p.full_name, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(0, 0, 0)
    pdf.set_font("DejaVu", "", 12)
    if p.agency_name:
        pdf.set_x(15)
        pdf.cell(width - 30, 7, f"Đơn vị công tác: {p.agency_name}", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_x(15)
    pdf.cell(width - 30, 8, "đã hoàn thành khóa học", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "B", 14)
    pdf.set_x(30)
    pdf.multi_cell(width - 60, 7.5, f"{p.course_code} — {p.course_title}", align="C")
    pdf.set_font("DejaVu", "", 12)
    facts = [f"Ngày hoàn thành: {format_date(p.completed_on)}"]
    if p.score is not None:
        facts.append(f"Điểm: {p.score}/100")
    if p.valid_until is not None:
        facts.append(f"Có giá trị đến hết ngày {format_date(p.valid_until)}")
    pdf.set_x(15)
    pdf.cell(width - 30, 9, "   ·   ".join(facts), align="C", new_x="LMARGIN", new_y="NEXT")

    # verification at the bottom left, the issuing body's date line at the bottom right
    _draw_qr(pdf, p.verify_url, *QR_BOX)
    pdf.set_xy(61, 158)
    pdf.set_font("DejaVu", "", 9.5)
    pdf.cell(110, 5.5, "Mã xác thực", new_x="LEFT", new_y="NEXT")
    pdf.set_font("DejaVu", "B", 13)
    pdf.cell(110, 7, p.code, new_x="LEFT", new_y="NEXT")
    pdf.set_font("DejaVu", "", 9)
    pdf.cell(110, 5, "Quét mã QR hoặc mở địa chỉ sau để kiểm tra giấy chứng nhận:", new_x="LEFT", new_y="NEXT")
    pdf.cell(110, 5, p.verify_url, new_x="LEFT", new_y="NEXT")
    pdf.set_xy(width - 18 - 110, 160)
    pdf.set_font("DejaVu", "", 11)
    issued = p.issued_on
    pdf.cell(110, 6, f"Ngày {issued.day:02d} tháng {issued.month:02d} năm {issued.year}", align="C",
             new_x="LEFT", new_y="NEXT")
    pdf.set_font("DejaVu", "B", 11)
    pdf.multi_cell(110, 6, p.issuing_body.upper(), align="C")
    pdf.set_font("DejaVu", "", 8.5)
    pdf.set_x(width - 18 - 110)
    pdf.cell(110, 5, "Giấy chứng nhận điện tử, xác thực bằng mã ở bên trái", align="C")
    return bytes(pdf.output())


def _frame(pdf: FPDF) -> None:
    pdf.set_draw_color(*NAVY)
    pdf.set_line_width(1.2)
    pdf.rect(8, 8, pdf.w - 16, pdf.h - 16)
    pdf.set_draw_color(*GOLD)
    pdf.set_line_width(0.4)
    pdf.rect(11, 11, pdf.w - 22, pdf.h - 22)
    pdf.set_line_width(0.2)
