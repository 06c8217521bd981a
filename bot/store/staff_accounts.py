"""Staff dashboard accounts in the store: finding, adding, listing and removing them,
and writing down each login's outcome.

Only the Argon2 hash of a password is ever given here; hashing and checking
passwords is bot.staff.accounts' job.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.store.staff_models import StaffAccount, StaffSession


def account_named(session: Session, name: str) -> StaffAccount | None:
    """The account with this name, whatever its case and surrounding spaces."""
    return session.scalar(
        select(StaffAccount).where(func.lower(StaffAccount.username) == name.strip().lower())
    )


def account_with_id(session: Session, account_id: int) -> StaffAccount | None:
    return session.get(StaffAccount, account_id)


def add_account_row(session: Session, username: str, password_hash: str) -> StaffAccount | None:
    """A new account with no failed logins; None when the name was taken at the same moment."""
    account = StaffAccount(username=username, password_hash=password_hash, failed_logins=0)
    try:
        with session.begin_nested():
            session.add(account)
    except IntegrityError:
        return None
    return account


def delete_account_and_sessions(session: Session, account: StaffAccount) -> None:
    """Delete the account and every session of it, ended or not."""
    session.execute(delete(StaffSession).where(StaffSession.account_id == account.id))
    session.delete(account)
    session.flush()


def accounts_by_name(session: Session) -> list[StaffAccount]:
    """Every account, in order of name whatever its case."""
    return list(session.scalars(select(StaffAccount).order_by(func.lower(StaffAccount.username))))


def count_failed_login(session: Session, account: StaffAccount) -> None:
    """One more wrong password for the account, counted in the database (safe if two race)."""
    account.failed_logins = StaffAccount.failed_logins + 1
    session.flush()


def record_login(
    session: Session, account: StaffAccount, now: datetime, new_hash: str | None = None
) -> None:
    """A successful login: no failed logins since, the time, and a fresh hash when given."""
    if new_hash is not None:
        account.password_hash = new_hash
    account.failed_logins = 0
    account.last_login_at = now
    session.flush()
