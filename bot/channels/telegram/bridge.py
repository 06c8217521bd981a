"""What the Telegram handlers share: the bridge to Rasa, the updates seen, and the store.

The bridge holds the settings, the HTTP client for Rasa, the button keys and
the update ids already handled; it lives in ``application.bot_data[BRIDGE_KEY]``.
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

import httpx
from sqlalchemy.exc import SQLAlchemyError
from telegram.ext import ContextTypes

from bot.alerts.desk import AlertDesk
from bot.channels.inbound import pseudonym
from bot.channels.rasa_client import RasaGateway, make_gateway
from bot.channels.telegram.buttons import ButtonKeys
from bot.channels.turn import Conversation
from bot.safety import safety_check
from bot.settings import Settings
from bot.store.db import engine_for, unit_of_work

logger = logging.getLogger(__name__)

CHANNEL = "telegram"
BRIDGE_KEY = "copro_bridge"
# Update ids remembered, so an update Telegram sends twice is handled once.
SEEN_UPDATES = 10_000
# Telegram stops resending an update within a day.
SEEN_SECONDS = 24 * 60 * 60


@dataclass
class Bridge:
    """What the handlers need: settings, the client for Rasa, the button keys."""

    settings: Settings
    http: httpx.AsyncClient
    owns_http: bool = False
    buttons: ButtonKeys = field(init=False)
    seen: OrderedDict[int, None] = field(default_factory=OrderedDict)
    _rasa: RasaGateway | None = field(default=None, init=False, repr=False)
    _conversation: Conversation | None = field(default=None, init=False, repr=False)
    _redis: Any = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        self.buttons = ButtonKeys(self.settings.secret_key)

    @property
    def rasa(self) -> RasaGateway:
        """The Rasa servers, through this bridge's HTTP client."""
        if self._rasa is None or self._rasa.client is not self.http:
            self._rasa = make_gateway(self.http, self.settings)
        return self._rasa

    @property
    def conversation(self) -> Conversation:
        """The conversation turn (safety first, then Rasa) through this bridge's gateway."""
        gateway = self.rasa
        if self._conversation is None or self._conversation.gateway is not gateway:
            check = safety_check(self.settings.safety_model)
            self._conversation = Conversation(
                self.settings, gateway, check, AlertDesk(self.settings)
            )
        return self._conversation

    def sender(self, chat_id: int) -> str:
        """The keyed pseudonym Rasa knows a chat by: the chat id itself never reaches Rasa."""
        return pseudonym(self.settings.secret_key, CHANNEL, str(chat_id))

    def _first_time_here(self, update_id: int) -> bool:
        if update_id in self.seen:
            return False
        self.seen[update_id] = None
        while len(self.seen) > SEEN_UPDATES:
            self.seen.popitem(last=False)
        return True

    async def first_time(self, update_id: int) -> bool:
        """False for an update already handled (Telegram can send one twice).

        With Redis (COPRO_REDIS_URL), across every process that serves the bot:
        the first to claim an update id handles it. Without Redis, or while it
        is away, this process remembers the last 10,000.
        """
        here = self._first_time_here(update_id)
        if not self.settings.redis_url:
            return here
        try:
            if self._redis is None:
                import redis.asyncio

                self._redis = redis.asyncio.from_url(
                    self.settings.redis_url, socket_timeout=2, socket_connect_timeout=2
                )
            claimed = await self._redis.set(
                f"copro:telegram:update:{update_id}", 1, nx=True, ex=SEEN_SECONDS
            )
        except Exception as error:  # noqa: BLE001 - redis raises several kinds
            logger.warning("Redis did not answer for updates seen: %s", type(error).__name__)
            return here
        return bool(claimed)

    async def close(self) -> None:
        """Close the HTTP client (when the bridge made it) and the Redis connection."""
        if self.owns_http:
            await self.http.aclose()
        if self._redis is not None:
            await self._redis.close()
            self._redis = None


def bridge_of(context: ContextTypes.DEFAULT_TYPE) -> Bridge:
    """The bridge of the application an update came to."""
    return context.application.bot_data[BRIDGE_KEY]


def _in_store(database_url: str, work: Any, *args: Any) -> Any:
    with unit_of_work(engine_for(database_url)) as session:
        return work(session, *args)


async def in_store(database_url: str, work: Any, *args: Any) -> Any:
    """Run one store function in a thread; None (and a log line) when the store fails."""
    try:
        return await asyncio.to_thread(_in_store, database_url, work, *args)
    except SQLAlchemyError as error:
        logger.warning("The store did not answer: %s", type(error).__name__)
        return None
