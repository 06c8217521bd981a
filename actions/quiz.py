"""The "is this co-production?" quiz: one story at a time, each answer marked, then the score.

A person answers a story by naming a way of working (co-production, co-design or
consultation). That reaches action_explain, which hands it here when the last
thing asked was a quiz story.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import simple_mode
from bot.content import QuizItem, quiz_items

QUIZ_QUESTION = "utter_quiz_question"
QUIZ_ANSWER_NAMES = {
    "coproduction": "co-production",
    "codesign": "co-design",
    "consultation": "consultation",
}


def asked_quiz_item(turn: list[dict[str, Any]]) -> QuizItem | None:
    """The quiz story the person is answering now, if the last thing asked was one.

    ``turn`` is the bot messages sent in reply to the message before the latest one.
    """
    for event in reversed(turn):
        metadata = event.get("metadata") or {}
        if metadata.get("utter_action") == QUIZ_QUESTION:
            return next((q for q in quiz_items() if q.id == metadata.get("quiz_id")), None)
    return None


def _index_of(item: QuizItem) -> int:
    """Where the story ``item`` comes in the quiz, from 0."""
    return next(i for i, q in enumerate(quiz_items()) if q.id == item.id)


def ask_quiz_item(dispatcher: CollectingDispatcher, tracker: Tracker, index: int) -> None:
    items = quiz_items()
    item = items[index]
    dispatcher.utter_message(
        response=QUIZ_QUESTION,
        number=index + 1,
        total=len(items),
        story=item.simple if simple_mode(tracker) else item.story,
        quiz_id=item.id,
    )


def ask_again(dispatcher: CollectingDispatcher, tracker: Tracker, item: QuizItem) -> None:
    """Ask the story ``item`` again (in its simpler form, once simple mode is on)."""
    ask_quiz_item(dispatcher, tracker, _index_of(item))


def mark_quiz_answer(
    dispatcher: CollectingDispatcher, tracker: Tracker, item: QuizItem, way: str
) -> list[dict[str, Any]]:
    """Say whether ``way`` is right and why, then ask the next story or give the score."""
    right = way == item.answer
    if right:
        dispatcher.utter_message(response="utter_quiz_right", why=item.why)
    else:
        dispatcher.utter_message(
            response="utter_quiz_wrong", answer=QUIZ_ANSWER_NAMES[item.answer], why=item.why
        )
    score = int(tracker.get_slot("quiz_score") or 0) + int(right)
    items = quiz_items()
    index = _index_of(item) + 1
    if index < len(items):
        ask_quiz_item(dispatcher, tracker, index)
        return [SlotSet("quiz_score", float(score))]
    dispatcher.utter_message(response="utter_quiz_end", score=score, total=len(items))
    return [SlotSet("quiz_score", None)]


class ActionStartQuiz(Action):
    """Start the "is this co-production?" quiz at its first story."""

    def name(self) -> str:
        return "action_start_quiz"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        ask_quiz_item(dispatcher, tracker, 0)
        return [SlotSet("quiz_score", 0.0)]
