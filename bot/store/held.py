"""What a person's two privacy requests answer with, as plain data: everything
the store holds about them (``my_data``) and what forgetting them deleted.

Filled in by bot.store.repository (``held_about``, ``forget_person``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.store.models import Concern, Pledge


@dataclass(frozen=True)
class HeldAnswer:
    question_id: str
    value: str
    comment: str | None


@dataclass(frozen=True)
class HeldReview:
    title: str
    charter: str
    started_at: datetime
    finished: bool
    answers: tuple[HeldAnswer, ...]
    # Whether they asked to hear what changes ("you said, we did"); None: not asked.
    hear_back: bool | None = None


@dataclass(frozen=True)
class HeldData:
    """Everything the store holds about one person (for `my_data`)."""

    first_seen: datetime | None
    channel: str | None
    role: str | None
    age_band: str | None
    reviews: tuple[HeldReview, ...]
    safety_messages: int
    pledges: tuple[Pledge, ...] = ()
    concerns: tuple[Concern, ...] = ()
    # True when a Telegram chat id is kept so replies can reach the person.
    telegram_chat: bool = False

    @property
    def empty(self) -> bool:
        return (
            self.first_seen is None
            and self.safety_messages == 0
            and not self.pledges
            and not self.concerns
            and not self.telegram_chat
        )


@dataclass(frozen=True)
class Forgotten:
    """What `forget_person` deleted."""

    answers: int
    comments: int
    reviews: int
    safety_messages_kept: int
    pledges_deleted: int = 0
    pledges_anonymised: int = 0
    concerns: int = 0
    messages: int = 0
