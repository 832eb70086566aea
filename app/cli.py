"""Command-line interface: thin wrappers around the services; each command commits once."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from sqlalchemy import func, select

from app.extensions import db
from app.imports.cli import import_command

courses_cli = AppGroup("courses", help="Check, load and list the Markdown courses.")
users_cli = AppGroup("users", help="Manage accounts.")


@courses_cli.command("check")
@click.argument("path", required=False)
@click.option("--flagged", is_flag=True, help="also list, per course, the questions behind each cue count")
def courses_check(path: str | None, flagged: bool) -> None:
    """Validate a course tree (default: COURSES_DIR) and measure its answer cues; exit 1 if anything
    is wrong or, when the tree has a cue_targets.yml, if a bank-wide cue target is exceeded."""
    from app.courses.cues import CueTargetsError, cue_report, load_targets
    from app.courses.loader import read_tree

    root = Path(path or current_app.config["COURSES_DIR"])
    courses, problems = read_tree(root)
    for problem in problems:
        click.echo(str(problem))
    warnings = [w for course in courses for w in course.warnings]
    for warning in warnings:  # printed, never a failure
        click.echo(f"{warning.path}:{warning.line}: WARNING: {warning.message}")
    report = cue_report(courses)
    for line in report.lines(flagged):
        click.echo(line)
    try:
        targets = load_targets(root)
    except CueTargetsError as exc:
        click.echo(f"cue_targets.yml: {exc}", err=True)
        sys.exit(1)
    failures = report.failures(targets) if targets is not None else []
    for failure in failures:
        click.echo(f"cue target not met: {failure}")
    if problems or failures:
        click.echo(f"{len(problems)} problem(s) and {len(failures)} cue target(s) not met in "
                   f"{len(courses)} course(s).", err=True)
        sys.exit(1)
    click.echo(f"OK: {len(courses)} course(s), no problems"
               f"{', cue targets met' if targets is not None else ''}"
               f"{f', {len(warnings)} warning(s)' if warnings else ''}.", err=True)


@courses_cli.command("sync")
@click.argument("path", required=False)
def courses_sync(path: str | None) -> None:
    """Load every valid course into the database; broken ones are reported and skipped."""
    from app.courses.services import sync_courses

    report = sync_courses(path or current_app.config["COURSES_DIR"])
    db.session.commit()
    for problem in report.problems:
        click.echo(str(problem), err=True)
    click.echo(
        f"created: {len(report.created)}, updated: {len(report.updated)}, "
        f"unchanged: {len(report.unchanged)}, skipped (broken): {len(report.skipped)}"
    )
    if report.rerendered:
        click.echo(f"unchanged but rendered again with today's renderer: {', '.join(report.rerendered)} "
                   "(restart the app so every worker serves the new HTML)")
    for code in report.skipped:
        click.echo(f"skipped {code}: fix the problems above and sync again", err=True)
    if report.not_in_folder:
        click.echo(f"not in this folder, left as they are: {', '.join(report.not_in_folder)}")
    for code in report.kept_removed:
        click.echo(f"{code} is removed from the catalogue: updated, still removed "
                   f"(flask --app wsgi courses restore {code} to list it again)")
    if report.skipped:
        sys.exit(1)


def _set_listed(code: str, listed: bool, done: str) -> None:
    from app.courses.services import CourseError, set_listed

    try:
        set_listed(code, listed)
    except CourseError as exc:
        raise click.ClickException(str(exc)) from exc
    db.session.commit()
    click.echo(done)


@courses_cli.command("remove")
@click.argument("code")
@click.option("--yes", is_flag=True, help="do not ask for confirmation")
def courses_remove(code: str, yes: bool) -> None:
    """Take a course off the catalogue: learners no longer see it; its versions, attempts,
    completions and certificates stay. Audit-logged; `courses restore` undoes it."""
    if not yes:
        click.confirm(f"Remove {code} from the catalogue? Learners will no longer see it", abort=True)
    _set_listed(code, False, f"removed {code} from the catalogue (audit log: course.remove)")


@courses_cli.command("restore")
@click.argument("code")
def courses_restore(code: str) -> None:
    """Put a removed course back in the catalogue. Audit-logged."""
    _set_listed(code, True, f"listed {code} again (audit log: course.restore)")


@courses_cli.command("list")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
def courses_list(fmt: str) -> None:
    """The published courses: code, title, version, modules, questions, words."""
    from app.courses.models import Module, Question
    from app.courses.services import current_versions_query

    versions = list(db.session.scalars(current_versions_query()))
    ids = [v.id for v in versions]
    modules = dict(db.session.execute(select(Module.version_id, func.count()).where(Module.version_id.in_(ids)).group_by(Module.version_id)).all())
    questions = dict(db.session.execute(select(Question.version_id, func.count()).where(Question.version_id.in_(ids)).group_by(Question.version_id)).all())
    rows = [
        {"code": v.course.code, "title": v.title, "version": v.number, "modules": modules.get(v.id, 0),
         "questions": questions.get(v.id, 0), "words": v.word_count}
        for v in versions
    ]
    if fmt == "json":
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for r in rows:
        click.echo(f"{r['code']:<8} v{r['version']:<3} {r['modules']:>2} modules {r['questions']:>3} questions "
                   f"{r['words']:>6} words  {r['title']}")


@users_cli.command("create")
@click.argument("username")
@click.option("--role", type=click.Choice(["learner", "agency_manager", "dost", "admin"]), required=True)
@click.option("--agency", "agency_code", help="Agency code: also creates a current assignment there.")
@click.option("--name", "full_name", help="Full name (default: the username).")
@click.option("--staff-code", help="Staff code (default: the username in capitals).")
def users_create(username: str, role: str, agency_code: str | None, full_name: str | None,
                 staff_code: str | None) -> None:
    """Create an account; the password is read from standard input."""
    from app.accounts.services import AccountError, create_account

    password = click.prompt("Password", hide_input=True, confirmation_prompt=sys.stdin.isatty())
    try:
        person = create_account(username, password, role, full_name=full_name, staff_code=staff_code,
                                agency_code=agency_code)
    except AccountError as exc:
        raise click.ClickException(str(exc)) from exc
    db.session.commit()
    click.echo(f"created {person.username} ({role}), staff code {person.staff_code}")


@users_cli.command("invite")
@click.argument("staff_code")
@click.option("--reset", is_flag=True, help="A password reset link for an existing account.")
def users_invite(staff_code: str, reset: bool) -> None:
    """Print a one-time link for the person to set their password (earlier unused links stop working)."""
    from app.accounts.invites import InviteError, create_invite, invite_url
    from app.accounts.models import Person

    person = db.session.scalar(select(Person).where(func.upper(Person.staff_code) == staff_code.upper()))
    if person is None:
        raise click.ClickException(f"no person with staff code '{staff_code}'")
    try:
        token = create_invite(person, "reset" if reset else "invite", actor=None)
    except InviteError as exc:
        raise click.ClickException(str(exc)) from exc
    db.session.commit()
    click.echo(invite_url(token))
    click.echo(f"valid for {current_app.config['INVITE_VALID_DAYS']} day(s); send it by internal mail", err=True)


@users_cli.command("unlock")
@click.argument("username")
def users_unlock(username: str) -> None:
    """Lift the sign-in lock that repeated wrong passwords put on USERNAME (audited)."""
    from app.accounts import throttle
    from app.accounts.models import Person

    person = db.session.scalar(select(Person).where(func.lower(Person.username) == username.strip().lower()))
    if person is None:
        raise click.ClickException(f"no account with username '{username}'")
    forgotten = throttle.lift(person, actor=None)
    db.session.commit()
    click.echo(f"{person.username}: {forgotten} failed sign-in(s) forgotten" if forgotten
               else f"{person.username} was not locked")


@click.command("demo")
@click.option("--scale", type=click.Choice(["province", "national"]),
              help="Instead: load synthetic data of this size (once per database; see bench/README.md).")
@click.option("--seed", type=int, default=2026, show_default=True, help="With --scale: the random seed.")
@click.option("--factor", type=float, default=1.0, hidden=True)  # tests shrink the tier
def demo_command(scale: str | None, seed: int, factor: float) -> None:
    """Create (or refresh) the demo province, people and accounts. Safe to run again.

    With --scale: load synthetic province or national data instead, once per database.
    """
    if scale:
        from app.demo_scale import ScaleDataError, load_scale, vacuum_analyze

        try:
            summary = load_scale(scale, seed, courses_dir=current_app.config["COURSES_DIR"], factor=factor,
                                 echo=click.echo)
        except ScaleDataError as exc:
            raise click.ClickException(str(exc)) from exc
        db.session.commit()
        seconds = vacuum_analyze()
        click.echo(f"{summary}{f', vacuum analyze {seconds:.1f}s' if seconds else ''}")
        return
    from app.demo import load_demo

    summary = load_demo(current_app.config["COURSES_DIR"])
    db.session.commit()
    click.echo(summary)



def _course_folder(code: str) -> Path:
    """The folder under COURSES_DIR whose course.md front matter has this code."""
    from app.courses.loader import CourseReader, course_folders

    root = Path(current_app.config["COURSES_DIR"])
    for folder in course_folders(root) if root.exists() else []:
        meta, _intro = CourseReader(folder).read_course_file(folder / "course.md")
        if str(meta.get("code", "")) == code:
            return folder
    raise click.ClickException(f"no course with code '{code}' under {root}")


@courses_cli.command("import-gift")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--course", "code", required=True, help="Code of the course whose quiz.md receives the questions.")
@click.option("--dry-run", is_flag=True, help="Print the Markdown that would be added; write nothing.")
def courses_import_gift(file: str, code: str, dry_run: bool) -> None:
    """Append the questions of a Moodle GIFT file to a course's quiz.md."""
    import re

    from app.courses.gift import parse_gift, questions_to_markdown

    folder = _course_folder(code)
    quiz = folder / "quiz.md"
    try:
        text = Path(file).read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise click.ClickException(f"{file} is not UTF-8") from exc
    existing = quiz.read_text(encoding="utf-8") if quiz.exists() else ""
    taken = {m.group(1) for m in re.finditer(r"^##\s+(\S+)\s*$", existing, re.MULTILINE)}
    questions, problems = parse_gift(text, prefix=code.replace("-", ""), taken=taken)
    for problem in problems:
        click.echo(f"{file}:{problem.line}: {problem.message}")
    clashes = [q for q in questions if q.qid in taken]
    for q in clashes:
        click.echo(f"{file}:{q.line}: question id '{q.qid}' already exists in {quiz}")
    if clashes:
        click.echo("refused: nothing written", err=True)
        sys.exit(1)
    skipped = len({p.line for p in problems})
    markdown = questions_to_markdown(questions)
    if dry_run:
        click.echo(markdown)
        click.echo(f"dry run, nothing written: would import {len(questions)}, skipped {skipped}")
    else:
        if questions:
            quiz.write_text(existing.rstrip("\n") + "\n\n" + markdown, encoding="utf-8")
        click.echo(f"imported {len(questions)}, skipped {skipped}")
    if not questions and skipped:
        sys.exit(1)


@courses_cli.command("export-gift")
@click.argument("code")
@click.option("--out", type=click.Path(dir_okay=False), help="File to write (default: standard output).")
def courses_export_gift(code: str, out: str | None) -> None:
    """Write a course's quiz.md as Moodle GIFT."""
    from app.courses.gift import questions_to_gift
    from app.courses.loader import CourseReader

    folder = _course_folder(code)
    reader = CourseReader(folder)
    questions = reader.read_quiz(folder / "quiz.md")
    if reader.problems:
        for problem in reader.problems:
            click.echo(str(problem), err=True)
        raise click.ClickException("fix quiz.md first: broken questions would be left out of the export")
    gift = questions_to_gift(questions, code)
    if out:
        Path(out).write_text(gift, encoding="utf-8")
        click.echo(f"wrote {len(questions)} questions to {out}", err=True)
    else:
        click.echo(gift, nl=False)


def register_commands(app: Flask) -> None:
    app.cli.add_command(courses_cli)
    app.cli.add_command(users_cli)
    app.cli.add_command(demo_command)
    app.cli.add_command(import_command)
    from app.coverage.cli import register as register_coverage_commands
    register_coverage_commands(app)
    from app.notifications.cli import notify_cli
    app.cli.add_command(notify_cli)
    from app.certificates.cli import certificates_cli
    app.cli.add_command(certificates_cli)
    from app.backups.cli import backup_cli
    app.cli.add_command(backup_cli)
