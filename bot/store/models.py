"""Tables of the families' side of the store: reviews, answers, their tallies and
releases, safety flags, pledges, concerns and messages. Respondents are known
only by a keyed pseudonym.

Holds ``Base`` and ``utcnow`` for every table; the staff-side tables (accounts,
sessions, quality self-assessments) are in bot.store.staff_models.
"""

from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import declarative_base, relationship

Base = declarative_base()


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class Respondent(Base):
    """A person, known only by the pseudonym their channel gave them."""

    __tablename__ = "respondent"

    id = Column(Integer, primary_key=True)
    pseudonym = Column(String(128), nullable=False, unique=True)
    channel = Column(String(32), nullable=False, default="web")
    role = Column(String(32), nullable=True)
    # Young people only: "under_13", "13_15", "16_17", "18_25" or "over_25".
    age_band = Column(String(16), nullable=True)
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)

    responses = relationship("ReviewResponse", back_populates="respondent")


class Review(Base):
    """A meeting or project that families are asked to review."""

    __tablename__ = "review"

    id = Column(Integer, primary_key=True)
    code = Column(String(32), nullable=False, unique=True)
    title = Column(String(200), nullable=False)
    charter = Column(String(64), nullable=False)
    level = Column(String(32), nullable=True)
    held_on = Column(String(10), nullable=True)
    # The charter's optional questions staff chose to ask too, by id, comma-separated.
    optional_questions = Column(String(1000), nullable=True)
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    closed_at = Column(DateTime(timezone=True), nullable=True)

    responses = relationship("ReviewResponse", back_populates="review")

    @property
    def optional_question_ids(self) -> tuple[str, ...]:
        return tuple(filter(None, (self.optional_questions or "").split(",")))

    updates = relationship(
        "ReviewUpdate", back_populates="review", order_by="ReviewUpdate.id", cascade="all"
    )


class ReviewResponse(Base):
    """One person's go at one review: answers hang off it."""

    __tablename__ = "review_response"
    __table_args__ = (UniqueConstraint("review_id", "respondent_id"),)

    id = Column(Integer, primary_key=True)
    review_id = Column(ForeignKey("review.id", ondelete="CASCADE"), nullable=False)
    respondent_id = Column(ForeignKey("respondent.id", ondelete="CASCADE"), nullable=False)
    channel = Column(String(32), nullable=False)
    started_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    finished_at = Column(DateTime(timezone=True), nullable=True)
    # An under-13 is asked to answer with a trusted adult: their answers say so.
    with_help = Column(Boolean, nullable=False, default=False)
    # Asked at the end: do they want to hear what changes ("you said, we did")?
    # None until they answer.
    hear_back = Column(Boolean, nullable=True)

    review = relationship("Review", back_populates="responses")
    respondent = relationship("Respondent", back_populates="responses")
    answers = relationship("Answer", back_populates="response", cascade="all, delete-orphan")


class ReviewUpdate(Base):
    """You said, we did: what staff changed because of a review's answers."""

    __tablename__ = "review_update"

    id = Column(Integer, primary_key=True)
    review_id = Column(ForeignKey("review.id", ondelete="CASCADE"), nullable=False, index=True)
    text = Column(Text, nullable=False)
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    # How many people who asked to hear back it was sent to.
    people_told = Column(Integer, nullable=False, default=0)

    review = relationship("Review", back_populates="updates")


class ResultRelease(Base):
    """A review's results as last shown to staff: released in steps, never per person.

    ``counts`` is the JSON of what every export and page shows until the next
    release (see bot.staff.release): a new release is made only once at least
    ``COPRO_MIN_GROUP`` more people have answered.
    """

    __tablename__ = "result_release"

    id = Column(Integer, primary_key=True)
    review_id = Column(ForeignKey("review.id", ondelete="CASCADE"), nullable=False, index=True)
    people = Column(Integer, nullable=False)
    counts = Column(Text, nullable=False)
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)


class Answer(Base):
    """The answer to one question, saved the moment it is given."""

    __tablename__ = "answer"
    __table_args__ = (UniqueConstraint("response_id", "question_id"),)

    id = Column(Integer, primary_key=True)
    response_id = Column(ForeignKey("review_response.id", ondelete="CASCADE"), nullable=False)
    question_id = Column(String(64), nullable=False)
    value = Column(String(16), nullable=False)
    comment = Column(Text, nullable=True)
    channel = Column(String(32), nullable=False)
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    updated_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)

    response = relationship("ReviewResponse", back_populates="answers")


class SafeguardingFlag(Base):
    """A message that suggested someone may be at risk. Staff only, never exported."""

    __tablename__ = "safeguarding_flag"

    id = Column(Integer, primary_key=True)
    pseudonym = Column(String(128), nullable=False, index=True)
    channel = Column(String(32), nullable=False)
    charter = Column(String(64), nullable=False)
    message = Column(Text, nullable=False)
    # "cards", "classifier" or both ("cards+classifier"); older flags: "intent", "backstop".
    detected_by = Column(String(32), nullable=False)
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    status = Column(String(16), nullable=False, default="new")
    # The safety check's decision: "severe" or "possible", the cards that matched
    # (ids, comma-separated) and the classifier's score.
    level = Column(String(16), nullable=False, default="severe", server_default="severe")
    cards = Column(Text, nullable=False, default="", server_default="")
    score = Column(Float, nullable=True)
    # A "possible" flag's gentle check: "asked", then "yes", "no" or "moved_on".
    check_state = Column(String(16), nullable=True)
    # Where the person was (a review and its question), when the assistant knew.
    context = Column(Text, nullable=True)
    acknowledged_at = Column(DateTime(timezone=True), nullable=True)
    acknowledged_by = Column(String(64), nullable=True)
    # Staff's judgement, to grow the classifier's data: "real_concern" or "false_alarm".
    staff_mark = Column(String(16), nullable=True)
    marked_by = Column(String(64), nullable=True)
    marked_at = Column(DateTime(timezone=True), nullable=True)

    alerts = relationship(
        "SafeguardingAlert",
        back_populates="flag",
        cascade="all, delete-orphan",
        order_by="SafeguardingAlert.id",
    )


class SafeguardingAlert(Base):
    """One alert about a flag to a person (an e-mail or a staff Telegram chat).

    Holds no message text and no pseudonym: those stay on the flag, behind the
    dashboard's login. Sent again until it goes or its tries run out.
    """

    __tablename__ = "safeguarding_alert"
    __table_args__ = (Index("ix_safeguarding_alert_due", "status", "next_attempt_at"),)

    id = Column(Integer, primary_key=True)
    flag_id = Column(
        ForeignKey("safeguarding_flag.id", ondelete="CASCADE"), nullable=False, index=True
    )
    # "first" at once; "escalation" when nobody acknowledged the flag in time.
    step = Column(String(16), nullable=False)
    # "email" or "telegram", and the address or chat it goes to.
    route = Column(String(16), nullable=False)
    target = Column(String(320), nullable=False)
    # "pending" (not yet tried, or tried again later), "sent" or "failed" (tries ran out).
    status = Column(String(16), nullable=False, default="pending")
    attempts = Column(Integer, nullable=False, default=0)
    next_attempt_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    # The kind of the last error (never its message), e.g. "ConnectionRefusedError".
    last_error = Column(String(120), nullable=True)
    sent_at = Column(DateTime(timezone=True), nullable=True)
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)

    flag = relationship("SafeguardingFlag", back_populates="alerts")


class AnswerTally(Base):
    """Counts kept when the retention policy deletes answers: no person, no words."""

    __tablename__ = "answer_tally"
    __table_args__ = (UniqueConstraint("review_id", "question_id", "value", "role", "channel"),)

    id = Column(Integer, primary_key=True)
    review_id = Column(ForeignKey("review.id", ondelete="CASCADE"), nullable=False)
    question_id = Column(String(64), nullable=False)
    value = Column(String(16), nullable=False)
    role = Column(String(32), nullable=False)
    channel = Column(String(32), nullable=False)
    count = Column(Integer, nullable=False)


class ResponseTally(Base):
    """How many people answered a review, kept when their rows are deleted."""

    __tablename__ = "response_tally"
    __table_args__ = (UniqueConstraint("review_id", "role", "channel"),)

    id = Column(Integer, primary_key=True)
    review_id = Column(ForeignKey("review.id", ondelete="CASCADE"), nullable=False)
    role = Column(String(32), nullable=False)
    channel = Column(String(32), nullable=False)
    count = Column(Integer, nullable=False)


class FrameworkReview(Base):
    """A review of a charter's whole framework, held by the partnership on the charter's clock."""

    __tablename__ = "framework_review"

    id = Column(Integer, primary_key=True)
    charter = Column(String(64), nullable=False, index=True)
    reviewed_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)


class Pledge(Base):
    """A signature under a charter's pledges.

    Organisations sign by name for the public register. Families may give a
    first name, which is never public. A withdrawn pledge is kept with the date
    it was withdrawn, so the register's history stays true.
    """

    __tablename__ = "pledge"
    __table_args__ = (
        # One active pledge per signer: an organisation per charter and kind, a
        # family member per person. The database enforces it, so a double press
        # can never sign twice.
        Index(
            "pledge_one_active",
            "charter",
            "signer_kind",
            "signer_key",
            unique=True,
            sqlite_where=text("withdrawn_at IS NULL"),
            postgresql_where=text("withdrawn_at IS NULL"),
        ),
    )

    id = Column(Integer, primary_key=True)
    # Null once the person asked to be forgotten (an organisation's pledge stays, anonymised).
    pseudonym = Column(String(128), nullable=True, index=True)
    channel = Column(String(32), nullable=False)
    charter = Column(String(64), nullable=False)
    signer_kind = Column(String(32), nullable=False)
    # "org:<organisation name folded>" or "person:<pseudonym>".
    signer_key = Column(String(300), nullable=False)
    organisation = Column(String(200), nullable=True)
    representative = Column(String(200), nullable=True)
    representative_role = Column(String(200), nullable=True)
    # A family member's first name, if they gave one: never on the public register.
    first_name = Column(String(60), nullable=True)
    signed_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    withdrawn_at = Column(DateTime(timezone=True), nullable=True)
    reviewed_at = Column(DateTime(timezone=True), nullable=True)


class Concern(Base):
    """Someone says a charter's principles were not followed. Staff see a queue."""

    __tablename__ = "concern"

    id = Column(Integer, primary_key=True)
    pseudonym = Column(String(128), nullable=False, index=True)
    channel = Column(String(32), nullable=False)
    charter = Column(String(64), nullable=False)
    about = Column(Text, nullable=False)
    what_happened = Column(Text, nullable=False)
    principle = Column(String(64), nullable=True)
    wants_reply = Column(Boolean, nullable=False, default=False)
    status = Column(String(16), nullable=False, default="new")
    reply = Column(Text, nullable=True)
    replied_at = Column(DateTime(timezone=True), nullable=True)
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    updated_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)


class OutboxMessage(Base):
    """A message for one person, sent on their own channel (now, or at their next visit)."""

    __tablename__ = "outbox_message"

    id = Column(Integer, primary_key=True)
    pseudonym = Column(String(128), nullable=False, index=True)
    channel = Column(String(32), nullable=False)
    kind = Column(String(32), nullable=False)
    text = Column(Text, nullable=False)
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    delivered_at = Column(DateTime(timezone=True), nullable=True)


class TelegramChat(Base):
    """A Telegram chat id, kept only so a later message (a reply from staff) can reach it."""

    __tablename__ = "telegram_chat"

    id = Column(Integer, primary_key=True)
    pseudonym = Column(String(128), nullable=False, unique=True)
    chat_id = Column(BigInteger, nullable=False)
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
