"""Staff dashboard sessions in the store: starting one, finding it by its digest,
noting when it was last used, and ending it.

The store never sees a session's id, only the SHA-256 digest bot.staff.sessions
makes of it; when a session has run out is decided there too.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update
from sqlalchemy.orm import Session

from bot.store.staff_models import StaffSession


def add_session(
    session: Session, key: str, account_id: int, password_print: str, now: datetime
) -> None:
    """A new session of the account, started and last seen ``now``."""
    session.add(
        StaffSession(
            id=key,
            account_id=account_id,
            password_print=password_print,
            created_at=now,
            last_seen_at=now,
        )
    )
    session.flush()


def session_with_key(session: Session, key: str) -> StaffSession | None:
    """The session (ended or not) whose id has this digest."""
    return session.get(StaffSession, key)


def end_session(session: Session, row: StaffSession, now: datetime) -> None:
    row.ended_at = now
    session.flush()


def mark_seen(session: Session, row: StaffSession, now: datetime) -> None:
    row.last_seen_at = now
    session.flush()


def end_sessions_started_by(session: Session, started_by: datetime, now: datetime) -> int:
    """End every open session started at or before ``started_by``; how many were ended."""
    result = session.execute(
        update(StaffSession)
        .where(StaffSession.ended_at.is_(None), StaffSession.created_at <= started_by)
        .values(ended_at=now)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount
