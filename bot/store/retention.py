"""The retention policy: identifiable data older than ``COPRO_RETENTION_DAYS`` is deleted.

Before a person's answers are deleted their counts are added to tallies (review,
question, answer, role, channel: no person, no words), so the totals staff
report on stay true. Only people who answered a question are tallied
(bot.store.people), as everywhere else. Exports apply the small-group
suppression to tallies and live answers alike.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, delete, func, or_, select, update
from sqlalchemy.orm import Session

from bot.names import FAMILY_KINDS
from bot.store import concerns
from bot.store.models import (
    Answer,
    AnswerTally,
    Concern,
    OutboxMessage,
    Pledge,
    Respondent,
    ResponseTally,
    ReviewResponse,
    SafeguardingFlag,
    TelegramChat,
    utcnow,
)
from bot.store.people import has_answered

UNKNOWN_ROLE = "unknown"
# A safety flag is deleted only once staff have dealt with it.
CLOSED_FLAG_STATUSES = ("resolved",)


@dataclass(frozen=True)
class Purged:
    responses: int
    answers: int
    respondents: int
    safety_flags: int
    concerns: int = 0
    messages: int = 0
    family_pledges_anonymised: int = 0
    telegram_chats: int = 0


def cutoff_for(days: int, now: datetime | None = None) -> datetime:
    return (now or utcnow()) - timedelta(days=days)


def stale_responses(cutoff: datetime):
    """Responses with no activity since ``cutoff`` (started, and every answer, before it)."""
    last_answer = (
        select(Answer.response_id, func.max(Answer.updated_at).label("last"))
        .group_by(Answer.response_id)
        .subquery()
    )
    return (
        select(ReviewResponse.id)
        .outerjoin(last_answer, last_answer.c.response_id == ReviewResponse.id)
        .where(
            ReviewResponse.started_at < cutoff,
            or_(last_answer.c.last.is_(None), last_answer.c.last < cutoff),
        )
    )


def _add_tally(session: Session, model, keys: dict, count: int) -> None:
    row = session.scalar(select(model).filter_by(**keys))
    if row is None:
        session.add(model(**keys, count=count))
    else:
        row.count += count


def purge(session: Session, cutoff: datetime) -> Purged:
    """Delete identifiable data with no activity since ``cutoff``; keep its counts."""
    stale = stale_responses(cutoff)
    role = func.coalesce(Respondent.role, UNKNOWN_ROLE)
    answer_groups = session.execute(
        select(
            ReviewResponse.review_id,
            Answer.question_id,
            Answer.value,
            role,
            Answer.channel,
            func.count(),
        )
        .join(ReviewResponse, ReviewResponse.id == Answer.response_id)
        .join(Respondent, Respondent.id == ReviewResponse.respondent_id)
        .where(Answer.response_id.in_(stale), has_answered())
        .group_by(ReviewResponse.review_id, Answer.question_id, Answer.value, role, Answer.channel)
    ).all()
    for review_id, question_id, value, who, channel, count in answer_groups:
        keys = dict(
            review_id=review_id, question_id=question_id, value=value, role=who, channel=channel
        )
        _add_tally(session, AnswerTally, keys, count)
    response_groups = session.execute(
        select(ReviewResponse.review_id, role, ReviewResponse.channel, func.count())
        .join(Respondent, Respondent.id == ReviewResponse.respondent_id)
        .where(ReviewResponse.id.in_(stale), has_answered())
        .group_by(ReviewResponse.review_id, role, ReviewResponse.channel)
    ).all()
    for review_id, who, channel, count in response_groups:
        _add_tally(
            session, ResponseTally, dict(review_id=review_id, role=who, channel=channel), count
        )
    no_sync = {"synchronize_session": False}
    answers = session.execute(
        delete(Answer).where(Answer.response_id.in_(stale)), execution_options=no_sync
    ).rowcount
    responses = session.execute(
        delete(ReviewResponse).where(ReviewResponse.id.in_(stale)), execution_options=no_sync
    ).rowcount
    still_answering = select(ReviewResponse.respondent_id)
    respondents = session.execute(
        delete(Respondent).where(
            and_(Respondent.created_at < cutoff, Respondent.id.not_in(still_answering))
        ),
        execution_options=no_sync,
    ).rowcount
    flags = session.execute(
        delete(SafeguardingFlag).where(
            SafeguardingFlag.created_at < cutoff,
            SafeguardingFlag.status.in_(CLOSED_FLAG_STATUSES),
        ),
        execution_options=no_sync,
    ).rowcount
    old_concerns, old_messages = concerns.purge_before(session, cutoff)
    # A kept Telegram chat id goes once nothing else about the person is kept.
    chats = session.execute(
        delete(TelegramChat).where(
            TelegramChat.created_at < cutoff,
            TelegramChat.pseudonym.not_in(select(Respondent.pseudonym)),
            TelegramChat.pseudonym.not_in(select(Concern.pseudonym)),
            TelegramChat.pseudonym.not_in(
                select(OutboxMessage.pseudonym).where(OutboxMessage.delivered_at.is_(None))
            ),
        ),
        execution_options=no_sync,
    ).rowcount
    family_pledges = session.execute(
        update(Pledge)
        .where(
            Pledge.signer_kind.in_(FAMILY_KINDS),
            Pledge.signed_at < cutoff,
            Pledge.pseudonym.is_not(None),
        )
        # The pledge still counts on the register; who made it is no longer known.
        .values(pseudonym=None, first_name=None),
        execution_options=no_sync,
    ).rowcount
    session.flush()
    return Purged(
        int(responses or 0),
        int(answers or 0),
        int(respondents or 0),
        int(flags or 0),
        int(old_concerns or 0),
        int(old_messages or 0),
        int(family_pledges or 0),
        int(chats or 0),
    )
