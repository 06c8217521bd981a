"""The safety decision: rule cards and the risk classifier give one level.

- ``severe``: a severe card, or a classifier score at or above its ``severe``
  threshold. Help at once; a person is alerted.
- ``possible``: a milder card, or a score at or above ``possible``. One gentle
  check ("Is someone hurt or in danger now?") with the short help line.
- ``none``: nothing.

The classifier alone does not judge very short messages: one or two everyday
words ("tonight", "home", "again") carry too little to tell risk from an
answer. Under ``CLASSIFIER_MIN_WORDS`` words only the cards decide, and under
``CLASSIFIER_SEVERE_MIN_WORDS`` the classifier can at most ask the gentle check.
Short risk messages ("kms", "i cut myself") are the cards' job.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from bot.safety import classifier
from bot.safety.cards import Card, load_cards
from bot.safety.matching import CardHit, CardMatcher

NONE, POSSIBLE, SEVERE = "none", "possible", "severe"
LEVELS = (NONE, POSSIBLE, SEVERE)
CLASSIFIER_MIN_WORDS = 4
CLASSIFIER_SEVERE_MIN_WORDS = 6


@dataclass(frozen=True)
class Assessment:
    level: str
    cards: tuple[str, ...]
    score: float
    hits: tuple[CardHit, ...] = ()
    # What the classifier's score alone said (see ``SafetyCheck.classifier_level``).
    classifier_level: str = NONE

    @property
    def found_by(self) -> str:
        """Which part flagged it: "cards", "classifier" or "cards+classifier"."""
        parts = ["cards"] if self.cards else []
        if self.classifier_level != NONE or not self.cards:
            parts.append("classifier")
        return "+".join(parts)

    @property
    def categories(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(hit.card.category for hit in self.hits))

    def as_dict(self) -> dict:
        """The fixed form of `copro safety check`: level, card ids, score."""
        return {"level": self.level, "cards": list(self.cards), "score": round(self.score, 4)}


NOT_ASSESSED = Assessment(NONE, (), 0.0)


class SafetyCheck:
    """Cards and classifier together; ``assess`` is all a caller needs."""

    def __init__(self, cards: tuple[Card, ...], model_dir: Path) -> None:
        self.matcher = CardMatcher(cards)
        self._score, self.thresholds = classifier.load(model_dir)

    def assess_many(self, texts: Sequence[str]) -> list[Assessment]:
        texts = [text or "" for text in texts]
        scores = self._score(texts) if texts else []
        return [self._decide(text, float(score)) for text, score in zip(texts, scores, strict=True)]

    def assess(self, text: str) -> Assessment:
        if not (text or "").strip():
            return NOT_ASSESSED
        return self.assess_many([text])[0]

    def classifier_level(self, text: str, score: float) -> str:
        """What the classifier's score alone says, for a message of this length."""
        words = len(text.split())
        if words >= CLASSIFIER_SEVERE_MIN_WORDS and score >= self.thresholds.severe:
            return SEVERE
        if words >= CLASSIFIER_MIN_WORDS and score >= self.thresholds.possible:
            return POSSIBLE
        return NONE

    def _decide(self, text: str, score: float) -> Assessment:
        hits = tuple(self.matcher.hits(text))
        by_score = self.classifier_level(text, score)
        levels = {hit.card.severity for hit in hits} | {by_score}
        level = SEVERE if SEVERE in levels else POSSIBLE if POSSIBLE in levels else NONE
        return Assessment(level, tuple(hit.card.id for hit in hits), score, hits, by_score)


@lru_cache(maxsize=4)
def safety_check(model_dir: str) -> SafetyCheck:
    """One SafetyCheck per model folder and process (loading takes a few seconds)."""
    return SafetyCheck(load_cards(), Path(model_dir))


# Answers to the gentle check "Is someone hurt or in danger now?", as typed
# (after text-speak is spelt out). Anything else is not taken as an answer.
_YES = frozenset(
    "yes|yeah|yea|yep|yup|y|ya|yh|yes please|yes help|help|help me|please help|"
    "yes someone is hurt|yes i am in danger|✅|👍|✅ yes".split("|")
)
_NO = frozenset(
    "no|nope|nah|n|no thanks|no thank you|i am ok|i am okay|i am fine|i am alright|ok|okay|"
    "fine|all good|no i am ok|no i am okay|no i am fine|no i am alright|no all good|"
    "not in danger|no one is hurt|nobody is hurt|❌|👎|❌ no i am ok".split("|")
)


def answer_to_check(text: str) -> str | None:
    """ "yes", "no", or None when the words are not an answer to the check."""
    from bot.safety.text import clean

    words = " ".join(clean(text).replace(",", " ").replace(".", " ").replace("!", " ").split())
    words = re.sub(r"( (thanks|thank you|x+|please))+$", "", words)
    if words in _YES:
        return "yes"
    # "no", "nah i am fine", "no, no one is hurt".
    first, _, rest = words.partition(" ")
    if words in _NO or (first in ("no", "nope", "nah", "n") and rest in _NO):
        return "no"
    return None
