"""The file of messages kept on this machine while the assistant cannot take them.

A small SQLite file per host (not the product's database): several processes on
one host can share it, and a message is claimed before it is sent so that only
one of them sends it. When a message is a repeat, and so not kept, is decided by
bot.channels.spool; this module only reads and writes the file.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

_SCHEMA = """
CREATE TABLE IF NOT EXISTS kept_message (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    sender TEXT NOT NULL,
    channel TEXT NOT NULL,
    text TEXT NOT NULL,
    kept_at REAL NOT NULL,
    claimed_until REAL,
    safety TEXT
);
CREATE INDEX IF NOT EXISTS kept_message_sender ON kept_message (sender, id);
"""


@dataclass(frozen=True)
class KeptMessage:
    id: int
    sender: str
    channel: str
    text: str
    # What the safety check at the edge decided (JSON), sent to Rasa with the message.
    safety: str | None = None


@dataclass(frozen=True)
class LastKept:
    """A person's newest kept message, as far as telling a repeat needs."""

    channel: str
    text: str
    # Being sent right now by some process.
    claimed: bool
    safety: str | None


class KeptFile:
    """The kept messages in one SQLite file, oldest first per person."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as connection:
            connection.executescript(_SCHEMA)
            columns = {row[1] for row in connection.execute("PRAGMA table_info(kept_message)")}
            if "safety" not in columns:  # a spool file from before the safety check
                connection.execute("ALTER TABLE kept_message ADD COLUMN safety TEXT")

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        connection = sqlite3.connect(self.path, timeout=15, isolation_level=None)
        try:
            connection.execute("PRAGMA journal_mode=WAL")
            yield connection
        finally:
            connection.close()

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        """A connection in one write transaction: no other process writes until it ends."""
        with self._connect() as connection:
            connection.execute("BEGIN IMMEDIATE")
            yield connection
            connection.execute("COMMIT")

    def add_unless_repeat(
        self,
        sender: str,
        channel: str,
        text: str,
        safety: str | None,
        repeats: Callable[[LastKept], bool],
    ) -> bool:
        """Add a message unless ``repeats`` says so of the person's newest one; True if added.

        The newest is read and the new one written in one transaction, so two
        processes cannot both take the same message for new.
        """
        with self._transaction() as connection:
            last = connection.execute(
                "SELECT channel, text, claimed_until, safety FROM kept_message "
                "WHERE sender = ? ORDER BY id DESC LIMIT 1",
                (sender,),
            ).fetchone()
            repeated = last is not None and repeats(
                LastKept(last[0], last[1], last[2] is not None, last[3])
            )
            if not repeated:
                connection.execute(
                    "INSERT INTO kept_message (sender, channel, text, kept_at, safety) "
                    "VALUES (?, ?, ?, ?, ?)",
                    (sender, channel, text, time.time(), safety),
                )
        return not repeated

    def has_sender(self, sender: str) -> bool:
        with self._connect() as connection:
            row = connection.execute(
                "SELECT 1 FROM kept_message WHERE sender = ? LIMIT 1", (sender,)
            ).fetchone()
        return row is not None

    def count(self) -> int:
        with self._connect() as connection:
            return int(connection.execute("SELECT count(*) FROM kept_message").fetchone()[0])

    def senders_longest_waiting_first(self) -> list[str]:
        with self._connect() as connection:
            rows = connection.execute(
                "SELECT sender FROM kept_message GROUP BY sender ORDER BY min(id)"
            ).fetchall()
        return [row[0] for row in rows]

    def claim_oldest(self, sender: str, hold_seconds: float) -> KeptMessage | None:
        """The person's oldest message, claimed for ``hold_seconds``; None if someone holds it."""
        now = time.time()
        with self._transaction() as connection:
            row = connection.execute(
                "SELECT id, sender, channel, text, claimed_until, safety FROM kept_message "
                "WHERE sender = ? ORDER BY id LIMIT 1",
                (sender,),
            ).fetchone()
            if row is None or (row[4] is not None and row[4] > now):
                return None
            connection.execute(
                "UPDATE kept_message SET claimed_until = ? WHERE id = ?",
                (now + hold_seconds, row[0]),
            )
        return KeptMessage(row[0], row[1], row[2], row[3], row[5])

    def unclaim(self, message_id: int) -> None:
        with self._connect() as connection:
            connection.execute(
                "UPDATE kept_message SET claimed_until = NULL WHERE id = ?", (message_id,)
            )

    def delete(self, message_id: int) -> None:
        with self._connect() as connection:
            connection.execute("DELETE FROM kept_message WHERE id = ?", (message_id,))

    def delete_sender(self, sender: str) -> int:
        """Delete everything kept for a person; how many messages."""
        with self._connect() as connection:
            return connection.execute(
                "DELETE FROM kept_message WHERE sender = ?", (sender,)
            ).rowcount
