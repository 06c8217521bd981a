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

from sqlalchemy import update
from sqlalchemy.orm import Session

from bot.staff.accounts import StaffMember, as_utc, member, password_print
from bot.store.models import utcnow
from bot.store.staff_models import StaffAccount, StaffSession

LIFETIME = timedelta(hours=8)
# How often "last seen" is written while a session is in use.
SEEN_EVERY = timedelta(minutes=1)


def _key(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


def start(session: Session, account_id: int, now: datetime | None = None) -> str:
    """A new session for the account; the id to put (signed) in the cookie."""
    now = now or utcnow()
    account = session.get(StaffAccount, account_id)
    if account is None:
        raise LookupError(f"No staff account #{account_id}.")
    end_expired(session, now)
    session_id = secrets.token_urlsafe(32)
    session.add(
        StaffSession(
            id=_key(session_id),
            account_id=account.id,
            password_print=password_print(account.password_hash),
            created_at=now,
            last_seen_at=now,
        )
    )
    session.flush()
    return session_id


def current(session: Session, session_id: str, now: datetime | None = None) -> StaffMember | None:
    """The account of a session that has not ended; ends it here if its time is up."""
    now = now or utcnow()
    row = session.get(StaffSession, _key(session_id))
    if row is None or row.ended_at is not None:
        return None
    account = session.get(StaffAccount, row.account_id)
    if account is None:
        return None
    expired = as_utc(row.created_at) + LIFETIME <= now
    if expired or row.password_print != password_print(account.password_hash):
        row.ended_at = now
        session.flush()
        return None
    if now - as_utc(row.last_seen_at) >= SEEN_EVERY:
        row.last_seen_at = now
        session.flush()
    return member(account)


def end(session: Session, session_id: str, now: datetime | None = None) -> bool:
    """End one session (logging out); False when it had already ended or never was."""
    row = session.get(StaffSession, _key(session_id))
    if row is None or row.ended_at is not None:
        return False
    row.ended_at = now or utcnow()
    session.flush()
    return True


def end_expired(session: Session, now: datetime | None = None) -> int:
    """End every session older than 8 hours; how many were ended."""
    now = now or utcnow()
    result = session.execute(
        update(StaffSession)
        .where(StaffSession.ended_at.is_(None), StaffSession.created_at <= now - LIFETIME)
        .values(ended_at=now)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount
