"""Talk to the Rasa server's REST channel."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

import httpx

logger = logging.getLogger(__name__)


class RasaUnavailable(RuntimeError):
    """Rasa did not answer (down, timed out or returned an error)."""


# What an action can ask the channel to do after the turn (a custom message).
FORGET_CONVERSATION = "forget_conversation"


@dataclass(frozen=True)
class RasaReply:
    """Rasa's replies for the person (text and buttons), and signals for the channel."""

    messages: list[dict[str, Any]]
    signals: frozenset[str] = field(default_factory=frozenset)


async def send_to_rasa(
    client: httpx.AsyncClient, rasa_url: str, sender: str, text: str, channel: str
) -> RasaReply:
    """Send one message; return Rasa's replies and any signal an action sent."""
    try:
        response = await client.post(
            f"{rasa_url}/webhooks/rest/webhook",
            json={"sender": sender, "message": text, "metadata": {"channel": channel}},
        )
        response.raise_for_status()
        replies = response.json()
    except (httpx.HTTPError, ValueError) as error:
        logger.warning("Rasa did not answer: %s", type(error).__name__)
        raise RasaUnavailable(str(type(error).__name__)) from error
    if not isinstance(replies, list):
        raise RasaUnavailable("unexpected reply")
    signals = frozenset(
        str(reply["custom"].get("signal"))
        for reply in replies
        if isinstance(reply, dict) and isinstance(reply.get("custom"), dict)
    )
    messages = [
        {
            "text": reply.get("text") or "",
            "buttons": [
                {"title": str(b.get("title", "")), "payload": str(b.get("payload", ""))}
                for b in reply.get("buttons") or []
            ],
        }
        for reply in replies
        if isinstance(reply, dict) and (reply.get("text") or reply.get("buttons"))
    ]
    return RasaReply(messages, signals)
