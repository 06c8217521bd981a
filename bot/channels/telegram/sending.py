"""Sending on Telegram: the pace, messages in pieces, tries again, and waiting messages.

A waiting message (such as a reply from staff) is kept in the store with the
person's pseudonym; it goes to the chat kept for them, and is marked delivered
only after Telegram took it.
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from typing import Any

from aiolimiter import AsyncLimiter
from telegram import Bot, InlineKeyboardMarkup
from telegram.error import BadRequest, NetworkError, TelegramError
from telegram.ext import AIORateLimiter

from bot.channels.inbound import MAX_MESSAGE_CHARS
from bot.channels.telegram.bridge import in_store
from bot.content import channel_message
from bot.store import telegram as chats

logger = logging.getLogger(__name__)

# Telegram's limit on a message's text is 4,096 UTF-16 units, so at most 2,048
# characters is always safe, emoji included.
TEXT_PIECE = 2048
# Shown above buttons sent without words (Telegram needs some text).
BUTTONS_ONLY = "👇"
# Waits before trying a send again after a network error or a 5xx from Telegram.
RETRY_DELAYS = (0.5, 1.0, 2.0)


class PacedRateLimiter(AIORateLimiter):
    """PTB's rate limiter, plus about one message a second to each private chat.

    PTB's part keeps Telegram's overall and group limits and, on a 429, waits
    the ``retry_after`` Telegram asks for before trying again (``max_retries``).
    """

    def __init__(self, pace: float = 1.0, max_retries: int = 3, kept: int = 10_000) -> None:
        super().__init__(max_retries=max_retries)
        self._pace = pace
        self._kept = kept
        self._chats: OrderedDict[int, AsyncLimiter] = OrderedDict()

    def _chat_limiter(self, chat_id: int) -> AsyncLimiter:
        limiter = self._chats.pop(chat_id, None) or AsyncLimiter(1, self._pace)
        self._chats[chat_id] = limiter
        while len(self._chats) > self._kept:
            self._chats.popitem(last=False)
        return limiter

    async def process_request(self, callback, args, kwargs, endpoint, data, rate_limit_args):  # type: ignore[no-untyped-def]
        try:
            chat_id = int(data.get("chat_id"))
        except (TypeError, ValueError):
            chat_id = 0
        if chat_id <= 0 or not self._pace:
            return await super().process_request(
                callback, args, kwargs, endpoint, data, rate_limit_args
            )
        async with self._chat_limiter(chat_id):
            return await super().process_request(
                callback, args, kwargs, endpoint, data, rate_limit_args
            )


def _pieces(text: str) -> list[str]:
    text = text or BUTTONS_ONLY
    return [text[i : i + TEXT_PIECE] for i in range(0, len(text), TEXT_PIECE)]


async def _send_one(bot: Bot, chat_id: int, text: str, markup: Any) -> None:
    """One message, tried again after network errors and 5xx answers; then it gives up."""
    for delay in (*RETRY_DELAYS, None):
        try:
            await bot.send_message(chat_id=chat_id, text=text, reply_markup=markup)
            return
        except NetworkError as error:
            if isinstance(error, BadRequest) or delay is None:
                raise
            logger.info("Telegram did not take a message (%s): trying again", type(error).__name__)
            await asyncio.sleep(delay)


async def send(
    bot: Bot, chat_id: int, text: str, markup: InlineKeyboardMarkup | None = None
) -> None:
    """A message in pieces Telegram takes, with the buttons under the last piece."""
    pieces = _pieces(text)
    for index, piece in enumerate(pieces):
        last = index == len(pieces) - 1
        await _send_one(bot, chat_id, piece, markup if last else None)


async def send_kind(bot: Bot, chat_id: int, key: str) -> None:
    """One of the channel's kind messages (``group_chat``, ``not_text``, ...)."""
    await send(bot, chat_id, channel_message(key, limit=MAX_MESSAGE_CHARS))


async def deliver_waiting(bot: Bot, database_url: str, sender: str | None = None) -> int:
    """Send waiting Telegram messages (one person's, or everyone's); each marked once sent."""
    waiting = await in_store(database_url, chats.waiting_messages, sender)
    sent = 0
    for message in waiting or []:
        try:
            await send(bot, message.chat_id, message.text)
        except TelegramError as error:
            logger.warning("A waiting message was not sent: %s", type(error).__name__)
            continue
        await in_store(database_url, chats.mark_delivered, message.message_id)
        sent += 1
    return sent
