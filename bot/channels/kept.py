"""Sending kept messages again while a channel server runs.

Messages kept while Rasa could not take them (:mod:`bot.channels.spool`) are
tried every few seconds. Rasa's replies to them wait in the person's outbox
(shown with their next message on the web, pushed on Telegram). A kept
"forget me" is carried out here too.

A reply the same as the one just before it, still waiting to be read, waits
once: "hi" and "hello" kept during start-up give one welcome, not two.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from bot.channels.rasa_client import RETRY_SECONDS, RasaGateway, RasaReply
from bot.channels.turn import forget_everywhere
from bot.names import FORGET_CONVERSATION
from bot.settings import Settings
from bot.store import concerns
from bot.store.db import engine_for, in_thread, unit_of_work

logger = logging.getLogger(__name__)

# The outbox kind of a reply to a kept message.
KEPT_REPLY = "kept_reply"


def _queue_replies(database_url: str, sender: str, channel: str, texts: list[str]) -> None:
    with unit_of_work(engine_for(database_url)) as session:
        # The newest message still waiting for this person, if it is a reply to a kept one.
        newest = concerns.newest_waiting_message(session, sender)
        previous = newest.text if newest is not None and newest.kind == KEPT_REPLY else None
        for text in texts:
            if text != previous:
                concerns.queue_message(session, sender, channel, KEPT_REPLY, text)
            previous = text


def delivery(
    settings: Settings, gateway: RasaGateway, push: Callable[[], Awaitable[object]] | None
) -> Callable[[str, str, RasaReply], Awaitable[None]]:
    """What to do with Rasa's replies to a kept message."""

    async def deliver(sender: str, channel: str, reply: RasaReply) -> None:
        if FORGET_CONVERSATION in reply.signals:
            await forget_everywhere(settings, gateway, sender)
            return
        texts = [message["text"] for message in reply.messages if message["text"]]
        await in_thread(_queue_replies, settings.database_url, sender, channel, texts)
        if channel == "telegram" and push is not None:
            await push()

    return deliver


async def keep_trying(
    gateway: RasaGateway,
    deliver: Callable[[str, str, RasaReply], Awaitable[None]],
    every: float = RETRY_SECONDS,
) -> None:
    """Run until cancelled: send kept messages again every ``every`` seconds."""
    while True:
        await asyncio.sleep(every)
        try:
            sent = await gateway.send_kept(deliver)
        except Exception as error:  # noqa: BLE001 - keep trying; the chat must keep running
            logger.warning("Kept messages could not be sent yet: %s", type(error).__name__)
            continue
        if sent:
            logger.info("Sent %d kept message(s) to Rasa", sent)
