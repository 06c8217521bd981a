"""Choosing the local area, and so the charter a conversation uses."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.content import ContentError, get_pack, list_packs


def area_buttons() -> list[dict[str, str]]:
    return [
        {"title": f"🗺️ {pack.area}", "payload": f'/choose_area{{"area": "{pack.id}"}}'}
        for pack in list_packs()
    ]


def choose_area(dispatcher: CollectingDispatcher, tracker: Tracker) -> dict[str, Any]:
    """Use the area the message names, or offer a button per area; the slots to set."""
    named = next(tracker.get_latest_entity_values("area"), None)
    if named:
        try:
            pack = get_pack(named)
        except ContentError:
            pack = None
        if pack is not None:
            dispatcher.utter_message(response="utter_area_chosen", area=pack.area)
            return {"area": pack.id}
        dispatcher.utter_message(response="utter_area_unknown", buttons=area_buttons())
        return {}
    dispatcher.utter_message(response="utter_choose_area", buttons=area_buttons())
    return {}


class ActionChooseArea(Action):
    """Use the charter of the area the person names; ask which area when none is named.

    A review code still wins: its review belongs to one charter.
    """

    def name(self) -> str:
        return "action_choose_area"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        return [SlotSet(name, value) for name, value in choose_area(dispatcher, tracker).items()]
