"""Weakness by clause: per ISO 9001 clause, the share of quiz answers that were right this year and
last year, for the whole scope and for each agency as it is today."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import case, func, select

from app.agencies.lineage import credited_sources, lineage_graph, resolve_current
from app.agencies.models import Agency
from app.core.dates import today
from app.courses.models import Question
from app.extensions import db
from app.quizzes.models import QuizResponse
from app.reports.queries import active_on

#: below this many learners in a year an agency's figures are withheld, so that no one is exposed
MIN_LEARNERS = 5
#: a clause is named an agency's weakest only on at least this many answers (one wrong answer is not a weakness)
MIN_ANSWERS_FOR_WEAKEST = 10


def clause_groups(tags: str) -> set[str]:
    """'8.5.1' -> {'8.5'}; '9.2, 10.2' -> {'9.2', '10.2'}; '7' -> {'7'}: the level the report groups by."""
    return {".".join(tag.strip().split(".")[:2]) for tag in tags.split(",") if tag.strip()}


def clause_order(group: str) -> tuple[int, ...]:
    return tuple(int(part) for part in group.split("."))


@dataclass
class Figures:
    """Answers and right answers per (clause group, year) and per year, and learners per year, of
    one scope."""
    learners: dict[int, int] = field(default_factory=dict)
    cells: dict[tuple[str, int], list[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0]))
    #: per year, each answer once however many clauses its question carries
    totals: dict[int, list[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0]))

    def add(self, groups: set[str], year: int, answers: int, right: int) -> None:
        for key in [(group, year) for group in groups]:
            self.cells[key][0] += answers
            self.cells[key][1] += right
        self.totals[year][0] += answers
        self.totals[year][1] += right

    def enough(self, year: int) -> bool:
        return self.learners.get(year, 0) >= MIN_LEARNERS

    def share(self, group: str, year: int) -> float | None:
        """Share right, or None when too few learners or no answer on that clause."""
        answers, right = self.cells.get((group, year), (0, 0))
        return right / answers if answers and self.enough(year) else None

    def answers(self, group: str, year: int) -> int:
        return self.cells.get((group, year), (0, 0))[0]

    def overall(self, year: int) -> float | None:
        """Share right over every answer of the year (a question on two clauses counts once)."""
        answers, right = self.totals.get(year, (0, 0))
        return right / answers if answers and self.enough(year) else None

    def weakest(self, year: int, groups: list[str]) -> str | None:
        shares = [(s, g) for g in groups
                  if self.answers(g, year) >= MIN_ANSWERS_FOR_WEAKEST and (s := self.share(g, year)) is not None]
        return min(shares)[1] if shares else None


@dataclass
class AgencyFigures:
    id: int
    code: str
    name: str
    type: str
    figures: Figures


@dataclass
class ClauseReport:
    year: int
    groups: list[str]
    total: Figures
    agencies: list[AgencyFigures]

    @property
    def last_year(self) -> int:
        return self.year - 1


def clause_weakness(year: int, agency_ids: set[int] | None = None) -> ClauseReport:
    """Share of right answers per clause group in `year` and the year before.

    Counts every answer of a submitted attempt (quiz_response). An answer belongs to the agency the
    learner was at when submitting, followed through the lineage to today's agency; an answer given
    at an agency since split into several, or dissolved, is credited to no agency and counts only in
    the whole-province total (agency_ids None). `agency_ids` (today's agencies, e.g. a manager's
    subtree) limits the scope; the agency lines are the agencies of the scope active today, with
    those that have no answers. A question tagged with two clauses counts for both.
    Four queries: lineage, agencies, answers by agency, year and clause tags, and the learners of
    each agency and year.
    """
    day = today()
    years = (year - 1, year)
    graph = lineage_graph(day)
    agencies_query = select(Agency.id, Agency.code, Agency.name, Agency.type).where(active_on(day))
    if agency_ids is not None:
        agencies_query = agencies_query.where(Agency.id.in_(agency_ids))
    lines = {r.id: AgencyFigures(r.id, r.code, r.name, r.type, Figures())
             for r in db.session.execute(agencies_query.order_by(Agency.code))}

    scope = QuizResponse.year.in_(years)
    if agency_ids is not None:  # the answers given at these agencies or at what they came from
        scope = scope & QuizResponse.agency_id.in_(credited_sources(agency_ids, day, graph))
    right = func.sum(case((QuizResponse.correct, 1), else_=0))
    rows = db.session.execute(
        select(QuizResponse.agency_id, QuizResponse.year, Question.clause, func.count(), right)
        .join(Question, Question.id == QuizResponse.question_id).where(scope)
        .group_by(QuizResponse.agency_id, QuizResponse.year, Question.clause)).tuples().all()
    # one row per learner and agency: a learner who answered at two agencies that became one, or at
    # two agencies of the scope, is counted once where it matters (exact, not a sum of counts)
    learners = db.session.execute(
        select(QuizResponse.agency_id, QuizResponse.year, QuizResponse.person_id).where(scope).distinct()
    ).tuples().all()

    credited = {a: lines[now[0]] for a, now in resolve_current(
        {a for a, *_rest in rows if a is not None}, day, graph).items() if len(now) == 1 and now[0] in lines}
    total, groups, tags = Figures(), set(), {}
    for agency_id, y, clause, answers, right_ in rows:
        found = tags.get(clause)
        if found is None:
            found = tags[clause] = clause_groups(clause)
            groups |= found
        total.add(found, y, answers, right_)
        line = credited.get(agency_id)
        if line is not None:
            line.figures.add(found, y, answers, right_)
    people: dict[tuple, set[int]] = defaultdict(set)
    for agency_id, y, person_id in learners:
        people[y].add(person_id)
        line = credited.get(agency_id)
        if line is not None:
            people[(line.id, y)].add(person_id)
    for key, persons in people.items():
        if isinstance(key, tuple):
            lines[key[0]].figures.learners[key[1]] = len(persons)
        else:
            total.learners[key] = len(persons)
    return ClauseReport(year, sorted(groups, key=clause_order), total, list(lines.values()))

