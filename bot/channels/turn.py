"""One conversation turn, the same for every channel: safety first, then Rasa.

The web chat and the Telegram bridge hand every cleaned message here. Typed
words go through the safety check (:mod:`bot.safety`) before anything else:
- ``severe``: the message is flagged, a person is alerted, and the help message
  is the first reply, whether or not Rasa can take the message (it is still
  sent to Rasa, or kept for it, so the conversation pauses where it was);
- ``possible``: flagged, and held back with one gentle check, "Is someone hurt
  or in danger now?" (✅ Yes / ❌ No, I'm OK) and the short help line. "Yes"
  makes it severe; "no" sends the held message on as usual (a review answer is
  saved); anything else sends it on too, then handles the new message;
- ``none``: on to Rasa.
The help message says an alert went only when it did (:func:`safety_help`).
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from bot.alerts.desk import AlertDesk
from bot.channels.rasa_client import (
    UNAVAILABLE,
    RasaGateway,
    RasaReply,
    RasaUnavailable,
    gateway_of,
    kind_reply,
)
from bot.content import CharterPack, ContentError, channel_message, get_pack, safety_help
from bot.names import FORGET_CONVERSATION
from bot.safety import NONE, POSSIBLE, SEVERE, Assessment, SafetyCheck, safety_check
from bot.safety.triage import answer_to_check
from bot.settings import Settings
from bot.store import repository, safeguarding
from bot.store import telegram as chats
from bot.store.db import engine_for, unit_of_work
from bot.store.tracker import forget_conversation

logger = logging.getLogger(__name__)

# The gentle check's buttons. The conversation answers them itself: they never reach Rasa.
CHECK_YES = "/safety_yes"
CHECK_NO = "/safety_no"
# How long a reply waits to learn whether an alert went (it goes on trying after).
ALERT_WAIT_SECONDS = 5.0


def _say(text: str, buttons: list[dict[str, str]] | None = None) -> RasaReply:
    """A message of the conversation's own, in the same form as Rasa's replies."""
    return RasaReply([{"text": text, "buttons": buttons or []}])


class Conversation:
    """The turn for one channel server: its Rasa gateway, the safety check and alerts."""

    def __init__(
        self,
        settings: Settings,
        gateway: RasaGateway,
        check: SafetyCheck,
        desk: AlertDesk,
        alert_wait: float = ALERT_WAIT_SECONDS,
    ) -> None:
        self.settings = settings
        self.gateway = gateway
        self.check = check
        self.desk = desk
        self.alert_wait = alert_wait
        self._alerting: set[asyncio.Task] = set()

    # ---- the store ----------------------------------------------------------------------

    def _in_store(self, work, *args, **kwargs):  # type: ignore[no-untyped-def]
        with unit_of_work(engine_for(self.settings.database_url)) as session:
            return work(session, *args, **kwargs)

    async def _store(self, work, *args, **kwargs):  # type: ignore[no-untyped-def]
        """One unit of work in a thread; None (and a warning) when the store is away."""
        try:
            return await asyncio.to_thread(self._in_store, work, *args, **kwargs)
        except Exception as error:  # noqa: BLE001 - help must still reach the person
            logger.warning("The store did not answer: %s", type(error).__name__)
            return None

    def _pack_named(self, charter: str | None) -> CharterPack:
        try:
            return get_pack(charter or self.settings.charter)
        except ContentError:
            return get_pack(self.settings.charter)

    async def _pack(self, sender: str) -> CharterPack:
        """The area of the person's latest review, else the default one."""
        return self._pack_named(await self._store(repository.latest_charter, sender))

    # ---- the turn -----------------------------------------------------------------------

    async def turn(self, sender: str, channel: str, text: str) -> RasaReply:
        """One message from a person (cleaned words, or a button's payload)."""
        waiting = await self._store(safeguarding.waiting_check, sender)
        earlier = RasaReply([])
        if waiting is not None:
            answer = "yes" if text == CHECK_YES else "no" if text == CHECK_NO else None
            answer = answer or answer_to_check(text)
            if answer == "yes":
                await self._store(safeguarding.settle_check, waiting.id, "yes")
                return await self._severe(
                    sender, channel, waiting.message, waiting.id, waiting.charter
                )
            await self._store(safeguarding.settle_check, waiting.id, answer or "moved_on")
            # The held message goes on as an ordinary one: a review answer is saved.
            held = await self._to_rasa(
                sender, channel, waiting.message, {"level": POSSIBLE, "checked": True}
            )
            if answer == "no":
                return _say(channel_message("safety_check_thanks")).then(held)
            earlier = earlier.then(held)
        elif text in (CHECK_YES, CHECK_NO):
            # A button from a check no longer waiting: "yes" is still taken seriously.
            if text == CHECK_NO:
                return _say(channel_message("old_button"))
            return await self._flag_and_help(
                sender, channel, channel_message("safety_check_yes"), Assessment(SEVERE, (), 1.0)
            )
        if text.startswith("/"):
            return earlier.then(await self._to_rasa(sender, channel, text, None))
        assessment = await asyncio.to_thread(self.check.assess, text)
        if assessment.level == NONE:
            safety = {"level": NONE, "score": round(assessment.score, 4)}
            return earlier.then(await self._to_rasa(sender, channel, text, safety))
        if assessment.level == POSSIBLE:
            checking = await self._gentle_check(sender, channel, text, assessment)
            if checking is not None:
                return earlier.then(checking)
            # The check cannot wait for an answer (the store is away): help now instead.
        return earlier.then(await self._flag_and_help(sender, channel, text, assessment))

    async def _raise_flag(
        self, sender: str, channel: str, text: str, assessment: Assessment, level: str
    ) -> tuple[int | None, str]:
        """Flag the message at this level; the flag's id (None: the store is away) and charter."""
        pack = await self._pack(sender)
        flag = await self._store(
            safeguarding.raise_flag,
            pseudonym=sender,
            channel=channel,
            charter=pack.id,
            message=text,
            level=level,
            cards=assessment.cards,
            score=assessment.score,
            detected_by=assessment.found_by,
            check_state="asked" if level == POSSIBLE else None,
        )
        return (flag.id if flag else None), pack.id

    async def _gentle_check(
        self, sender: str, channel: str, text: str, assessment: Assessment
    ) -> RasaReply | None:
        flag_id, _ = await self._raise_flag(sender, channel, text, assessment, POSSIBLE)
        if flag_id is None:
            return None
        buttons = [
            {"title": channel_message("safety_check_yes"), "payload": CHECK_YES},
            {"title": channel_message("safety_check_no"), "payload": CHECK_NO},
        ]
        return _say(channel_message("safety_check"), buttons)

    async def _flag_and_help(
        self, sender: str, channel: str, text: str, assessment: Assessment
    ) -> RasaReply:
        flag_id, charter = await self._raise_flag(sender, channel, text, assessment, SEVERE)
        return await self._severe(sender, channel, text, flag_id, charter)

    async def _severe(
        self, sender: str, channel: str, text: str, flag_id: int | None, charter: str
    ) -> RasaReply:
        """Help first; the alert goes while Rasa hears the message (or keeps it)."""
        alerting = None
        if flag_id is not None:
            alerting = asyncio.create_task(self.desk.alert_now(flag_id, charter))
            self._alerting.add(alerting)
            alerting.add_done_callback(self._alerting.discard)
        safety = {"level": SEVERE, "help_given": True, "flag_id": flag_id}
        rasa = await self._to_rasa(sender, channel, text, safety)
        told = None
        if alerting is not None:
            try:
                told = await asyncio.wait_for(asyncio.shield(alerting), self.alert_wait)
            except asyncio.TimeoutError:
                told = None  # still trying: the person is not told it went
            except Exception as error:  # noqa: BLE001 - the desk's loop tries again
                logger.warning("A safeguarding alert failed: %s", type(error).__name__)
        return _say(safety_help(self._pack_named(charter), told)).then(rasa)

    async def _to_rasa(
        self, sender: str, channel: str, text: str, safety: dict[str, Any] | None
    ) -> RasaReply:
        try:
            reply = await self.gateway.send(sender, text, channel, safety=safety)
        except RasaUnavailable:
            reply = kind_reply("unavailable", UNAVAILABLE)
        if FORGET_CONVERSATION in reply.signals:
            await forget_everywhere(self.settings, self.gateway, sender)
        return reply


async def forget_everywhere(settings: Settings, gateway: RasaGateway, sender: str) -> None:
    """The person asked to be forgotten: their conversation, kept messages and chat id go."""
    await asyncio.to_thread(forget_conversation, settings.tracker_url, sender)
    await gateway.forget(sender)
    try:
        await asyncio.to_thread(_forget_chat, settings.database_url, sender)
    except Exception as error:  # noqa: BLE001 - the store may be away; Rasa's part is done
        logger.warning("The store did not answer: %s", type(error).__name__)


def _forget_chat(database_url: str, sender: str) -> None:
    with unit_of_work(engine_for(database_url)) as session:
        chats.forget_chat(session, sender)


def conversation_of(state: Any) -> Conversation:
    """The app's conversation turn, made on first use for its gateway."""
    gateway = gateway_of(state)
    conversation = getattr(state, "conversation", None)
    if conversation is None or conversation.gateway is not gateway:
        settings = state.settings
        desk = getattr(state, "alerts", None) or AlertDesk(settings)
        check = getattr(state, "safety_check", None) or safety_check(settings.safety_model)
        conversation = Conversation(settings, gateway, check, desk)
        state.conversation = conversation
    return conversation
