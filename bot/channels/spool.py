"""Messages kept on this machine while the assistant cannot take them.

When Rasa cannot handle a message (its database or lock store is away, or no
Rasa server answers), the message is written here, on local disk, and sent
again in the same order when Rasa is back: nothing a person says is lost.
A small SQLite file per host; several processes on one host can share it
(a message is claimed before it is sent, so only one process sends it).

A person who gets no answer often says the same thing again ("hello",
"hello?", "HELLO"). Said again straight after, while the first is still
waiting, it is kept once: it means the same, and sent again it would be
answered again (a repeated "yes" would even answer review questions the
person never saw). A message with any sign of risk is always kept whole.
"""

from __future__ import annotations

import json
import re
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

# A claimed message not sent within this time (its process died) is free again.
CLAIM_SECONDS = 120

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


def same_words(text: str) -> str:
    """What a message says, for noticing it was said again: its words in lower case.

    Only symbols (an emoji, "?!") compare whole, so "👍" and "👎" stay different.
    """
    words = re.findall(r"\w+", text.casefold())
    return " ".join(words) if words else text.strip()


def _no_risk(safety: str | None) -> bool:
    """A button press, or typed words the safety check found nothing in."""
    if safety is None:
        return True
    try:
        decided = json.loads(safety)
    except ValueError:
        return False
    return isinstance(decided, dict) and decided.get("level") == "none"


@dataclass(frozen=True)
class KeptMessage:
    id: int
    sender: str
    channel: str
    text: str
    # What the safety check at the edge decided (JSON), sent to Rasa with the message.
    safety: str | None = None


class Spool:
    """The kept messages, oldest first per person."""

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

    def keep(self, sender: str, channel: str, text: str, safety: str | None = None) -> bool:
        """Keep a message; False when it repeats the person's last one still waiting.

        A repeat is the same words on the same channel, with no sign of risk in
        either, while the earlier one waits unclaimed (not being sent right now).
        """
        with self._connect() as connection:
            connection.execute("BEGIN IMMEDIATE")
            last = connection.execute(
                "SELECT channel, text, claimed_until, safety FROM kept_message "
                "WHERE sender = ? ORDER BY id DESC LIMIT 1",
                (sender,),
            ).fetchone()
            repeated = (
                last is not None
                and last[0] == channel
                and last[2] is None
                and same_words(last[1]) == same_words(text)
                and _no_risk(last[3])
                and _no_risk(safety)
            )
            if not repeated:
                connection.execute(
                    "INSERT INTO kept_message (sender, channel, text, kept_at, safety) "
                    "VALUES (?, ?, ?, ?, ?)",
                    (sender, channel, text, time.time(), safety),
                )
            connection.execute("COMMIT")
        return not repeated

    def has(self, sender: str) -> bool:
        with self._connect() as connection:
            row = connection.execute(
                "SELECT 1 FROM kept_message WHERE sender = ? LIMIT 1", (sender,)
            ).fetchone()
        return row is not None

    def count(self) -> int:
        with self._connect() as connection:
            return int(connection.execute("SELECT count(*) FROM kept_message").fetchone()[0])

    def senders(self) -> list[str]:
        """Everyone with a kept message, the longest waiting first."""
        with self._connect() as connection:
            rows = connection.execute(
                "SELECT sender FROM kept_message GROUP BY sender ORDER BY min(id)"
            ).fetchall()
        return [row[0] for row in rows]

    def claim_next(self, sender: str) -> KeptMessage | None:
        """The person's oldest kept message, claimed for this process; None if none is free.

        Only the oldest is ever handed out, so messages go to Rasa in the order given.
        """
        now = time.time()
        with self._connect() as connection:
            connection.execute("BEGIN IMMEDIATE")
            row = connection.execute(
                "SELECT id, sender, channel, text, claimed_until, safety FROM kept_message "
                "WHERE sender = ? ORDER BY id LIMIT 1",
                (sender,),
            ).fetchone()
            if row is None or (row[4] is not None and row[4] > now):
                connection.execute("COMMIT")
                return None
            connection.execute(
                "UPDATE kept_message SET claimed_until = ? WHERE id = ?",
                (now + CLAIM_SECONDS, row[0]),
            )
            connection.execute("COMMIT")
        return KeptMessage(row[0], row[1], row[2], row[3], row[5])

    def release(self, message: KeptMessage) -> None:
        """Rasa still cannot take it: keep it, free for the next try."""
        with self._connect() as connection:
            connection.execute(
                "UPDATE kept_message SET claimed_until = NULL WHERE id = ?", (message.id,)
            )

    def done(self, message: KeptMessage) -> None:
        with self._connect() as connection:
            connection.execute("DELETE FROM kept_message WHERE id = ?", (message.id,))

    def forget(self, sender: str) -> int:
        """Delete everything kept for a person (they asked to be forgotten)."""
        with self._connect() as connection:
            return connection.execute(
                "DELETE FROM kept_message WHERE sender = ?", (sender,)
            ).rowcount
