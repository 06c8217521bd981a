"""Engine and sessions. Nothing is opened at import time."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import TypeVar

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool

from bot.settings import get_settings

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
logger = logging.getLogger(__name__)
T = TypeVar("T")


def make_engine(url: str) -> Engine:
    """An engine for ``url``; SQLite gets foreign keys and a busy timeout."""
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url, future=True, connect_args={"timeout": 15, "check_same_thread": False}
        )

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.close()

        return engine
    return create_engine(url, future=True, pool_pre_ping=True)


@lru_cache(maxsize=4)
def engine_for(url: str) -> Engine:
    return make_engine(url)


def get_engine() -> Engine:
    """The engine for the configured database, made on first use."""
    return engine_for(get_settings().database_url)


@contextmanager
def unit_of_work(engine: Engine | None = None) -> Iterator[Session]:
    """A session for one unit of work: committed on success, rolled back on error."""
    factory = sessionmaker(bind=engine or get_engine(), future=True, expire_on_commit=False)
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


async def in_thread(function: Callable[..., T], *args: object) -> T | None:
    """Run one unit of work on the store in a worker thread, away from the event loop.

    None when the store did not answer; the warning names the kind of error only,
    never its message (which can quote what people wrote).
    """
    try:
        return await run_in_threadpool(function, *args)
    except SQLAlchemyError as error:
        logger.warning("The store did not answer: %s", type(error).__name__)
        return None


def upgrade(url: str | None = None) -> None:
    """Bring the database schema up to date with Alembic."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", url or get_settings().database_url)
    engine = engine_for(url or get_settings().database_url)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def create_database(url: str) -> bool:
    """Create the PostgreSQL database named in ``url`` if it is missing; True if made.

    Connects to the server's ``postgres`` database to do it. Nothing for SQLite.
    """
    from sqlalchemy import text
    from sqlalchemy.engine import make_url

    address = make_url(url)
    if address.get_backend_name() != "postgresql" or not address.database:
        return False
    server = create_engine(
        address.set(database="postgres"), future=True, isolation_level="AUTOCOMMIT"
    )
    try:
        with server.connect() as connection:
            exists = connection.execute(
                text("SELECT 1 FROM pg_database WHERE datname = :name"),
                {"name": address.database},
            ).scalar()
            if exists:
                return False
            quoted = server.dialect.identifier_preparer.quote(address.database)
            connection.execute(text(f"CREATE DATABASE {quoted}"))
            return True
    finally:
        server.dispose()
