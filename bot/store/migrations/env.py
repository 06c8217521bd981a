"""Alembic environment: runs on the connection handed over by ``bot.store.db.upgrade``."""

from alembic import context
from sqlalchemy import create_engine

from bot.store import staff_models  # noqa: F401  (registers the staff tables on Base)
from bot.store.models import Base

config = context.config
target_metadata = Base.metadata


def run_migrations() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        context.configure(connection=connection, target_metadata=target_metadata)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = create_engine(config.get_main_option("sqlalchemy.url"), future=True)
    with engine.begin() as connection:
        context.configure(connection=connection, target_metadata=target_metadata)
        with context.begin_transaction():
            context.run_migrations()


run_migrations()
