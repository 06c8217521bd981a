"""Staff accounts for the dashboard: Argon2 password hashes, checked at login.

An account is never locked: wrong passwords pause the place they come from
(bot.staff.login_guard), so someone who knows a staff name cannot shut its
owner out. ``failed_logins`` counts the wrong passwords since the last
successful login, for the record. Sessions are in bot.staff.sessions.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.orm import Session

from bot.store import staff_accounts
from bot.store.models import utcnow
from bot.store.staff_models import StaffAccount

PASSWORD_MIN = 12
PASSWORD_MAX = 1024
USERNAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@-]{0,63}")
HASHER = PasswordHasher()


class AccountProblem(ValueError):
    """An account that cannot be added: a bad or taken name, or a short password."""


class NameTaken(AccountProblem):
    """There is already an account with this name (in any case)."""


@dataclass(frozen=True)
class StaffMember:
    """An account as the dashboard and the command show it (never the hash)."""

    id: int
    username: str
    created_at: datetime
    last_login_at: datetime | None


@dataclass(frozen=True)
class Login:
    """The outcome of a login: the account, or None."""

    member: StaffMember | None

    @property
    def ok(self) -> bool:
        return self.member is not None


def as_utc(moment: datetime | None) -> datetime | None:
    """SQLite gives datetimes back without a zone: they were written in UTC."""
    if moment is not None and moment.tzinfo is None:
        return moment.replace(tzinfo=timezone.utc)
    return moment


def member(account: StaffAccount) -> StaffMember:
    return StaffMember(
        account.id, account.username, as_utc(account.created_at), as_utc(account.last_login_at)
    )


def clean_username(name: str) -> str:
    name = (name or "").strip()
    if not USERNAME.fullmatch(name):
        raise AccountProblem(
            "A user name is 1 to 64 letters or digits, and may have . _ @ or - after the first."
        )
    return name


def check_password(password: str) -> str:
    if len(password or "") < PASSWORD_MIN:
        raise AccountProblem(f"The password must be at least {PASSWORD_MIN} characters.")
    if len(password) > PASSWORD_MAX:
        raise AccountProblem(f"The password must be at most {PASSWORD_MAX} characters.")
    return password


def find(session: Session, name: str) -> StaffAccount | None:
    """The account with this name, whatever its case."""
    return staff_accounts.account_named(session, name)


def add_account(session: Session, name: str, password: str) -> StaffMember:
    name = clean_username(name)
    check_password(password)
    if find(session, name) is not None:
        raise NameTaken(f"There is already an account called {name}.")
    account = staff_accounts.add_account_row(session, name, HASHER.hash(password))
    if account is None:  # added by someone else at the same moment
        raise NameTaken(f"There is already an account called {name}.")
    return member(account)


def remove_account(session: Session, name: str) -> bool:
    """Delete the account and every session of it: anyone logged in with it is logged out."""
    account = find(session, name)
    if account is None:
        return False
    staff_accounts.delete_account_and_sessions(session, account)
    return True


def list_accounts(session: Session) -> list[StaffMember]:
    return [member(a) for a in staff_accounts.accounts_by_name(session)]


def password_print(password_hash: str) -> str:
    """A digest of the password hash, kept with each session: a new password ends them all."""
    return hashlib.sha256(password_hash.encode()).hexdigest()


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return HASHER.hash("no such account: this hash only spends the same time")


def _matches(password_hash: str, password: str) -> bool:
    try:
        return HASHER.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def verify_login(session: Session, name: str, password: str, now: datetime | None = None) -> Login:
    """Check a login; count a wrong password for the record, reset the count on success.

    An unknown name is checked against a dummy hash, so it takes about as long
    as a known one.
    """
    now = now or utcnow()
    account = find(session, name) if USERNAME.fullmatch((name or "").strip()) else None
    if account is None or len(password or "") > PASSWORD_MAX:
        _matches(_dummy_hash(), password[:PASSWORD_MAX] if password else "")
        return Login(None)
    if not _matches(account.password_hash, password):
        staff_accounts.count_failed_login(session, account)
        return Login(None)
    rehashed = HASHER.hash(password) if HASHER.check_needs_rehash(account.password_hash) else None
    staff_accounts.record_login(session, account, now, rehashed)
    return Login(member(account))
