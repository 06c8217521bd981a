"""Long lists shown a few at a time, so each message can be read whole on a phone.

A message has at most six buttons and about 80 words (tests/test_whole_messages.py);
lists of promises and of a charter's ideas are cut into parts that fit.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

Item = TypeVar("Item")


def in_parts(
    items: Sequence[Item], words: Callable[[Item], int], most_items: int, most_words: int
) -> list[list[Item]]:
    """``items`` in order, cut into parts of at most ``most_items`` and ``most_words``.

    An item longer than ``most_words`` is a part on its own. There is always one part.
    """
    parts: list[list[Item]] = [[]]
    used = 0
    for item in items:
        size = words(item)
        if parts[-1] and (len(parts[-1]) >= most_items or used + size > most_words):
            parts.append([])
            used = 0
        parts[-1].append(item)
        used += size
    return parts
