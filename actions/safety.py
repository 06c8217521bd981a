"""Safeguarding: immediate help first, then a flag in the staff queue."""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import channel_of, contact_kwargs, pack_for, text_of
from bot.store import repository
from bot.store.db import unit_of_work

logger = logging.getLogger(__name__)


class ActionSafeguarding(Action):
    def name(self) -> str:
        return "action_safeguarding"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        pack = pack_for(tracker)
        # Help goes out first: a failing store must never delay or block it.
        dispatcher.utter_message(response="utter_safeguarding", **contact_kwargs(pack))
        if tracker.active_loop_name:
            dispatcher.utter_message(response="utter_safeguarding_carry_on")
        detected_by = "backstop" if tracker.latest_message.get("risk_backstop") else "intent"
        try:
            with unit_of_work() as session:
                repository.flag_safeguarding(
                    session,
                    pseudonym=tracker.sender_id,
                    channel=channel_of(tracker),
                    charter=pack.id,
                    message=text_of(tracker),
                    detected_by=detected_by,
                )
        except Exception:  # noqa: BLE001 - the person already has help; staff must be told
            logger.exception("Could not save a safeguarding flag")
        return []
