"""The load bench's accounts and the facts its clients need, in a migrated and seeded database.

Run with the app's environment (FLASK_CONFIG, SECRET_KEY, DATABASE_URL) after `db upgrade`, `courses
sync`, `demo` and `demo --scale province`. Creates, through the accounts service, the learners (the
bench gives each run its own, so a run's rows are exactly those of its learners) and one DOST account
for the coverage page, and writes a JSON plan: the courses with their modules and attempt limits, and
the correct keys of every current question, so that a client can choose to pass an attempt."""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

PREFIX = "loadbench"
PASSWORD = "loadbench-pass-2026"
#: the learners' agency (the demo's commune service centre), so that completions carry an agency
AGENCY = "AG-XA-ANPHU-PVHCC"
DOST = (f"{PREFIX}-dost", "AG-SKHCN")


def create_accounts(learners: int) -> list[str]:
    """Create `learners` learner accounts and the DOST account; returns the learners' usernames."""
    from app.accounts.services import create_account

    names = [f"{PREFIX}{n:03d}" for n in range(learners)]
    for username in names:
        create_account(username, PASSWORD, "learner", full_name=f"Học viên tải {username[-3:]}", agency_code=AGENCY)
    create_account(DOST[0], PASSWORD, "dost", full_name="Sở KH&CN tải", agency_code=DOST[1])
    return names


def courses_and_keys() -> tuple[dict, dict]:
    """Course code -> its modules and attempt limit, and question id -> correct keys, of the
    current versions."""
    from app.courses.services import current_versions_query
    from app.extensions import db

    courses, correct = {}, {}
    for version in db.session.scalars(current_versions_query()):
        courses[version.course.code] = {"modules": [m.slug for m in version.modules],
                                        "attempts_allowed": version.attempts_allowed}
        correct.update({str(q.id): sorted(q.correct_keys) for q in version.questions})
    return courses, correct


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--learners", type=int, required=True)
    parser.add_argument("--out", required=True, help="where to write the plan (JSON)")
    args = parser.parse_args()

    from app import create_app
    from app.extensions import db

    with create_app().app_context():
        learners = create_accounts(args.learners)
        db.session.commit()
        courses, correct = courses_and_keys()
    Path(args.out).write_text(json.dumps({"courses": courses, "correct": correct, "learners": learners,
                                          "dost": DOST[0], "password": PASSWORD}))
    print(f"accounts: {len(learners)} learners and {DOST[0]}; courses: {', '.join(courses)}; "
          f"questions: {len(correct)}")


if __name__ == "__main__":
    main()
