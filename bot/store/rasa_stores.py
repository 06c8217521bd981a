"""Rasa's tracker and lock stores for the production profile, made strict.

Rasa, left alone, keeps going when its stores fail: it wraps every tracker
store in a ``FailSafeTrackerStore`` that answers a failed read with a new,
empty conversation and keeps a failed write in memory, and its SQL tracker
store waits for ever for a database that does not answer at start-up. For a
review that loses answers without a word. These classes instead:

- refuse to start (the Rasa process exits with a message saying which store
  and why) when the store cannot be reached within ``connect_timeout`` seconds;
- let every later failure reach the REST channel (``bot.channels.rasa_rest``),
  which answers 503 so ``bot.server`` keeps the message and tries it again.

Named by module path in ``endpoints.production.yml``. Imported only by the
Rasa server process.
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any
from urllib.parse import urlsplit

import orjson
import sqlalchemy as sa
from rasa.core.lock_store import RedisLockStore
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import Event, SessionStarted
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY
from sqlalchemy.engine import make_url

logger = logging.getLogger(__name__)

DEFAULT_CONNECT_TIMEOUT = 10


class StoreUnreachable(SystemExit):
    """A configured store could not be reached at start-up.

    A ``SystemExit``: Rasa catches ``Exception`` around store creation and
    would otherwise carry on without the store.
    """

    def __init__(self, store: str, reason: str) -> None:
        message = (
            f"Rasa cannot reach its {store} ({reason}). It will not start with a "
            "store in memory instead: conversations would be lost. Check the "
            "address in endpoints and that the service is running."
        )
        logger.critical(message)
        super().__init__(message)


def _timeout(value: Any) -> int:
    try:
        return max(1, int(value))
    except (TypeError, ValueError):
        return DEFAULT_CONNECT_TIMEOUT


class StrictSQLTrackerStore(SQLTrackerStore):
    """Rasa's SQL tracker store, given one URL, that fails loudly.

    It also reads and saves a conversation with one plain statement each, in a
    worker thread, with the same rows and trackers as Rasa's (tests/test_rasa_stores.py).

    ``url`` is an SQLAlchemy address (``postgresql://user@host:5432/db``).
    """

    def __init__(
        self,
        domain: Any = None,
        host: str | None = None,
        event_broker: Any = None,
        connect_timeout: Any = DEFAULT_CONNECT_TIMEOUT,
        **kwargs: Any,
    ) -> None:
        if not host:
            raise StoreUnreachable("tracker store", "no url is set")
        try:
            url = make_url(host)
        except sa.exc.ArgumentError:
            raise StoreUnreachable("tracker store", "its url is not a database address") from None
        timeout = _timeout(connect_timeout)
        connect_args = (
            {"connect_timeout": timeout} if url.get_backend_name() == "postgresql" else {}
        )
        probe = sa.create_engine(url, connect_args=connect_args)
        try:
            with probe.connect() as connection:
                connection.execute(sa.text("SELECT 1"))
        except sa.exc.SQLAlchemyError as error:
            raise StoreUnreachable(
                f"tracker store at {url.host or url.database}", type(error).__name__
            ) from None
        finally:
            probe.dispose()
        super().__init__(
            domain=domain,
            dialect=url.drivername,
            host=url.host,
            port=url.port,
            db=url.database or "rasa.db",
            username=url.username,
            password=url.password,
            event_broker=event_broker,
            query=dict(url.query) or None,
            **kwargs,
        )
        # Connections cut while the database was away are replaced, not reused.
        self.engine = sa.create_engine(
            self.engine.url, pool_pre_ping=True, connect_args=connect_args
        )
        self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)

    # Rasa's own reads and writes build ORM queries and objects for every event;
    # these do the same work in one plain statement each (about a third of a
    # Rasa server's time per message went to the store before).

    def _events_since(self, sender_id: str, all_sessions: bool) -> sa.sql.Select:
        """The conversation's stored events (``data``), oldest first.

        Without ``all_sessions``, only those from its latest session start on, as Rasa reads them.
        """
        events = self.SQLEvent.__table__
        query = sa.select(events.c.data).where(events.c.sender_id == sender_id)
        if not all_sessions:
            started = (
                sa.select(sa.func.max(events.c.timestamp))
                .where(
                    events.c.sender_id == sender_id,
                    events.c.type_name == SessionStarted.type_name,
                )
                .scalar_subquery()
            )
            query = query.where(sa.or_(events.c.timestamp >= started, started.is_(None)))
        return query.order_by(events.c.id)

    async def _retrieve(
        self, sender_id: str, fetch_events_from_all_sessions: bool
    ) -> DialogueStateTracker | None:
        events = await asyncio.to_thread(
            self._stored_events, sender_id, fetch_events_from_all_sessions
        )
        if not self.domain or not events:
            return None
        return DialogueStateTracker.from_dict(sender_id, events, self.domain.slots)

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Add the events the store does not hold yet (those after the ones it has)."""
        await self.stream_events(tracker)
        await asyncio.to_thread(self._add_new_events, tracker.sender_id, list(tracker.events))

    # The database work runs in a worker thread: Rasa's event loop goes on with
    # other conversations while this one waits for the database. Rasa's lock on
    # the conversation keeps its own reads and writes in order.

    def _stored_events(self, sender_id: str, all_sessions: bool) -> list[dict[str, Any]]:
        with self.session_scope() as session:
            rows = session.execute(self._events_since(sender_id, all_sessions))
            return [_json_value(data) for (data,) in rows]

    def _add_new_events(self, sender_id: str, events: list[Event]) -> None:
        table = self.SQLEvent.__table__
        with self.session_scope() as session:
            stored = self._events_since(sender_id, all_sessions=False).subquery()
            held = session.execute(sa.select(sa.func.count()).select_from(stored)).scalar_one()
            rows = []
            for event in events[held:]:
                data = event.as_dict()
                rows.append(
                    {
                        "sender_id": sender_id,
                        "type_name": event.type_name,
                        "timestamp": data.get("timestamp"),
                        "intent_name": _intent_name(data),
                        "action_name": data.get("name"),
                        "data": json.dumps(data),
                    }
                )
            if rows:
                session.execute(table.insert(), rows)
                session.commit()


def _json_value(text: str) -> Any:
    """The value of stored JSON text: orjson's reading, or ``json.loads``'s for what it refuses.

    ``json.dumps`` writes ``NaN`` and ``Infinity``, which orjson does not read.
    """
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return json.loads(text)


def _intent_name(event: dict[str, Any]) -> str | None:
    """The intent of a user event's parse data (None for other events)."""
    return ((event.get("parse_data") or {}).get("intent") or {}).get(INTENT_NAME_KEY)


class StrictRedisLockStore(RedisLockStore):
    """Rasa's Redis lock store, given one URL, that checks Redis at start-up.

    While Redis is away, taking a lock fails, so the message is refused and
    not handled twice (``bot.server`` keeps it and tries again).
    """

    def __init__(self, endpoint_config: Any) -> None:
        url = urlsplit(endpoint_config.url or "")
        if url.scheme not in ("redis", "rediss") or not url.hostname:
            raise StoreUnreachable("lock store", "its url must start with redis://")
        kwargs = endpoint_config.kwargs
        db = (url.path or "/1").lstrip("/") or "1"
        super().__init__(
            host=url.hostname,
            port=url.port or 6379,
            db=int(db),
            username=url.username,
            password=url.password,
            use_ssl=url.scheme == "rediss",
            key_prefix=kwargs.get("key_prefix"),
            socket_timeout=float(kwargs.get("socket_timeout", 5)),
        )
        try:
            self.red.ping()
        except Exception as error:  # noqa: BLE001 - redis raises several kinds
            raise StoreUnreachable(f"lock store at {url.hostname}", type(error).__name__) from None
