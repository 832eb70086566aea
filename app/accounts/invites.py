"""One-time links to set a password: an invite for a new account, or a reset. Only hashes are stored."""
from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select, update

from app.accounts.models import Invite, Person
from app.audit.services import record
from app.core.dates import as_utc, local_date, utcnow
from app.extensions import db

PURPOSES = ("invite", "reset")


class InviteError(ValueError):
    """A link that cannot be created or used; the message is shown to the user."""


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def invite_url(token: str) -> str:
    """The full link, on the public address from config (the same for the page and the CLI)."""
    path = current_app.url_map.bind("").build("accounts.accept_invite", {"token": token})
    return current_app.config["PUBLIC_BASE_URL"].rstrip("/") + path


def revoke_open_invites(person: Person) -> None:
    """End every unused link of the person now (they expire; they are not marked used)."""
    now = utcnow()
    db.session.execute(
        update(Invite)
        .where(Invite.person_id == person.id, Invite.used_at.is_(None), Invite.expires_at > now)
        .values(expires_at=now)
        .execution_options(synchronize_session=False)
    )


def create_invite(person: Person, purpose: str, actor: Person | None) -> str:
    """A new link for `person`; earlier unused ones stop working. Returns the plain token, which is
    stored nowhere (only its sha256), so the caller shows it once.

    `invite` is for someone without an account yet, `reset` for an existing account (nothing changes
    until the link is used). Raises InviteError otherwise, or for a locked person.
    """
    if purpose not in PURPOSES:
        raise InviteError(f"unknown purpose {purpose!r}")
    if not person.active:
        raise InviteError(_("Tài khoản của %(p)s đang bị khóa.", p=person.full_name))
    has_account = bool(person.username and person.password_hash)
    if purpose == "invite" and has_account:
        raise InviteError(_("%(p)s đã có tài khoản; hãy dùng chức năng đặt lại mật khẩu.", p=person.full_name))
    if purpose == "reset" and not has_account:
        raise InviteError(_("%(p)s chưa có tài khoản; hãy tạo liên kết mời.", p=person.full_name))
    revoke_open_invites(person)
    token = secrets.token_urlsafe(32)
    days = current_app.config["INVITE_VALID_DAYS"]
    invite = Invite(person_id=person.id, token_hash=token_hash(token), purpose=purpose,
                    expires_at=utcnow() + timedelta(days=days), created_by_id=actor.id if actor else None)
    db.session.add(invite)
    db.session.flush()
    record("invite.create" if purpose == "invite" else "password.reset", actor=actor, target_type="person",
           target_id=person.id, target_label=person.label,
           details={"purpose": purpose, "expires_at": local_date(invite.expires_at).isoformat()})
    return token


def find_invite(token: str) -> tuple[Invite | None, str]:
    """The invite behind a token and its state: 'ok', 'used', 'expired' or 'unknown'."""
    invite = db.session.scalar(select(Invite).where(Invite.token_hash == token_hash(token)))
    if invite is None:
        return None, "unknown"
    if invite.used_at is not None:
        return invite, "used"
    if as_utc(invite.expires_at) <= utcnow() or not invite.person.active:
        return invite, "expired"
    return invite, "ok"


def accept_invite(token: str, username: str, password: str) -> Person:
    """Set the person's username and password and spend the link.

    The link is claimed with one conditional UPDATE (used_at IS NULL and not expired), so of two
    submits racing with the same link exactly one sets the password. Raises InviteError for a used,
    expired or unknown link, a taken username or a short password. Flushes; the caller commits.
    """
    username = username.strip()
    if len(password) < 8:
        raise InviteError(_("Mật khẩu cần ít nhất 8 ký tự."))
    invite, state = find_invite(token)
    if state != "ok":
        raise InviteError(_("Liên kết này không còn dùng được."))
    person = invite.person
    taken = db.session.scalar(select(Person.id).where(func.lower(Person.username) == username.lower(),
                                                      Person.id != person.id))
    if taken is not None:
        raise InviteError(_("Tên đăng nhập %(u)s đã có người dùng.", u=username))
    now = utcnow()
    claimed = db.session.execute(
        update(Invite)
        .where(Invite.id == invite.id, Invite.used_at.is_(None), Invite.expires_at > now)
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:
        raise InviteError(_("Liên kết này không còn dùng được."))
    before = person.username
    person.username = username
    person.set_password(password)
    db.session.flush()
    details = {"purpose": invite.purpose}
    if before != username:
        details["username"] = [before, username]
    record("account.activate", actor=person, target_type="person", target_id=person.id,
           target_label=person.label, details=details)
    return person
