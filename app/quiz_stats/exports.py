"""The statistics as workbooks: item analysis (questions and options), weakness by clause."""
from __future__ import annotations

import io
from html import unescape

import nh3
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from openpyxl import Workbook
from openpyxl.styles import Font

from app.core.spreadsheets import neutralise
from app.quiz_stats.clauses import ClauseReport
from app.quiz_stats.items import ItemReport

FLAG_LABELS = {
    "too_easy": _l("gần như ai cũng đúng"),
    "too_hard": _l("gần như ai cũng sai"),
    "negative": _l("độ phân biệt âm"),
    "unused_distractor": _l("có phương án nhiễu không ai chọn"),
}
KIND_LABELS = {"single": _l("một đáp án"), "multiple": _l("nhiều đáp án"), "truefalse": _l("đúng/sai")}


def flag_label(flag: str) -> str:
    return str(FLAG_LABELS.get(flag, flag))


def plain(html: str) -> str:
    """Stored question HTML as one line of text for a cell."""
    return " ".join(unescape(nh3.clean(html, tags=set())).split())


def _header(ws, cells) -> None:
    ws.append([str(c) for c in cells])
    for cell in ws[ws.max_row]:
        cell.font = Font(bold=True)


def _save(book: Workbook) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def items_xlsx(report: ItemReport, course_code: str, version_number: int | None) -> bytes:
    """Sheet 1: one row per question; sheet 2: one row per option with how often it was chosen."""
    book = Workbook()
    ws = book.active
    ws.title = _("Câu hỏi")
    ws.append([_("PHÂN TÍCH CÂU HỎI: %(c)s", c=course_code)])
    ws["A1"].font = Font(bold=True, size=13)
    ws.append([(_("Phiên bản %(n)d", n=version_number) if version_number else _("Mọi phiên bản")) + " · "
               + (str(report.year) if report.year else _("Tất cả các năm"))])
    ws.append([])
    _header(ws, [_("Mã câu"), _("Điều khoản"), _("Loại"), _("Câu hỏi"), _("Số lượt trả lời"), _("Số lượt đúng"),
                 _("Độ dễ (%)"), _("Độ phân biệt"), _("Bỏ trống"), _("Cần xem lại")])
    for i in report.items:
        ws.append([i.qid, i.clause, str(KIND_LABELS.get(i.kind, i.kind)), neutralise(plain(i.stem_html)),
                   i.answers, i.right, round(100 * i.facility, 1) if i.facility is not None else None,
                   round(i.discrimination, 2) if i.discrimination is not None else None, i.unanswered,
                   "; ".join(flag_label(f) for f in i.flags)])
    for letter, width in zip("ABCDEFGHIJ", (12, 10, 14, 70, 12, 12, 10, 12, 10, 40)):
        ws.column_dimensions[letter].width = width
    options = book.create_sheet(_("Phương án"))
    _header(options, [_("Mã câu"), _("Phương án"), _("Đáp án đúng"), _("Số lượt chọn"), _("Tỷ lệ chọn (%)"),
                      _("Ghi chú")])
    for i in report.items:
        for o in i.options:
            options.append([i.qid, neutralise(plain(o.html)), _("có") if o.correct else "", o.chosen,
                            round(100 * o.chosen / i.answers, 1) if i.answers else None,
                            _("chỉ có ở phiên bản cũ") if o.older else ""])
    options.column_dimensions["A"].width = 12
    options.column_dimensions["B"].width = 70
    return _save(book)


def clauses_xlsx(report: ClauseReport) -> bytes:
    """Sheet 1: the whole scope per clause, both years; sheet 2: agency by clause for the year."""
    book = Workbook()
    ws = book.active
    ws.title = _("Theo điều khoản")
    ws.append([_("TỶ LỆ TRẢ LỜI ĐÚNG THEO ĐIỀU KHOẢN TCVN ISO 9001:2015, NĂM %(y)d", y=report.year)])
    ws["A1"].font = Font(bold=True, size=13)
    ws.append([])
    last, this, total = report.last_year, report.year, report.total
    _header(ws, [_("Điều khoản"), _("Số câu trả lời %(y)d", y=last), _("Tỷ lệ đúng %(y)d (%%)", y=last),
                 _("Số câu trả lời %(y)d", y=this), _("Tỷ lệ đúng %(y)d (%%)", y=this), _("Thay đổi (điểm %)")])
    for g in report.groups:
        ws.append([g, total.answers(g, last), _pct(total.share(g, last)), total.answers(g, this),
                   _pct(total.share(g, this)), _change(total.share(g, last), total.share(g, this))])
    ws.append([_("Tất cả"), total.totals.get(last, [0])[0], _pct(total.overall(last)),
               total.totals.get(this, [0])[0], _pct(total.overall(this)),
               _change(total.overall(last), total.overall(this))])
    ws.column_dimensions["A"].width = 14
    agencies = book.create_sheet(_("Theo cơ quan"))
    _header(agencies, [_("Mã cơ quan"), _("Cơ quan"), _("Số người làm bài %(y)d", y=this),
                       _("Tỷ lệ đúng %(y)d (%%)", y=last), _("Tỷ lệ đúng %(y)d (%%)", y=this),
                       *[f"{g} ({this})" for g in report.groups]])
    for a in report.agencies:
        f = a.figures
        missing = _("chưa đủ dữ liệu")
        agencies.append([neutralise(a.code), neutralise(a.name), f.learners.get(this, 0),
                         _pct(f.overall(last)) if f.enough(last) else missing,
                         _pct(f.overall(this)) if f.enough(this) else missing,
                         *[_pct(f.share(g, this)) if f.enough(this) else missing for g in report.groups]])
    agencies.column_dimensions["B"].width = 50
    return _save(book)


def _pct(share: float | None) -> float | None:
    return round(100 * share, 1) if share is not None else None


def _change(before: float | None, after: float | None) -> float | None:
    return round(100 * (after - before), 1) if before is not None and after is not None else None
