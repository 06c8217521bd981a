"""Rasa's tracker store, from our side: only ever to delete a person's conversation."""

from __future__ import annotations

from sqlalchemy import inspect, text

from bot.store.db import engine_for

# Rasa's SQL tracker store keeps every conversation event in this table.
EVENTS_TABLE = "events"


def forget_conversation(tracker_url: str, sender_id: str) -> int:
    """Delete every event Rasa stored for ``sender_id``; return how many there were.

    Called by a channel after Rasa has answered (and saved) the turn that asked
    for it: deleting earlier, from inside an action, would be undone when Rasa
    saves the tracker at the end of the turn.
    """
    engine = engine_for(tracker_url)
    with engine.begin() as connection:
        if not inspect(connection).has_table(EVENTS_TABLE):
            return 0
        result = connection.execute(
            text(f"DELETE FROM {EVENTS_TABLE} WHERE sender_id = :sender"), {"sender": sender_id}
        )
        return int(result.rowcount or 0)


def conversation_events(tracker_url: str, sender_id: str) -> int:
    """How many events Rasa holds for ``sender_id``."""
    engine = engine_for(tracker_url)
    with engine.connect() as connection:
        if not inspect(connection).has_table(EVENTS_TABLE):
            return 0
        return int(
            connection.execute(
                text(f"SELECT count(*) FROM {EVENTS_TABLE} WHERE sender_id = :sender"),
                {"sender": sender_id},
            ).scalar()
            or 0
        )


def purge_conversations(tracker_url: str, cutoff_timestamp: float) -> int:
    """Delete whole conversations whose last event is older than ``cutoff_timestamp``."""
    engine = engine_for(tracker_url)
    with engine.begin() as connection:
        if not inspect(connection).has_table(EVENTS_TABLE):
            return 0
        result = connection.execute(
            text(
                f"DELETE FROM {EVENTS_TABLE} WHERE sender_id IN ("
                f"SELECT sender_id FROM {EVENTS_TABLE} GROUP BY sender_id "
                "HAVING max(timestamp) < :cutoff)"
            ),
            {"cutoff": cutoff_timestamp},
        )
        return int(result.rowcount or 0)
