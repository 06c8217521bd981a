"""Tables only staff use: dashboard accounts and their logins, and the quality
self-assessments of organisations against a charter's indicators.

No family's data is here. The tables share ``Base`` with bot.store.models.
"""

from __future__ import annotations

from sqlalchemy import (
    CheckConstraint,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import relationship

from bot.store.models import Base, utcnow


class StaffAccount(Base):
    """Someone from the SEND team or forum who may open the staff dashboard.

    Only an Argon2 hash of the password is kept. ``failed_logins`` counts the
    wrong passwords since the last successful login; it never locks the account
    (wrong passwords pause the place they come from: see bot.staff.login_guard).
    """

    __tablename__ = "staff_account"

    id = Column(Integer, primary_key=True)
    username = Column(String(64), nullable=False)
    password_hash = Column(String(255), nullable=False)
    failed_logins = Column(Integer, nullable=False, default=0, server_default="0")
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    last_login_at = Column(DateTime(timezone=True), nullable=True)


# One account per name, whatever its case ("Jo" and "jo" are the same person).
Index("staff_account_username_any_case", func.lower(StaffAccount.username), unique=True)


class StaffSession(Base):
    """One login to the staff dashboard; the ``copro_staff`` cookie carries only its signed id.

    ``id`` is a SHA-256 digest of the random id in the cookie, so the table alone
    opens nothing. A session ends at logout, 8 hours after the login, or when its
    account's password changes (``password_print`` no longer matches); it goes
    with its account.
    """

    __tablename__ = "staff_session"

    id = Column(String(64), primary_key=True)
    account_id = Column(
        ForeignKey("staff_account.id", ondelete="CASCADE"), nullable=False, index=True
    )
    password_print = Column(String(64), nullable=False)
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    last_seen_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    ended_at = Column(DateTime(timezone=True), nullable=True)


class QualityAssessment(Base):
    """Staff's own self-assessment of an organisation against a charter's quality indicators.

    About organisations, not families: never part of a family export.
    """

    __tablename__ = "quality_assessment"
    __table_args__ = (
        # One assessment per organisation, charter and date: the report has a column per date.
        UniqueConstraint("organisation_key", "charter", "assessed_on"),
    )

    id = Column(Integer, primary_key=True)
    charter = Column(String(64), nullable=False)
    # As typed (trimmed); the key is the same name folded, so that case and spacing
    # do not split an organisation's history in two (folding can make a name longer).
    organisation = Column(String(200), nullable=False)
    organisation_key = Column(String(800), nullable=False)
    assessed_on = Column(String(10), nullable=False)
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    staff_account_id = Column(
        ForeignKey("staff_account.id", ondelete="SET NULL"), nullable=True, index=True
    )

    ratings = relationship("QualityRating", cascade="all, delete-orphan", passive_deletes=True)
    next_steps = relationship(
        "QualityNextSteps", cascade="all, delete-orphan", passive_deletes=True
    )


class QualityRating(Base):
    """One statement of an assessment: its score (None: not rated) and the notes."""

    __tablename__ = "quality_rating"
    __table_args__ = (
        UniqueConstraint("assessment_id", "indicator_id"),
        CheckConstraint("score IS NULL OR (score >= 0 AND score <= 10)"),
    )

    id = Column(Integer, primary_key=True)
    assessment_id = Column(ForeignKey("quality_assessment.id", ondelete="CASCADE"), nullable=False)
    indicator_id = Column(String(64), nullable=False)
    score = Column(Integer, nullable=True)
    going_well = Column(Text, nullable=True)
    could_be_better = Column(Text, nullable=True)


class QualityNextSteps(Base):
    """The next steps written under one heading (principle) of an assessment."""

    __tablename__ = "quality_next_steps"
    __table_args__ = (UniqueConstraint("assessment_id", "principle"),)

    id = Column(Integer, primary_key=True)
    assessment_id = Column(ForeignKey("quality_assessment.id", ondelete="CASCADE"), nullable=False)
    principle = Column(String(64), nullable=False)
    needs_now = Column(Text, nullable=True)
    involves = Column(Text, nullable=True)
    how_coproduced = Column(Text, nullable=True)
