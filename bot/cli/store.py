"""The assistant's store as the commands open it: its migrations applied first, at most once per
process for each database, and then one unit of work."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from typing import TYPE_CHECKING

from bot.settings import get_settings

if TYPE_CHECKING:
    from sqlalchemy.orm import Session


@cache
def migrate(url: str) -> None:
    """Bring the database at ``url`` up to date; later calls for it in this process do nothing."""
    from bot.store.db import upgrade

    upgrade(url)


@contextmanager
def open_store() -> Iterator[Session]:
    """A unit of work on the configured database, its schema brought up to date first."""
    from bot.store.db import unit_of_work

    migrate(get_settings().database_url)
    with unit_of_work() as session:
        yield session
