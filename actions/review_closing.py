"""The end of the review: the closing questions after the last one, then thank you.

After the pack's questions a person is asked where the work sat on the ladder
(only when staff placed the work there), then whether they want to hear what
changes ("you said, we did"). Each is answered by button or in their own words.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import channel_of, in_worker_thread, intent_of
from actions.learn import EXPLAIN_INTENTS, explain
from actions.need_help import NEED_HELP, give_help
from actions.review_state import (
    ANSWER_STAGE,
    HEAR_BACK_STAGE,
    LADDER_STAGE,
    REDO_STAGE,
    review_slots,
)
from actions.typed_answers import closing_choice
from bot.names import LADDER_QUESTION
from bot.store import repository, updates
from bot.store.db import unit_of_work


def ask_closing(dispatcher: CollectingDispatcher, stage: str, total: int) -> bool:
    """Ask the ladder or the hear-back question when ``stage`` is one; False when not."""
    if stage == LADDER_STAGE or stage == REDO_STAGE + LADDER_QUESTION:
        dispatcher.utter_message(response="utter_review_ladder", number=total - 1, total=total)
        return True
    if stage == HEAR_BACK_STAGE:
        dispatcher.utter_message(response="utter_review_hear_back", number=total, total=total)
        return True
    return False


def after_questions(session: Any, response_id: int, answered: set[str]) -> str:
    """After the last question: the ladder (when staff placed the work), then hear back."""
    if LADDER_QUESTION not in answered and repository.level_of_response(session, response_id):
        return LADDER_STAGE
    if updates.hear_back_of(session, response_id) is None:
        return HEAR_BACK_STAGE
    return ANSWER_STAGE


def take_ladder(
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
    session: Any,
    response_id: int,
    slots: dict[str, Any],
) -> str:
    """Where the person felt the work sat: done to, for or with them (or not sure)."""

    def save(place: str) -> None:
        repository.record_answer(session, response_id, LADDER_QUESTION, place, channel_of(tracker))

    return _closing_question(dispatcher, tracker, slots, LADDER_STAGE, save)


def take_hear_back(
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
    session: Any,
    response_id: int,
    slots: dict[str, Any],
) -> str:
    """Yes keeps them on the list for "you said, we did"; anything like no does not.

    Not sure counts as no: nothing is sent to anyone who did not clearly ask.
    """

    def save(choice: str) -> None:
        updates.set_hear_back(session, response_id, choice == "yes")

    return _closing_question(dispatcher, tracker, slots, HEAR_BACK_STAGE, save)


def _closing_question(
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
    slots: dict[str, Any],
    stage: str,
    save: Callable[[str], None],
) -> str:
    """A question after the last one: ``save(choice)`` keeps an answer it understands,
    by button or in the person's own words; a question about a word is explained,
    anything else gets this question's own options again."""
    choice = closing_choice(tracker, stage)
    if choice is not None:
        save(choice)
        return ANSWER_STAGE
    intent = intent_of(tracker)
    if intent in EXPLAIN_INTENTS:
        slots.update(explain(dispatcher, tracker, intent))
    elif intent == NEED_HELP:
        give_help(dispatcher, tracker)
    elif intent == "simpler":
        slots["simple_mode"] = True
    else:
        dispatcher.utter_message(response=f"utter_review_{stage}_not_understood")
    return stage


class ActionFinishReview(Action):
    """Mark the review finished and say thank you."""

    def name(self) -> str:
        return "action_finish_review"

    @in_worker_thread
    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        response_id = tracker.get_slot("review_response_id")
        if response_id is not None:
            with unit_of_work() as session:
                repository.finish_response(session, int(response_id))
        dispatcher.utter_message(response="utter_review_thanks")
        return review_slots(None, ready=False)
