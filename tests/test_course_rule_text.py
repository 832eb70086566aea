"""Course text and the enforced training rules agree: rules are quoted only through placeholders."""
import shutil

import pytest
from sqlalchemy import select

from app.courses.loader import read_tree
from app.courses.models import Question
from app.courses.rule_text import fill_rules
from app.courses.services import current_version, sync_courses
from app.coverage.rules import Rules
from tests.conftest import FIXTURE_COURSES, REAL_COURSES
from tests.factories import make_agency, make_person

PROVINCE_RULES = """\
onboarding: {course: ISO-01, within_days: 45}
secretary: {course: ISO-02, within_days: 20}
refresher: {course: ISO-05, roles: [leader, iso_secretary, internal_auditor]}
inspection: {share: 0.325}
"""


def course_with_module(tmp_path, text: str):
    """A copy of fixture course FX-01 whose first module body is `text`; returns its folder."""
    folder = tmp_path / "FX-01"
    shutil.copytree(FIXTURE_COURSES / "FX-01", folder)
    (folder / "01-mo-dau.md").write_text("# Mở đầu\n\n" + text + "\n", encoding="utf-8")
    return folder


def problems_of(folder) -> list[str]:
    _courses, problems = read_tree(folder)
    return [f"{p.path.rsplit('/', 1)[1]}:{p.line}: {p.message}" for p in problems]


def test_the_shipped_courses_quote_no_rule_with_literal_values():
    _courses, problems = read_tree(REAL_COURSES)
    assert [str(p) for p in problems] == []


@pytest.mark.parametrize("sentence", [
    "Công chức mới phải học ISO-01 trong 60 ngày.",
    "| Thư ký ISO | ISO-02 | Trước hoặc trong 30 ngày; cập nhật hằng năm |",
    "| Chuyên gia đánh giá nội bộ | ISO-04 | Bồi dưỡng lại sau 2–3 năm |",
    "Mọi công chức học ISO-05 mỗi năm.",
    "Đây là khóa học bắt buộc cho người vừa chuyển về sau sắp xếp.",
    "Trên nền tảng, tỷ lệ kiểm tra tại chỗ là tham số cấu hình (mặc định 30 %).",
])
def test_a_sentence_stating_a_rule_with_literal_values_is_a_problem(tmp_path, sentence):
    problems = problems_of(course_with_module(tmp_path, "Đoạn mở đầu.\n\n" + sentence))
    assert len(problems) == 1
    assert problems[0].startswith("01-mo-dau.md:5: states a training rule with literal values")


@pytest.mark.parametrize("sentence", [
    "Công chức mới phải học {{ onboarding.course }} trong {{ onboarding.within_days }} ngày.",
    "{{ refresher.roles }} học lại khóa {{ refresher.course }} mỗi năm.",
    "Mức sàn trên nền tảng hiện là {{ inspection.percent }}.",
    "Bài viết năm 2021 nêu mức tối thiểu 30 % cơ quan được kiểm tra tại chỗ.",
    "Hồ sơ đã quá hạn giải quyết 2 ngày.",
    "Khóa học giúp bạn hiểu vì sao cơ quan áp dụng ISO 9001.",
])
def test_rules_through_placeholders_and_unrelated_numbers_are_accepted(tmp_path, sentence):
    assert problems_of(course_with_module(tmp_path, sentence)) == []


def test_a_rule_in_the_course_summary_or_in_the_quiz_is_found_too(tmp_path):
    folder = course_with_module(tmp_path, "Đoạn mở đầu.")
    course_md = (folder / "course.md").read_text(encoding="utf-8")
    summary_line = next(i for i, line in enumerate(course_md.split("\n"), start=1) if line.startswith("summary:"))
    lines = course_md.split("\n")
    lines[summary_line - 1] = "summary: Khóa học bắt buộc cho mọi công chức mới."
    (folder / "course.md").write_text("\n".join(lines), encoding="utf-8")
    quiz = (folder / "quiz.md").read_text(encoding="utf-8")
    (folder / "quiz.md").write_text("Thư ký ISO phải học ISO-02 trong 30 ngày.\n\n" + quiz, encoding="utf-8")
    problems = problems_of(folder)
    assert any(p.startswith(f"course.md:{summary_line}: states a training rule") for p in problems)
    assert any(p.startswith("quiz.md:1: states a training rule") for p in problems)


def test_unknown_or_misplaced_placeholders_are_problems(tmp_path):
    folder = course_with_module(tmp_path, "Học trong {{ onboarding.days }} ngày.\n\n"
                                          "## Hạn {{ onboarding.within_days }} ngày\n\n"
                                          "Bảng: {{ obligations.table }}")
    assert problems_of(folder) == [
        "01-mo-dau.md:3: unknown placeholder '{{ onboarding.days }}' (use one of: onboarding.course, "
        "onboarding.within_days, secretary.course, secretary.within_days, refresher.course, refresher.roles, "
        "inspection.percent, obligations.table)",
        "01-mo-dau.md:5: placeholder '{{ onboarding.within_days }}' cannot be used here; use it in the text",
        "01-mo-dau.md:7: '{{ obligations.table }}' must be a paragraph of its own",
    ]


def test_a_course_that_quotes_a_rule_literally_is_not_published(db, tmp_path):
    course_with_module(tmp_path, "Công chức mới phải học ISO-01 trong 60 ngày.")
    report = sync_courses(tmp_path)
    assert report.skipped == ["FX-01"]
    assert current_version("FX-01") is None


def test_placeholders_are_filled_from_the_rules():
    rules = Rules(onboarding_days=45, secretary_days=20, inspection_share=0.325,
                  refresher_roles=("leader", "iso_secretary", "internal_auditor"))
    html = ("<p>{{ onboarding.course }} trong {{ onboarding.within_days }} ngày; {{ secretary.course }} trong "
            "{{ secretary.within_days }} ngày; {{ refresher.roles }} học {{ refresher.course }}; "
            "kiểm tra {{ inspection.percent }}.</p>")
    assert fill_rules(html, rules) == (
        "<p>ISO-01 trong 45 ngày; ISO-02 trong 20 ngày; lãnh đạo, Thư ký ISO và chuyên gia đánh giá nội bộ "
        "học ISO-05; kiểm tra 32,5 %.</p>")
    assert "{{" not in fill_rules("<p>{{ obligations.table }}</p>", Rules())
    assert "<td>ISO-02</td><td>Trong 30 ngày kể từ ngày nhận vai trò" in fill_rules("<p>{{ obligations.table }}</p>", Rules())


def test_the_gap_module_shows_the_rules_the_report_enforces_and_follows_a_change(
        app, db, client, login, tmp_path, monkeypatch):
    sync_courses(REAL_COURSES)
    make_person("hv", agency=make_agency())
    db.session.commit()
    login("hv")
    page = client.get("/courses/ISO-08/05-khoang-trong-dao-tao").get_data(as_text=True)
    assert "<td>ISO-01</td><td>Trong 60 ngày kể từ ngày bắt đầu công tác" in page
    assert "<td>ISO-02</td><td>Trong 30 ngày kể từ ngày nhận vai trò" in page
    assert "Lãnh đạo và Thư ký ISO (vai trò giữ tại ngày tham chiếu của năm)</td><td>ISO-05</td>" in page
    assert "ISO-03 Vai trò lãnh đạo | Khi bổ nhiệm" not in page and "{{" not in page

    rules_file = tmp_path / "obligations.yml"
    rules_file.write_text(PROVINCE_RULES, encoding="utf-8")
    monkeypatch.setitem(app.config, "OBLIGATIONS_FILE", str(rules_file))
    page = client.get("/courses/ISO-08/05-khoang-trong-dao-tao").get_data(as_text=True)
    assert "<td>ISO-01</td><td>Trong 45 ngày kể từ ngày bắt đầu công tác" in page
    assert "<td>ISO-02</td><td>Trong 20 ngày kể từ ngày nhận vai trò" in page
    intro = client.get("/courses/ISO-01/").get_data(as_text=True)
    assert "hoàn thành khóa\nISO-01 trong 45 ngày kể từ ngày bắt đầu công tác" in intro
    plan = client.get("/courses/ISO-08/02-ke-hoach-kiem-tra-hang-nam").get_data(as_text=True)
    assert "hiện đặt là 32,5 %" in plan


def test_no_page_or_question_of_the_shipped_courses_shows_a_raw_placeholder(db, client, login):
    sync_courses(REAL_COURSES)
    make_person("hv", agency=make_agency())
    db.session.commit()
    login("hv")
    for code in ("ISO-01", "ISO-02", "ISO-03", "ISO-04", "ISO-05", "ISO-06", "ISO-07", "ISO-08"):
        version = current_version(code)
        pages = [f"/courses/{code}/"] + [f"/courses/{code}/{m.slug}" for m in version.modules]
        for url in pages:
            response = client.get(url)
            assert response.status_code == 200, url
            assert "{{" not in response.get_data(as_text=True), url
    for question in db.session.scalars(select(Question)):
        for html in [question.stem_html, question.explanation_html] + [o["html"] for o in question.options]:
            assert "{{" not in fill_rules(html, Rules()), question.qid
