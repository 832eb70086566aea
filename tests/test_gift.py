"""Moodle GIFT import/export (app/courses/gift.py) and the import-gift / export-gift commands."""
from __future__ import annotations

import shutil

import pytest

from app.courses.gift import GiftProblem, parse_gift, questions_to_gift, questions_to_markdown
from app.courses.loader import CourseReader, ParsedOption, ParsedQuestion

from tests.conftest import FIXTURE_COURSES, FIXTURES, REAL_COURSES

EVERY_CONSTRUCT = FIXTURES / "gift" / "every_construct.gift"


@pytest.fixture(scope="module")
def every_construct():
    questions, problems = parse_gift(EVERY_CONSTRUCT.read_text(encoding="utf-8"), prefix="FX01")
    return {q.qid: q for q in questions}, problems


def without_lines(questions: list[ParsedQuestion]) -> list[tuple]:
    return [(q.qid, q.clauses, q.kind, q.stem, q.options, q.explanation) for q in questions]


# Import ------------------------------------------------------------------------------------------

def test_every_construct_imports_exactly_the_five_supported_questions(every_construct):
    questions, _problems = every_construct
    assert list(questions) == ["GX-001", "GX-002", "GX-003", "GX-004", "FX01-G001"]
    assert [q.line for q in questions.values()] == [5, 13, 16, 25, 28]


def test_id_comes_from_id_comment_before_the_question_name(every_construct):
    # '::Biểu mẫu::' is not a valid id anyway; '[id:GX-001]' wins
    assert every_construct[0]["GX-001"].clauses == ["7.5"]


def test_single_choice_keeps_answer_feedback_and_general_feedback(every_construct):
    assert every_construct[0]["GX-001"] == ParsedQuestion(
        "GX-001", 5, ["7.5"], "single", "Biểu mẫu **nào** được dùng?",
        [ParsedOption("Biểu mẫu đang có hiệu lực", True, "Đúng: chỉ dùng bản có hiệu lực."),
         ParsedOption("Biểu mẫu cũ", False, "Bản cũ có thể đã hết hiệu lực."),
         ParsedOption("Biểu mẫu tự soạn", False, "")],
        "Thông tin dạng văn bản phải được kiểm soát (7.5.3).")


def test_no_equals_and_positive_weights_make_multiple_answers_zero_or_negative_is_wrong(every_construct):
    q = every_construct[0]["GX-002"]
    assert (q.qid, q.clauses, q.kind) == ("GX-002", ["4.4"], "multiple")  # id from ::name::, clause-4.4 tag
    assert [(o.text, o.correct) for o in q.options] == [
        ("Xác định các quá trình", True), ("Xác định trình tự và tương tác", True),
        ("Chỉ ban hành sổ tay", False), ("Không cần văn bản", False)]
    assert q.explanation == "Xem Điều 4.4."


def test_decimal_weights_and_two_clause_tags(every_construct):
    q = every_construct[0]["GX-003"]
    assert q.clauses == ["10.2", "8.7"]
    assert q.kind == "multiple"
    assert [o.correct for o in q.options] == [True, True, True, False]
    assert q.options[1].feedback == "Hành động khắc phục (10.2)."


def test_false_gives_wrong_feedback_to_dung_and_right_feedback_to_sai(every_construct):
    q = every_construct[0]["GX-004"]
    assert q.kind == "truefalse"
    assert q.options == [ParsedOption("Đúng", False, "Chưa đúng – không bắt buộc sổ tay."),
                         ParsedOption("Sai", True, "Chính xác.")]
    assert q.explanation == "Bản 2015 không còn yêu cầu sổ tay."


def test_escapes_are_restored_and_a_question_without_id_or_name_gets_a_generated_id(every_construct):
    q = every_construct[0]["FX01-G001"]
    assert q.stem == "Ký hiệu {A} = ~B # 1: xem C:\\tai-lieu\nDòng hai."
    assert q.kind == "truefalse"
    assert [(o.text, o.correct) for o in q.options] == [("Đúng", True), ("Sai", False)]
    assert q.explanation == "Giải thích có = và { }."


def test_each_unsupported_or_incomplete_question_is_reported_with_its_line_and_skipped(every_construct):
    assert every_construct[1] == [
        GiftProblem(31, "unsupported question type 'numerical' skipped"),
        GiftProblem(34, "unsupported question type 'matching' skipped"),
        GiftProblem(37, "unsupported question type 'essay' skipped"),
        GiftProblem(40, "unsupported question type 'short answer' skipped"),
        GiftProblem(43, "unsupported question type 'description' skipped"),
        GiftProblem(46, "unsupported question type 'missing word' skipped"),
        GiftProblem(49, "clause is missing: add a comment such as '// [tag:dieu-7.5]'"),
        GiftProblem(52, "explanation is missing: add general feedback ('####text') inside the braces"),
    ]
    assert str(every_construct[1][0]) == "line 31: unsupported question type 'numerical' skipped"


def test_generated_ids_skip_ids_already_taken():
    text = "// [tag:dieu-7.5]\nCâu?{=A ~B####Vì A.}\n\n// [tag:dieu-7.5]\nCâu khác?{=C ~D####Vì C.}\n"
    questions, problems = parse_gift(text, prefix="FX01", taken={"FX01-G001", "FX01-G003"})
    assert problems == []
    assert [q.qid for q in questions] == ["FX01-G002", "FX01-G004"]


def test_unknown_clause_tag_is_reported():
    _questions, problems = parse_gift("// [id:A-1] [tag:dieu-11.2]\nCâu?{=A ~B####Vì A.}")
    assert problems == [GiftProblem(2, "unknown clause '11.2' in [tag:dieu-11.2]")]


def test_duplicate_id_in_one_file_keeps_the_first():
    text = "// [id:A-1] [tag:dieu-7.5]\nMột?{=A ~B####X.}\n\n// [id:A-1] [tag:dieu-7.5]\nHai?{=A ~B####X.}"
    questions, problems = parse_gift(text)
    assert [q.stem for q in questions] == ["Một?"]
    assert problems == [GiftProblem(5, "duplicate question id 'A-1'")]


def test_partial_credit_next_to_an_equals_answer_is_refused_not_rounded():
    _questions, problems = parse_gift("// [tag:dieu-7.5]\nCâu?{=A ~%50%B ~C####X.}")
    assert problems == [GiftProblem(2, "partial credit ('~%n%' with '=') is not supported")]


def test_loader_rules_apply_to_imported_questions():
    _questions, problems = parse_gift("// [id:A-1] [tag:dieu-7.5]\nCâu?{=A ~B ~C ~D ~E ~F ~G####X.}")
    assert problems == [GiftProblem(2, "A-1: needs 2 to 6 options, has 7")]


def test_html_format_is_reduced_to_text():
    text = "// [id:H-1] [tag:dieu-7.5]\n[html]<p>Câu <b>in đậm</b> &amp; đủ?</p>{=Có ~Không####<i>Vì</i> vậy.}"
    (q,), problems = parse_gift(text)
    assert problems == []
    assert (q.stem, q.options[0].text, q.explanation) == ("Câu in đậm & đủ?", "Có", "Vì vậy.")


def test_imported_questions_written_as_markdown_read_back_identically(every_construct, tmp_path):
    questions = list(every_construct[0].values())
    quiz = tmp_path / "quiz.md"
    quiz.write_text(questions_to_markdown(questions), encoding="utf-8")
    reader = CourseReader(tmp_path)
    assert without_lines(reader.read_quiz(quiz)) == without_lines(questions)
    assert reader.problems == []


# Export ------------------------------------------------------------------------------------------

def test_export_escapes_specials_and_weights_multiple_answers():
    q = ParsedQuestion("X-1", 1, ["4.4", "0.2"], "multiple", "TCVN ISO 9001:2015 {a=b}\nhai",
                       [ParsedOption("A", True, "#1 ~ok"), ParsedOption("B", True), ParsedOption("C", True),
                        ParsedOption("D", False)], "C:\\x")
    assert questions_to_gift([q], "FX-01") == (
        "$CATEGORY: $course$/FX-01\n"
        "\n"
        "// [id:X-1] [tag:dieu-4.4] [tag:dieu-0.2]\n"
        "::X-1::[markdown]TCVN ISO 9001\\:2015 \\{a\\=b\\}\\nhai{\n"
        "~%33.33333%A#\\#1 \\~ok\n"
        "~%33.33333%B\n"
        "~%33.33333%C\n"
        "~%-100%D\n"
        "####C\\:\\\\x\n"
        "}\n")


def test_export_true_false_puts_wrong_feedback_first():
    q = ParsedQuestion("T-1", 1, ["9.2"], "truefalse", "Đúng không?",
                       [ParsedOption("Đúng", False, "Sai rồi."), ParsedOption("Sai", True, "Chuẩn.")], "Vì thế.")
    assert "{\nFALSE#Sai rồi.#Chuẩn.\n####Vì thế.\n}" in questions_to_gift([q], "X")


def test_catalogue_quiz_round_trips_through_gift_without_loss():
    folder = REAL_COURSES / "ISO-01"
    reader = CourseReader(folder)
    questions = reader.read_quiz(folder / "quiz.md")
    assert reader.problems == [] and len(questions) == 47
    back, problems = parse_gift(questions_to_gift(questions, "ISO-01"), prefix="ISO01")
    assert problems == []
    assert without_lines(back) == without_lines(questions)
    assert {q.kind for q in back} == {"single", "multiple", "truefalse"}


# Commands ----------------------------------------------------------------------------------------

@pytest.fixture
def course_copy(app, tmp_path, monkeypatch):
    root = tmp_path / "courses"
    shutil.copytree(FIXTURE_COURSES / "FX-01", root / "FX-01")
    monkeypatch.setitem(app.config, "COURSES_DIR", str(root))
    return root / "FX-01" / "quiz.md"


def test_import_dry_run_prints_markdown_and_writes_nothing(runner, course_copy):
    before = course_copy.read_text(encoding="utf-8")
    result = runner.invoke(args=["courses", "import-gift", str(EVERY_CONSTRUCT), "--course", "FX-01", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "## GX-001" in result.output
    assert f"{EVERY_CONSTRUCT}:31: unsupported question type 'numerical' skipped" in result.output
    assert "would import 5, skipped 8" in result.output
    assert course_copy.read_text(encoding="utf-8") == before


def test_import_appends_questions_that_courses_check_accepts(runner, course_copy):
    result = runner.invoke(args=["courses", "import-gift", str(EVERY_CONSTRUCT), "--course", "FX-01"])
    assert result.exit_code == 0, result.output
    assert "imported 5, skipped 8" in result.output
    reader = CourseReader(course_copy.parent)
    qids = [q.qid for q in reader.read_quiz(course_copy)]
    assert qids == ["FX01-001", "FX01-002", "FX01-003", "FX01-004",
                    "GX-001", "GX-002", "GX-003", "GX-004", "FX01-G001"]
    check = runner.invoke(args=["courses", "check"])
    assert check.exit_code == 0, check.output


def test_import_refuses_an_id_already_in_quiz_md(runner, course_copy, tmp_path):
    before = course_copy.read_text(encoding="utf-8")
    gift = tmp_path / "dup.gift"
    gift.write_text("// [id:GX-9] [tag:dieu-7.5]\nMới?{=A ~B####X.}\n\n"
                    "// [id:FX01-002] [tag:dieu-9.2]\nTrùng?{=A ~B####X.}\n", encoding="utf-8")
    result = runner.invoke(args=["courses", "import-gift", str(gift), "--course", "FX-01"])
    assert result.exit_code == 1
    assert f"{gift}:5: question id 'FX01-002' already exists" in result.output
    assert course_copy.read_text(encoding="utf-8") == before


def test_import_exits_1_when_every_question_fails(runner, course_copy, tmp_path):
    gift = tmp_path / "bad.gift"
    gift.write_text("Bao nhiêu?{#10}\n", encoding="utf-8")
    result = runner.invoke(args=["courses", "import-gift", str(gift), "--course", "FX-01"])
    assert result.exit_code == 1
    assert "imported 0, skipped 1" in result.output


def test_import_unknown_course_is_an_error(runner, course_copy):
    result = runner.invoke(args=["courses", "import-gift", str(EVERY_CONSTRUCT), "--course", "NO-99"])
    assert result.exit_code == 1
    assert "no course with code 'NO-99'" in result.output


def test_export_prints_category_and_question_names(runner):
    result = runner.invoke(args=["courses", "export-gift", "FX-01"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("$CATEGORY: $course$/FX-01\n")
    assert "::FX01-001::" in result.output


def test_export_to_file_reads_back_as_the_same_questions(runner, tmp_path):
    out = tmp_path / "fx01.gift"
    result = runner.invoke(args=["courses", "export-gift", "FX-01", "--out", str(out)])
    assert result.exit_code == 0, result.output
    reader = CourseReader(FIXTURE_COURSES / "FX-01")
    questions = reader.read_quiz(FIXTURE_COURSES / "FX-01" / "quiz.md")
    back, problems = parse_gift(out.read_text(encoding="utf-8"))
    assert problems == [] and without_lines(back) == without_lines(questions)
