"""Talk to the Rasa server's REST channel."""

from __future__ import annotations

import logging
from typing import Any

import httpx

logger = logging.getLogger(__name__)


class RasaUnavailable(RuntimeError):
    """Rasa did not answer (down, timed out or returned an error)."""


async def send_to_rasa(
    client: httpx.AsyncClient, rasa_url: str, sender: str, text: str, channel: str
) -> list[dict[str, Any]]:
    """Send one message; return Rasa's replies (text and buttons only)."""
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
    return [
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
