"""The charter pack as the bot uses it: frozen dataclasses, with no loading or checking."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Principle:
    id: str
    name: str
    easy_read: str


@dataclass(frozen=True)
class Question:
    id: str
    principle: str
    text: str
    simple: str


@dataclass(frozen=True)
class Rung:
    """One step of the area's ladder of participation (lowest first)."""

    id: str
    name: str
    group: str | None
    easy_read: str


@dataclass(frozen=True)
class QualityStatement:
    """One exemplar statement of a quality indicator table ("What should it feel like?")."""

    id: str
    text: str


@dataclass(frozen=True)
class QualityHeading:
    """One quality indicator table: a principle's heading and its statements, in order."""

    principle: str
    name: str
    statements: tuple[QualityStatement, ...]


@dataclass(frozen=True)
class SafetySetup:
    """Who hears about a severe flag in this area, and who families may contact.

    ``contact`` holds only the fields the local area confirmed: an unconfirmed
    one is never shown to a family as if it were real.
    """

    team: str | None = None
    alert_email: str | None = None
    escalate_email: str | None = None
    contact: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class FrameworkReview:
    """How often the charter says its whole framework is reviewed."""

    first_after_months: int
    then_every_months: int


@dataclass(frozen=True)
class CharterPack:
    id: str
    area: str
    title: str
    general_review_title: str
    principles: tuple[Principle, ...]
    questions: tuple[Question, ...]
    # Who families can ask about this chat and the charter: confirmed fields only.
    contact: dict[str, str]
    ladder_name: str = "Ladder of participation"
    ladder: tuple[Rung, ...] = ()
    pledges: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # Months from signing to a pledge's first review, then between reviews;
    # None when the charter sets no review of its pledges.
    framework_review: FrameworkReview | None = None
    # The quality indicator tables for staff self-assessment; () when the charter has none.
    quality_indicators: tuple[QualityHeading, ...] = ()
    safety: SafetySetup = field(default_factory=SafetySetup)
    # Questions staff may add to a review when they create it (the default set stays short).
    optional_questions: tuple[Question, ...] = ()
    # Where a family can get help with their own child's case: the area's SENDIASS
    # (free advice, separate from the council) and its Local Offer (the SEND
    # website). Only the fields the area confirmed; empty when none.
    sendiass: dict[str, str] = field(default_factory=dict)
    local_offer: dict[str, str] = field(default_factory=dict)

    def question(self, question_id: str) -> Question | None:
        every = (*self.questions, *self.optional_questions)
        return next((q for q in every if q.id == question_id), None)

    def with_optional(self, question_ids: tuple[str, ...] | list[str]) -> CharterPack:
        """The pack as one review asks it: its questions, then the optional ones chosen."""
        if not question_ids:
            return self
        chosen = tuple(q for q in self.optional_questions if q.id in set(question_ids))
        return dataclasses.replace(self, questions=(*self.questions, *chosen))

    def quality_statements(self) -> dict[str, tuple[QualityHeading, QualityStatement]]:
        """Every quality indicator statement by id, with its heading, in order."""
        return {s.id: (h, s) for h in self.quality_indicators for s in h.statements}
