"""Easy-read explanations: co-production, co-design, consultation, the ladder, SEND words."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import contact_kwargs, intent_of, pack_for
from bot.content import CharterPack, lookup_term

TOPICS = {
    "ask_coproduction": "coproduction",
    "ask_codesign": "codesign",
    "ask_consultation": "consultation",
    "ask_ladder": "ladder",
    "ask_charter": "charter",
}
EXPLAIN_INTENTS = frozenset(TOPICS) | {"ask_jargon"}
TERM_PREFIX = "term:"


def explain(dispatcher: CollectingDispatcher, tracker: Tracker, intent: str | None) -> dict:
    """Send the explanation for ``intent``; return the slots that remember what was explained."""
    if intent == "ask_jargon":
        term = next(tracker.get_latest_entity_values("term"), None) or tracker.get_slot("term")
        entry = lookup_term(term)
        if entry is None:
            dispatcher.utter_message(
                response="utter_jargon_unknown" if term else "utter_jargon_which"
            )
            return {"last_explained": None}
        dispatcher.utter_message(response="utter_jargon", explanation=entry["short"])
        return {"last_explained": TERM_PREFIX + entry["term"]}
    topic = TOPICS.get(intent or "")
    if topic is None:
        return {}
    pack = pack_for(tracker)
    if topic == "ladder" and pack.ladder:
        dispatcher.utter_message(
            response="utter_explain_ladder_local",
            ladder_name=pack.ladder_name,
            steps=ladder_steps(pack),
            **contact_kwargs(pack),
        )
    else:
        dispatcher.utter_message(response=f"utter_explain_{topic}", **contact_kwargs(pack))
    return {"last_explained": topic}


def ladder_steps(pack: CharterPack) -> str:
    """The area's ladder, one numbered line a step, bottom step first."""
    return "\n".join(
        f"{number}. {rung.name}: {rung.easy_read}"
        for number, rung in enumerate(pack.ladder, start=1)
    )


class ActionExplain(Action):
    def name(self) -> str:
        return "action_explain"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        slots = explain(dispatcher, tracker, intent_of(tracker))
        return [SlotSet(name, value) for name, value in slots.items()]


class ActionSaySimpler(Action):
    """Say the last explanation again in simpler words."""

    def name(self) -> str:
        return "action_say_simpler"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        last = tracker.get_slot("last_explained")
        if last and last.startswith(TERM_PREFIX):
            entry = lookup_term(last[len(TERM_PREFIX) :])
            if entry is not None:
                dispatcher.utter_message(
                    response="utter_jargon_simple", explanation=entry["simple"]
                )
                return []
        elif last in TOPICS.values():
            dispatcher.utter_message(
                response=f"utter_explain_{last}_simple", **contact_kwargs(pack_for(tracker))
            )
            return []
        dispatcher.utter_message(response="utter_simpler_nothing")
        return []
