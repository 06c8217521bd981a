"""The pledge form's checks (``validate_pledge_form``): each answer read, and what it settles.

Signed before, which area, who is signing, the promises agreed a page at a time, and then
the organisation's or family member's details. The questions are in ``pledge_questions``.
"""

from __future__ import annotations

from functools import partialmethod
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.area import choose_area
from actions.common import NOT_ASKED, confidence_of, in_worker_thread, intent_of, text_of
from actions.pledge_register import asks_who_signed, show_register, wants_register
from actions.pledge_rules import (
    ALREADY,
    FAMILY_SLOTS,
    FORM_SLOTS,
    NO,
    ORGANISATION_SLOTS,
    PERSON,
    STOPPED,
    YES,
    known_area,
    long_date,
    pack_or_none,
    pages_of,
    pledge_items,
    pledge_pack,
    say_name_problem,
)
from actions.pledge_words import (
    AGREE_WORDS,
    ANOTHER_WORDS,
    MORE_WORDS,
    NO_NAME,
    NOT_NOW_WORDS,
    area_of,
    kind_of,
    plain_words,
)
from actions.typed_form import Question, TypedWordsForm
from bot.content import CharterPack
from bot.names import FAMILY_KINDS, SIGNER_KINDS
from bot.store import pledges
from bot.store.db import unit_of_work


def skip_details(kind: str | None) -> dict[str, Any]:
    """Mark the questions this signer is not asked."""
    if kind in FAMILY_KINDS:
        return {slot: NOT_ASKED for slot in ORGANISATION_SLOTS}
    if kind is None:
        return {slot: NOT_ASKED for slot in (*ORGANISATION_SLOTS, *FAMILY_SLOTS)}
    return {slot: NOT_ASKED for slot in FAMILY_SLOTS}


def end_form(outcome: str) -> dict[str, Any]:
    """Answer every question so the form ends with this outcome."""
    return {**{slot: NOT_ASKED for slot in FORM_SLOTS}, "pledge_agreed": outcome}


def area_known_from_earlier(value: Any) -> dict[str, Any]:
    """An area named earlier in the conversation, before the area question: kept if known."""
    pack = pack_or_none(value)
    return {"pledge_area": None if pack is None else pack.id}


def kept_outcome(value: Any) -> dict[str, Any] | None:
    """At another question, an outcome already settled (signed, not now, stopped) is kept."""
    return {} if value in (YES, NO, ALREADY, STOPPED) else None


def register_shown(slot: str, dispatcher: CollectingDispatcher, tracker: Tracker) -> dict[str, Any]:
    """Who has signed, asked at a question: the register, then the same question again."""
    show_register(dispatcher, tracker, offer_signing=False)
    return {slot: None}


class ValidatePledgeForm(TypedWordsForm):
    """Signed before? Which area, who is signing, the promises read and agreed, their details.

    Each question with buttons also takes the person's own words. Words that answer
    none of its options get that question's own message, and the same question again.
    """

    questions = {
        # Asked only of someone who signed before: nothing to check at another question.
        "pledge_again": Question(settled=(), unasked=lambda _value: {}, uses_store=True),
        "pledge_area": Question(unasked=area_known_from_earlier, uses_store=True),
        "pledge_kind": Question(uses_store=True),
        "pledge_agreed": Question(settled=(), unasked=kept_outcome, uses_store=True),
        "pledge_organisation": Question(uses_store=True),
        "pledge_representative": Question(uses_store=True),
        "pledge_rep_role": Question(uses_store=True),
        "pledge_name": Question(uses_store=True),
    }

    def name(self) -> str:
        return "validate_pledge_form"

    def stop(self, dispatcher: CollectingDispatcher) -> dict[str, Any]:
        dispatcher.utter_message(response="utter_pledge_stopped")
        return end_form(STOPPED)

    # At the start: anything signed before, and an area known already.

    @in_worker_thread
    def extract_pledge_again(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if tracker.get_slot("pledge_again") is not None or tracker.get_slot("requested_slot"):
            return {}
        with unit_of_work() as session:
            signed = bool(pledges.pledges_of(session, tracker.sender_id))
        return {} if signed else {"pledge_again": NOT_ASKED}

    def extract_pledge_area(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if tracker.get_slot("pledge_area") is not None:
            return {}
        if tracker.get_slot("requested_slot") == "pledge_area":
            return {}
        pack = known_area(tracker)
        return {} if pack is None else {"pledge_area": pack.id}

    def check_pledge_again(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> dict[str, Any]:
        if wants_register(tracker):
            return register_shown("pledge_again", dispatcher, tracker)
        intent, words = intent_of(tracker), plain_words(text_of(tracker))
        if intent == "deny" or (intent != "affirm" and NOT_NOW_WORDS.search(words)):
            dispatcher.utter_message(response="utter_pledge_again_no")
            return end_form(NO)
        if intent in ("affirm", "sign_pledge") or ANOTHER_WORDS.search(words):
            return {"pledge_again": YES}
        dispatcher.utter_message(response="utter_pledge_again_not_understood")
        return {"pledge_again": None}

    def check_pledge_area(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> dict[str, Any]:
        if wants_register(tracker):
            return register_shown("pledge_area", dispatcher, tracker)
        text = text_of(tracker)
        pack = pack_or_none(next(tracker.get_latest_entity_values("area"), None))
        if pack is None and not text.lstrip().startswith("/"):
            pack = pack_or_none(area_of(text))
        if pack is not None:
            return {"pledge_area": pack.id, "area": pack.id}
        return self.explain_or_ask_again(
            "pledge_area", dispatcher, tracker, text, "utter_pledge_area_not_understood"
        )

    def check_pledge_kind(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> dict[str, Any]:
        if wants_register(tracker):
            return register_shown("pledge_kind", dispatcher, tracker)
        kind = kind_of(next(tracker.get_latest_entity_values("signer"), None)) or kind_of(
            str(value)
        )
        if intent_of(tracker) == "choose_area":
            # Only here: later, an organisation's name often names its area.
            named = pack_or_none(next(tracker.get_latest_entity_values("area"), None))
            if named is not None:
                area = {**choose_area(dispatcher, tracker), "pledge_area": named.id}
                if kind in SIGNER_KINDS:
                    # "I'm a parent in Halton": the area and who is signing, both at once.
                    return {**area, **self._kind_chosen(dispatcher, tracker, kind, named)}
                return {**area, "pledge_kind": None}
            if kind not in SIGNER_KINDS:
                # "Change area": the area question comes back.
                return {"pledge_kind": None, "pledge_area": None}
        if kind == PERSON:
            # The question is asked again, narrower: a parent or carer, or a young person?
            return {"pledge_kind": None}
        if kind is None:
            return self.explain_or_ask_again(
                "pledge_kind",
                dispatcher,
                tracker,
                text_of(tracker),
                "utter_pledge_kind_not_understood",
            )
        return self._kind_chosen(dispatcher, tracker, kind, pledge_pack(tracker))

    @staticmethod
    def _kind_chosen(
        dispatcher: CollectingDispatcher, tracker: Tracker, kind: str, pack: CharterPack
    ) -> dict[str, Any]:
        if kind in FAMILY_KINDS:
            with unit_of_work() as session:
                already = pledges.active_pledge(session, pack.id, kind, tracker.sender_id)
                signed_at = already.signed_at if already else None
            if signed_at is not None:
                dispatcher.utter_message(
                    response="utter_pledge_already", area=pack.area, date=long_date(signed_at)
                )
                return {**end_form(ALREADY), "pledge_kind": kind}
        return {"pledge_kind": kind, "pledge_page": 0.0, **skip_details(kind)}

    def check_pledge_agreed(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> dict[str, Any]:
        kind = tracker.get_slot("pledge_kind")
        if kind not in SIGNER_KINDS:
            return {"pledge_agreed": None}
        if wants_register(tracker):
            return register_shown("pledge_agreed", dispatcher, tracker)
        intent, text = intent_of(tracker), text_of(tracker).strip().lower()
        words = plain_words(text)
        not_now = intent == "deny" or (
            intent not in ("affirm", "skip_question") and bool(NOT_NOW_WORDS.search(words))
        )
        if not_now:
            dispatcher.utter_message(response="utter_pledge_not_now")
            return end_form(NO)
        items, _ = pledge_items(pledge_pack(tracker), kind)
        page = int(tracker.get_slot("pledge_page") or 0)
        last = page >= pages_of(items) - 1
        wants_more = intent == "skip_question" or bool(MORE_WORDS.search(words))
        agrees = intent in ("affirm", "sign_pledge") or bool(AGREE_WORDS.search(words))
        if not last and (wants_more or agrees):
            return {"pledge_agreed": None, "pledge_page": float(page + 1)}
        if last and agrees:
            return {"pledge_agreed": YES}
        return self.explain_or_ask_again(
            "pledge_agreed", dispatcher, tracker, text, "utter_pledge_agree_not_understood"
        )

    def _typed_name(
        self, slot: str, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> dict[str, Any]:
        """A name typed for ``slot``, tidied, or a kind message and the question again."""
        if asks_who_signed(tracker):
            return register_shown(slot, dispatcher, tracker)
        return self.typed_words(
            slot,
            dispatcher,
            tracker,
            clean=pledges.clean_name,
            problem=pledges.NameProblem,
            say_problem=say_name_problem,
            is_question=lambda t, _text: confidence_of(t) > 0.8,
        )

    check_pledge_representative = partialmethod(_typed_name, "pledge_representative")
    check_pledge_rep_role = partialmethod(_typed_name, "pledge_rep_role")

    def check_pledge_organisation(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> dict[str, Any]:
        result = self._typed_name("pledge_organisation", value, dispatcher, tracker)
        organisation = result.get("pledge_organisation")
        if not organisation:
            return result
        pack = pledge_pack(tracker)
        kind = tracker.get_slot("pledge_kind")
        with unit_of_work() as session:
            lookalike = pledges.lookalike_organisation(session, organisation)
            already = pledges.active_pledge(session, pack.id, kind, tracker.sender_id, organisation)
            signed_at = already.signed_at if already else None
        if lookalike is not None:
            say_name_problem(dispatcher, pledges.LookalikeName(lookalike))
            return {"pledge_organisation": None}
        if signed_at is not None:
            dispatcher.utter_message(
                response="utter_pledge_already_organisation",
                organisation=organisation,
                area=pack.area,
                date=long_date(signed_at),
            )
            return {**result, **end_form(ALREADY)}
        return result

    def check_pledge_name(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> dict[str, Any]:
        if asks_who_signed(tracker):
            return register_shown("pledge_name", dispatcher, tracker)
        intent, text = intent_of(tracker), text_of(tracker).strip()
        if intent in ("skip_question", "deny") or NO_NAME.match(text.lower().lstrip("/")):
            return {"pledge_name": NOT_ASKED}
        try:
            return {"pledge_name": pledges.clean_first_name(text)}
        except pledges.NameProblem as problem:
            say_name_problem(dispatcher, problem)
            return {"pledge_name": None}
