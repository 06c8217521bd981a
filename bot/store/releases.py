"""Results released in steps, so that no one person's answer can be worked out.

Staff never see a review's live counts. They see its latest *release*: the
counts frozen the last time enough people had answered. A review's first
release is made once ``min_group`` people have answered; each later one only
once at least ``min_group`` more have. So two outputs for a review (any export,
any page, any breakdown by role, channel, principle or ladder place) are either
the same or differ by at least ``min_group`` people, and comparing them never
gives one person's answer.

Only people who answered a question count (bot.store.people): opening a review
brings no release nearer, and every breakdown counts the same people.

A review that closes keeps its last release: fewer than ``min_group`` late
answers are never shown apart from the others (showing them would give them
away). Answers deleted later ("forget me") leave the release as it was: it holds
counts only, like the tallies the retention policy keeps.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import func, select, union_all
from sqlalchemy.orm import InstrumentedAttribute, Session
from sqlalchemy.sql import Select

from bot.store.models import (
    Answer,
    AnswerTally,
    Respondent,
    ResponseTally,
    ResultRelease,
    ReviewResponse,
)
from bot.store.people import has_answered
from bot.store.retention import UNKNOWN_ROLE


@dataclass(frozen=True)
class Counts:
    """Everything about a review's answers that staff can be shown (before suppression)."""

    people: int
    # question → answer value → people
    answers: dict[str, dict[str, int]] = field(default_factory=dict)
    roles: dict[str, int] = field(default_factory=dict)
    channels: dict[str, int] = field(default_factory=dict)
    # The answers with words at the time of release: (answer id, a digest of the
    # words). Words written or changed later wait for the next release like every
    # count; words deleted at their writer's request go at once (erasure first).
    commented: tuple[tuple[int, str], ...] = ()

    def answer(self, question: str, value: str) -> int:
        return self.answers.get(question, {}).get(value, 0)

    def to_json(self) -> str:
        return json.dumps(
            {
                "people": self.people,
                "answers": self.answers,
                "roles": self.roles,
                "channels": self.channels,
                "commented": [list(item) for item in self.commented],
            },
            sort_keys=True,
        )

    @classmethod
    def from_json(cls, text: str) -> Counts:
        data = json.loads(text)
        return cls(
            int(data["people"]),
            {q: {v: int(n) for v, n in values.items()} for q, values in data["answers"].items()},
            {k: int(n) for k, n in data["roles"].items()},
            {k: int(n) for k, n in data["channels"].items()},
            tuple((int(i), str(digest)) for i, digest in data["commented"]),
        )


@dataclass(frozen=True)
class Released:
    """What may be shown of one review: its latest release, if any."""

    counts: Counts | None
    # Whether anyone has answered at all (shown only as "nobody yet" or "fewer than").
    anyone: bool

    @property
    def people(self) -> int | None:
        """People in the release; 0 when nobody answered; None when fewer than the group."""
        if self.counts is not None:
            return self.counts.people
        return None if self.anyone else 0


def release_due(live_people: int, released_people: int | None, min_group: int) -> bool:
    """Whether enough people answered since the last release for a new one."""
    if released_people is None:
        return live_people >= min_group
    return live_people - released_people >= min_group


def released_counts(session: Session, review_ids: list[int], min_group: int) -> dict[int, Released]:
    """Each review's counts to show, making a new release where one is due."""
    if not review_ids:
        return {}
    live = live_counts(session, review_ids)
    latest = _latest_releases(session, review_ids)
    result = {}
    for review_id in review_ids:
        now = live.get(review_id, Counts(0))
        shown = latest.get(review_id)
        if release_due(now.people, shown.people if shown else None, min_group):
            session.add(ResultRelease(review_id=review_id, people=now.people, counts=now.to_json()))
            shown = now
        result[review_id] = Released(shown, now.people > 0)
    session.flush()
    return result


def latest_release(column: InstrumentedAttribute, review_ids: list[int]) -> Select:
    """(review id, ``column``) of each review's latest release (reviews with none left out)."""
    newest = (
        select(func.max(ResultRelease.id))
        .where(ResultRelease.review_id.in_(review_ids))
        .group_by(ResultRelease.review_id)
    )
    return select(ResultRelease.review_id, column).where(ResultRelease.id.in_(newest))


def _latest_releases(session: Session, review_ids: list[int]) -> dict[int, Counts]:
    rows = session.execute(latest_release(ResultRelease.counts, review_ids))
    return {review_id: Counts.from_json(counts) for review_id, counts in rows}


def live_counts(session: Session, review_ids: list[int]) -> dict[int, Counts]:
    """Each review's counts now: live answers plus the tallies the retention policy kept."""
    people = live_people(session, review_ids)
    answers = _answer_counts(session, review_ids)
    roles = _people_by(session, review_ids, "role")
    channels = _people_by(session, review_ids, "channel")
    commented = _commented(session, review_ids)
    return {
        review_id: Counts(
            n,
            answers.get(review_id, {}),
            roles.get(review_id, {}),
            channels.get(review_id, {}),
            commented.get(review_id, ()),
        )
        for review_id, n in people.items()
    }


def _answer_counts(session: Session, review_ids: list[int]) -> dict[int, dict[str, dict[str, int]]]:
    """review → question → answer → people, from live answers and kept tallies, in SQL.

    Only the answers of people who count: a ladder place alone is not counted.
    """
    live = (
        select(
            ReviewResponse.review_id.label("review_id"),
            Answer.question_id.label("question_id"),
            Answer.value.label("value"),
            func.count().label("n"),
        )
        .join(ReviewResponse, ReviewResponse.id == Answer.response_id)
        .where(ReviewResponse.review_id.in_(review_ids), has_answered())
        .group_by(ReviewResponse.review_id, Answer.question_id, Answer.value)
    )
    kept = (
        select(
            AnswerTally.review_id,
            AnswerTally.question_id,
            AnswerTally.value,
            func.sum(AnswerTally.count),
        )
        .where(AnswerTally.review_id.in_(review_ids))
        .group_by(AnswerTally.review_id, AnswerTally.question_id, AnswerTally.value)
    )
    both = union_all(live, kept).subquery()
    rows = session.execute(
        select(both.c.review_id, both.c.question_id, both.c.value, func.sum(both.c.n)).group_by(
            both.c.review_id, both.c.question_id, both.c.value
        )
    )
    result: dict[int, dict[str, dict[str, int]]] = defaultdict(lambda: defaultdict(dict))
    for review_id, question_id, value, n in rows:
        result[review_id][question_id][value] = int(n)
    return {r: {q: dict(v) for q, v in questions.items()} for r, questions in result.items()}


def _people_by(session: Session, review_ids: list[int], column: str) -> dict[int, dict[str, int]]:
    """People per review by role or by channel, live and kept, in SQL."""
    if column == "role":
        live_key = func.coalesce(Respondent.role, UNKNOWN_ROLE)
        live = (
            select(ReviewResponse.review_id, live_key, func.count())
            .join(Respondent, Respondent.id == ReviewResponse.respondent_id)
            .where(ReviewResponse.review_id.in_(review_ids), has_answered())
            .group_by(ReviewResponse.review_id, live_key)
        )
    else:
        live = (
            select(ReviewResponse.review_id, ReviewResponse.channel, func.count())
            .where(ReviewResponse.review_id.in_(review_ids), has_answered())
            .group_by(ReviewResponse.review_id, ReviewResponse.channel)
        )
    kept_key = getattr(ResponseTally, column)
    kept = (
        select(ResponseTally.review_id, kept_key, func.sum(ResponseTally.count))
        .where(ResponseTally.review_id.in_(review_ids))
        .group_by(ResponseTally.review_id, kept_key)
    )
    both = union_all(live, kept).subquery()
    review_id, key, n = both.c
    rows = session.execute(select(review_id, key, func.sum(n)).group_by(review_id, key))
    result: dict[int, dict[str, int]] = defaultdict(dict)
    for rid, name, count in rows:
        result[rid][name] = int(count)
    return result


def live_people(session: Session, review_ids: list[int]) -> dict[int, int]:
    """People per review who answered, live and kept, in SQL."""
    live = (
        select(ReviewResponse.review_id.label("review_id"), func.count().label("n"))
        .where(ReviewResponse.review_id.in_(review_ids), has_answered())
        .group_by(ReviewResponse.review_id)
    )
    kept = (
        select(ResponseTally.review_id, func.sum(ResponseTally.count))
        .where(ResponseTally.review_id.in_(review_ids))
        .group_by(ResponseTally.review_id)
    )
    both = union_all(live, kept).subquery()
    rows = session.execute(select(both.c.review_id, func.sum(both.c.n)).group_by(both.c.review_id))
    return {r: int(n) for r, n in rows}


def _digest(words: str) -> str:
    return hashlib.sha256(words.encode("utf-8")).hexdigest()[:16]


def _commented(session: Session, review_ids: list[int]) -> dict[int, tuple[tuple[int, str], ...]]:
    rows = session.execute(
        select(ReviewResponse.review_id, Answer.id, Answer.comment)
        .join(ReviewResponse, ReviewResponse.id == Answer.response_id)
        .where(
            ReviewResponse.review_id.in_(review_ids),
            Answer.comment.is_not(None),
            has_answered(),
        )
        .order_by(Answer.id)
    )
    result: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for review_id, answer_id, words in rows:
        result[review_id].append((answer_id, _digest(words)))
    return {r: tuple(items) for r, items in result.items()}


def released_comments(
    session: Session, commented: tuple[tuple[int, str], ...]
) -> list[tuple[str, str, str]]:
    """(question, words, writer's pseudonym) of a release's words, as they were released.

    Words changed since the release are left out until the next one; deleted
    words are gone.
    """
    if not commented:
        return []
    digests = dict(commented)
    rows = session.execute(
        select(Answer.id, Answer.question_id, Answer.comment, Respondent.pseudonym)
        .join(ReviewResponse, ReviewResponse.id == Answer.response_id)
        .join(Respondent, Respondent.id == ReviewResponse.respondent_id)
        .where(Answer.id.in_(list(digests)), Answer.comment.is_not(None))
    )
    return [
        (question, words, pseudonym)
        for answer_id, question, words, pseudonym in rows
        if _digest(words) == digests[answer_id]
    ]
