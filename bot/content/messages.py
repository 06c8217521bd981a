"""Messages a channel sends itself (``channel_messages.yml``), and the safety help message."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from bot.content.fields import text_field
from bot.content.model import CharterPack

CHANNEL_MESSAGES_FILE = Path(__file__).resolve().parent / "channel_messages.yml"


@lru_cache(maxsize=1)
def _channel_messages() -> dict[str, str]:
    data = yaml.safe_load(CHANNEL_MESSAGES_FILE.read_text(encoding="utf-8"))
    return {key: text_field(data, key, CHANNEL_MESSAGES_FILE.name, easy_read=True) for key in data}


def channel_message(key: str, **values: Any) -> str:
    """A message a channel sends itself (empty input, Rasa unavailable, ...)."""
    return _channel_messages()[key].format(**values)


def safety_help(pack: CharterPack, told_team: str | None = None) -> str:
    """The whole help message for a risk message, saying only what is true.

    The area's contact appears only when confirmed; "I have sent this to ..."
    only when an alert to ``told_team`` really went.
    """
    parts = [channel_message("safety_help")]
    contact = pack.safety.contact
    how = " or ".join(contact[key] for key in ("phone", "url") if key in contact)
    if how:
        parts.append(channel_message("safety_local_contact", name=contact["name"], how=how))
    if told_team:
        parts.append(channel_message("safety_told", team=told_team))
    return "\n\n".join(parts)
