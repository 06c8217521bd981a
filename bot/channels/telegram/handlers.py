"""The Telegram handlers: which update goes where, and what each one does.

Before anything else, once per update (group -1): an update already handled
stops there, and a private chat a person wrote in is remembered, so a later
message (a reply from staff) can reach them. Then the first handler that
matches (group 0):

- a message or channel post outside a private chat: the ``group_chat`` reply;
- a button press: its signed payload, or ``old_button`` when it is old or forged;
- private text over the limit: ``too_long``;
- ``/start`` (a review code from a deep link, or a greeting) and the ``COMMANDS``;
- typed words, and any other command, read as typed words;
- anything else sent in a private chat (a sticker, a photo, an edited message):
  ``not_text``.

Updates nobody wrote (a chat member change, a poll answer, ...) match none.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable, Coroutine
from typing import Any

from telegram import Message, Update
from telegram.constants import ChatType
from telegram.ext import (
    Application,
    ApplicationHandlerStop,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.channels.inbound import MAX_MESSAGE_CHARS, Inbound, button_payload, typed_text
from bot.channels.telegram.bridge import CHANNEL, Bridge, bridge_of, in_store
from bot.channels.telegram.buttons import keyboard
from bot.channels.telegram.commands import COMMAND, COMMANDS, command_text, start_payload
from bot.channels.telegram.sending import deliver_waiting, send, send_kind
from bot.names import FORGET_CONVERSATION
from bot.store import telegram as chats

logger = logging.getLogger(__name__)

# What a handler calls with each update it takes.
Callback = Callable[[Update, ContextTypes.DEFAULT_TYPE], Coroutine[Any, Any, None]]


class _TooLong(filters.MessageFilter):
    """Text longer than a message may be."""

    def filter(self, message: Message) -> bool:
        return len(message.text or "") > MAX_MESSAGE_CHARS


# A new message in a private chat (not an edit).
PRIVATE = filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE
# A new message or channel post anywhere else: groups, supergroups, channels.
ELSEWHERE = ~filters.ChatType.PRIVATE & (
    filters.UpdateType.MESSAGE | filters.UpdateType.CHANNEL_POST
)
# A command the whole of whose text reads as one (so "/review{...}" stays typed words).
WHOLE_COMMAND = filters.Regex(COMMAND)


async def before_the_handlers(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Once per update: stop a repeat there; remember a private chat a person wrote in."""
    bridge = bridge_of(context)
    if not await bridge.first_time(update.update_id):
        raise ApplicationHandlerStop
    chat = update.effective_chat
    written = update.callback_query or update.message or update.edited_message
    if chat is not None and chat.type == ChatType.PRIVATE and written:
        await in_store(
            bridge.settings.database_url, chats.remember_chat, bridge.sender(chat.id), chat.id
        )


def kind_reply(key: str) -> Callback:
    """A handler that answers with one of the channel's kind messages."""

    async def reply(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        if update.effective_chat is not None:
            await send_kind(context.bot, update.effective_chat.id, key)

    reply.__name__ = reply.__qualname__ = f"reply_{key}"
    return reply


async def _turn(update: Update, context: ContextTypes.DEFAULT_TYPE, inbound: Inbound) -> None:
    """One turn (safety first, then Rasa): its replies, then any waiting message."""
    chat = update.effective_chat
    if chat is None:
        return
    bot = context.bot
    if inbound.text is None:
        await send_kind(bot, chat.id, inbound.problem or "bad_request")
        return
    bridge: Bridge = bridge_of(context)
    sender = bridge.sender(chat.id)
    reply = await bridge.conversation.turn(sender, CHANNEL, inbound.text)
    for message in reply.messages:
        await send(bot, chat.id, message["text"], keyboard(message["buttons"], bridge.buttons))
    if FORGET_CONVERSATION not in reply.signals:
        await deliver_waiting(bot, bridge.settings.database_url, sender)


async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A button press: Telegram is told it was seen, then its signed payload goes to Rasa."""
    query = update.callback_query
    await query.answer()
    chat = update.effective_chat
    if chat is None:
        return  # a button on a message the bot did not send to a chat
    if chat.type != ChatType.PRIVATE:
        await send_kind(context.bot, chat.id, "group_chat")
        return
    payload = bridge_of(context).buttons.payload_of(query.data)
    if payload is None:
        await send_kind(context.bot, chat.id, "old_button")
        return
    await _turn(update, context, button_payload(payload))


async def on_start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """``/start``, with the review code of a deep link when there is one."""
    await _turn(update, context, start_payload(" ".join(context.args or [])))


def on_command(payload: str) -> Callback:
    """A handler for a command that sends ``payload`` (a button payload) to Rasa."""

    async def command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await _turn(update, context, button_payload(payload))

    command.__name__ = command.__qualname__ = f"command_{payload.lstrip('/')}"
    return command


async def on_words(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Typed words, cleaned so they can never be a Rasa command, unless the text is our command.

    A command not ours (unknown, or addressed to another bot) is read as typed words.
    """
    text = update.message.text or ""
    await _turn(update, context, command_text(text, context.bot.username) or typed_text(text))


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log a failed update: the kind of error and its traceback's frames, nothing else.

    Never the error's message (``str(error)``, which ``exc_info`` would print too):
    it can hold what a person wrote or their chat id. The frames name only the
    files, lines and code that ran.
    """
    error = context.error
    frames = "".join(traceback.format_tb(error.__traceback__)) if error is not None else ""
    logger.warning("A Telegram update failed: %s\n%s", type(error).__name__, frames.rstrip())


def add_handlers(application: Application) -> None:
    """Route every update as the module docstring says, and log what fails."""
    application.add_handler(TypeHandler(Update, before_the_handlers), group=-1)
    application.add_handler(MessageHandler(ELSEWHERE, kind_reply("group_chat")))
    application.add_handler(CallbackQueryHandler(on_button))
    application.add_handler(
        MessageHandler(PRIVATE & filters.TEXT & _TooLong(), kind_reply("too_long"))
    )
    application.add_handler(CommandHandler("start", on_start, filters=PRIVATE & WHOLE_COMMAND))
    for name, payload in COMMANDS.items():
        application.add_handler(
            CommandHandler(name, on_command(payload), filters=PRIVATE & WHOLE_COMMAND)
        )
    application.add_handler(MessageHandler(PRIVATE & filters.TEXT & ~filters.COMMAND, on_words))
    # A command none of the CommandHandlers took is read as typed words, as before.
    application.add_handler(MessageHandler(PRIVATE & filters.COMMAND, on_words))
    application.add_handler(
        MessageHandler(
            filters.ChatType.PRIVATE
            & (filters.UpdateType.MESSAGE | filters.UpdateType.EDITED_MESSAGE),
            kind_reply("not_text"),
        )
    )
    application.add_error_handler(on_error)
