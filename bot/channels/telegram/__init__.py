"""The Telegram channel: a python-telegram-bot bridge between Telegram and Rasa.

Each private chat is known to Rasa only by a keyed pseudonym of its chat id
(``pseudonym(secret_key, "telegram", chat_id)``). Typed words are cleaned by
``typed_text``, so a person can never send Rasa a command; commands such as
``/review`` and button presses become Rasa commands only through
``button_payload``. Nothing else is read: stickers, photos, voice, edited
messages and messages in groups or channels get one short kind reply.

Buttons carry signed ``callback_data`` (``buttons``); an old or forged one gets
the "old button" reply. The chat id is kept in the store (``bot.store.telegram``)
only so a later message, such as a reply from staff, can reach the person; it is
deleted with the conversation when the person asks to be forgotten. There is no
bot persistence: the conversation lives in Rasa's tracker and our store.

The modules: ``buttons`` (signed button data, keyboards), ``commands`` (what a
command sends to Rasa), ``bridge`` (what the handlers share), ``sending`` (pace,
pieces, waiting messages), ``handlers`` (which update goes where),
``application`` (building, starting, polling, pushing) and ``webhook`` (the route).
"""

from bot.channels.telegram.application import (
    build_application,
    push_now,
    push_waiting,
    run_polling,
    send_waiting,
    set_webhook,
    start_application,
    stop_application,
)
from bot.channels.telegram.bridge import BRIDGE_KEY, CHANNEL, SEEN_SECONDS, SEEN_UPDATES, Bridge
from bot.channels.telegram.buttons import KEPT_BUTTONS, MAX_CALLBACK_BYTES, ButtonKeys, keyboard
from bot.channels.telegram.commands import COMMAND, COMMANDS, REVIEW_CODE, command_text
from bot.channels.telegram.handlers import on_error
from bot.channels.telegram.sending import BUTTONS_ONLY, TEXT_PIECE, PacedRateLimiter
from bot.channels.telegram.webhook import MAX_UPDATE_BYTES, SECRET_HEADER, routes, webhook

__all__ = [
    "BRIDGE_KEY",
    "BUTTONS_ONLY",
    "CHANNEL",
    "COMMAND",
    "COMMANDS",
    "KEPT_BUTTONS",
    "MAX_CALLBACK_BYTES",
    "MAX_UPDATE_BYTES",
    "REVIEW_CODE",
    "SECRET_HEADER",
    "SEEN_SECONDS",
    "SEEN_UPDATES",
    "TEXT_PIECE",
    "Bridge",
    "ButtonKeys",
    "PacedRateLimiter",
    "build_application",
    "command_text",
    "keyboard",
    "on_error",
    "push_now",
    "push_waiting",
    "routes",
    "run_polling",
    "send_waiting",
    "set_webhook",
    "start_application",
    "stop_application",
    "webhook",
]
