"""What the pledge and concern forms share: taking words typed in answer to a question."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.common import NOT_ASKED, intent_of, looks_like_question, text_of, wants_to_stop
from actions.learn import EXPLAIN_INTENTS, explain


def typed_words(
    slot: str,
    slot_value: Any,
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
    *,
    stop: Callable[[CollectingDispatcher], dict[str, Any]],
    clean: Callable[[str], str],
    problem: type[ValueError],
    say_problem: Callable[[CollectingDispatcher, ValueError], None],
    is_question: Callable[[Tracker, str], bool],
) -> dict[str, Any]:
    """The words typed for ``slot``, cleaned; or stop, explain, or ask again kindly.

    - a short "stop" ends the form (``stop``);
    - a question about a word or idea (``is_question``) is answered, then asked again;
    - a button pressed where words were wanted asks the question again;
    - words ``clean`` refuses (raising ``problem``) get ``say_problem`` and the question again.
    """
    if slot_value is None or slot_value == NOT_ASKED:
        return {}
    if wants_to_stop(tracker):
        return stop(dispatcher)
    intent, text = intent_of(tracker), text_of(tracker)
    if intent in EXPLAIN_INTENTS and looks_like_question(text) and is_question(tracker, text):
        return {slot: None, **explain(dispatcher, tracker, intent)}
    if text.lstrip().startswith("/"):
        dispatcher.utter_message(response=f"utter_ask_{slot}")
        return {slot: None}
    try:
        return {slot: clean(text)}
    except problem as error:
        say_problem(dispatcher, error)
        return {slot: None}
