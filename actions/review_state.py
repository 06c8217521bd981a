"""Where a person is in the review form: its stages and the slots that hold them."""

from __future__ import annotations

from typing import Any

from rasa_sdk.events import SlotSet

from actions.common import NOT_ASKED
from bot.content import CharterPack, Question
from bot.store import repository

ANSWER_STAGE = "answer"
COMMENT_STAGE = "comment:"
# After the last question: where the work sat on the ladder (when staff said),
# then whether they want to hear what changes ("you said, we did").
LADDER_STAGE = "ladder"
HEAR_BACK_STAGE = "hear_back"
# While the person chooses which answer to change, then while that question is
# asked again ("redo:<question id>").
CHANGE_STAGE = "change"
REDO_STAGE = "redo:"
YOUNG_PERSON = "young_person"


def current_question(pack: CharterPack, answered: set[str]) -> tuple[Question, int] | None:
    """The first question without an answer, and its number (from 1)."""
    for number, question in enumerate(pack.questions, start=1):
        if question.id not in answered:
            return question, number
    return None


def question_number(pack: CharterPack, question_id: str) -> int:
    """A question's number in its pack, from 1."""
    return next(n for n, q in enumerate(pack.questions, start=1) if q.id == question_id)


def questions_asked(pack: CharterPack, placed: bool) -> int:
    """How many questions a person is asked: the pack's, then where the work sat on
    the ladder (only when staff placed the work there), then whether to hear back."""
    return len(pack.questions) + (1 if placed else 0) + 1


def review_slots(
    ref: repository.ResponseRef | None, ready: bool, stage: str = ANSWER_STAGE
) -> list[dict[str, Any]]:
    return [
        SlotSet("review_ready", ready),
        SlotSet("review_response_id", None if ref is None else float(ref.response_id)),
        SlotSet("review_charter", None if ref is None else ref.charter),
        SlotSet("review_optional", None if ref is None else list(ref.optional_questions)),
        SlotSet("review_stage", stage if ready else None),
        SlotSet("review_answer", None),
        SlotSet("review_code", None),
    ]


def profile_slots(role: str | None, age_band: str | None) -> list[dict[str, Any]]:
    """Who is answering, as far as the store knows: the form asks for what is missing."""
    if role is not None and role != YOUNG_PERSON:
        age_band = NOT_ASKED
    return [SlotSet("review_role", role), SlotSet("review_age", age_band)]
