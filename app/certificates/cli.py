"""`flask certificates backfill`: a certificate for every completion that has none."""
import click
from flask.cli import with_appcontext

from app.certificates.services import issue_missing
from app.extensions import db


@click.group("certificates")
def certificates_cli() -> None:
    """Certificates of completion."""


@certificates_cli.command("backfill")
@with_appcontext
def backfill() -> None:
    """Issue the certificates of completions stored before certificates existed. Idempotent."""
    issued = issue_missing()
    db.session.commit()
    click.echo(f"{issued} certificate(s) issued")
