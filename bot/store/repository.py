"""Repository functions: the only way the rest of the product reads or writes the store."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.names import AGE_BANDS, ANSWER_VALUES, LADDER_PLACES, LADDER_QUESTION, ROLES
from bot.store import concerns, pledges, telegram
from bot.store.held import Forgotten, HeldAnswer, HeldData, HeldReview
from bot.store.models import (
    Answer,
    Respondent,
    Review,
    ReviewResponse,
    SafeguardingFlag,
    utcnow,
)
from bot.store.text import clean_text

COMMENT_MAX = 2000


@dataclass(frozen=True)
class ResponseRef:
    """What a conversation needs to know about one person's review in progress."""

    response_id: int
    review_code: str
    review_title: str
    charter: str
    finished: bool
    # The charter's optional questions this review asks too.
    optional_questions: tuple[str, ...] = ()


def general_review_code(charter: str) -> str:
    """The code of a charter's always-open review, used when no code is given."""
    return f"{charter.upper()}-OPEN"


def get_or_create_respondent(session: Session, pseudonym: str, channel: str) -> Respondent:
    respondent = session.scalar(select(Respondent).where(Respondent.pseudonym == pseudonym))
    if respondent is None:
        respondent = Respondent(pseudonym=pseudonym, channel=channel)
        session.add(respondent)
        session.flush()
    return respondent


def create_review(
    session: Session,
    code: str,
    title: str,
    charter: str,
    level: str | None = None,
    held_on: str | None = None,
    optional_questions: tuple[str, ...] = (),
) -> Review:
    title = clean_text(title).strip()
    review = Review(
        code=code.upper(),
        title=title,
        charter=charter,
        level=level,
        held_on=held_on,
        optional_questions=",".join(optional_questions) or None,
    )
    session.add(review)
    session.flush()
    return review


def find_open_review(session: Session, code: str) -> Review | None:
    """The open review with this code (any case, spaces ignored), if there is one."""
    cleaned = code.strip().upper().replace(" ", "")
    return session.scalar(select(Review).where(Review.code == cleaned, Review.closed_at.is_(None)))


def close_open_review(session: Session, code: str) -> str | None:
    """Close the open review with this code; its code, or None when none is open."""
    review = find_open_review(session, code)
    if review is None:
        return None
    review.closed_at = utcnow()
    return review.code


def review_code_of_response(session: Session, response_id: int) -> str | None:
    """The code of the review this response belongs to, if the response exists."""
    response = session.get(ReviewResponse, response_id)
    return None if response is None else response.review.code


def level_of_response(session: Session, response_id: int) -> str | None:
    """The ladder level staff gave the review this response belongs to, if any."""
    return session.scalar(
        select(Review.level)
        .join(ReviewResponse, ReviewResponse.review_id == Review.id)
        .where(ReviewResponse.id == response_id)
    )


def review_by_code(session: Session, code: str) -> Review | None:
    return session.scalar(select(Review).where(Review.code == code))


def all_reviews(session: Session) -> list[Review]:
    """Every review, newest first (open and closed)."""
    newest_first = select(Review).order_by(Review.created_at.desc(), Review.id.desc())
    return list(session.scalars(newest_first))


def ensure_general_review(session: Session, charter: str, title: str) -> Review:
    code = general_review_code(charter)
    review = session.scalar(select(Review).where(Review.code == code))
    if review is None:
        try:
            with session.begin_nested():
                review = create_review(session, code, title, charter)
        except IntegrityError:
            review = session.scalar(select(Review).where(Review.code == code))
    assert review is not None
    return review


def start_or_resume(session: Session, review: Review, pseudonym: str, channel: str) -> ResponseRef:
    """This person's response to ``review``: the one they began, or a new one."""
    respondent = get_or_create_respondent(session, pseudonym, channel)
    response = session.scalar(
        select(ReviewResponse).where(
            ReviewResponse.review_id == review.id,
            ReviewResponse.respondent_id == respondent.id,
        )
    )
    if response is None:
        response = ReviewResponse(review_id=review.id, respondent_id=respondent.id, channel=channel)
        session.add(response)
        session.flush()
    return _ref(response, review)


def _ref(response: ReviewResponse, review: Review) -> ResponseRef:
    return ResponseRef(
        response_id=response.id,
        review_code=review.code,
        review_title=review.title,
        charter=review.charter,
        finished=response.finished_at is not None,
        optional_questions=review.optional_question_ids,
    )


def unfinished_response(session: Session, pseudonym: str) -> ResponseRef | None:
    """The most recent review this person started and did not finish."""
    row = session.execute(
        select(ReviewResponse, Review)
        .join(Review, Review.id == ReviewResponse.review_id)
        .join(Respondent, Respondent.id == ReviewResponse.respondent_id)
        .where(
            Respondent.pseudonym == pseudonym,
            ReviewResponse.finished_at.is_(None),
            Review.closed_at.is_(None),
        )
        .order_by(ReviewResponse.started_at.desc())
        .limit(1)
    ).first()
    return None if row is None else _ref(row[0], row[1])


def latest_open_response(session: Session, pseudonym: str) -> ResponseRef | None:
    """The review this person answered most recently, while it is still open:
    the one whose answers they can still change."""
    row = session.execute(
        select(ReviewResponse, Review)
        .join(Review, Review.id == ReviewResponse.review_id)
        .join(Respondent, Respondent.id == ReviewResponse.respondent_id)
        .where(Respondent.pseudonym == pseudonym, Review.closed_at.is_(None))
        .order_by(ReviewResponse.started_at.desc(), ReviewResponse.id.desc())
        .limit(1)
    ).first()
    return None if row is None else _ref(row[0], row[1])


def latest_charter(session: Session, pseudonym: str) -> str | None:
    """The charter of the review this person answered most recently, if any."""
    return session.scalar(
        select(Review.charter)
        .join(ReviewResponse, ReviewResponse.review_id == Review.id)
        .join(Respondent, Respondent.id == ReviewResponse.respondent_id)
        .where(Respondent.pseudonym == pseudonym)
        .order_by(ReviewResponse.started_at.desc())
        .limit(1)
    )


def answered_questions(session: Session, response_id: int) -> dict[str, Answer]:
    answers = session.scalars(select(Answer).where(Answer.response_id == response_id))
    return {answer.question_id: answer for answer in answers}


def _clean_comment(comment: str | None) -> str | None:
    if comment is None:
        return None
    return clean_text(comment).strip()[:COMMENT_MAX] or None


def record_answer(
    session: Session,
    response_id: int,
    question_id: str,
    value: str,
    channel: str,
    comment: str | None = None,
) -> Answer:
    """Save (or change) the answer to one question straight away."""
    allowed = LADDER_PLACES if question_id == LADDER_QUESTION else ANSWER_VALUES
    if value not in allowed:
        raise ValueError(f"unknown answer value {value!r}")
    answer = session.scalar(
        select(Answer).where(Answer.response_id == response_id, Answer.question_id == question_id)
    )
    if answer is None:
        answer = Answer(response_id=response_id, question_id=question_id, channel=channel)
        session.add(answer)
    answer.value = value
    answer.comment = _clean_comment(comment)
    answer.updated_at = utcnow()
    session.flush()
    return answer


def add_comment(session: Session, response_id: int, question_id: str, comment: str) -> bool:
    """Add the person's own words to an answer already saved."""
    answer = session.scalar(
        select(Answer).where(Answer.response_id == response_id, Answer.question_id == question_id)
    )
    cleaned = _clean_comment(comment)
    if answer is None or cleaned is None:
        return False
    answer.comment = cleaned if not answer.comment else f"{answer.comment}\n{cleaned}"[:COMMENT_MAX]
    answer.updated_at = utcnow()
    return True


def finish_response(session: Session, response_id: int) -> None:
    response = session.get(ReviewResponse, response_id)
    if response is not None and response.finished_at is None:
        response.finished_at = utcnow()


def _respondent_and_flags(session: Session, pseudonym: str) -> tuple[Respondent | None, int]:
    """This person's respondent row (if any) and how many safety flags name them."""
    respondent = session.scalar(select(Respondent).where(Respondent.pseudonym == pseudonym))
    flags = session.scalar(
        select(func.count())
        .select_from(SafeguardingFlag)
        .where(SafeguardingFlag.pseudonym == pseudonym)
    )
    return respondent, int(flags or 0)


def held_about(session: Session, pseudonym: str) -> HeldData:
    respondent, safety = _respondent_and_flags(session, pseudonym)
    signed = tuple(pledges.pledges_of(session, pseudonym, active_only=False))
    raised = tuple(concerns.concerns_of(session, pseudonym))
    chat = telegram.chat_id_for(session, pseudonym) is not None
    if respondent is None:
        return HeldData(None, None, None, None, (), safety, signed, raised, chat)
    rows = session.execute(
        select(ReviewResponse, Review)
        .join(Review, Review.id == ReviewResponse.review_id)
        .where(ReviewResponse.respondent_id == respondent.id)
        .order_by(ReviewResponse.started_at, ReviewResponse.id)
    ).all()
    reviews = []
    for response, review in rows:
        answers = session.scalars(
            select(Answer).where(Answer.response_id == response.id).order_by(Answer.id)
        )
        reviews.append(
            HeldReview(
                title=review.title,
                charter=review.charter,
                started_at=response.started_at,
                finished=response.finished_at is not None,
                answers=tuple(HeldAnswer(a.question_id, a.value, a.comment) for a in answers),
                hear_back=response.hear_back,
            )
        )
    return HeldData(
        respondent.created_at,
        respondent.channel,
        respondent.role,
        respondent.age_band,
        tuple(reviews),
        safety,
        signed,
        raised,
        chat,
    )


def forget_person(session: Session, pseudonym: str) -> Forgotten:
    """Delete everything about this person, except messages flagged for their safety.

    Safeguarding flags stay for the safety team: a duty to keep children safe
    comes before the right to have data erased (UK GDPR article 17(3)).
    """
    respondent, kept = _respondent_and_flags(session, pseudonym)
    pledges_deleted, pledges_anonymised = pledges.forget_pledges(session, pseudonym)
    concerns_deleted, messages = concerns.forget_concerns(session, pseudonym)
    telegram.forget_chat(session, pseudonym)
    others = (pledges_deleted, pledges_anonymised, int(concerns_deleted or 0), int(messages or 0))
    if respondent is None:
        session.expunge_all()
        return Forgotten(0, 0, 0, kept, *others)
    response_ids = select(ReviewResponse.id).where(ReviewResponse.respondent_id == respondent.id)
    answers = session.scalars(select(Answer).where(Answer.response_id.in_(response_ids))).all()
    comments = sum(1 for a in answers if a.comment)
    no_sync = {"synchronize_session": False}
    session.execute(
        delete(Answer).where(Answer.response_id.in_(response_ids)), execution_options=no_sync
    )
    reviews = session.execute(
        delete(ReviewResponse).where(ReviewResponse.respondent_id == respondent.id),
        execution_options=no_sync,
    ).rowcount
    session.execute(
        delete(Respondent).where(Respondent.id == respondent.id), execution_options=no_sync
    )
    session.expunge_all()
    session.flush()
    return Forgotten(len(answers), comments, int(reviews or 0), kept, *others)


def profile_of(session: Session, pseudonym: str) -> tuple[str | None, str | None]:
    """The role and age band this person gave before, if any."""
    row = session.execute(
        select(Respondent.role, Respondent.age_band).where(Respondent.pseudonym == pseudonym)
    ).first()
    return (None, None) if row is None else (row[0], row[1])


def set_profile(
    session: Session,
    pseudonym: str,
    channel: str,
    role: str | None = None,
    age_band: str | None = None,
) -> None:
    """Save who is answering, as soon as the person says."""
    if role is not None and role not in ROLES:
        raise ValueError(f"unknown role {role!r}")
    if age_band is not None and age_band not in AGE_BANDS:
        raise ValueError(f"unknown age band {age_band!r}")
    respondent = get_or_create_respondent(session, pseudonym, channel)
    if role is not None:
        respondent.role = role
    if age_band is not None:
        respondent.age_band = age_band
    session.flush()


def mark_with_help(session: Session, response_id: int) -> None:
    response = session.get(ReviewResponse, response_id)
    if response is not None:
        response.with_help = True
