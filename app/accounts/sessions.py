"""Sessions that can end: each carries the person's session generation and when it was last used.

The session itself is a signed cookie (no server state, any worker serves it); what makes it
revocable is the generation kept on the person, which the user loader compares on every request.
Signing out, a password change and deactivation raise it, so a copied cookie stops working; a
session unused for SESSION_IDLE_MINUTES ends too."""
from __future__ import annotations

import time

from flask import current_app, session

#: how often a request refreshes the "last used" time (and so rewrites the cookie)
REFRESH_SECONDS = 60


def start(person) -> None:
    """Right after login_user: bind the session to the person's current generation."""
    session["gen"] = person.session_generation
    session["seen"] = int(time.time())
    session.permanent = True  # the cookie expires with the idle limit (PERMANENT_SESSION_LIFETIME)


def still_valid(person) -> bool:
    """True when this request's session may go on for `person`; refreshes its last-used time."""
    if not person.active or session.get("gen") != person.session_generation:
        return False
    now, seen = int(time.time()), session.get("seen")
    if not isinstance(seen, int) or now - seen > current_app.config["SESSION_IDLE_MINUTES"] * 60:
        return False
    if now - seen >= REFRESH_SECONDS:
        session["seen"] = now
    return True
