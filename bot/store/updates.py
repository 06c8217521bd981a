"""You said, we did: what staff changed, sent to the people who asked to hear back."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.store.concerns import REPLY_MAX, clean_text, queue_message
from bot.store.models import Respondent, Review, ReviewResponse, ReviewUpdate
from bot.store.people import has_answered

YOU_SAID_WE_DID = "you_said_we_did"
UPDATE_MAX = REPLY_MAX


def set_hear_back(session: Session, response_id: int, wanted: bool) -> None:
    """Keep the person's answer to "do you want to hear what changes?"."""
    response = session.get(ReviewResponse, response_id)
    if response is not None:
        response.hear_back = wanted


def hear_back_of(session: Session, response_id: int) -> bool | None:
    """Their answer so far: None when they have not said."""
    response = session.get(ReviewResponse, response_id)
    return None if response is None else response.hear_back


def update_message(review: Review, text: str) -> str:
    return f"📣 You said, we did.\n\nAbout: {review.title}\n\n{text}"


def people_to_tell(session: Session, review_id: int) -> list[tuple[str, str]]:
    """(pseudonym, channel) of each person who answered the review and asked to hear back."""
    rows = session.execute(
        select(Respondent.pseudonym, ReviewResponse.channel)
        .join(ReviewResponse, ReviewResponse.respondent_id == Respondent.id)
        .where(
            ReviewResponse.review_id == review_id,
            ReviewResponse.hear_back.is_(True),
            has_answered(),
        )
        .order_by(ReviewResponse.id)
    )
    return [(pseudonym, channel) for pseudonym, channel in rows]


def post_update(session: Session, review: Review, text: str) -> ReviewUpdate:
    """Save what changed and queue it for each person who asked to hear back.

    Raises :class:`bot.store.concerns.TextProblem` for blank or over-long text.
    Each channel delivers the message: Telegram at once, the web chat at the
    person's next visit. Nobody else is told, nor anyone who answered nothing.
    """
    cleaned = clean_text(text, UPDATE_MAX)
    update = ReviewUpdate(review_id=review.id, text=cleaned)
    session.add(update)
    people = people_to_tell(session, review.id)
    message = update_message(review, cleaned)
    for pseudonym, channel in people:
        queue_message(session, pseudonym, channel, YOU_SAID_WE_DID, message)
    update.people_told = len(people)
    session.flush()
    return update


def updates_for(session: Session, review_ids: list[int]) -> dict[int, list[ReviewUpdate]]:
    """Each review's updates, oldest first."""
    found: dict[int, list[ReviewUpdate]] = {review_id: [] for review_id in review_ids}
    if not review_ids:
        return found
    rows = session.scalars(
        select(ReviewUpdate).where(ReviewUpdate.review_id.in_(review_ids)).order_by(ReviewUpdate.id)
    )
    for update in rows:
        found[update.review_id].append(update)
    return found
