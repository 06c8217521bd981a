"""The safety decision: rule cards and the risk classifier give one level.

- ``severe``: a severe card, or a classifier score at or above its ``severe``
  threshold. Help at once; a person is alerted.
- ``possible``: a milder card, or a score at or above ``possible``. One gentle
  check ("Is someone hurt or in danger now?") with the short help line.
- ``none``: nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from bot.safety import classifier
from bot.safety.cards import Card, load_cards
from bot.safety.matching import CardHit, CardMatcher

NONE, POSSIBLE, SEVERE = "none", "possible", "severe"
LEVELS = (NONE, POSSIBLE, SEVERE)


@dataclass(frozen=True)
class Assessment:
    level: str
    cards: tuple[str, ...]
    score: float
    hits: tuple[CardHit, ...] = ()

    @property
    def flagged(self) -> bool:
        return self.level != NONE

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
        return [self._decide(text, float(score)) for text, score in zip(texts, scores)]

    def assess(self, text: str) -> Assessment:
        if not (text or "").strip():
            return NOT_ASSESSED
        return self.assess_many([text])[0]

    def _decide(self, text: str, score: float) -> Assessment:
        hits = tuple(self.matcher.hits(text))
        severities = {hit.card.severity for hit in hits}
        if SEVERE in severities or score >= self.thresholds.severe:
            level = SEVERE
        elif POSSIBLE in severities or score >= self.thresholds.possible:
            level = POSSIBLE
        else:
            level = NONE
        return Assessment(level, tuple(hit.card.id for hit in hits), score, hits)


@lru_cache(maxsize=4)
def safety_check(model_dir: str) -> SafetyCheck:
    """One SafetyCheck per model folder and process (loading takes a few seconds)."""
    return SafetyCheck(load_cards(), Path(model_dir))
