"""``copro staff``: the accounts that log in to the staff dashboard (/staff)."""

from __future__ import annotations

import sys

import click

from bot.cli.shape import CoproGroup
from bot.cli.store import open_store
from bot.settings import get_settings


@click.group("staff", cls=CoproGroup, help="Accounts for the staff dashboard (/staff).")
def staff_group() -> None:
    """Accounts for the staff dashboard."""


def new_password(from_stdin: bool) -> str | None:
    """The new account's password: one line from stdin, or typed twice (not shown)."""
    import getpass

    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("Password (12 characters or more, not shown): ")
    again = getpass.getpass("The same password again: ")
    if first != again:
        print("The two passwords were not the same. Nothing was saved.", file=sys.stderr)
        return None
    return first


@staff_group.command(
    "add",
    help="Add an account; the password is asked for (12 characters or more). "
    "NAME is the user name (letters, digits, . _ @ -).",
)
@click.argument("name")
@click.option(
    "--password-stdin",
    is_flag=True,
    help="Read the password from the first line of standard input (for scripts).",
)
def staff_add(name: str, password_stdin: bool) -> int:
    """Add a staff account for the dashboard."""
    from bot.staff import accounts

    try:
        name = accounts.clean_username(name)
    except accounts.AccountProblem as problem:
        print(f"Error: {problem}", file=sys.stderr)
        return 2
    password = new_password(password_stdin)
    if password is None:
        return 2
    try:
        with open_store() as session:
            accounts.add_account(session, name, password)
    except accounts.AccountProblem as problem:
        print(f"Error: {problem}", file=sys.stderr)
        return 1 if isinstance(problem, accounts.NameTaken) else 2
    print(f"Added the staff account {name}. Log in at {get_settings().public_url}/staff")
    return 0


@staff_group.command("list", help="List the accounts.")
def staff_list() -> int:
    """Every staff account, when it was added and when it last logged in."""
    from bot.staff import accounts

    with open_store() as session:
        members = accounts.list_accounts(session)
    if not members:
        print("No staff accounts yet. Add one with: copro staff add NAME")
        return 0
    for m in members:
        last = f"{m.last_login_at:%Y-%m-%d %H:%M} UTC" if m.last_login_at else "never"
        print(f"{m.username}: added {m.created_at:%Y-%m-%d}, last login {last}")
    return 0


@staff_group.command("remove", help="Remove an account; anyone logged in with it is logged out.")
@click.argument("name")
def staff_remove(name: str) -> int:
    """Remove a staff account and end its sessions."""
    from bot.staff import accounts

    with open_store() as session:
        removed = accounts.remove_account(session, name)
    if not removed:
        print(f"No staff account called {name}.", file=sys.stderr)
        return 1
    print(f"Removed the staff account {name}. Its sessions have ended.")
    return 0
