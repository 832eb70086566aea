"""The load bench's accounting: what the clients were told, held against the rows of the database."""
from __future__ import annotations

import json
import sqlite3
from collections import Counter

from sqlalchemy import bindparam, text


def of_learners(sql: str):
    """text() of a query over the run's learners, `:names` being a list of their usernames."""
    return text(sql).bindparams(bindparam("names", expanding=True))


ATTEMPTS = of_learners("SELECT a.id, a.person_id, a.course_version_id, a.submitted_at, a.passed, a.score, a.drawn, "
                       "v.attempts_allowed FROM quiz_attempt a JOIN course_version v ON v.id = a.course_version_id "
                       "JOIN person p ON p.id = a.person_id WHERE p.username IN :names ORDER BY a.submitted_at, a.id")
ANSWER_ROWS = of_learners("SELECT r.attempt_id, count(*) FROM quiz_response r JOIN person p ON p.id = r.person_id "
                          "WHERE p.username IN :names GROUP BY r.attempt_id")
COMPLETIONS = of_learners("SELECT c.attempt_id FROM completion c JOIN person p ON p.id = c.person_id "
                          "WHERE p.username IN :names")


def over_limit(graded: list) -> list[int]:
    """Attempts graded beyond the version's limit, or after the attempt that completed the course:
    as app/quizzes/standing.py has it, a completion closes the cycle, and the run's learners start
    with none, within one year. `graded`: the graded rows in the order they were submitted."""
    used, completed, beyond = Counter(), set(), []
    for row in graded:
        key = (row.person_id, row.course_version_id)
        used[key] += 1
        if key in completed or (row.attempts_allowed and used[key] > row.attempts_allowed):
            beyond.append(row.id)
        if row.passed:
            completed.add(key)
    return beyond


def account(engine, learners: list[str], tallies: list) -> dict:
    """Every acknowledged submit must have exactly one graded attempt, with one answer row per
    question and, when passed, one completion. Lost: acknowledged but not graded, answer rows or
    a completion missing. Doubled: graded but never sent, more answer rows than questions, a second
    completion of an attempt or one without a passed attempt behind it. Also counted: attempts
    beyond the limit of a cycle, and attempts answered entirely right that were not graded 100 %.
    The learners are the run's own, so their rows are exactly the run's."""
    sent = set().union(*(t.sent for t in tallies))
    acked = set().union(*(t.acked for t in tallies))
    all_right = set().union(*(t.all_right for t in tallies))
    names = {"names": learners}
    with engine.connect() as conn:
        attempts = conn.execute(ATTEMPTS, names).all()
        answer_rows = dict(conn.execute(ANSWER_ROWS, names).all())
        # 0 stands for a completion with no attempt behind it
        completions = Counter(a or 0 for a in conn.execute(COMPLETIONS, names).scalars())
    graded = [r for r in attempts if r.submitted_at is not None]
    by_id = {r.id: r for r in graded}
    passed = {r.id for r in graded if r.passed}
    questions = {r.id: len(json.loads(r.drawn) if isinstance(r.drawn, str) else r.drawn) for r in graded}
    found = {
        "lost: acknowledged, not graded": acked - by_id.keys(),
        "lost: answer rows missing": {a for a in by_id if answer_rows.get(a, 0) < questions[a]},
        "lost: passed, no completion": passed - completions.keys(),
        "doubled: graded, never sent": by_id.keys() - sent,
        "doubled: extra answer rows": {a for a in by_id if answer_rows.get(a, 0) > questions[a]},
        "doubled: extra completions": {a for a, n in completions.items() if n > 1 or a not in passed},
        "beyond the attempt limit or the completion": set(over_limit(graded)),
        "right answers graded below 100 %": {a for a in all_right & by_id.keys() if by_id[a].score != 100},
    }
    return {
        "sent": len(sent), "acknowledged": len(acked), "graded": len(graded), "passed": len(passed),
        "completions": sum(completions.values()), "open_left": len(attempts) - len(graded),
        "sent_not_acknowledged": len(sent - acked),
        "of_which_graded": len((sent - acked) & by_id.keys()),
        "lost": sum(len(ids) for what, ids in found.items() if what.startswith("lost")),
        "doubled": sum(len(ids) for what, ids in found.items() if what.startswith("doubled")),
        "violations": {what: sorted(ids) for what, ids in found.items() if ids},
    }


def integrity_check(path: str) -> str:
    """PRAGMA integrity_check of a SQLite file, once nothing writes to it ("ok" when sound)."""
    conn = sqlite3.connect(path)
    try:
        return ", ".join(row[0] for row in conn.execute("PRAGMA integrity_check"))
    finally:
        conn.close()
