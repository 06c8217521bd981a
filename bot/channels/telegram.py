"""The Telegram channel: a python-telegram-bot bridge between Telegram and Rasa.

Each private chat is known to Rasa only by a keyed pseudonym of its chat id
(``pseudonym(secret_key, "telegram", chat_id)``). Typed words are cleaned by
``typed_text``, so a person can never send Rasa a command; commands such as
``/review`` and button presses become Rasa commands only through
``button_payload``. Nothing else is read: stickers, photos, voice, edited
messages and messages in groups or channels get one short kind reply.

Buttons. Telegram gives back a button's ``callback_data`` (at most 64 bytes),
and anyone can send any ``callback_data``, so it is signed with
``secret_key``: ``"p" + sig + payload``, where ``sig`` is 11 characters of an
HMAC of the payload. A payload too long for that is kept in a bounded map in
memory and the button carries ``"k" + key``, where ``key`` is a longer HMAC of
the payload. The map only makes the button findable again; the HMAC makes it
unforgeable. After a restart (or once the map has moved on) such a button is
"old": the person is asked to use the newest buttons, which is also the reply
to anything tampered with. Short payloads, the usual case, survive restarts.

The chat id is kept in the store (``bot.store.telegram``) only so a later
message, such as a reply from staff, can reach the person; it is deleted with
the conversation when the person asks to be forgotten. There is no bot
persistence: the conversation lives in Rasa's tracker and our store.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import logging
import re
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

import httpx
from aiolimiter import AsyncLimiter
from sqlalchemy.exc import SQLAlchemyError
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import ChatType
from telegram.error import BadRequest, NetworkError, TelegramError
from telegram.ext import AIORateLimiter, Application, ApplicationBuilder, ContextTypes, TypeHandler

from bot.alerts.desk import AlertDesk
from bot.channels.inbound import MAX_MESSAGE_CHARS, Inbound, button_payload, pseudonym, typed_text
from bot.channels.rasa_client import RasaGateway, make_gateway
from bot.channels.turn import Conversation
from bot.content import channel_message
from bot.names import FORGET_CONVERSATION
from bot.request_limits import read_json
from bot.safety import safety_check
from bot.settings import Settings
from bot.store import telegram as chats
from bot.store.db import engine_for, unit_of_work

logger = logging.getLogger(__name__)

CHANNEL = "telegram"
# Update ids remembered, so an update Telegram sends twice is handled once.
SEEN_UPDATES = 10_000
# Telegram stops resending an update within a day.
SEEN_SECONDS = 24 * 60 * 60
BRIDGE_KEY = "copro_bridge"
SECRET_HEADER = b"x-telegram-bot-api-secret-token"
MAX_UPDATE_BYTES = 100_000
# Telegram's limits: a message's text (4,096 UTF-16 units, so at most 2,048
# characters is always safe, emoji included), and a button's callback data (bytes).
TEXT_PIECE = 2048
MAX_CALLBACK_BYTES = 64
KEPT_BUTTONS = 5_000
# Shown above buttons sent without words (Telegram needs some text).
BUTTONS_ONLY = "👇"
REVIEW_CODE = re.compile(r"[A-Z0-9-]{3,32}")
COMMAND = re.compile(r"^/([A-Za-z0-9_]{1,32})(?:@([A-Za-z0-9_]+))?(?:\s+(.*))?$", re.DOTALL)
# Telegram commands and the button payload each one sends to Rasa.
COMMANDS = {
    "review": "/start_review",
    "learn": "/learn_more",
    "pledge": "/sign_pledge",
    "help": "/help",
    "mydata": "/my_data",
    "forget": "/forget_me",
    "stop": "/stop",
}


def _sig(secret: str, payload: str, size: int) -> str:
    digest = hmac.new(
        secret.encode(), b"telegram-button\x00" + payload.encode(), hashlib.sha256
    ).digest()
    return base64.urlsafe_b64encode(digest[:size]).decode().rstrip("=")


class ButtonKeys:
    """Signed ``callback_data`` for button payloads, and the payloads back from it."""

    INLINE, KEPT = "p", "k"
    SHORT, LONG = 8, 16  # bytes of HMAC: 11 and 22 characters

    def __init__(self, secret: str, kept: int = KEPT_BUTTONS) -> None:
        self.secret = secret
        self.kept = kept
        self._payloads: OrderedDict[str, str] = OrderedDict()

    def data_for(self, payload: str) -> str:
        inline = f"{self.INLINE}{_sig(self.secret, payload, self.SHORT)}{payload}"
        if len(inline.encode()) <= MAX_CALLBACK_BYTES:
            return inline
        key = _sig(self.secret, payload, self.LONG)
        self._payloads[key] = payload
        self._payloads.move_to_end(key)
        while len(self._payloads) > self.kept:
            self._payloads.popitem(last=False)
        return f"{self.KEPT}{key}"

    def payload_of(self, data: object) -> str | None:
        """The payload a button was made for, or None when it is unknown or tampered with."""
        if not isinstance(data, str) or len(data.encode()) > MAX_CALLBACK_BYTES:
            return None
        if data.startswith(self.INLINE):
            size = len(_sig(self.secret, "", self.SHORT))
            sig, payload = data[1 : 1 + size], data[1 + size :]
            expected = _sig(self.secret, payload, self.SHORT)
            return payload if hmac.compare_digest(sig.encode(), expected.encode()) else None
        if data.startswith(self.KEPT):
            payload = self._payloads.get(data[1:])
            if payload is None:
                return None
            expected = _sig(self.secret, payload, self.LONG)
            return payload if hmac.compare_digest(data[1:].encode(), expected.encode()) else None
        return None


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


def _bridge(context: ContextTypes.DEFAULT_TYPE) -> Bridge:
    return context.application.bot_data[BRIDGE_KEY]


def keyboard(buttons: list[dict[str, str]], keys: ButtonKeys) -> InlineKeyboardMarkup | None:
    """Rasa's buttons as an inline keyboard, one button a row."""
    if not buttons:
        return None
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    b["title"] or b["payload"], callback_data=keys.data_for(b["payload"])
                )
            ]
            for b in buttons
        ]
    )


def _pieces(text: str) -> list[str]:
    text = text or BUTTONS_ONLY
    return [text[i : i + TEXT_PIECE] for i in range(0, len(text), TEXT_PIECE)]


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


# Waits before trying a send again after a network error or a 5xx from Telegram.
RETRY_DELAYS = (0.5, 1.0, 2.0)


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


async def _send(
    bot: Bot, chat_id: int, text: str, markup: InlineKeyboardMarkup | None = None
) -> None:
    pieces = _pieces(text)
    for index, piece in enumerate(pieces):
        last = index == len(pieces) - 1
        await _send_one(bot, chat_id, piece, markup if last else None)


def _in_store(database_url: str, work: Any, *args: Any) -> Any:
    with unit_of_work(engine_for(database_url)) as session:
        return work(session, *args)


async def _store(database_url: str, work: Any, *args: Any) -> Any:
    """Run one store function in a thread; None (and a log line) when the store fails."""
    try:
        return await asyncio.to_thread(_in_store, database_url, work, *args)
    except SQLAlchemyError as error:
        logger.warning("The store did not answer: %s", type(error).__name__)
        return None


async def _deliver_waiting(bot: Bot, database_url: str, sender: str | None = None) -> int:
    """Send waiting Telegram messages (one person's, or everyone's); each marked once sent."""
    waiting = await _store(database_url, chats.waiting_messages, sender)
    sent = 0
    for message in waiting or []:
        try:
            await _send(bot, message.chat_id, message.text)
        except TelegramError as error:
            logger.warning("A waiting message was not sent: %s", type(error).__name__)
            continue
        await _store(database_url, chats.mark_delivered, message.message_id)
        sent += 1
    return sent


def command_text(text: str, bot_username: str | None) -> Inbound | None:
    """What a Telegram command sends to Rasa, or None when it is not one of ours."""
    match = COMMAND.match(text.strip())
    if not match:
        return None
    name, addressed_to, argument = match.group(1).lower(), match.group(2), match.group(3)
    if addressed_to and (not bot_username or addressed_to.lower() != bot_username.lower()):
        return None
    if name == "start":
        code = (argument or "").strip().upper()
        if REVIEW_CODE.fullmatch(code):
            return button_payload(f"/start_review{json.dumps({'review_code': code})}")
        return button_payload("/greet")
    if name in COMMANDS:
        return button_payload(COMMANDS[name])
    return None


def _inbound(message: Message, bot_username: str | None) -> Inbound:
    text = message.text or ""
    if len(text) > MAX_MESSAGE_CHARS:
        return Inbound(None, "too_long")
    return command_text(text, bot_username) or typed_text(text)


async def _reply_kind(bot: Bot, chat_id: int, key: str) -> None:
    await _send(bot, chat_id, channel_message(key, limit=MAX_MESSAGE_CHARS))


async def _turn(bot: Bot, bridge: Bridge, chat_id: int, sender: str, text: str) -> None:
    """One turn (safety first, then Rasa): its replies, then any waiting message."""
    reply = await bridge.conversation.turn(sender, CHANNEL, text)
    for message in reply.messages:
        await _send(bot, chat_id, message["text"], keyboard(message["buttons"], bridge.buttons))
    if FORGET_CONVERSATION not in reply.signals:
        await _deliver_waiting(bot, bridge.settings.database_url, sender)


async def on_update(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Every update Telegram sends: read what can be read, answer kindly otherwise."""
    bridge = _bridge(context)
    if not await bridge.first_time(update.update_id):
        return
    bot = context.bot
    chat = update.effective_chat
    query = update.callback_query
    if query is not None:
        await query.answer()
    written = query or update.message or update.channel_post
    if chat is None or not (written or update.edited_message):
        return  # nothing a person sent (a chat member change, a poll answer, ...)
    if chat.type != ChatType.PRIVATE:
        if written:
            await _reply_kind(bot, chat.id, "group_chat")
        return
    sender = pseudonym(bridge.settings.secret_key, CHANNEL, str(chat.id))
    await _store(bridge.settings.database_url, chats.remember_chat, sender, chat.id)
    if query is not None:
        payload = bridge.buttons.payload_of(query.data)
        if payload is None:
            await _reply_kind(bot, chat.id, "old_button")
            return
        inbound = button_payload(payload)
    elif update.message is not None and update.message.text is not None:
        inbound = _inbound(update.message, bot.username)
    else:
        await _reply_kind(bot, chat.id, "not_text")
        return
    if inbound.text is None:
        await _reply_kind(bot, chat.id, inbound.problem or "bad_request")
        return
    await _turn(bot, bridge, chat.id, sender, inbound.text)


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log what went wrong by its kind only: never the message or the chat."""
    logger.warning("A Telegram update failed: %s", type(context.error).__name__)


async def _close_http(application: Application) -> None:
    bridge: Bridge = application.bot_data[BRIDGE_KEY]
    if bridge.owns_http:
        await bridge.http.aclose()
    if bridge._redis is not None:
        await bridge._redis.close()
        bridge._redis = None


def build_application(
    settings: Settings,
    *,
    base_url: str | None = None,
    http: httpx.AsyncClient | None = None,
    pace: float = 1.0,
) -> Application:
    """The bot: one handler for every update, talking to Rasa with ``http``.

    ``base_url`` points the bot at another Bot API server (tests use a stand-in).
    Without ``http`` the bridge makes its own client and closes it on shutdown.
    """
    if not settings.telegram_token:
        raise ValueError("COPRO_TELEGRAM_TOKEN must be set for the Telegram channel")
    # The token is part of every Bot API address, and httpx logs addresses at INFO.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    builder = (
        ApplicationBuilder()
        .token(settings.telegram_token)
        .rate_limiter(PacedRateLimiter(pace=pace))
        .post_shutdown(_close_http)
    )
    base_url = base_url or settings.telegram_api_url
    if base_url:
        builder = builder.base_url(base_url)
    application = builder.build()
    owns_http = http is None
    client = http or httpx.AsyncClient(timeout=httpx.Timeout(30.0, connect=5.0))
    application.bot_data[BRIDGE_KEY] = Bridge(settings, client, owns_http)
    application.add_handler(TypeHandler(Update, on_update))
    application.add_error_handler(on_error)
    return application


async def push_waiting(app_or_bot: Application | Bot, settings: Settings) -> int:
    """Send every waiting Telegram message to its person's kept chat; return how many went.

    A message is marked delivered only after Telegram took it.
    """
    bot = app_or_bot.bot if isinstance(app_or_bot, Application) else app_or_bot
    return await _deliver_waiting(bot, settings.database_url)


async def start_application(application: Application) -> None:
    await application.initialize()
    await application.start()


async def stop_application(application: Application) -> None:
    if application.running:
        await application.stop()
    await application.shutdown()
    await _close_http(application)


def run_polling(
    settings: Settings, *, base_url: str | None = None, handle_signals: bool = True
) -> None:
    """Run the bot with long polling (local use: no public address needed).

    Blocks until stopped (Ctrl+C). ``handle_signals=False`` when run outside
    the main thread, where signal handlers cannot be set.
    """
    application = build_application(settings, base_url=base_url)
    if handle_signals:
        application.run_polling(allowed_updates=Update.ALL_TYPES)
    else:
        application.run_polling(allowed_updates=Update.ALL_TYPES, stop_signals=None)


async def push_now(settings: Settings) -> int:
    """Start the bot just long enough to send every waiting Telegram message."""
    application = build_application(settings)
    async with application:
        return await push_waiting(application, settings)


async def set_webhook(settings: Settings, url: str | None) -> None:
    """Tell Telegram where to send updates (with the secret), or stop sending them."""
    if url and not settings.telegram_secret:
        raise ValueError("COPRO_TELEGRAM_SECRET must be set before a webhook is registered")
    application = build_application(settings)
    async with application:
        if url:
            await application.bot.set_webhook(
                url, secret_token=settings.telegram_secret, allowed_updates=Update.ALL_TYPES
            )
        else:
            await application.bot.delete_webhook()


def _secret_ok(request: Request, secret: str) -> bool:
    if not secret:
        return False
    given = [value for name, value in request.headers.raw if name.lower() == SECRET_HEADER]
    return len(given) == 1 and hmac.compare_digest(given[0], secret.encode())


async def webhook(request: Request) -> Response:
    """Take one update from Telegram.

    ---
    summary: Telegram's webhook (answers 404 when Telegram is not set up)
    responses:
      "200":
        description: The update was handled.
      "400":
        description: The body was not an update (or its JSON was nested too deep).
      "403":
        description: The secret token header was wrong or missing.
      "404":
        description: Telegram is not set up on this server.
      "408":
        description: The body took too long to arrive.
      "413":
        description: The body was too large.
      "503":
        description: The Telegram channel is not running.
    """
    settings: Settings = request.app.state.settings
    if not settings.telegram_token:
        return Response(status_code=404)
    if not _secret_ok(request, settings.telegram_secret):
        return Response(status_code=403)
    application: Application | None = getattr(request.app.state, "telegram", None)
    if application is None:
        return Response(status_code=503)
    # bot.server refuses a body over MAX_UPDATE_BYTES while reading it.
    body = await request.body()
    try:
        data = read_json(body)
        if not isinstance(data, dict):
            return Response(status_code=400)
        update = Update.de_json(data, application.bot)
    except (ValueError, TypeError, KeyError, AttributeError):
        return Response(status_code=400)
    await application.process_update(update)
    return Response(status_code=200)


routes = [Route("/telegram/webhook", webhook, methods=["POST"])]
