"""Item analysis and weakness by clause, on small answer sets worked out by hand."""
import io
import shutil
from datetime import date, timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import select, update

from app.agencies.models import LineageEvent
from app.core.dates import today
from app.courses.models import Question
from app.courses.services import current_version, sync_courses
from app.quiz_stats import items as items_module
from app.quiz_stats.clauses import clause_groups, clause_weakness
from app.quiz_stats.items import ItemLine, OptionLine, item_analysis, point_biserial
from app.quizzes.models import QuizAttempt, QuizResponse
from app.quizzes.services import start_attempt, submit_attempt
from tests.conftest import FIXTURE_COURSES
from tests.factories import make_agency, make_person

# FX-01: FX01-001 single (a, b = key, c), clause 7.5; FX01-002 true/false (a Đúng, b Sai = key), 9.2;
# FX01-003 multiple (a, b = key, c), "10.2, 8.7"; FX01-004 single (a = key, b), 0.2.
# Five learners, their choices on the four questions, and what is right (1) or wrong (0):
PATTERNS = [
    ("b", "b", "ab", "b"),   # 1 1 1 0 -> 3 right
    ("b", "b", "a", "b"),    # 1 1 0 0 -> 2
    ("a", "b", "ab", "a"),   # 0 1 1 1 -> 3
    ("a", "a", "abc", "a"),  # 0 0 0 1 -> 1
    ("b", "a", "ab", "a"),   # 1 0 1 1 -> 3
]


def submit_pattern(db, version, person, pattern):
    """Start an attempt on every question of FX-01 and submit the given choices (in qid order)."""
    attempt = start_attempt(person.id, version)
    by_qid = {q.qid: q.id for q in db.session.scalars(select(Question).where(Question.version_id == version.id))}
    answers = {str(by_qid[f"FX01-00{n}"]): list(chosen) for n, chosen in enumerate(pattern, start=1)}
    submit_attempt(attempt.id, person.id, answers)
    db.session.commit()
    return attempt


@pytest.fixture
def answered(db, courses):
    agency = make_agency("A")
    people = [make_person(agency=agency) for _ in PATTERNS]
    for person, pattern in zip(people, PATTERNS):
        submit_pattern(db, courses["FX-01"], person, pattern)
    return courses["FX-01"]


def line(report, qid):
    return next(i for i in report.items if i.qid == qid)


def test_each_submitted_answer_is_kept_with_the_score_on_the_other_questions(db, answered):
    rows = db.session.execute(select(QuizResponse.chosen, QuizResponse.correct, QuizResponse.rest)
                              .join(Question).where(Question.qid == "FX01-003")
                              .order_by(QuizResponse.attempt_id)).all()
    assert [tuple(r) for r in rows] == [("a,b", True, 2), ("a", False, 2), ("a,b", True, 2), ("a,b,c", False, 1),
                                        ("a,b", True, 2)]


def test_facility_is_the_share_right_and_discrimination_the_point_biserial_on_the_rest(db, answered):
    report = item_analysis(answered.course_id, year=today().year)
    assert report.attempts == 5
    q1, q3, q4 = line(report, "FX01-001"), line(report, "FX01-003"), line(report, "FX01-004")
    # FX01-001: right x = 1 1 0 0 1, rest y = 2 1 3 1 2: n=5, Σx=3, Σy=9, Σy²=19, Σxy=5
    # r = (5·5 − 3·9) / √((5·3 − 9)(5·19 − 81)) = −2 / √84
    assert (q1.answers, q1.right, q1.facility) == (5, 3, 0.6)
    assert q1.discrimination == pytest.approx(-2 / 84 ** 0.5)
    # FX01-003: x = 1 0 1 0 1, y = 2 2 2 1 2: Σy²=17, Σxy=6 -> (30 − 27) / √(6 · 4) = 3 / √24
    assert q3.discrimination == pytest.approx(3 / 24 ** 0.5)
    # FX01-004: x = 0 0 1 1 1, y = 3 2 2 0 2: Σy²=21, Σxy=4 -> (20 − 27) / √(6 · 24) = −7 / 12
    assert q4.discrimination == pytest.approx(-7 / 12)


def test_option_counts_include_every_option_chosen_in_a_multiple_answer(db, answered):
    report = item_analysis(answered.course_id)
    q1, q3 = line(report, "FX01-001"), line(report, "FX01-003")
    assert [(o.key, o.correct, o.chosen) for o in q1.options] == [("a", False, 2), ("b", True, 3), ("c", False, 0)]
    assert [(o.key, o.chosen) for o in q3.options] == [("a", 5), ("b", 4), ("c", 1)]


def test_flags_name_negative_discrimination_and_a_distractor_nobody_chose(db, answered, monkeypatch):
    assert line(item_analysis(answered.course_id), "FX01-001").flags == []  # 5 answers: too few to judge
    monkeypatch.setattr(items_module, "MIN_ANSWERS_TO_FLAG", 5)
    report = item_analysis(answered.course_id)
    assert line(report, "FX01-001").flags == ["negative", "unused_distractor"]
    assert line(report, "FX01-003").flags == []
    assert line(report, "FX01-004").flags == ["negative"]


@pytest.mark.parametrize("right,expected", [(20, ["too_easy", "unused_distractor"]), (19, []), (4, []), (3, ["too_hard"])])
def test_a_question_almost_everyone_gets_right_or_wrong_is_flagged(right, expected):
    # 19/20 = 95 % is not above 95 %; 4/20 = 20 % is not below 20 %
    item = ItemLine("Q-1", "7.5", "single", "", options=[OptionLine("a", "x", True, right),
                                                           OptionLine("b", "y", False, 20 - right)],
                    answers=20, right=right, discrimination=0.3)
    assert item.flags == expected


def test_discrimination_is_undefined_when_nobody_or_everybody_is_right():
    assert point_biserial(4, 4, 8, 20, 8) is None
    assert point_biserial(4, 0, 8, 20, 0) is None
    assert point_biserial(1, 1, 3, 9, 3) is None


def test_the_year_filter_counts_only_that_years_answers(db, answered):
    first = db.session.scalar(select(QuizAttempt).order_by(QuizAttempt.id))
    last_year = today().year - 1
    db.session.execute(update(QuizResponse).where(QuizResponse.attempt_id == first.id).values(year=last_year))
    first.submitted_at = today_utc(last_year)  # mid-June: inside last year whatever today is
    db.session.commit()
    this = item_analysis(answered.course_id, year=today().year)
    assert (this.attempts, line(this, "FX01-001").answers) == (4, 4)
    before = item_analysis(answered.course_id, year=last_year)
    assert (before.attempts, line(before, "FX01-001").answers, line(before, "FX01-001").right) == (1, 1, 1)
    assert line(item_analysis(answered.course_id), "FX01-001").answers == 5


def test_questions_are_matched_across_versions_by_their_stable_id(db, answered, tmp_path):
    changed = tmp_path / "FX-01"
    shutil.copytree(FIXTURE_COURSES / "FX-01", changed)
    quiz = changed / "quiz.md"
    quiz.write_text(quiz.read_text(encoding="utf-8").replace("- ( ) Biểu mẫu tự soạn", "- ( ) Biểu mẫu mượn"),
                    encoding="utf-8")
    sync_courses(tmp_path)
    db.session.commit()
    second = current_version("FX-01")
    assert second.number == 2
    submit_pattern(db, second, make_person(), ("c", "b", "ab", "a"))
    both = line(item_analysis(answered.course_id), "FX01-001")
    assert (both.answers, both.right, both.versions) == (6, 3, [2, 1])
    assert [(o.html, o.chosen, o.older) for o in both.options] == [
        ("Biểu mẫu cũ", 2, False), ("Biểu mẫu đang có hiệu lực", 3, False), ("Biểu mẫu mượn", 1, False),
        ("Biểu mẫu tự soạn", 0, True)]
    only_first = line(item_analysis(answered.course_id, version_id=answered.id), "FX01-001")
    assert (only_first.answers, only_first.versions) == (5, [1])


def test_item_analysis_takes_three_queries(db, answered, count_queries):
    course_id = answered.course_id
    with count_queries() as seen:
        item_analysis(course_id, year=today().year)
    assert len(seen) == 3


def test_the_item_analysis_workbook_has_a_question_sheet_and_an_option_sheet(client, login, db, answered):
    make_person("dost", access_role="dost")
    db.session.commit()
    login("dost")
    response = client.get("/stats/questions.xlsx?course=FX-01")
    book = load_workbook(io.BytesIO(response.data))
    questions, options = book.worksheets
    rows = [r for r in questions.iter_rows(min_row=5, values_only=True)]
    assert rows[0][:8] == ("FX01-001", "7.5", "một đáp án", "Biểu mẫu nào được dùng?", 5, 3, 60.0, -0.22)
    assert ("FX01-001", "Biểu mẫu tự soạn", None, 0, 0, None) in list(options.iter_rows(min_row=2, values_only=True))


# --- weakness by clause ----------------------------------------------------------------------

def test_clause_tags_group_at_two_levels():
    assert clause_groups("8.5.1") == {"8.5"}
    assert clause_groups("9.2, 10.2") == {"9.2", "10.2"}
    assert clause_groups("7") == {"7"}


def give(db, version, person, agency, year, right_by_qid):
    """A graded attempt of `year` with the given right/wrong per question, written as the submit
    writes it (answers stored at `agency`)."""
    questions = {q.qid: q for q in version.questions}
    attempt = QuizAttempt(person_id=person.id, course_version_id=version.id, drawn=[], answers={},
                          submitted_at=today_utc(year), correct_count=0, score=0, passed=False)
    db.session.add(attempt)
    db.session.flush()
    total = sum(right_by_qid.values())
    db.session.add_all(QuizResponse(attempt_id=attempt.id, question_id=questions[qid].id,
                                    course_id=version.course_id, person_id=person.id, agency_id=agency.id,
                                    year=year, chosen="a", correct=ok, rest=total - ok)
                       for qid, ok in right_by_qid.items())


def today_utc(year):
    from datetime import datetime, timezone

    return datetime(year, 6, 15, 3, 0, tzinfo=timezone.utc)


@pytest.fixture
def province(db, courses):
    """This year: five learners at A (four right on FX01-001, one on FX01-003), four at B (two right
    on FX01-001). Last year: five learners at OLD, since merged into A (two right on FX01-001), and
    one at SPLIT, since split into A and B (right on FX01-001)."""
    version, year = courses["FX-01"], today().year
    ended = date(year - 1, 6, 30)
    a, b = make_agency("A", name="UBND xã A"), make_agency("B", name="UBND xã B")
    old = make_agency("OLD", name="UBND xã Cũ", valid_from=date(2010, 1, 1), valid_to=ended)
    split = make_agency("SPLIT", name="UBND xã Tách", valid_from=date(2010, 1, 1), valid_to=ended)
    for event, predecessor, successor in (("merge", old, a), ("split", split, a), ("split", split, b)):
        db.session.add(LineageEvent(event=event, predecessor_id=predecessor.id, successor_id=successor.id,
                                    effective_date=ended + timedelta(days=1)))
    for i in range(5):
        give(db, version, make_person(agency=a), a, year, {"FX01-001": i < 4, "FX01-003": i == 0})
    for i in range(4):
        give(db, version, make_person(agency=b), b, year, {"FX01-001": i < 2})
    for i in range(5):
        give(db, version, make_person(), old, year - 1, {"FX01-001": i < 2})
    give(db, version, make_person(), split, year - 1, {"FX01-001": True})
    db.session.commit()
    return {"A": a, "B": b}


def agency_line(report, code):
    return next(a for a in report.agencies if a.code == code)


def test_the_province_share_per_clause_counts_every_answer_this_year_and_last(db, province):
    year = today().year
    report = clause_weakness(year)
    assert report.groups == ["7.5", "8.7", "10.2"]
    # this year 7.5: A 4/5 + B 2/4 = 6/9; last year: OLD 2/5 + SPLIT 1/1 = 3/6
    assert report.total.share("7.5", year) == pytest.approx(6 / 9)
    assert report.total.share("7.5", year - 1) == pytest.approx(3 / 6)
    # FX01-003 carries 10.2 and 8.7: one right of A's five, counted under both clauses
    assert report.total.share("10.2", year) == report.total.share("8.7", year) == pytest.approx(1 / 5)
    # overall, each answer once: (6 + 1) right of 9 + 5 answers
    assert report.total.overall(year) == pytest.approx(7 / 14)
    assert report.total.learners == {year: 9, year - 1: 6}


def test_an_agency_as_it_is_today_takes_the_answers_of_what_it_came_from_but_not_of_a_split(db, province):
    year = today().year
    report = clause_weakness(year)
    a, b = agency_line(report, "A").figures, agency_line(report, "B").figures
    assert a.share("7.5", year) == pytest.approx(4 / 5)
    assert a.share("7.5", year - 1) == pytest.approx(2 / 5)  # OLD's five, not SPLIT's one
    assert a.learners == {year: 5, year - 1: 5}
    assert [x.code for x in report.agencies] == ["A", "B"]  # ended agencies have no line


def test_an_agency_with_fewer_than_five_learners_shows_no_figure(db, province, client, login):
    year = today().year
    b = agency_line(clause_weakness(year), "B").figures
    assert (b.learners[year], b.share("7.5", year), b.overall(year), b.enough(year)) == (4, None, None, False)
    make_person("dost", access_role="dost")
    db.session.commit()
    login("dost")
    page = client.get("/stats/clauses?agency=B").text
    assert "chưa đủ dữ liệu" in page.lower()
    assert "50 %" not in page  # B's 2 of 4 on 7.5


def test_a_head_sees_their_agency_and_what_it_came_from_only(db, province, client, login):
    year = today().year
    report = clause_weakness(year, {province["A"].id})
    assert [x.code for x in report.agencies] == ["A"]
    assert report.total.share("7.5", year) == pytest.approx(4 / 5)
    assert report.total.share("7.5", year - 1) == pytest.approx(2 / 5)
    assert report.total.learners == {year: 5, year - 1: 5}
    make_person("head", agency=province["A"], roles=("leader",))
    db.session.commit()
    login("head")
    page = client.get("/stats/clauses").text
    assert "UBND xã A" in page and "UBND xã B" not in page
    assert client.get("/stats/clauses?agency=B").status_code == 404


def test_only_submitted_attempts_count(db, province, courses):
    learner = make_person(agency=province["B"])
    start_attempt(learner.id, courses["FX-01"])  # opened, never submitted
    db.session.commit()
    assert clause_weakness(today().year).total.learners[today().year] == 9


def test_clause_weakness_takes_four_queries(db, province, count_queries):
    scope = {province["A"].id}
    with count_queries() as seen:
        clause_weakness(today().year, scope)
    assert len(seen) == 4


def test_the_clause_workbook_lists_the_province_and_each_agency(client, login, db, province):
    make_person("dost", access_role="dost")
    db.session.commit()
    login("dost")
    year = today().year
    book = load_workbook(io.BytesIO(client.get(f"/stats/clauses.xlsx?year={year}").data))
    clauses, agencies = book.worksheets
    rows = {r[0]: r for r in clauses.iter_rows(min_row=4, values_only=True)}
    assert rows["7.5"] == ("7.5", 6, 50.0, 9, 66.7, 16.7)
    by_code = {r[0]: r for r in agencies.iter_rows(min_row=2, values_only=True)}
    assert by_code["A"][2:5] == (5, 40.0, 50.0)  # this year: 4 + 1 right of 10 answers
    assert by_code["B"][2:5] == (4, "chưa đủ dữ liệu", "chưa đủ dữ liệu")
