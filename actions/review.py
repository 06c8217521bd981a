"""The review: one easy-read question at a time, each answer saved as it is given."""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import SlotSet
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
from bot.content import CharterPack, Question, get_pack
from bot.nlp.profile import age_band_of, role_of
from bot.settings import get_settings
from bot.store import repository, updates
from bot.store.db import unit_of_work
from bot.store.models import LADDER_PLACES, LADDER_QUESTION

ANSWER_STAGE = "answer"
COMMENT_STAGE = "comment:"
# After the last question: where the work sat on the ladder (when staff said),
# then whether they want to hear what changes ("you said, we did").
LADDER_STAGE = "ladder"
HEAR_BACK_STAGE = "hear_back"
GENERAL_CODE = "GENERAL"
YOUNG_PERSON = "young_person"
# A typed answer longer than this many words is kept as the person's comment too.
BARE_ANSWER_WORDS = 3
# A typed answer is saved only when the classifier is this sure: genuine answers
# score near 1.0, while gibberish or markup can score 0.8. Asking again costs
# one message; a wrong answer saved misleads the staff who read the totals.
TYPED_ANSWER_CONFIDENCE = 0.9


def word_count(text: str) -> int:
    return len(re.findall(r"\w+", text))


def current_question(pack: CharterPack, answered: set[str]) -> tuple[Question, int] | None:
    """The first question without an answer, and its number (from 1)."""
    for number, question in enumerate(pack.questions, start=1):
        if question.id not in answered:
            return question, number
    return None


def review_slots(ref: repository.ResponseRef | None, ready: bool) -> list[dict[str, Any]]:
    return [
        SlotSet("review_ready", ready),
        SlotSet("review_response_id", None if ref is None else float(ref.response_id)),
        SlotSet("review_charter", None if ref is None else ref.charter),
        SlotSet("review_stage", ANSWER_STAGE if ready else None),
        SlotSet("review_answer", None),
        SlotSet("review_code", None),
    ]


def profile_slots(role: str | None, age_band: str | None) -> list[dict[str, Any]]:
    """Who is answering, as far as the store knows: the form asks for what is missing."""
    if role is not None and role != YOUNG_PERSON:
        age_band = NOT_ASKED
    return [SlotSet("review_role", role), SlotSet("review_age", age_band)]


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
            role, age_band = repository.profile_of(session, sender)
        pack = get_pack(ref.charter)
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
                total=len(pack.questions),
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
        if stage == HEAR_BACK_STAGE:
            dispatcher.utter_message(response="utter_review_hear_back")
            return []
        if stage == LADDER_STAGE:
            dispatcher.utter_message(response="utter_review_ladder")
            return []
        response_id = tracker.get_slot("review_response_id")
        if response_id is None:
            return []
        pack = pack_for(tracker)
        with unit_of_work() as session:
            answered = set(repository.answered_questions(session, int(response_id)))
        found = current_question(pack, answered)
        if found is None:
            return []
        question, number = found
        dispatcher.utter_message(
            response="utter_review_question",
            number=number,
            total=len(pack.questions),
            question=question.simple if simple_mode(tracker) else question.text,
        )
        return []


class ValidateReviewForm(FormValidationAction):
    """Save who is answering, then each answer and comment, the moment they arrive."""

    def name(self) -> str:
        return "validate_review_form"

    @in_worker_thread
    def validate_review_role(
        self,
        slot_value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> dict[str, Any]:
        if slot_value is None:
            return {}
        role = role_of(next(tracker.get_latest_entity_values("role"), None)) or role_of(
            str(slot_value)
        )
        if role is None:
            dispatcher.utter_message(response="utter_profile_not_understood")
            return {"review_role": None}
        with unit_of_work() as session:
            repository.set_profile(session, tracker.sender_id, channel_of(tracker), role=role)
        return {"review_role": role, "review_age": None if role == YOUNG_PERSON else NOT_ASKED}

    @in_worker_thread
    def validate_review_age(
        self,
        slot_value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> dict[str, Any]:
        if slot_value is None or slot_value == NOT_ASKED:
            return {}
        band = age_band_of(next(tracker.get_latest_entity_values("age_band"), None))
        band = band or age_band_of(str(slot_value))
        if band is None:
            dispatcher.utter_message(response="utter_profile_not_understood")
            return {"review_age": None}
        response_id = tracker.get_slot("review_response_id")
        with unit_of_work() as session:
            repository.set_profile(session, tracker.sender_id, channel_of(tracker), age_band=band)
            if band == "under_13" and response_id is not None:
                repository.mark_with_help(session, int(response_id))
        if band == "under_13":
            dispatcher.utter_message(response="utter_with_trusted_adult")
        return {"review_age": band}

    @in_worker_thread
    def validate_review_answer(
        self,
        slot_value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> dict[str, Any]:
        if slot_value is None:
            # The slot was only emptied (a review starting): nothing was said to it.
            return {}
        response_id = tracker.get_slot("review_response_id")
        if response_id is None:
            return {"review_answer": "done", "review_stage": None}
        pack = pack_for(tracker)
        stage = tracker.get_slot("review_stage") or ANSWER_STAGE
        intent, text = intent_of(tracker), text_of(tracker)
        slots: dict[str, Any] = {}
        with unit_of_work() as session:
            answered = set(repository.answered_questions(session, int(response_id)))
            if stage == HEAR_BACK_STAGE:
                stage = self._take_hear_back(dispatcher, tracker, session, int(response_id), slots)
            elif stage == LADDER_STAGE:
                stage = self._take_ladder(dispatcher, tracker, session, int(response_id), slots)
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
                stage = self._after_questions(session, int(response_id), answered)
        done = stage == ANSWER_STAGE and current_question(pack, answered) is None
        slots.update(
            review_answer="done" if done else None,
            review_stage=None if done else stage,
        )
        return slots

    @staticmethod
    def _after_questions(session: Any, response_id: int, answered: set[str]) -> str:
        """After the last question: the ladder (when staff placed the work), then hear back."""
        if LADDER_QUESTION not in answered and repository.level_of_response(session, response_id):
            return LADDER_STAGE
        if updates.hear_back_of(session, response_id) is None:
            return HEAR_BACK_STAGE
        return ANSWER_STAGE

    def _take_ladder(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        session: Any,
        response_id: int,
        slots: dict[str, Any],
    ) -> str:
        """Where the person felt the work sat: done to, for or with them (or not sure)."""

        def save(intent: str | None, sure: bool) -> bool:
            place = next(tracker.get_latest_entity_values("ladder_place"), None)
            if place not in LADDER_PLACES:
                place = "not_sure" if sure and intent in ("unsure", "skip_question") else None
            if place is not None:
                repository.record_answer(
                    session, response_id, LADDER_QUESTION, place, channel_of(tracker)
                )
            return place is not None

        return self._closing_question(dispatcher, tracker, slots, LADDER_STAGE, save)

    def _take_hear_back(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        session: Any,
        response_id: int,
        slots: dict[str, Any],
    ) -> str:
        """Yes keeps them on the list for "you said, we did"; anything like no does not.

        Not sure counts as no: nothing is sent to anyone who did not clearly ask.
        """

        def save(intent: str | None, sure: bool) -> bool:
            if sure and intent in ("affirm", "deny", "skip_question", "unsure"):
                updates.set_hear_back(session, response_id, intent == "affirm")
                return True
            return False

        return self._closing_question(dispatcher, tracker, slots, HEAR_BACK_STAGE, save)

    @staticmethod
    def _closing_question(
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        slots: dict[str, Any],
        stage: str,
        save: Any,
    ) -> str:
        """A question after the last one: ``save(intent, sure)`` keeps an answer it
        understands (a typed one only when the classifier is sure); a question about a
        word is explained, anything else is asked again."""
        intent = intent_of(tracker)
        typed = typed_by_person(text_of(tracker))
        if save(intent, not typed or confidence_of(tracker) >= TYPED_ANSWER_CONFIDENCE):
            return ANSWER_STAGE
        if intent in EXPLAIN_INTENTS:
            slots.update(explain(dispatcher, tracker, intent))
        elif intent == "simpler":
            slots["simple_mode"] = True
        else:
            dispatcher.utter_message(response="utter_review_not_understood")
        return stage

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
        no_more = intent in ("skip_question", "deny") and word_count(text) <= BARE_ANSWER_WORDS
        if typed_by_person(text) and not no_more:
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
    ) -> str:
        found = current_question(pack, answered)
        if found is None:
            return ANSWER_STAGE
        question, _ = found
        intent, text = intent_of(tracker), text_of(tracker)
        typed = typed_by_person(text)
        if (
            intent in ANSWER_VALUES_BY_INTENT
            and typed
            and confidence_of(tracker) < (TYPED_ANSWER_CONFIDENCE)
        ):
            dispatcher.utter_message(response="utter_review_not_understood")
            return ANSWER_STAGE
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
        elif intent != "greet":
            dispatcher.utter_message(response="utter_review_not_understood")
        return ANSWER_STAGE


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
