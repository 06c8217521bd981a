"""Typed answers to the review's closing questions, and "nothing more" after an answer.

A button sends its value; a person on Telegram types it in their own words
("they did it with us i think", "yes send it", "thats it"). The words each
option accepts live in ``bot/nlp/typed_answers.yml``.
"""

from __future__ import annotations

from rasa_sdk import Tracker

from actions.common import confidence_of, intent_of, looks_like_question, text_of, typed_by_person
from actions.learn import EXPLAIN_INTENTS
from actions.review_state import HEAR_BACK_STAGE, LADDER_STAGE
from bot.names import LADDER_PLACES
from bot.nlp.choices import options_for, pick

# A typed answer is saved only when the classifier is this sure: genuine answers
# score near 1.0, while gibberish or markup can score 0.8. Asking again costs
# one message; a wrong answer saved misleads the staff who read the totals.
TYPED_ANSWER_CONFIDENCE = 0.9
# What a button's (or a sure classifier's) intent means at each closing question.
CHOICE_BY_INTENT = {
    LADDER_STAGE: {"unsure": "not_sure", "skip_question": "not_sure"},
    HEAR_BACK_STAGE: {
        "affirm": "yes",
        "deny": "no",
        "unsure": "not_sure",
        "skip_question": "not_sure",
    },
}
# Words that may come with "nothing more" without adding anything to it.
FILLER = frozenset(
    "ok okay thanks thank you ta cheers i think really just please so um erm its fine x xx".split()
)


def closing_choice(tracker: Tracker, stage: str) -> str | None:
    """The option chosen at a closing question (``ladder`` or ``hear_back``), or None."""
    text, intent = text_of(tracker), intent_of(tracker)
    if stage == LADDER_STAGE:
        place = next(tracker.get_latest_entity_values("ladder_place"), None)
        if place in LADDER_PLACES:
            return place
    if not typed_by_person(text):
        return CHOICE_BY_INTENT[stage].get(intent or "")
    if intent in EXPLAIN_INTENTS and looks_like_question(text):
        return None
    picked = pick(text, options_for(stage))
    if picked.options:
        return picked.value
    if confidence_of(tracker) >= TYPED_ANSWER_CONFIDENCE:
        return CHOICE_BY_INTENT[stage].get(intent or "")
    return None


def says_nothing_more(text: str) -> bool:
    """True for "thats it", "nothing else thanks", "no": nothing to keep as a comment."""
    picked = pick(text, options_for("no_more"))
    return bool(picked.options) and all(word in FILLER for word in picked.leftover)
