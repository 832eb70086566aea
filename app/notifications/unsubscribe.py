"""Signed links that turn off optional mail (digests) or reduce reminders to one a week."""
from __future__ import annotations

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer

WHAT = ("digest", "reminders")


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="unsubscribe")


def unsubscribe_token(person_id: int, what: str) -> str:
    return _serializer().dumps([person_id, what])


def unsubscribe_url(person_id: int, what: str) -> str:
    base = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
    return f"{base}/unsubscribe/{unsubscribe_token(person_id, what)}"


def read_token(token: str) -> tuple[int, str] | None:
    """(person id, "digest" | "reminders"), or None for a link that was not made here."""
    try:
        person_id, what = _serializer().loads(token)
    except (BadSignature, ValueError, TypeError):
        return None
    if not isinstance(person_id, int) or what not in WHAT:
        return None
    return person_id, what
