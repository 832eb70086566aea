"""Signed links that turn off optional mail (digests) or reduce reminders to one a week."""
from __future__ import annotations

from collections.abc import Callable

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer

WHAT = ("digest", "reminders")


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="unsubscribe")


def unsubscribe_token(person_id: int, what: str) -> str:
    return _serializer().dumps([person_id, what])


def unsubscribe_url(person_id: int, what: str) -> str:
    return unsubscribe_links()(person_id, what)


def unsubscribe_links() -> Callable[[int, str], str]:
    """A maker of unsubscribe links with one serializer, for runs that make thousands."""
    base = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
    serializer = _serializer()
    return lambda person_id, what: f"{base}/unsubscribe/{serializer.dumps([person_id, what])}"


def read_token(token: str) -> tuple[int, str] | None:
    """(person id, "digest" | "reminders"), or None for a link that was not made here."""
    try:
        person_id, what = _serializer().loads(token)
    except (BadSignature, ValueError, TypeError):
        return None
    if not isinstance(person_id, int) or what not in WHAT:
        return None
    return person_id, what
