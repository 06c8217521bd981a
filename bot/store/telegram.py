"""Telegram chats in the store: which chat a person's waiting messages go to.

The chat id is the only Telegram detail kept. It is stored against the
person's pseudonym so a message made later (a reply from staff) can reach
them, and deleted when they ask to be forgotten.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from bot.store.models import OutboxMessage, TelegramChat, utcnow

CHANNEL = "telegram"


@dataclass(frozen=True)
class Waiting:
    """One waiting message and where it goes."""

    message_id: int
    pseudonym: str
    chat_id: int
    text: str


def remember_chat(session: Session, pseudonym: str, chat_id: int) -> None:
    """Keep (or update) the chat id for ``pseudonym``."""
    chat = session.scalars(
        select(TelegramChat).where(TelegramChat.pseudonym == pseudonym)
    ).one_or_none()
    if chat is None:
        session.add(TelegramChat(pseudonym=pseudonym, chat_id=chat_id))
        session.flush()
    elif chat.chat_id != chat_id:
        chat.chat_id = chat_id


def chat_id_for(session: Session, pseudonym: str) -> int | None:
    return session.scalars(
        select(TelegramChat.chat_id).where(TelegramChat.pseudonym == pseudonym)
    ).one_or_none()


def forget_chat(session: Session, pseudonym: str) -> int:
    """Delete the chat id kept for ``pseudonym``; return how many rows went."""
    return int(
        session.execute(
            delete(TelegramChat).where(TelegramChat.pseudonym == pseudonym),
            execution_options={"synchronize_session": False},
        ).rowcount
        or 0
    )


def waiting_messages(session: Session, pseudonym: str | None = None) -> list[Waiting]:
    """Undelivered Telegram messages whose person has a kept chat, oldest first.

    With ``pseudonym``, only that person's messages.
    """
    query = (
        select(OutboxMessage.id, OutboxMessage.pseudonym, TelegramChat.chat_id, OutboxMessage.text)
        .join(TelegramChat, TelegramChat.pseudonym == OutboxMessage.pseudonym)
        .where(OutboxMessage.channel == CHANNEL, OutboxMessage.delivered_at.is_(None))
        .order_by(OutboxMessage.id)
    )
    if pseudonym is not None:
        query = query.where(OutboxMessage.pseudonym == pseudonym)
    return [Waiting(*row) for row in session.execute(query)]


def mark_delivered(session: Session, message_id: int) -> None:
    message = session.get(OutboxMessage, message_id)
    if message is not None and message.delivered_at is None:
        message.delivered_at = utcnow()
