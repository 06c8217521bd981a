"""The store's work for a staff page: one short unit of work in a worker thread.

When the store does not answer, the work raises StoreUnavailable, and the staff
application answers 503 (bot.staff.web.app). The log line names the kind of
error only, never its message, which can quote what people wrote.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TypeVar

from sqlalchemy.exc import SQLAlchemyError
from starlette.concurrency import run_in_threadpool

logger = logging.getLogger(__name__)
T = TypeVar("T")


class StoreUnavailable(Exception):
    """The store did not answer: the page says to try again in a minute."""


def store_unavailable(error: SQLAlchemyError) -> StoreUnavailable:
    """The exception to raise for ``error``, logged by its kind only."""
    logger.warning("The store did not answer: %s", type(error).__name__)
    return StoreUnavailable()


async def in_store(function: Callable[..., T], *args: object) -> T:
    """``function(*args)`` in a worker thread, away from the event loop."""
    try:
        return await run_in_threadpool(function, *args)
    except SQLAlchemyError as error:
        raise store_unavailable(error) from error
