"""The review: one easy-read question at a time, each answer saved as it is given.

Its closing questions (the ladder, hearing back) and the thank you are in
``actions.review_closing``.
"""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import (
    ANSWER_VALUES_BY_INTENT,
    NOT_ASKED,
    channel_of,
    chosen_pack,
    confidence_of,
    in_worker_thread,
    intent_of,
    pack_for,
    simple_mode,
    text_of,
    typed_by_person,
)
from actions.learn import EXPLAIN_INTENTS, explain
from actions.need_help import NEED_HELP, give_help
from actions.review_change import ANSWER_LABELS, ask_which, chosen_question, question_id_for
from actions.review_closing import after_questions, ask_closing, take_hear_back, take_ladder
from actions.review_state import (
    ANSWER_STAGE,
    CHANGE_STAGE,
    COMMENT_STAGE,
    HEAR_BACK_STAGE,
    LADDER_STAGE,
    REDO_STAGE,
    YOUNG_PERSON,
    current_question,
    profile_slots,
    question_number,
    questions_asked,
    review_slots,
)
from actions.typed_answers import TYPED_ANSWER_CONFIDENCE, says_nothing_more
from actions.typed_form import Question, TypedWordsForm
from bot.content import CharterPack, get_pack
from bot.names import LADDER_QUESTION
from bot.nlp.profile import age_band_of, role_of
from bot.settings import get_settings
from bot.store import repository
from bot.store.db import unit_of_work

GENERAL_CODE = "GENERAL"
# A typed answer longer than this many words is kept as the person's comment too.
BARE_ANSWER_WORDS = 3


def word_count(text: str) -> int:
    return len(re.findall(r"\w+", text))


def keep_for(days: int) -> str:
    """How long answers are kept, in words ("1 year", "6 months", "30 days")."""
    if days % 365 == 0:
        years = days // 365
        return "1 year" if years == 1 else f"{years} years"
    if days % 30 == 0 and days >= 60:
        return f"{days // 30} months"
    return "1 day" if days == 1 else f"{days} days"


class ActionStartReview(Action):
    """Open the review named by a code, carry on an unfinished one, or start a general one."""

    def name(self) -> str:
        return "action_start_review"

    @in_worker_thread
    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        code = next(tracker.get_latest_entity_values("review_code"), None)
        code = code or tracker.get_slot("review_code")
        sender, channel = tracker.sender_id, channel_of(tracker)
        with unit_of_work() as session:
            review = None
            if code and code.strip().upper() != GENERAL_CODE:
                review = repository.find_open_review(session, code)
                if review is None:
                    dispatcher.utter_message(response="utter_review_code_unknown", review_code=code)
                    return review_slots(None, ready=False)
            else:
                unfinished = repository.unfinished_response(session, sender)
                if unfinished is not None:
                    review = repository.review_by_code(session, unfinished.review_code)
            if review is None:
                pack = chosen_pack(tracker)
                review = repository.ensure_general_review(
                    session, pack.id, pack.general_review_title
                )
            ref = repository.start_or_resume(session, review, sender, channel)
            answered = set(repository.answered_questions(session, ref.response_id))
            placed = repository.level_of_response(session, ref.response_id) is not None
            role, age_band = repository.profile_of(session, sender)
        pack = get_pack(ref.charter).with_optional(ref.optional_questions)
        if current_question(pack, answered) is None:
            dispatcher.utter_message(response="utter_review_already_done")
            return review_slots(None, ready=False)
        if role is None:
            settings = get_settings()
            dispatcher.utter_message(
                response="utter_privacy_notice",
                min_group=settings.min_group,
                keep_for=keep_for(settings.retention_days),
            )
        if answered:
            dispatcher.utter_message(response="utter_review_resume", review_title=ref.review_title)
        else:
            dispatcher.utter_message(
                response="utter_review_intro",
                review_title=ref.review_title,
                total=questions_asked(pack, placed),
            )
        return review_slots(ref, ready=True) + profile_slots(role, age_band)


class ActionAskReviewAnswer(Action):
    """Ask the next question, or whether the person wants to tell us more."""

    def name(self) -> str:
        return "action_ask_review_answer"

    @in_worker_thread
    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        stage = tracker.get_slot("review_stage") or ANSWER_STAGE
        if stage.startswith(COMMENT_STAGE):
            dispatcher.utter_message(response="utter_review_tell_more")
            return []
        response_id = tracker.get_slot("review_response_id")
        if response_id is None:
            return []
        pack = pack_for(tracker)
        with unit_of_work() as session:
            answers = repository.answered_questions(session, int(response_id))
            placed = repository.level_of_response(session, int(response_id)) is not None
        total = questions_asked(pack, placed)
        if ask_closing(dispatcher, stage, total):
            return []
        if stage == CHANGE_STAGE:
            ask_which(dispatcher, pack, answers)
            return []
        if stage.startswith(REDO_STAGE):
            question_id = stage[len(REDO_STAGE) :]
            question, number = pack.question(question_id), question_number(pack, question_id)
            old_answer = ANSWER_LABELS[answers[question_id].value]
            response = "utter_review_question_again"
        else:
            found = current_question(pack, set(answers))
            if found is None:
                return []
            (question, number), old_answer = found, None
            response = "utter_review_question"
        dispatcher.utter_message(
            response=response,
            number=number,
            total=total,
            question=question.simple if simple_mode(tracker) else question.text,
            old_answer=old_answer,
        )
        return []


class ValidateReviewForm(TypedWordsForm):
    """Save who is answering, then each answer and comment, the moment they arrive.

    "Stop" is not taken here: it pauses the review, outside the form.
    """

    questions = {
        "review_role": Question(settled=(), stops=False, uses_store=True),
        # Not asked of a parent, carer or practitioner.
        "review_age": Question(stops=False, uses_store=True),
        # Only None (the slot emptied as a review starts) is nothing said to it.
        "review_answer": Question(settled=(), stops=False, uses_store=True),
    }

    def name(self) -> str:
        return "validate_review_form"

    def check_review_role(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> dict[str, Any]:
        role = role_of(next(tracker.get_latest_entity_values("role"), None)) or role_of(str(value))
        if role is None:
            dispatcher.utter_message(response="utter_role_not_understood")
            return {"review_role": None}
        with unit_of_work() as session:
            repository.set_profile(session, tracker.sender_id, channel_of(tracker), role=role)
        return {"review_role": role, "review_age": None if role == YOUNG_PERSON else NOT_ASKED}

    def check_review_age(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> dict[str, Any]:
        band = age_band_of(next(tracker.get_latest_entity_values("age_band"), None))
        band = band or age_band_of(str(value))
        if band is None:
            dispatcher.utter_message(response="utter_age_not_understood")
            return {"review_age": None}
        response_id = tracker.get_slot("review_response_id")
        with unit_of_work() as session:
            repository.set_profile(session, tracker.sender_id, channel_of(tracker), age_band=band)
            if band == "under_13" and response_id is not None:
                repository.mark_with_help(session, int(response_id))
        if band == "under_13":
            dispatcher.utter_message(response="utter_with_trusted_adult")
        return {"review_age": band}

    def check_review_answer(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> dict[str, Any]:
        response_id = tracker.get_slot("review_response_id")
        if response_id is None:
            return {"review_answer": "done", "review_stage": None}
        pack = pack_for(tracker)
        stage = tracker.get_slot("review_stage") or ANSWER_STAGE
        intent, text = intent_of(tracker), text_of(tracker)
        slots: dict[str, Any] = {}
        with unit_of_work() as session:
            answered = set(repository.answered_questions(session, int(response_id)))
            if intent == "change_answer" or stage == CHANGE_STAGE:
                stage = self._take_change(
                    dispatcher, tracker, session, int(response_id), pack, stage
                )
            elif stage.startswith(REDO_STAGE):
                stage = self._take_answer(
                    dispatcher,
                    tracker,
                    session,
                    int(response_id),
                    pack,
                    answered,
                    slots,
                    question_id=stage[len(REDO_STAGE) :],
                )
                answered = set(repository.answered_questions(session, int(response_id)))
            elif stage == HEAR_BACK_STAGE:
                stage = take_hear_back(dispatcher, tracker, session, int(response_id), slots)
            elif stage == LADDER_STAGE:
                stage = take_ladder(dispatcher, tracker, session, int(response_id), slots)
                answered = set(repository.answered_questions(session, int(response_id)))
            elif stage.startswith(COMMENT_STAGE):
                stage = self._take_comment(
                    dispatcher, tracker, session, int(response_id), stage, intent, text, slots
                )
            else:
                stage = self._take_answer(
                    dispatcher, tracker, session, int(response_id), pack, answered, slots
                )
                answered = set(repository.answered_questions(session, int(response_id)))
            if stage == ANSWER_STAGE and current_question(pack, answered) is None:
                stage = after_questions(session, int(response_id), answered)
        done = stage == ANSWER_STAGE and current_question(pack, answered) is None
        slots.update(
            review_answer="done" if done else None,
            review_stage=None if done else stage,
        )
        return slots

    @staticmethod
    def _take_change(
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        session: Any,
        response_id: int,
        pack: CharterPack,
        stage: str,
    ) -> str:
        """Which answer to change: named in the request ("question 2", "my last answer"),
        or pressed from the list of answers. Saying no goes back to the review."""
        answers = repository.answered_questions(session, response_id)
        if not answers:
            dispatcher.utter_message(response="utter_review_change_none_yet")
            return ANSWER_STAGE
        named = chosen_question(tracker, text_of(tracker), bare_number=stage == CHANGE_STAGE)
        chosen = question_id_for(named, pack, answers)
        if chosen is not None:
            return REDO_STAGE + chosen
        if stage != CHANGE_STAGE:
            return CHANGE_STAGE
        if intent_of(tracker) in ("deny", "stop", "skip_question", "goodbye"):
            dispatcher.utter_message(response="utter_review_change_kept")
            return ANSWER_STAGE
        if intent_of(tracker) != "change_answer" or named is not None:
            dispatcher.utter_message(response="utter_review_change_not_understood")
        return CHANGE_STAGE

    def _take_comment(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        session: Any,
        response_id: int,
        stage: str,
        intent: str | None,
        text: str,
        slots: dict[str, Any],
    ) -> str:
        if intent in EXPLAIN_INTENTS:
            slots.update(explain(dispatcher, tracker, intent))
            return stage
        no_more = says_nothing_more(text) or (
            intent in ("skip_question", "deny") and word_count(text) <= BARE_ANSWER_WORDS
        )
        if intent == NEED_HELP:
            give_help(dispatcher, tracker)
        elif typed_by_person(text) and not no_more:
            question_id = stage[len(COMMENT_STAGE) :]
            if repository.add_comment(session, response_id, question_id, text):
                dispatcher.utter_message(response="utter_review_comment_saved")
        return ANSWER_STAGE

    def _take_answer(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        session: Any,
        response_id: int,
        pack: CharterPack,
        answered: set[str],
        slots: dict[str, Any],
        question_id: str | None = None,
    ) -> str:
        """Save the answer to the current question, or to ``question_id`` asked again."""
        if question_id == LADDER_QUESTION:
            return take_ladder(dispatcher, tracker, session, response_id, slots)
        found = current_question(pack, answered) if question_id is None else None
        question = found[0] if found else pack.question(question_id) if question_id else None
        if question is None:
            return ANSWER_STAGE
        asked_again = ANSWER_STAGE if question_id is None else REDO_STAGE + question_id
        intent, text = intent_of(tracker), text_of(tracker)
        typed = typed_by_person(text)
        if (
            intent in ANSWER_VALUES_BY_INTENT
            and typed
            and confidence_of(tracker) < (TYPED_ANSWER_CONFIDENCE)
        ):
            dispatcher.utter_message(response="utter_review_not_understood")
            return asked_again
        if intent in ANSWER_VALUES_BY_INTENT:
            value = ANSWER_VALUES_BY_INTENT[intent]
            comment = text.strip() if typed and word_count(text) > BARE_ANSWER_WORDS else None
            repository.record_answer(
                session, response_id, question.id, value, channel_of(tracker), comment
            )
            if comment:
                dispatcher.utter_message(response="utter_review_comment_saved")
            if value == "skipped" or comment:
                return ANSWER_STAGE
            return COMMENT_STAGE + question.id
        if intent == "simpler":
            slots["simple_mode"] = True
        elif intent == "help":
            dispatcher.utter_message(response="utter_review_help")
        elif intent in EXPLAIN_INTENTS:
            slots.update(explain(dispatcher, tracker, intent))
        elif intent == NEED_HELP:
            give_help(dispatcher, tracker)
        elif intent != "greet":
            dispatcher.utter_message(response="utter_review_not_understood")
        return asked_again
