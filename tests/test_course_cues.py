"""Answer cues measured by `flask courses check`, on a small bank counted by hand."""
import shutil

import pytest

from app.courses.cues import cue_report
from app.courses.loader import read_tree
from tests.conftest import FIXTURE_COURSES

QUIZ = """# Ngân hàng câu hỏi

## FX01-001

Điều khoản: 7.5

Khi phát hiện hồ sơ trễ hạn, công chức cần làm gì trước tiên?

- (x) Báo ngay cho người dân và ghi phiếu xin lỗi, hẹn lại ngày trả kết quả
- ( ) Chuyển hồ sơ cho lãnh đạo
- ( ) Ghi vào sổ theo dõi

Giải thích: Người dân phải được báo trước.

## FX01-002

Điều khoản: 7.5

Khi phát hiện hồ sơ bị trễ hạn, công chức cần làm gì trước tiên?

- ( ) Chuyển hồ sơ cho lãnh đạo ký thay
- (x) Báo cho người dân
- ( ) Ghi vào sổ theo dõi hồ sơ

Giải thích: Người dân phải được báo trước.

## FX01-003

Điều khoản: 7.5

Biểu mẫu nào được dùng?

- (x) Mẫu mới
- ( ) Mẫu cũ
- ( ) Mẫu tay
- ( ) Tự soạn

Giải thích: Mẫu mới đang có hiệu lực; dài bằng “Mẫu tay”, nên không có gợi ý độ dài.

## FX01-004

Điều khoản: 9.2

Đánh giá nội bộ được lập kế hoạch.

- (x) Đúng
- ( ) Sai

Giải thích: Có chương trình đánh giá.

## FX01-005

Điều khoản: 9.2

Đánh giá nội bộ chỉ làm khi có khiếu nại.

- ( ) Đúng
- (x) Sai

Giải thích: Đánh giá theo kế hoạch.

## FX01-006

Điều khoản: 9.3

Xem xét của lãnh đạo do thư ký ISO chủ trì.

- ( ) Đúng
- (x) Sai

Giải thích: Người đứng đầu chủ trì.

## FX01-007

Điều khoản: 10.2

Chọn các việc khi hồ sơ trễ hạn.

- [x] Khắc phục tức thời
- [x] Tìm nguyên nhân
- [ ] Bỏ qua lần này

Giải thích: Cả hai việc đều cần.

## FX01-008

Điều khoản: 10.2

Chọn các việc của hành động khắc phục.

- [x] Tìm nguyên nhân
- [x] Kiểm tra hiệu lực
- [ ] Chỉ sửa hồ sơ đó
- [ ] Phạt công chức

Giải thích: Hành động khắc phục loại bỏ nguyên nhân.

## FX01-009

Điều khoản: 0.2

Nguyên tắc nào nói về người dân?

- (x) Hướng vào khách hàng
- ( ) Cải tiến

Giải thích: Người dân là khách hàng.
"""


@pytest.fixture
def bank(tmp_path):
    """One course of nine questions whose cues were counted by hand (see each test)."""
    shutil.copytree(FIXTURE_COURSES / "FX-01", tmp_path / "FX-01")
    (tmp_path / "FX-01" / "quiz.md").write_text(QUIZ, encoding="utf-8")
    return tmp_path


def test_the_report_counts_each_cue_as_counted_by_hand(bank):
    courses, problems = read_tree(bank)
    assert problems == []
    report = cue_report(courses)
    t = report.total
    # single choice with 3+ options: 001 (key longest, 2.4× the longest distractor), 002 (key shortest),
    # 003 (key as long as "Mẫu tay": not strictly longest)
    assert (t.questions, t.single_3plus, t.longest_key, t.far_longer_key) == (9, 3, 1, 1)
    assert (t.truefalse, t.true_keys) == (3, 1)  # 004 Đúng, 005 and 006 Sai
    assert (t.multiple, t.single_wrong) == (2, 1)  # 007 has one wrong option, 008 two
    assert (t.absolute_distractors, t.absolute_keys) == (2, 0)  # "Bỏ qua lần này", "Chỉ sửa hồ sơ đó"
    assert t.flagged["longest key"] == ["FX01-001"] and t.flagged["one wrong option"] == ["FX01-007"]
    assert [(a, b) for a, b, _ in report.duplicates] == [("FX01-001", "FX01-002")]


def test_check_fails_on_each_target_the_tree_sets_and_passes_when_they_hold(runner, bank):
    (bank / "cue_targets.yml").write_text(
        "longest_key_max: 0.30\ntrue_share_min: 0.35\ntrue_share_max: 0.65\nsingle_wrong_max: 0\nmin_questions: 10\n",
        encoding="utf-8")
    result = runner.invoke(args=["courses", "check", str(bank)])
    assert result.exit_code == 1
    failures = [line for line in result.output.splitlines() if line.startswith("cue target not met")]
    assert failures == [
        "cue target not met: only 9 questions; keep at least 10",
        "cue target not met: the key is the longest option in 1 of 3 single-choice questions (33%); at most 30%",
        "cue target not met: true/false keyed 'Đúng' 1 of 3 times (33%); keep it between 35% and 65%",
        "cue target not met: 1 multiple-answer questions have a single wrong option; at most 0",
    ]
    (bank / "cue_targets.yml").write_text(
        "longest_key_max: 0.34\ntrue_share_min: 0.33\ntrue_share_max: 0.65\nsingle_wrong_max: 1\nmin_questions: 9\n",
        encoding="utf-8")
    result = runner.invoke(args=["courses", "check", str(bank)])
    assert result.exit_code == 0, result.output
    assert "cue targets met" in result.output


def test_a_tree_without_targets_gets_the_report_and_no_gate(runner, bank):
    result = runner.invoke(args=["courses", "check", "--flagged", str(bank)])
    assert result.exit_code == 0
    assert "    longest key: FX01-001" in result.output
    assert "near-duplicate stems: FX01-001 ≈ FX01-002" in result.output


def test_a_broken_targets_file_is_refused(runner, bank):
    (bank / "cue_targets.yml").write_text("longest_key_max: lots\n", encoding="utf-8")
    result = runner.invoke(args=["courses", "check", str(bank)])
    assert result.exit_code == 1 and "cue_targets.yml: needs longest_key_max" in result.output
