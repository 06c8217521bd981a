"""The privacy notice in full, for anyone who pressed "Tell me more"."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.review import keep_for
from bot.settings import get_settings


class ActionTellPrivacy(Action):
    """How answers are kept, who sees them, and for how long."""

    def name(self) -> str:
        return "action_tell_privacy"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        settings = get_settings()
        dispatcher.utter_message(
            response="utter_privacy_more",
            min_group=settings.min_group,
            keep_for=keep_for(settings.retention_days),
        )
        return []
