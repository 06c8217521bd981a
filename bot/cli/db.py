"""``copro db``: the database's schema, brought up to date on demand."""

from __future__ import annotations

import click

from bot.cli.shape import CoproGroup


@click.group("db", cls=CoproGroup, help="Database tools.")
def db_group() -> None:
    """Database tools."""


@db_group.command("upgrade", help="Apply database migrations.")
def db_upgrade() -> int:
    """Apply every migration not yet applied to the configured database."""
    from bot.store.db import upgrade

    upgrade()
    print("Database is up to date.")
    return 0
