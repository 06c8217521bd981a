"""Raising a concern that a charter's principles were not followed."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import (
    NOT_ASKED,
    channel_of,
    chosen_pack,
    contact_kwargs,
    in_worker_thread,
    intent_of,
    wants_to_stop,
)
from actions.forms import typed_words
from bot.content import CharterPack
from bot.store import concerns
from bot.store.db import unit_of_work

FORM_SLOTS = ("concern_about", "concern_what", "concern_principle", "concern_reply")
LIMITS = {"concern_about": concerns.ABOUT_MAX, "concern_what": concerns.WHAT_MAX}
WANTS_REPLY, NO_REPLY, STOPPED = "yes", "no", "stopped"


def stop_concern(dispatcher: CollectingDispatcher) -> dict[str, Any]:
    """End the form with nothing sent: every question answered "not asked"."""
    dispatcher.utter_message(response="utter_concern_stopped")
    return {**{slot: NOT_ASKED for slot in FORM_SLOTS}, "concern_reply": STOPPED}


def principle_of(pack: CharterPack, text: str | None) -> str | None:
    """The principle a button sent (its id) or a typed answer names; None if unclear."""
    if not text:
        return None
    lowered = " ".join(text.strip().lower().split())
    for principle in pack.principles:
        if lowered in (principle.id, principle.name.lower()):
            return principle.id
    for principle in pack.principles:
        if principle.name.lower() in lowered:
            return principle.id
    return None


class ActionAskConcernPrinciple(Action):
    """Which of the charter's principles the concern is about: a button each."""

    def name(self) -> str:
        return "action_ask_concern_principle"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        pack = chosen_pack(tracker)
        buttons = [
            {"title": f"🔹 {p.name}", "payload": f'/inform{{"principle": "{p.id}"}}'}
            for p in pack.principles
        ]
        buttons.append({"title": "🤷 Not sure", "payload": "/unsure"})
        ideas = "\n".join(f"🔹 {p.name}: {p.easy_read}" for p in pack.principles)
        dispatcher.utter_message(
            response="utter_ask_concern_principle", area=pack.area, ideas=ideas, buttons=buttons
        )
        return []


class ValidateConcernForm(FormValidationAction):
    def name(self) -> str:
        return "validate_concern_form"

    def _words(
        self, slot: str, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> dict[str, Any]:
        return typed_words(
            slot,
            slot_value,
            dispatcher,
            tracker,
            stop=stop_concern,
            clean=lambda text: concerns.clean_text(text, LIMITS[slot]),
            problem=concerns.TextProblem,
            say_problem=lambda d, problem: d.utter_message(
                response=f"utter_words_{problem}", limit=LIMITS[slot]
            ),
            is_question=lambda _tracker, text: len(text) < 80,
        )

    def validate_concern_about(
        self,
        slot_value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> dict[str, Any]:
        return self._words("concern_about", slot_value, dispatcher, tracker)

    def validate_concern_what(
        self,
        slot_value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> dict[str, Any]:
        return self._words("concern_what", slot_value, dispatcher, tracker)

    def validate_concern_principle(
        self,
        slot_value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> dict[str, Any]:
        if slot_value is None or slot_value == NOT_ASKED:
            return {}
        if wants_to_stop(tracker):
            return stop_concern(dispatcher)
        pack = chosen_pack(tracker)
        named = next(tracker.get_latest_entity_values("principle"), None)
        principle = principle_of(pack, named) or principle_of(pack, str(slot_value))
        if principle is not None:
            return {"concern_principle": principle}
        if intent_of(tracker) in ("unsure", "skip_question", "deny"):
            return {"concern_principle": NOT_ASKED}
        dispatcher.utter_message(response="utter_concern_principle_not_understood")
        return {"concern_principle": None}

    def validate_concern_reply(
        self,
        slot_value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> dict[str, Any]:
        if slot_value is None or slot_value in (WANTS_REPLY, NO_REPLY, STOPPED):
            return {}
        if wants_to_stop(tracker):
            return stop_concern(dispatcher)
        intent = intent_of(tracker)
        if intent == "affirm":
            return {"concern_reply": WANTS_REPLY}
        if intent in ("deny", "skip_question"):
            return {"concern_reply": NO_REPLY}
        dispatcher.utter_message(response="utter_concern_reply_not_understood")
        return {"concern_reply": None}


class ActionSaveConcern(Action):
    """Put the concern in the staff queue, and say what happens next."""

    def name(self) -> str:
        return "action_save_concern"

    @in_worker_thread
    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        pack = chosen_pack(tracker)
        about, what = tracker.get_slot("concern_about"), tracker.get_slot("concern_what")
        principle = tracker.get_slot("concern_principle")
        wants_reply = tracker.get_slot("concern_reply") == WANTS_REPLY
        cleared = [SlotSet(slot, None) for slot in FORM_SLOTS]
        if not about or not what or NOT_ASKED in (about, what):
            return cleared
        with unit_of_work() as session:
            concerns.raise_concern(
                session,
                pseudonym=tracker.sender_id,
                channel=channel_of(tracker),
                charter=pack.id,
                about=about,
                what_happened=what,
                principle=None if principle == NOT_ASKED else principle,
                wants_reply=wants_reply,
            )
        dispatcher.utter_message(
            response="utter_concern_saved_reply" if wants_reply else "utter_concern_saved",
            **contact_kwargs(pack),
        )
        return cleared
