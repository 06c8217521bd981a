"""Telegram commands: what ``/start``, ``/review``, ``/help``, ... send to Rasa.

A command becomes a Rasa command only through ``button_payload``, from the
fixed table ``COMMANDS`` (and ``/start`` with a review code from a deep link),
so nothing a person types can be a Rasa command of their choosing. A command
addressed to another bot (``/help@another_bot``) is not ours: it is read as
typed words, as is any command not in the table.
"""

from __future__ import annotations

import json
import re

from bot.channels.inbound import Inbound, button_payload

# A review code, as in a deep link ``t.me/<bot>?start=KD7-M4P``.
REVIEW_CODE = re.compile(r"[A-Z0-9-]{3,32}")
# A whole command message: the name, the bot it is addressed to, then the words after it.
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


def start_payload(argument: str) -> Inbound:
    """``/start``: start the review its code names, or greet when there is no code."""
    code = argument.strip().upper()
    if REVIEW_CODE.fullmatch(code):
        return button_payload(f"/start_review{json.dumps({'review_code': code})}")
    return button_payload("/greet")


def command_text(text: str, bot_username: str | None) -> Inbound | None:
    """What a Telegram command sends to Rasa, or None when it is not one of ours."""
    match = COMMAND.match(text.strip())
    if not match:
        return None
    name, addressed_to, argument = match.group(1).lower(), match.group(2), match.group(3)
    if addressed_to and (not bot_username or addressed_to.lower() != bot_username.lower()):
        return None
    if name == "start":
        return start_payload(argument or "")
    if name in COMMANDS:
        return button_payload(COMMANDS[name])
    return None
