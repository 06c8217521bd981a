"""Concerns raised in the chat, the staff queue, and messages waiting for people."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from bot.names import CONCERN_STATUSES
from bot.store import text as plain
from bot.store.models import Concern, OutboxMessage, utcnow

ABOUT_MAX = 300
WHAT_MAX = 2000
REPLY_MAX = 2000
CONCERN_REPLY = "concern_reply"


class TextProblem(ValueError):
    """Words that cannot be saved; the value is the key of a kind message."""


def clean_text(text: str, limit: int) -> str:
    """Free text as typed, without control characters or surrounding space.

    Blank or too long is refused (:class:`TextProblem`).
    """
    cleaned = plain.clean_text(text).strip()
    if not any(ch.isalnum() for ch in cleaned):
        raise TextProblem("blank")
    if len(cleaned) > limit:
        raise TextProblem("too_long")
    return cleaned


def raise_concern(
    session: Session,
    *,
    pseudonym: str,
    channel: str,
    charter: str,
    about: str,
    what_happened: str,
    principle: str | None,
    wants_reply: bool,
) -> Concern:
    concern = Concern(
        pseudonym=pseudonym,
        channel=channel,
        charter=charter,
        about=clean_text(about, ABOUT_MAX),
        what_happened=clean_text(what_happened, WHAT_MAX),
        principle=principle,
        wants_reply=wants_reply,
        status="new",
    )
    session.add(concern)
    session.flush()
    return concern


def concerns(
    session: Session, status: str | None = None, charter: str | None = None
) -> list[Concern]:
    """The staff queue, oldest first."""
    query = select(Concern)
    if status:
        query = query.where(Concern.status == status)
    if charter:
        query = query.where(Concern.charter == charter)
    return list(session.scalars(query.order_by(Concern.created_at, Concern.id)))


def concerns_of(session: Session, pseudonym: str) -> list[Concern]:
    return list(
        session.scalars(select(Concern).where(Concern.pseudonym == pseudonym).order_by(Concern.id))
    )


def set_status(session: Session, concern_id: int, status: str) -> Concern | None:
    if status not in CONCERN_STATUSES:
        raise ValueError(f"status must be one of {', '.join(CONCERN_STATUSES)}")
    concern = session.get(Concern, concern_id)
    if concern is None:
        return None
    concern.status = status
    concern.updated_at = utcnow()
    return concern


def reply_to_concern(
    session: Session, concern_id: int, reply: str, status: str = "resolved"
) -> tuple[Concern, OutboxMessage | None] | None:
    """Save staff's reply; queue it for the person when they asked for one.

    Returns None when there is no such concern. The message goes to the outbox:
    each channel delivers it (Telegram at once, the web chat at the next visit).
    """
    concern = set_status(session, concern_id, status)
    if concern is None:
        return None
    concern.reply = clean_text(reply, REPLY_MAX)
    concern.replied_at = concern.updated_at
    message = None
    if concern.wants_reply:
        message = queue_message(
            session,
            concern.pseudonym,
            concern.channel,
            CONCERN_REPLY,
            f"📬 A reply about your concern ({concern.about}):\n\n{concern.reply}",
        )
    return concern, message


def queue_message(
    session: Session, pseudonym: str, channel: str, kind: str, text: str
) -> OutboxMessage:
    message = OutboxMessage(pseudonym=pseudonym, channel=channel, kind=kind, text=text)
    session.add(message)
    session.flush()
    return message


def take_messages(session: Session, pseudonym: str) -> list[str]:
    """The person's waiting messages, oldest first, marked delivered."""
    waiting = list(
        session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.pseudonym == pseudonym, OutboxMessage.delivered_at.is_(None))
            .order_by(OutboxMessage.id)
        )
    )
    now = utcnow()
    for message in waiting:
        message.delivered_at = now
    return [message.text for message in waiting]


def newest_waiting_message(session: Session, pseudonym: str) -> OutboxMessage | None:
    """The newest message still waiting to reach the person, if any."""
    return session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.pseudonym == pseudonym, OutboxMessage.delivered_at.is_(None))
        .order_by(OutboxMessage.id.desc())
        .limit(1)
    ).first()


def forget_concerns(session: Session, pseudonym: str) -> tuple[int, int]:
    """Delete a person's concerns and waiting messages: (concerns, messages)."""
    no_sync = {"synchronize_session": False}
    concerns_deleted = session.execute(
        delete(Concern).where(Concern.pseudonym == pseudonym), execution_options=no_sync
    ).rowcount
    messages = session.execute(
        delete(OutboxMessage).where(OutboxMessage.pseudonym == pseudonym),
        execution_options=no_sync,
    ).rowcount
    return concerns_deleted, messages


def purge_before(session: Session, cutoff: datetime) -> tuple[int, int]:
    """Delete concerns last touched, and messages made, before ``cutoff``."""
    no_sync = {"synchronize_session": False}
    concerns_deleted = session.execute(
        delete(Concern).where(Concern.updated_at < cutoff), execution_options=no_sync
    ).rowcount
    messages = session.execute(
        delete(OutboxMessage).where(OutboxMessage.created_at < cutoff),
        execution_options=no_sync,
    ).rowcount
    return concerns_deleted, messages
