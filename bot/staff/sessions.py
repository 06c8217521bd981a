"""Staff sessions kept in the store, so that the server can end them.

A login starts a session: a random id, given to the browser signed in the
``copro_staff`` cookie (bot/staff/security.py); the store keeps only a SHA-256
digest of it. A session ends, for every copy of its cookie, at logout, 8 hours
after the login, or when its account's password changes; it is deleted with its
account. Ended sessions stay as a record of when staff were logged in.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from bot.staff.accounts import StaffMember, as_utc, member, password_print
from bot.store import staff_sessions
from bot.store.models import utcnow
from bot.store.staff_accounts import account_with_id

LIFETIME = timedelta(hours=8)
# How often "last seen" is written while a session is in use.
SEEN_EVERY = timedelta(minutes=1)


def _key(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


def start(session: Session, account_id: int, now: datetime | None = None) -> str:
    """A new session for the account; the id to put (signed) in the cookie."""
    now = now or utcnow()
    account = account_with_id(session, account_id)
    if account is None:
        raise LookupError(f"No staff account #{account_id}.")
    end_expired(session, now)
    session_id = secrets.token_urlsafe(32)
    staff_sessions.add_session(
        session, _key(session_id), account.id, password_print(account.password_hash), now
    )
    return session_id


def current(session: Session, session_id: str, now: datetime | None = None) -> StaffMember | None:
    """The account of a session that has not ended; ends it here if its time is up."""
    now = now or utcnow()
    row = staff_sessions.session_with_key(session, _key(session_id))
    if row is None or row.ended_at is not None:
        return None
    account = account_with_id(session, row.account_id)
    if account is None:
        return None
    expired = as_utc(row.created_at) + LIFETIME <= now
    if expired or row.password_print != password_print(account.password_hash):
        staff_sessions.end_session(session, row, now)
        return None
    if now - as_utc(row.last_seen_at) >= SEEN_EVERY:
        staff_sessions.mark_seen(session, row, now)
    return member(account)


def end(session: Session, session_id: str, now: datetime | None = None) -> bool:
    """End one session (logging out); False when it had already ended or never was."""
    row = staff_sessions.session_with_key(session, _key(session_id))
    if row is None or row.ended_at is not None:
        return False
    staff_sessions.end_session(session, row, now or utcnow())
    return True


def end_expired(session: Session, now: datetime | None = None) -> int:
    """End every session older than 8 hours; how many were ended."""
    now = now or utcnow()
    return staff_sessions.end_sessions_started_by(session, now - LIFETIME, now)
