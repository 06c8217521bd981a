"""Goodbye, or stop in a review: say what is saved and how to come back, only if true."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import channel_of, in_worker_thread
from bot.store import repository
from bot.store.db import unit_of_work


def saved_answers(pseudonym: str) -> tuple[bool, bool]:
    """What is kept, read once: (answers in a review still open, any answers at all)."""
    with unit_of_work() as session:
        unfinished = repository.unfinished_response(session, pseudonym)
        held = repository.held_about(session, pseudonym)
    open_answers = unfinished is not None and any(
        review.answers for review in held.reviews if not review.finished
    )
    return open_answers, any(review.answers for review in held.reviews)


class ActionPauseReview(Action):
    """Stop in a review: it waits for the person. Answers are said to be saved
    only when there are some."""

    def name(self) -> str:
        return "action_pause_review"

    @in_worker_thread
    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        saved, _ = saved_answers(tracker.sender_id)
        dispatcher.utter_message(
            response="utter_review_paused" if saved else "utter_review_paused_nothing_saved"
        )
        return []


class ActionGoodbye(Action):
    """Bye, with what happens to the person's answers.

    - a review started and answered in part: the answers so far are saved, and
      saying hello carries on (on the web chat, only while the browser stays
      open, or when the person chose to stay signed in);
    - answers saved and nothing left to answer: they are saved;
    - nothing saved: no claim about answers at all.
    """

    def name(self) -> str:
        return "action_goodbye"

    @in_worker_thread
    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        open_answers, any_answers = saved_answers(tracker.sender_id)
        if open_answers:
            web = channel_of(tracker) == "web"
            dispatcher.utter_message(
                response="utter_goodbye_unfinished_web" if web else "utter_goodbye_unfinished"
            )
        elif any_answers:
            dispatcher.utter_message(response="utter_goodbye_saved")
        else:
            dispatcher.utter_message(response="utter_goodbye")
        return []
