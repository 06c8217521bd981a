"""Point people to a real person for what this chat cannot do."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import contact_kwargs, intent_of, pack_for, simple_mode


class ActionPointToContact(Action):
    def name(self) -> str:
        return "action_point_to_contact"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        response = (
            "utter_contact_person"
            if intent_of(tracker) == "human_handoff"
            else "utter_not_here_yet"
        )
        contact = contact_kwargs(pack_for(tracker), simple_mode(tracker))
        dispatcher.utter_message(response=response, **contact)
        return []
