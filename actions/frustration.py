"""A person fed up with the assistant gets a kind reply and a way forward."""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import text_of

# Words that point at the assistant or this chat.
_AT_THE_ASSISTANT = re.compile(
    r"\b(you|youre|you're|your|u|ur|bot|chat|chatbot|app|computer|robot|machine|"
    r"this|it|thing)\b"
)
# Words that point at someone else: then the anger is about them, not the assistant.
_AT_SOMEONE_ELSE = re.compile(
    r"\b(he|she|they|them|his|her|their|dad|mum|mom|mother|father|brother|sister|nan|"
    r"grandad|grandma|carer|teacher|teachers|school|college|council|staff|senco|panel|"
    r"team|worker|doctor|nurse|boyfriend|girlfriend|friend|friends|people|everyone|"
    r"someone|somebody|nobody)\b"
)


def at_the_assistant(text: str) -> bool:
    """True unless the words are about someone else and not the assistant.

    "My dad calls me stupid" is not frustration with the assistant, whatever
    the classifier guessed; "useless" on its own is taken as meant for it.
    """
    lowered = text.lower().replace("’", "'")
    if _AT_THE_ASSISTANT.search(lowered):
        return True
    return not _AT_SOMEONE_ELSE.search(lowered)


class ActionBotFrustration(Action):
    """Sorry, and what the person can do next; never "I did not understand"."""

    def name(self) -> str:
        return "action_bot_frustration"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        text = text_of(tracker)
        if text.lstrip().startswith("/") or at_the_assistant(text):
            dispatcher.utter_message(response="utter_bot_frustration")
        else:
            # About someone else: ask to hear more, rather than say sorry for ourselves.
            dispatcher.utter_message(response="utter_default")
        return []
