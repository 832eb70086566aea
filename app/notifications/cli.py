"""`flask notify run`: safe to run as often as cron likes; each message goes out once."""
from __future__ import annotations

import sys
from datetime import date

import click
from flask.cli import AppGroup

from app.core.dates import today
from app.notifications.services import run

notify_cli = AppGroup("notify", help="Reminders and digests by mail and in the app.")


@notify_cli.command("run")
@click.option("--dry-run", is_flag=True, help="Print what would be sent; send and record nothing.")
@click.option("--today", "day", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Plan as if it were this day (YYYY-MM-DD); default: today in Vietnam.")
def notify_run(dry_run: bool, day) -> None:
    """Record today's reminders and digests, then send the queued mail; exit 1 if the mail server is down."""
    on: date = day.date() if day else today()

    def show(d) -> None:
        click.echo(f"would send: {d.person.email or '(in-app only)'}\t{d.kind}\t{d.subject}\t{d.period}")

    report = run(on, dry_run=dry_run, on_draft=show if dry_run else None)
    if dry_run:
        click.echo(f"{report.planned.total()} notification(s) would be created for {on.isoformat()}; nothing sent.")
        return
    click.echo(f"{on.isoformat()}: {report.created} new notification(s).")
    if report.mail:
        click.echo(f"mail: {report.mail.sent} sent, {report.mail.failed} to retry, {report.mail.given_up} given up.")
        for error in report.mail.errors:
            click.echo(f"  {error}", err=True)
    if report.mail_error:
        click.echo(f"error: {report.mail_error}. The notifications are recorded and shown in the app; "
                   "the mail will be retried on the next run.", err=True)
        sys.exit(1)
