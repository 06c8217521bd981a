"""Aggregated, suppressed feedback: the `copro export` contract (see shared/design.md).

Counts come from each review's latest release (bot.store.releases: they change
only once ``min_group`` more people have answered), then are suppressed here:

- a review with fewer than ``min_group`` people has every question withheld
  (``"suppressed": true``);
- within a question, any count from 1 to ``min_group - 1`` is withheld (``null``,
  and named in ``withheld``); zeros are shown;
- secondary suppression: a question with exactly one withheld count also
  withholds its smallest other non-zero count, so that no withheld count can be
  worked out from the number of people and the counts that are shown.

This module builds the suppressed results; bot.staff.export_files writes them
out as JSON, CSV or XLSX.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy.orm import Session

from bot.content import ContentError, get_pack
from bot.names import ANSWER_VALUES, LADDER_PLACES, LADDER_QUESTION, LEVEL_PLACE, ROLES
from bot.staff.redact import redact
from bot.store.models import Review
from bot.store.releases import Released, released_comments, released_counts
from bot.store.retention import UNKNOWN_ROLE
from bot.store.review_results import names_on_pledges, reviews_by_charter_and_code
from bot.store.updates import updates_for

ROLE_KEYS = (*ROLES, UNKNOWN_ROLE)
CHANNEL_KEYS = ("web", "telegram", "rest")


@dataclass
class QuestionResult:
    id: str
    text: str
    principle: str
    counts: dict[str, int | None] | None
    withheld: list[str] = field(default_factory=list)

    @property
    def suppressed(self) -> bool:
        return self.counts is None


# Steps of the ladder as numbers, for the gap: done to us 0, for us 1, with us 2.
PLACE_STEP = {"doing_to": 0, "doing_for": 1, "doing_with": 2}


@dataclass
class LadderResult:
    """Where staff placed the work, where families did (suppressed), and the gap."""

    staff_level: str | None
    staff_place: str | None
    # Families' answers (None: withheld, the review or the row is too small).
    families: dict[str, int | None] | None
    withheld: list[str] = field(default_factory=list)
    # Families' average step minus staff's step (-2 to 2; above 0: families put the work
    # higher than staff did). Only when every family count is shown and at least
    # ``min_group`` families placed it, so it cannot reveal a withheld count.
    gap: float | None = None


def ladder_result(
    level: str | None, raw: dict[str, int], total: int, min_group: int
) -> LadderResult | None:
    """The ladder gap of one review; None when staff gave no level and nobody placed it."""
    if level is None and not any(raw.values()):
        return None
    staff_place = LEVEL_PLACE.get(level) if level else None
    if total < min_group:
        return LadderResult(level, staff_place, None)
    shown, withheld = suppress_counts(raw, min_group)
    placed = sum(raw[place] for place in PLACE_STEP)
    gap = None
    if staff_place and shown is not None and not withheld and placed >= min_group:
        mean = sum(PLACE_STEP[place] * raw[place] for place in PLACE_STEP) / placed
        gap = round(mean - PLACE_STEP[staff_place], 1)
    return LadderResult(level, staff_place, shown, withheld, gap)


@dataclass
class ReviewResult:
    code: str
    title: str
    charter: str
    level: str | None
    held_on: str | None
    # People in the latest release; None: some answered, fewer than the group.
    responses: int | None
    questions: list[QuestionResult]
    # People by role and by channel, suppressed like the answer counts (None: withheld).
    by_role: dict[str, int | None] | None = None
    by_channel: dict[str, int | None] | None = None
    # Answers to all the questions about each principle, suppressed the same way.
    principles: list[QuestionResult] = field(default_factory=list)
    # (question id, redacted words), only when asked for and the group is large enough.
    comments: list[tuple[str, str]] | None = None
    # "You said, we did": (date, what staff changed), oldest first. Staff words only.
    updates: list[tuple[str, str]] = field(default_factory=list)
    ladder: LadderResult | None = None


def suppress_counts(
    counts: dict[str, int], min_group: int
) -> tuple[dict[str, int | None] | None, list[str]]:
    """Withhold small counts, then one more when only one was withheld.

    When a single small count has no other non-zero count to hide it with, the
    whole question is withheld (``None``): it could be worked out otherwise.
    """
    shown: dict[str, int | None] = dict(counts)
    withheld = [value for value, n in counts.items() if 0 < n < min_group]
    if len(withheld) == 1:
        others = sorted(
            (n, value) for value, n in counts.items() if n > 0 and value not in withheld
        )
        if not others:
            return None, []
        withheld.append(others[0][1])
    for value in withheld:
        shown[value] = None
    return shown, sorted(withheld, key=list(counts).index)


def _reviews(
    session: Session, code: str | None, charter: str | None, since: date | None, until: date | None
) -> list[Review]:
    wanted_code = code.strip().upper() if code else None
    reviews = reviews_by_charter_and_code(session, wanted_code, charter or None)

    def when(review: Review) -> date:
        if review.held_on:
            try:
                return date.fromisoformat(review.held_on)
            except ValueError:
                pass
        return review.created_at.date()

    return [
        r
        for r in reviews
        if (since is None or when(r) >= since) and (until is None or when(r) <= until)
    ]


def _comments(session: Session, commented: tuple[tuple[int, str], ...]) -> list[tuple[str, str]]:
    """(question, redacted words) of a release's comments, without who wrote them."""
    rows = released_comments(session, commented)
    names = names_on_pledges(session, {pseudonym for *_, pseudonym in rows})
    return [
        (question, redact(words, names.get(pseudonym, []))) for question, words, pseudonym in rows
    ]


def build_export(
    session: Session,
    min_group: int,
    *,
    code: str | None = None,
    charter: str | None = None,
    since: date | None = None,
    until: date | None = None,
    progress=None,
    comments: bool = False,
) -> list[ReviewResult]:
    """Every matching review, its questions' counts suppressed.

    With ``comments``, the redacted comments of reviews with at least
    ``min_group`` people, sorted by question and then words, never by person.
    """
    reviews = _reviews(session, code, charter, since, until)
    ids = [r.id for r in reviews]
    releases = released_counts(session, ids, min_group)
    changes = updates_for(session, ids)
    results = []
    for review in progress(reviews) if progress else reviews:
        try:
            pack = get_pack(review.charter).with_optional(review.optional_question_ids)
            questions = pack.questions
        except ContentError:
            questions = ()
        released = releases.get(review.id, Released(None, False))
        counts = released.counts
        if counts is not None and counts.people < min_group:
            counts = None  # released under a smaller COPRO_MIN_GROUP than today's

        def suppressed(raw: dict[str, int], shown_counts=counts):
            return suppress_counts(raw, min_group) if shown_counts is not None else (None, [])

        def answers(question_id: str, shown_counts=counts) -> dict[str, int]:
            if shown_counts is None:
                return dict.fromkeys(ANSWER_VALUES, 0)
            return {value: shown_counts.answer(question_id, value) for value in ANSWER_VALUES}

        rows = [
            QuestionResult(q.id, q.text, q.principle, *suppressed(answers(q.id))) for q in questions
        ]
        principle_rows = []
        pack_principles = get_pack(review.charter).principles if questions else ()
        for principle in pack_principles:
            raw = dict.fromkeys(ANSWER_VALUES, 0)
            for question in questions:
                if question.principle == principle.id:
                    for value, n in answers(question.id).items():
                        raw[value] += n
            principle_rows.append(
                QuestionResult(principle.id, principle.name, principle.id, *suppressed(raw))
            )
        groups = {}
        for name, attribute, keys in (
            ("by_role", "roles", ROLE_KEYS),
            ("by_channel", "channels", CHANNEL_KEYS),
        ):
            found = getattr(counts, attribute) if counts is not None else {}
            groups[name] = suppressed({key: found.get(key, 0) for key in keys})[0]
        results.append(
            ReviewResult(
                review.code,
                review.title,
                review.charter,
                review.level,
                review.held_on,
                released.people if counts is not None or released.people == 0 else None,
                rows,
                **groups,
                principles=principle_rows,
                comments=_ordered(_comments(session, counts.commented), questions)
                if comments and counts is not None
                else None,
                updates=[
                    (u.created_at.date().isoformat(), u.text) for u in changes.get(review.id, [])
                ],
                ladder=ladder_result(
                    review.level,
                    {p: counts.answer(LADDER_QUESTION, p) if counts else 0 for p in LADDER_PLACES},
                    counts.people if counts is not None else 0,
                    min_group,
                ),
            )
        )
    return results


def _ordered(found: list[tuple[str, str]], questions) -> list[tuple[str, str]]:
    order = {q.id: i for i, q in enumerate(questions)}
    return sorted(found, key=lambda c: (order.get(c[0], len(order)), c[1]))
