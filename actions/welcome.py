"""Greeting: say what the assistant is for, or offer to carry on a review."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.common import in_worker_thread
from bot.store import repository
from bot.store.db import unit_of_work


class ActionGreet(Action):
    def name(self) -> str:
        return "action_greet"

    @in_worker_thread
    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        with unit_of_work() as session:
            unfinished = repository.unfinished_response(session, tracker.sender_id)
        if unfinished is None:
            dispatcher.utter_message(response="utter_greet")
        else:
            dispatcher.utter_message(
                response="utter_welcome_back", review_title=unfinished.review_title
            )
        return []
