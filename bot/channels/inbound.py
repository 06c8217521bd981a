"""What every channel does to a message before Rasa sees it."""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from dataclasses import dataclass

from bot.store.text import clean_text

MAX_MESSAGE_CHARS = 1000

# Button payloads the assistant itself offers. Anything else that starts with
# "/" was typed by a person and is passed on as plain words.
BUTTON_INTENTS = frozenset(
    {
        "affirm",
        "deny",
        "partly",
        "unsure",
        "skip_question",
        "start_review",
        "help",
        "ask_coproduction",
        "ask_codesign",
        "ask_consultation",
        "ask_ladder",
        "ask_jargon",
        "ask_charter",
        "simpler",
        "goodbye",
        "greet",
        "stop",
        "learn_more",
        "start_quiz",
        "choose_area",
        "my_data",
        "forget_me",
        "inform",
        "sign_pledge",
        "withdraw_pledge",
        "raise_concern",
        # The gentle safety check's answers (bot.channels.turn takes them, never Rasa).
        "safety_yes",
        "safety_no",
    }
)
BUTTON_ENTITIES = frozenset(
    {"review_code", "term", "area", "role", "age_band", "signer", "principle", "pledge_ref"}
)
_PAYLOAD = re.compile(r"^/([a-z_]+)(\{.*\})?$", re.DOTALL)


def pseudonym(secret: str, channel: str, raw_id: str) -> str:
    """A keyed, stable pseudonym for a channel id: the id itself never reaches Rasa."""
    digest = hmac.new(secret.encode(), f"{channel}:{raw_id}".encode(), hashlib.sha256)
    return f"{channel}-{digest.hexdigest()[:32]}"


@dataclass(frozen=True)
class Inbound:
    """A message ready for Rasa, or the reason it cannot be sent."""

    text: str | None
    problem: str | None = None


def typed_text(raw: object) -> Inbound:
    """Clean words a person typed. A leading '/' can never become a Rasa command."""
    if not isinstance(raw, str):
        return Inbound(None, "bad_request")
    text = clean_text(raw).strip()
    if len(text) > MAX_MESSAGE_CHARS:
        return Inbound(None, "too_long")
    text = text.lstrip("/").strip()
    if not text:
        return Inbound(None, "empty")
    return Inbound(text)


def button_payload(raw: object) -> Inbound:
    """A button press: only payloads the assistant offers pass as commands."""
    if not isinstance(raw, str) or len(raw) > 200:
        return typed_text(raw)
    match = _PAYLOAD.match(raw.strip())
    if not match or match.group(1) not in BUTTON_INTENTS:
        return typed_text(raw)
    entities = match.group(2)
    if entities:
        try:
            values = json.loads(entities)
        except ValueError:
            return typed_text(raw)
        if (
            not isinstance(values, dict)
            or not set(values) <= BUTTON_ENTITIES
            or not all(isinstance(v, str) and len(v) <= 40 for v in values.values())
        ):
            return typed_text(raw)
        return Inbound(f"/{match.group(1)}{json.dumps(values)}")
    return Inbound(f"/{match.group(1)}")
