"""The platform's day is Vietnam's, whatever the machine's zone and on either side of local midnight."""
from datetime import date, datetime, timezone

import pytest
import time_machine
from sqlalchemy import select

from app.accounts.models import Person
from app.completions.models import Completion
from app.core.dates import today
from app.quizzes.services import start_attempt, submit_attempt
from tests.factories import make_agency, make_person
from tests.imports_support import run
from tests.test_quiz import key_answers

# 31/12/2026 23:59:30 and 01/01/2027 00:00:30 in Vietnam (UTC+7); UTC is on 31/12 for both.
BEFORE_MIDNIGHT = datetime(2026, 12, 31, 16, 59, 30, tzinfo=timezone.utc)
AFTER_MIDNIGHT = datetime(2026, 12, 31, 17, 0, 30, tzinfo=timezone.utc)
SIDES = pytest.mark.parametrize("moment,vietnam_day", [
    (BEFORE_MIDNIGHT, date(2026, 12, 31)),
    (AFTER_MIDNIGHT, date(2027, 1, 1)),
], ids=["just-before-midnight", "just-after-midnight"])


@SIDES
def test_today_is_the_day_in_vietnam(moment, vietnam_day):
    with time_machine.travel(moment, tick=False):
        assert today() == vietnam_day


@SIDES
def test_a_pass_is_dated_on_the_day_in_vietnam(db, courses, moment, vietnam_day):
    person = make_person(agency=make_agency())
    with time_machine.travel(moment, tick=False):
        attempt = start_attempt(person.id, courses["FX-01"])
        submit_attempt(attempt.id, person.id, key_answers(attempt, db))
        db.session.commit()
    assert db.session.scalar(select(Completion.completed_on)) == vietnam_day


@SIDES
def test_users_create_starts_the_assignment_on_the_day_in_vietnam(runner, db, moment, vietnam_day):
    make_agency("AG-1")
    db.session.commit()
    with time_machine.travel(moment, tick=False):
        result = runner.invoke(args=["users", "create", "lan", "--role", "learner", "--agency", "AG-1"],
                               input="mat-khau-dai\n")
    assert result.exit_code == 0, result.output
    person = db.session.scalar(select(Person).where(Person.username == "lan"))
    assert [a.start_date for a in person.assignments] == [vietnam_day]


def test_an_import_accepts_a_completion_dated_today_in_vietnam_while_utc_is_still_yesterday(db, courses):
    person = make_person(agency=make_agency(), start=date(2026, 1, 1))
    db.session.commit()
    with time_machine.travel(AFTER_MIDNIGHT, tick=False):
        report = run("completions", f"{person.staff_code},FX-01,2027-01-01,,offline")
        refused = run("completions", f"{person.staff_code},FX-01,2027-01-02,,offline")
    assert report.applied, report.problems.sorted()
    assert [p.message for p in refused.problems.sorted()] == ["ngày hoàn thành ở tương lai"]


def test_the_coverage_page_opens_on_the_year_in_vietnam(client, db, login):
    make_person("sokhcn", agency=make_agency("SO-KHCN", type="SO_KHCN"), access_role="dost")
    db.session.commit()
    with time_machine.travel(AFTER_MIDNIGHT, tick=False):
        login("sokhcn")
        assert client.get("/reports/coverage?year=2027").status_code == 200
        assert client.get("/reports/coverage?year=2028").status_code == 404
