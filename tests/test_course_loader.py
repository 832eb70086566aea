"""The course format: checking, syncing, versioning and listing."""
import json
import shutil

from sqlalchemy import func, select

from app.courses.loader import read_tree
from app.courses.models import Course, CourseVersion, Module, Question
from app.courses.services import current_version, sync_courses
from tests.conftest import FIXTURE_COURSES, FIXTURES


def test_fixture_courses_have_no_problems():
    courses, problems = read_tree(FIXTURE_COURSES)
    assert problems == []
    assert sorted(c.code for c in courses) == ["FX-01", "FX-02"]


def test_broken_course_reports_each_problem_with_path_and_line():
    _courses, problems = read_tree(FIXTURES / "broken")
    lines = {f"{p.path.split('broken/')[1]}:{p.line}: {p.message}" for p in problems}
    assert "BAD-01/course.md:5: front matter: unknown audience 'chief' (use staff, leader, iso_secretary, internal_auditor, dost)" in lines
    assert "BAD-01/01-mot.md:3: broken image: 'images/khong-co.svg' is not in the course folder" in lines
    assert "BAD-01/01-mot.md:3: broken link: no module '02-khong-co.md' in this course" in lines
    assert "BAD-01/quiz.md:3: BAD01-001: unknown clause '11.4'" in lines
    assert "BAD-01/quiz.md:1: BAD01-001: no correct answer marked ('(x)' or '[x]')" in lines
    assert "BAD-01/quiz.md:12: BAD01-002: single choice has 2 correct answers; use '[x]' for multiple choice" in lines
    assert "BAD-01/quiz.md:23: duplicate question id 'BAD01-001' (first at line 1)" in lines
    assert "BAD-01/quiz.md:34: BAD01-003: explanation is missing ('Giải thích: …')" in lines
    assert all("GOOD-01" not in line for line in lines)


def test_courses_check_exits_1_and_prints_path_line_for_a_broken_tree(runner):
    result = runner.invoke(args=["courses", "check", str(FIXTURES / "broken")])
    assert result.exit_code == 1
    assert "BAD-01/quiz.md:12: BAD01-002: single choice has 2 correct answers" in result.output


def test_courses_check_exits_0_on_a_clean_tree(runner):
    result = runner.invoke(args=["courses", "check", str(FIXTURE_COURSES)])
    assert result.exit_code == 0, result.output


def test_missing_front_matter_and_duplicate_code_are_reported(tmp_path):
    shutil.copytree(FIXTURE_COURSES / "FX-01", tmp_path / "A")
    shutil.copytree(FIXTURE_COURSES / "FX-01", tmp_path / "B")
    (tmp_path / "C").mkdir()
    (tmp_path / "C" / "course.md").write_text("no front matter\n", encoding="utf-8")
    _courses, problems = read_tree(tmp_path)
    messages = [p.message for p in problems]
    assert any(m.startswith("duplicate course code 'FX-01'") for m in messages)
    assert "missing front matter (a block between two '---' lines)" in messages


def test_a_broken_course_does_not_stop_the_others_from_loading(db):
    report = sync_courses(FIXTURES / "broken")
    db.session.commit()
    assert report.created == ["GOOD-01"]
    assert report.skipped == ["BAD-01"]
    assert current_version("GOOD-01") is not None
    assert current_version("BAD-01") is None


def test_sync_twice_changes_nothing(db):
    sync_courses(FIXTURE_COURSES)
    report = sync_courses(FIXTURE_COURSES)
    assert sorted(report.unchanged) == ["FX-01", "FX-02"]
    assert db.session.scalar(select(func.count(CourseVersion.id))) == 2


def test_changed_content_publishes_a_new_version_and_keeps_the_old(db, tmp_path):
    shutil.copytree(FIXTURE_COURSES, tmp_path / "c")
    sync_courses(tmp_path / "c")
    first = current_version("FX-01")
    module = tmp_path / "c" / "FX-01" / "02-tiep-theo.md"
    module.write_text(module.read_text(encoding="utf-8") + "\nMột đoạn mới.\n", encoding="utf-8")
    report = sync_courses(tmp_path / "c")
    second = current_version("FX-01")
    assert report.updated == ["FX-01"]
    assert (first.number, second.number) == (1, 2)
    assert db.session.get(CourseVersion, first.id).is_current is False
    assert "Một đoạn mới." in second.modules[1].html


def test_rendered_module_is_sanitised_and_links_are_rewritten(courses):
    version = courses["FX-01"]
    first, second = version.modules
    assert "<script" not in second.html
    assert '<a href="02-tiep-theo#chi-tiet"' in first.html
    assert f'src="assets/{version.id}/images/vong.svg"' in first.html
    assert first.toc == [[2, "vi-sao", "Vì sao"], [2, "ghi-nho", "Ghi nhớ"]]


def test_question_kinds_are_recognised(courses):
    kinds = {q.qid: q.kind for q in courses["FX-01"].questions}
    assert kinds == {"FX01-001": "single", "FX01-002": "truefalse", "FX01-003": "multiple", "FX01-004": "single"}
    q3 = next(q for q in courses["FX-01"].questions if q.qid == "FX01-003")
    assert q3.clause == "10.2, 8.7"
    assert q3.correct_keys == {"a", "b"}


def test_courses_list_json_gives_counts(runner, courses):
    result = runner.invoke(args=["courses", "list", "--format", "json"])
    rows = json.loads(result.output)
    assert [r["code"] for r in rows] == ["FX-01", "FX-02"]
    fx1 = rows[0]
    assert (fx1["version"], fx1["modules"], fx1["questions"]) == (1, 2, 4)
    assert fx1["words"] > 20


def test_sync_command_exits_1_when_a_course_is_broken_but_loads_the_rest(runner, db):
    result = runner.invoke(args=["courses", "sync", str(FIXTURES / "broken")])
    assert result.exit_code == 1
    assert db.session.scalar(select(Course.code)) == "GOOD-01"
    assert db.session.scalar(select(func.count(Module.id))) == 1
    assert db.session.scalar(select(func.count(Question.id))) == 1


def test_syncing_a_folder_with_one_course_leaves_the_others_published(db, runner, tmp_path):
    sync_courses(FIXTURE_COURSES)
    db.session.commit()
    shutil.copytree(FIXTURE_COURSES / "FX-02", tmp_path / "one" / "FX-02")
    result = runner.invoke(args=["courses", "sync", str(tmp_path / "one")])
    assert result.exit_code == 0 and "not in this folder, left as they are: FX-01" in result.output
    assert current_version("FX-01") is not None and current_version("FX-02") is not None


def test_removing_a_course_is_confirmed_audited_and_undone_by_restore(db, runner):
    from app.audit.models import AuditEvent

    sync_courses(FIXTURE_COURSES)
    db.session.commit()
    refused = runner.invoke(args=["courses", "remove", "FX-01"], input="n\n")
    assert refused.exit_code != 0 and current_version("FX-01") is not None  # not confirmed, nothing changed
    result = runner.invoke(args=["courses", "remove", "FX-01"], input="y\n")
    assert result.exit_code == 0 and "removed FX-01" in result.output
    db.session.expire_all()
    assert current_version("FX-01") is None
    again = runner.invoke(args=["courses", "sync", str(FIXTURE_COURSES)])  # the folder is still there
    assert "FX-01 is removed from the catalogue" in again.output
    db.session.expire_all()
    assert current_version("FX-01") is None
    assert runner.invoke(args=["courses", "restore", "FX-01"]).exit_code == 0
    db.session.expire_all()
    assert current_version("FX-01") is not None
    actions = db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions == ["course.remove", "course.restore"]
