"""Commands: the coverage table of a year, the obligation rules check, and inspection plans."""
from __future__ import annotations

import json
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from app.core.dates import parse_date
from app.extensions import db

obligations_cli = AppGroup("obligations", help="The training obligation rules (courses/obligations.yml).")


class DateParam(click.ParamType):
    """A date written YYYY-MM-DD or dd/mm/yyyy."""

    name = "date"

    def convert(self, value, param, ctx):
        day = parse_date(str(value).strip())
        if day is None:
            self.fail(f"{value!r} is not a date (YYYY-MM-DD or dd/mm/yyyy)", param, ctx)
        return day


def _emit(data: bytes | str, out: str | None) -> None:
    """Write to the file, or to standard output when there is none."""
    if out:
        Path(out).write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    else:
        click.echo(data, nl=False)


@click.command("coverage")
@click.option("--year", type=int, required=True, help="The year to report.")
@click.option("--as-of", "as_of", type=DateParam(), help="Reference date inside the year (computes live data).")
@click.option("--live", is_flag=True, help="Compute from today's data even when the year is frozen.")
@click.option("--format", "fmt", type=click.Choice(["csv", "xlsx", "json"]), required=True)
@click.option("--out", type=click.Path(dir_okay=False), help="File to write (required for xlsx; default: standard output).")
def coverage_command(year: int, as_of, live: bool, fmt: str, out: str | None) -> None:
    """Write a year's coverage table, agency by agency (the frozen table when the year is frozen)."""
    from app.core.dates import today
    from app.coverage.exports import to_csv, to_json, to_xlsx
    from app.coverage.freeze import year_table
    from app.coverage.queries import YearError

    if fmt == "xlsx" and not out:
        raise click.ClickException("--format xlsx needs --out FILE")
    if as_of is not None and (as_of.year != year or as_of > today()):
        raise click.ClickException(f"--as-of {as_of.isoformat()} must be a day of {year}, not after today")
    try:
        table, freeze = year_table(year, as_of=as_of, live=live)
    except YearError:
        raise click.ClickException(f"{year} is in the future: there is no coverage to report yet") from None
    if fmt == "json":
        _emit(json.dumps(to_json(table, freeze), ensure_ascii=False, indent=2) + "\n", out)
    else:
        _emit(to_csv(table) if fmt == "csv" else to_xlsx(table, freeze), out)
    state = f"frozen by {freeze.frozen_by_label}" if freeze else "live, not frozen"
    click.echo(f"{year}: {len(table.rows)} agencies on {table.as_of.isoformat()} ({state})"
               + (f", written to {out}" if out else ""), err=True)


@obligations_cli.command("check")
@click.argument("path", type=click.Path(exists=True, dir_okay=False), required=False)
def obligations_check(path: str | None) -> None:
    """Validate the rules file (default: OBLIGATIONS_FILE) and print the rules; exit 1 if wrong."""
    from app.coverage.rules import RulesError, parse_rules

    path = path or current_app.config["OBLIGATIONS_FILE"]
    try:
        rules = parse_rules(Path(path).read_text(encoding="utf-8"))
    except (RulesError, UnicodeDecodeError) as exc:
        raise click.ClickException(f"{path}: {exc}") from None
    for key, value in rules.as_dict().items():
        click.echo(f"{key}: {', '.join(value) if isinstance(value, list) else value}")
    click.echo(f"OK: {path}", err=True)


@click.command("inspection-plan")
@click.option("--year", type=int, required=True)
@click.option("--seed", type=int, help="Seed of the draw (default: drawn at random and stored).")
@click.option("--share", type=float, help="Share of in-scope agencies to inspect, e.g. 0.3 (default: the rules).")
@click.option("--format", "fmt", type=click.Choice(["csv", "json"]), default="json")
@click.option("--out", type=click.Path(dir_okay=False), help="File to write (default: standard output).")
def inspection_plan_command(year: int, seed: int | None, share: float | None, fmt: str, out: str | None) -> None:
    """Draw, store and print the agencies to inspect on site in a year."""
    from app.coverage.exports import plan_to_csv, plan_to_json
    from app.coverage.plan import PlanError, draw_plan

    try:
        plan = draw_plan(year, seed, None, share)
    except PlanError as exc:
        raise click.ClickException(str(exc)) from None
    db.session.commit()
    if fmt == "json":
        _emit(json.dumps(plan_to_json(plan), ensure_ascii=False, indent=2) + "\n", out)
    else:
        _emit(plan_to_csv(plan), out)
    click.echo(f"plan {plan.id}: {len(plan.picks)} of {plan.agencies_in_scope} agencies, seed {plan.seed}, "
               f"{plan.source} data", err=True)


def register(app: Flask) -> None:
    for command in (coverage_command, obligations_cli, inspection_plan_command):
        app.cli.add_command(command)
