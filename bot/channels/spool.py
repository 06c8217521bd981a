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

This module decides what is kept and when it is sent; the file itself is read
and written by bot.store.kept_file.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from bot.store.kept_file import KeptFile, KeptMessage, LastKept

# A claimed message not sent within this time (its process died) is free again.
CLAIM_SECONDS = 120


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


class Spool:
    """The kept messages, oldest first per person."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._file = KeptFile(self.path)

    def keep(self, sender: str, channel: str, text: str, safety: str | None = None) -> bool:
        """Keep a message; False when it repeats the person's last one still waiting.

        A repeat is the same words on the same channel, with no sign of risk in
        either, while the earlier one waits unclaimed (not being sent right now).
        """

        def repeats(last: LastKept) -> bool:
            return (
                last.channel == channel
                and not last.claimed
                and same_words(last.text) == same_words(text)
                and _no_risk(last.safety)
                and _no_risk(safety)
            )

        return self._file.add_unless_repeat(sender, channel, text, safety, repeats)

    def has(self, sender: str) -> bool:
        return self._file.has_sender(sender)

    def count(self) -> int:
        return self._file.count()

    def senders(self) -> list[str]:
        """Everyone with a kept message, the longest waiting first."""
        return self._file.senders_longest_waiting_first()

    def claim_next(self, sender: str) -> KeptMessage | None:
        """The person's oldest kept message, claimed for this process; None if none is free.

        Only the oldest is ever handed out, so messages go to Rasa in the order given.
        """
        return self._file.claim_oldest(sender, CLAIM_SECONDS)

    def release(self, message: KeptMessage) -> None:
        """Rasa still cannot take it: keep it, free for the next try."""
        self._file.unclaim(message.id)

    def done(self, message: KeptMessage) -> None:
        self._file.delete(message.id)

    def forget(self, sender: str) -> int:
        """Delete everything kept for a person (they asked to be forgotten)."""
        return self._file.delete_sender(sender)
