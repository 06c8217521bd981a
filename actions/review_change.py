"""Changing an answer: which one, then that question again, then the review carries on.

A person can ask from inside the review ("go back", "change question 2") or
later ("i want to change my last answer", or the button under "my data"). They
see their answers as buttons ("Question 2: ❌ No"), press one, and answer it
again. The new answer is saved over the old one, with its own time.
"""

from __future__ import annotations

import json
import re
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import in_worker_thread, text_of
from actions.review_state import CHANGE_STAGE, REDO_STAGE, profile_slots, review_slots
from bot.content import CharterPack, get_pack
from bot.names import LADDER_QUESTION
from bot.store import repository
from bot.store.db import unit_of_work

LAST = "last"
ANSWER_LABELS = {
    "yes": "✅ Yes",
    "partly": "🤏 A bit",
    "no": "❌ No",
    "unsure": "🤷 Not sure",
    "skipped": "⏭️ Skipped",
    "doing_to": "🫵 Done to us",
    "doing_for": "🤲 Done for us",
    "doing_with": "🤝 Done with us",
    "not_sure": "🤷 Not sure",
}
_ORDINALS = "first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth"
_NUMBER_WORDS = "one two three four five six seven eight nine ten eleven twelve"
_WORD_NUMBERS = {
    word: number
    for words in (_ORDINALS, _NUMBER_WORDS)
    for number, word in enumerate(words.split(), start=1)
}
_NAMED_NUMBER = re.compile(
    r"\b(?:question|questions|q|number|no|answer)\s*#?\s*(\d{1,2}|"
    + "|".join(_WORD_NUMBERS)
    + r")\b|\b("
    + "|".join(_ORDINALS.split())
    + r"|\d{1,2}(?:st|nd|rd|th))\s+(?:question|one|answer)\b"
)
_LAST = re.compile(r"\b(last|previous|latest|that)\s+(answer|one|question)\b|\bgo back\b")
_BARE_NUMBER = re.compile(r"^\s*(?:q|question|number)?\s*#?\s*(\d{1,2})\s*[.!]?\s*$")


def _as_number(word: str) -> int | None:
    word = re.sub(r"(st|nd|rd|th)$", "", word) if word[:1].isdigit() else word
    return int(word) if word.isdigit() else _WORD_NUMBERS.get(word)


def question_named(text: str, bare_number: bool = False) -> int | str | None:
    """The question a request names: its number, ``LAST`` for "my last answer", or None.

    A bare "2" counts only when the person was just asked which answer to change.
    """
    lowered = text.lower()
    match = _NAMED_NUMBER.search(lowered)
    if match:
        return _as_number(match.group(1) or match.group(2))
    if _LAST.search(lowered):
        return LAST
    if "ladder" in lowered or "how it was done" in lowered:
        return LADDER_QUESTION
    match = _BARE_NUMBER.match(lowered) if bare_number else None
    return int(match.group(1)) if match else None


def question_id_for(
    named: int | str | None, pack: CharterPack, answers: dict[str, Any]
) -> str | None:
    """The id of the answered question a request names, if it names one."""
    if named == LAST:
        if not answers:
            return None
        return max(answers.values(), key=lambda a: (a.updated_at, a.id)).question_id
    if named == LADDER_QUESTION:
        return LADDER_QUESTION if LADDER_QUESTION in answers else None
    if isinstance(named, int) and 1 <= named <= len(pack.questions):
        question_id = pack.questions[named - 1].id
        return question_id if question_id in answers else None
    return None


def change_buttons(pack: CharterPack, answers: dict[str, Any]) -> list[dict[str, str]]:
    """One button per saved answer, in question order: "Question 2: ❌ No"."""
    buttons = []
    for number, question in enumerate(pack.questions, start=1):
        answer = answers.get(question.id)
        if answer is not None:
            buttons.append(_button(f"Question {number}: {ANSWER_LABELS[answer.value]}", number))
    ladder = answers.get(LADDER_QUESTION)
    if ladder is not None:
        buttons.append(_button(f"🪜 How it was done: {ANSWER_LABELS[ladder.value]}", "ladder"))
    return buttons


def _button(title: str, number: int | str) -> dict[str, str]:
    entities = json.dumps({"question_number": str(number)})
    return {"title": title, "payload": f"/change_answer{entities}"}


def ask_which(dispatcher: CollectingDispatcher, pack: CharterPack, answers: dict[str, Any]) -> None:
    dispatcher.utter_message(
        response="utter_review_change_which", buttons=change_buttons(pack, answers)
    )


class ActionChangeAnswer(Action):
    """Outside a review: open the person's latest review at the answer they want to change."""

    def name(self) -> str:
        return "action_change_answer"

    @in_worker_thread
    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        with unit_of_work() as session:
            ref = repository.latest_open_response(session, tracker.sender_id)
            answers = {} if ref is None else repository.answered_questions(session, ref.response_id)
            role, age_band = repository.profile_of(session, tracker.sender_id)
        if ref is None or not answers:
            dispatcher.utter_message(response="utter_review_change_none")
            return review_slots(None, ready=False)
        pack = get_pack(ref.charter).with_optional(ref.optional_questions)
        chosen = question_id_for(chosen_question(tracker, text_of(tracker), False), pack, answers)
        stage = CHANGE_STAGE if chosen is None else REDO_STAGE + chosen
        return review_slots(ref, ready=True, stage=stage) + profile_slots(role, age_band)


def _as_entity(named: Any) -> int | str | None:
    """A question named by a button ("2", "ladder") or by the text (2, "last")."""
    if isinstance(named, str) and named.isdigit():
        return int(named)
    if named == "ladder":
        return LADDER_QUESTION
    return named


def chosen_question(tracker: Tracker, text: str, bare_number: bool) -> int | str | None:
    """The question a change request names, by its button or in the typed words."""
    named = next(tracker.get_latest_entity_values("question_number"), None)
    return _as_entity(named) if named is not None else question_named(text, bare_number)
