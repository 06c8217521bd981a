"""Easy-read explanations: co-production, co-design, consultation, the ladder, SEND words.

Also the "is this co-production?" quiz and saying things more simply.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import contact_kwargs, intent_of, pack_for, simple_mode
from bot.content import CharterPack, QuizItem, lookup_term, quiz_items

TOPICS = {
    "ask_coproduction": "coproduction",
    "ask_codesign": "codesign",
    "ask_consultation": "consultation",
    "ask_ladder": "ladder",
    "ask_charter": "charter",
}
EXPLAIN_INTENTS = frozenset(TOPICS) | {"ask_jargon"}
TERM_PREFIX = "term:"
# Responses that explain something: "say it more simply" explains it again.
EXPLANATIONS = frozenset(
    {f"utter_explain_{topic}" for topic in TOPICS.values()}
    | {"utter_explain_ladder_local", "utter_jargon"}
)
QUIZ_QUESTION = "utter_quiz_question"
SIMPLER_ON = "utter_simpler_on"
NOT_REPEATED = (SIMPLER_ON, "utter_simpler_nothing")
QUIZ_ANSWER_NAMES = {
    "coproduction": "co-production",
    "codesign": "co-design",
    "consultation": "consultation",
}


def explain(dispatcher: CollectingDispatcher, tracker: Tracker, intent: str | None) -> dict:
    """Send the explanation for ``intent``; return the slots that remember what was explained."""
    simple = simple_mode(tracker)
    if intent == "ask_jargon":
        term = next(tracker.get_latest_entity_values("term"), None) or tracker.get_slot("term")
        entry = lookup_term(term)
        if entry is None:
            dispatcher.utter_message(
                response="utter_jargon_unknown" if term else "utter_jargon_which"
            )
            return {"last_explained": None}
        dispatcher.utter_message(
            response="utter_jargon", explanation=entry["simple" if simple else "short"]
        )
        return {"last_explained": TERM_PREFIX + entry["term"]}
    topic = TOPICS.get(intent or "")
    if topic is None:
        return {}
    return explain_topic(dispatcher, tracker, topic)


def explain_topic(dispatcher: CollectingDispatcher, tracker: Tracker, topic: str) -> dict:
    pack = pack_for(tracker)
    if topic == "ladder" and pack.ladder:
        dispatcher.utter_message(
            response="utter_explain_ladder_local",
            ladder_name=pack.ladder_name,
            steps=ladder_steps(pack, simple=simple_mode(tracker)),
            **contact_kwargs(pack),
        )
    else:
        dispatcher.utter_message(response=f"utter_explain_{topic}", **contact_kwargs(pack))
    return {"last_explained": topic}


def ladder_steps(pack: CharterPack, simple: bool = False) -> str:
    """The area's ladder, one numbered line a step, bottom step first."""
    return "\n".join(
        f"{number}. {rung.name}" if simple else f"{number}. {rung.name}: {rung.easy_read}"
        for number, rung in enumerate(pack.ladder, start=1)
    )


def previous_turn(tracker: Tracker) -> list[dict[str, Any]]:
    """The bot messages sent in reply to the message before the latest one."""
    events = tracker.events
    users = [i for i, event in enumerate(events) if event.get("event") == "user"]
    if not users:
        return []
    start = users[-2] if len(users) > 1 else -1
    return [e for e in events[start + 1 : users[-1]] if e.get("event") == "bot"]


def said_this_turn(tracker: Tracker, response: str) -> bool:
    """True when ``response`` was already sent in reply to the latest message."""
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            return False
        if (
            event.get("event") == "bot"
            and (event.get("metadata") or {}).get("utter_action") == response
        ):
            return True
    return False


def asked_quiz_item(tracker: Tracker) -> QuizItem | None:
    """The quiz story the person is answering now, if the last thing asked was one."""
    for event in reversed(previous_turn(tracker)):
        metadata = event.get("metadata") or {}
        if metadata.get("utter_action") == QUIZ_QUESTION:
            return next((q for q in quiz_items() if q.id == metadata.get("quiz_id")), None)
    return None


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


def mark_quiz_answer(
    dispatcher: CollectingDispatcher, tracker: Tracker, item: QuizItem, intent: str | None
) -> list[dict[str, Any]]:
    """Say whether the answer is right and why, then ask the next story or give the score."""
    right = TOPICS.get(intent or "") == item.answer
    if right:
        dispatcher.utter_message(response="utter_quiz_right", why=item.why)
    else:
        dispatcher.utter_message(
            response="utter_quiz_wrong", answer=QUIZ_ANSWER_NAMES[item.answer], why=item.why
        )
    score = int(tracker.get_slot("quiz_score") or 0) + int(right)
    items = quiz_items()
    index = next(i for i, q in enumerate(items) if q.id == item.id) + 1
    if index < len(items):
        ask_quiz_item(dispatcher, tracker, index)
        return [SlotSet("quiz_score", float(score))]
    dispatcher.utter_message(response="utter_quiz_end", score=score, total=len(items))
    return [SlotSet("quiz_score", None)]


class ActionExplain(Action):
    """Explain a topic or a SEND word; or mark a quiz answer when a quiz story was just asked."""

    def name(self) -> str:
        return "action_explain"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        intent = intent_of(tracker)
        item = asked_quiz_item(tracker)
        if item is not None and TOPICS.get(intent or "") in QUIZ_ANSWER_NAMES:
            return mark_quiz_answer(dispatcher, tracker, item, intent)
        slots = explain(dispatcher, tracker, intent)
        return [SlotSet(name, value) for name, value in slots.items()]


class ActionStartQuiz(Action):
    """Start the "is this co-production?" quiz at its first story."""

    def name(self) -> str:
        return "action_start_quiz"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        ask_quiz_item(dispatcher, tracker, 0)
        return [SlotSet("quiz_score", 0.0)]


class ActionSimplerOn(Action):
    """Remember that this person wants things said more simply, from now on."""

    def name(self) -> str:
        return "action_simpler_on"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        if not simple_mode(tracker):
            dispatcher.utter_message(response=SIMPLER_ON)
        return [SlotSet("simple_mode", True)]


class ActionSaySimpler(Action):
    """Say the last reply again, now in its simpler form (after action_simpler_on)."""

    def name(self) -> str:
        return "action_say_simpler"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        said = [
            event.get("metadata") or {}
            for event in previous_turn(tracker)
            if (event.get("metadata") or {}).get("utter_action") not in (None, *NOT_REPEATED)
        ]
        names = {metadata["utter_action"] for metadata in said}
        last = tracker.get_slot("last_explained")
        if names & EXPLANATIONS and last:
            if last.startswith(TERM_PREFIX):
                entry = lookup_term(last[len(TERM_PREFIX) :])
                if entry is not None:
                    dispatcher.utter_message(response="utter_jargon", explanation=entry["simple"])
                    return []
            elif last in TOPICS.values():
                return [
                    SlotSet(name, value)
                    for name, value in explain_topic(dispatcher, tracker, last).items()
                ]
        quiz_item = asked_quiz_item(tracker)
        if quiz_item is not None:
            index = next(i for i, q in enumerate(quiz_items()) if q.id == quiz_item.id)
            ask_quiz_item(dispatcher, tracker, index)
            return []
        if not said:
            if not said_this_turn(tracker, SIMPLER_ON):
                dispatcher.utter_message(response="utter_simpler_nothing")
            return []
        for metadata in said:
            values = {k: v for k, v in metadata.items() if k != "utter_action"}
            dispatcher.utter_message(response=metadata["utter_action"], **values)
        return []
