"""Small helpers shared by the action modules."""

from __future__ import annotations

import asyncio
import functools
import re
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from rasa_sdk import Tracker

from bot.content import CharterPack, ContentError, get_pack
from bot.settings import get_settings

ANSWER_VALUES_BY_INTENT = {
    "affirm": "yes",
    "partly": "partly",
    "deny": "no",
    "unsure": "unsure",
    "skip_question": "skipped",
}
KNOWN_CHANNELS = {"web", "telegram", "rest", "test"}
# The value of a form's slot that this person is not asked (e.g. a parent's age band).
NOT_ASKED = "not_asked"
# How sure the classifier must be that a short message means "stop" or "bye"
# before a form ends on it (a clear "stop", "cancel" or "bye" scores 0.95 or more).
STOP_CONFIDENCE = 0.9
_QUESTION_START = re.compile(
    r"^(what|whats|what's|wat|how|why|who|which|can|could|do|does|is|are|explain|tell me)\b"
)


T = TypeVar("T")


def in_worker_thread(method: Callable[..., T]) -> Callable[..., Awaitable[T]]:
    """Run an action's step that uses the store in a worker thread.

    The action server answers every conversation on one event loop: a step that
    waits for the database (a held SQLite lock can take 15 seconds) must not
    hold up everyone else. Rasa SDK awaits `run` and `validate_<slot>` when they
    return a coroutine.
    """

    @functools.wraps(method)
    async def in_thread(*args: Any, **kwargs: Any) -> T:
        return await asyncio.to_thread(method, *args, **kwargs)

    return in_thread


def channel_of(tracker: Tracker) -> str:
    """The channel the person is using, from message metadata or Rasa's input channel."""
    metadata = (tracker.latest_message or {}).get("metadata") or {}
    channel = metadata.get("channel") or tracker.get_latest_input_channel() or "rest"
    return channel if channel in KNOWN_CHANNELS else "rest"


def intent_of(tracker: Tracker) -> str | None:
    return ((tracker.latest_message or {}).get("intent") or {}).get("name")


def confidence_of(tracker: Tracker) -> float:
    return float(((tracker.latest_message or {}).get("intent") or {}).get("confidence") or 0.0)


def text_of(tracker: Tracker) -> str:
    return (tracker.latest_message or {}).get("text") or ""


def looks_like_question(text: str) -> bool:
    """A message that asks something, rather than answering the form's question."""
    lowered = text.strip().lower()
    return lowered.endswith("?") or bool(_QUESTION_START.match(lowered))


def wants_to_stop(tracker: Tracker) -> bool:
    """A short, clear "stop" or "bye".

    A long message that only sounds like one is kept as words, and so is a short
    one the classifier is unsure of: a job title such as "Head of Service" can
    look a little like a goodbye.
    """
    words = re.findall(r"\w+", text_of(tracker))
    return (
        intent_of(tracker) in ("stop", "goodbye")
        and len(words) <= 4
        and confidence_of(tracker) >= STOP_CONFIDENCE
    )


def typed_by_person(text: str) -> bool:
    """Button presses arrive as '/intent' payloads; anything else was typed."""
    return bool(text.strip()) and not text.lstrip().startswith("/")


def chosen_pack(tracker: Tracker) -> CharterPack:
    """The area the person chose in the chat, else the configured default."""
    default = get_settings().charter
    try:
        return get_pack(tracker.get_slot("area") or default)
    except ContentError:
        return get_pack(default)


def pack_for(tracker: Tracker) -> CharterPack:
    """The charter of the review in progress (with the optional questions it asks too),
    else the person's chosen area."""
    charter = tracker.get_slot("review_charter")
    if charter:
        try:
            return get_pack(charter).with_optional(tracker.get_slot("review_optional") or ())
        except ContentError:
            pass
    return chosen_pack(tracker)


def simple_mode(tracker: Tracker) -> bool:
    """True once the person asked for things to be said more simply."""
    return bool(tracker.get_slot("simple_mode"))


ONE_WAY = {"phone": "Phone", "email": "Email", "url": "Website"}
# Who to ask about this chat and the charter, when the area confirmed no one.
# Normal form first, then the simple form. The Contact helpline is real and national.
NO_LOCAL_CONTACT = (
    "I do not have a contact in {area} to give you yet."
    ' To find one, search online for "{area} council SEND". Or phone your council.'
    "\n\n📞 Contact is a charity for families with disabled children."
    " It can help too. Helpline: 0808 808 3555.",
    'I do not have a contact in {area} yet. Search online for "{area} council SEND".',
)


def ways_to_reach(contact: dict[str, str]) -> list[str]:
    """One line for each confirmed way to reach a contact ("Phone: ...")."""
    return [f"{label}: {contact[key]}" for key, label in ONE_WAY.items() if key in contact]


def local_contact(pack: CharterPack, simple: bool = False) -> str:
    """How to reach a person in the area: confirmed details only, or said plainly there are none."""
    ways = ways_to_reach(pack.contact)
    if not ways:
        return NO_LOCAL_CONTACT[int(simple)].format(area=pack.area)
    name = pack.contact.get("name")
    lead = f"the {name}" if name else f"staff in {pack.area}"
    return "\n".join([f"📧 You can contact {lead}.", *ways])


def contact_kwargs(pack: CharterPack, simple: bool = False) -> dict[str, Any]:
    """What a response needs to point to a person: the area and ``{contact}``."""
    return {"contact": local_contact(pack, simple), "area": pack.area}
