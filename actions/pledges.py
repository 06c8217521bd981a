"""Signing a charter's pledges, and taking a pledge back."""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.area import choose_area
from actions.common import (
    NOT_ASKED,
    channel_of,
    chosen_pack,
    confidence_of,
    in_worker_thread,
    intent_of,
    looks_like_question,
    text_of,
    wants_to_stop,
)
from actions.forms import typed_words
from actions.learn import EXPLAIN_INTENTS, explain
from bot.content import CharterPack, ContentError, get_pack
from bot.nlp.profile import role_of
from bot.store import pledges
from bot.store.db import unit_of_work
from bot.store.models import SIGNER_KINDS

PAGE_SIZE = 5
YES, NO, ALREADY, STOPPED = "yes", "no", "already", "stopped"
KEEP = "keep"
FAMILY_SLOTS = ("pledge_name",)
ORGANISATION_SLOTS = ("pledge_organisation", "pledge_representative", "pledge_rep_role")
FORM_SLOTS = ("pledge_kind", "pledge_agreed", *ORGANISATION_SLOTS, *FAMILY_SLOTS)
KIND_WORDS = {
    "organisation": "an organisation or service",
    "parent_carer_forum": "a parent carer forum",
    "parents_and_carers": "a parent or carer",
    "young_people": "a young person",
}
KIND_BUTTONS = (
    ("🏢 Organisation or service", "organisation"),
    ("👥 Parent carer forum", "parent_carer_forum"),
    ("👪 Parent or carer", "parents_and_carers"),
    ("🧒 Young person", "young_people"),
)
_ORGANISATION_WORDS = re.compile(
    r"\b(organi[sz]ation|service|council|school|college|nursery|nhs|hospital|charity|"
    r"company|business|team|trust|academy|board|department|provider|agency)\b"
)
_FORUM_WORDS = re.compile(r"\bforum\b|\bpcf\b")
_MORE_WORDS = re.compile(r"\b(more|next|go on|carry on|continue|keep going|read on)\b")
_ROLE_TO_KIND = {
    "parent_carer": "parents_and_carers",
    "young_person": "young_people",
    "practitioner": "organisation",
}
# A family member may sign without a name: these answers mean "no name".
_NO_NAME = re.compile(
    r"^(no|nope|no name|none|anon|anonymous|anonymously|skip|rather not|no thanks)\b"
)


def kind_of(text: str | None) -> str | None:
    """The kind of signer a button sent or a typed answer names; None if unclear."""
    if not text:
        return None
    lowered = text.strip().lower()
    if lowered in SIGNER_KINDS:
        return lowered
    if _FORUM_WORDS.search(lowered):
        return "parent_carer_forum"
    if _ORGANISATION_WORDS.search(lowered):
        return "organisation"
    return _ROLE_TO_KIND.get(role_of(lowered) or "")


def pledge_items(pack: CharterPack, kind: str) -> tuple[tuple[str, ...], bool]:
    """The pledges for this kind of signer, and whether the charter wrote them for it.

    Where a charter lists no pledges for a kind of signer, they pledge to
    support the charter's principles.
    """
    if kind in pack.pledges:
        return pack.pledges[kind], True
    return tuple(f"{p.name}: {p.easy_read}" for p in pack.principles), False


def pages_of(items: tuple[str, ...]) -> int:
    return max(1, -(-len(items) // PAGE_SIZE))


def pledge_pack(tracker: Tracker) -> CharterPack:
    return chosen_pack(tracker)


def skip_details(kind: str | None) -> dict[str, Any]:
    """Mark the questions this signer is not asked."""
    if kind in pledges.FAMILY_KINDS:
        return {slot: NOT_ASKED for slot in ORGANISATION_SLOTS}
    if kind is None:
        return {slot: NOT_ASKED for slot in (*ORGANISATION_SLOTS, *FAMILY_SLOTS)}
    return {slot: NOT_ASKED for slot in FAMILY_SLOTS}


def end_form(outcome: str) -> dict[str, Any]:
    """Answer every remaining question so the form ends with this outcome."""
    return {"pledge_agreed": outcome, **skip_details(None)}


class ActionAskPledgeKind(Action):
    def name(self) -> str:
        return "action_ask_pledge_kind"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        pack = pledge_pack(tracker)
        buttons = [
            {"title": title, "payload": f'/inform{{"signer": "{kind}"}}'}
            for title, kind in KIND_BUTTONS
        ]
        buttons.append({"title": "🗺️ Change area", "payload": "/choose_area"})
        dispatcher.utter_message(response="utter_ask_pledge_kind", area=pack.area, buttons=buttons)
        return []


class ActionAskPledgeAgreed(Action):
    """Show the pledges a few at a time; "I pledge" comes with the last few."""

    def name(self) -> str:
        return "action_ask_pledge_agreed"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        kind = tracker.get_slot("pledge_kind")
        if kind not in SIGNER_KINDS:
            return []
        pack = pledge_pack(tracker)
        items, written = pledge_items(pack, kind)
        pages = pages_of(items)
        page = min(int(tracker.get_slot("pledge_page") or 0), pages - 1)
        shown = items[page * PAGE_SIZE : (page + 1) * PAGE_SIZE]
        last = page == pages - 1
        buttons = (
            [{"title": "✍️ I pledge", "payload": "/affirm"}]
            if last
            else [{"title": "➡️ Next promises", "payload": "/skip_question"}]
        )
        buttons.append({"title": "❌ Not now", "payload": "/deny"})
        if page == 0:
            dispatcher.utter_message(
                response="utter_pledge_intro" if written else "utter_pledge_intro_principles",
                area=pack.area,
                kind=KIND_WORDS[kind],
            )
        dispatcher.utter_message(
            response="utter_pledge_page",
            pledges="\n".join(f"• {item}" for item in shown),
            part=page + 1,
            parts=pages,
            buttons=buttons,
        )
        return []


class ValidatePledgeForm(FormValidationAction):
    """Who is signing, the promises read and agreed, then their details."""

    def name(self) -> str:
        return "validate_pledge_form"

    @staticmethod
    def _stop(dispatcher: CollectingDispatcher) -> dict[str, Any]:
        dispatcher.utter_message(response="utter_pledge_stopped")
        return {"pledge_kind": NOT_ASKED, **end_form(STOPPED)}

    @in_worker_thread
    def validate_pledge_kind(
        self,
        slot_value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> dict[str, Any]:
        if slot_value is None or slot_value == NOT_ASKED:
            return {}
        if wants_to_stop(tracker):
            return self._stop(dispatcher)
        if intent_of(tracker) == "choose_area":
            # Only here: later, an organisation's name often names its area.
            return {"pledge_kind": None, **choose_area(dispatcher, tracker)}
        kind = kind_of(next(tracker.get_latest_entity_values("signer"), None)) or kind_of(
            str(slot_value)
        )
        if kind is None:
            dispatcher.utter_message(response="utter_pledge_kind_not_understood")
            return {"pledge_kind": None}
        if kind in pledges.FAMILY_KINDS:
            pack = pledge_pack(tracker)
            with unit_of_work() as session:
                already = pledges.active_pledge(session, pack.id, kind, tracker.sender_id)
                signed_at = already.signed_at if already else None
            if signed_at is not None:
                dispatcher.utter_message(
                    response="utter_pledge_already", area=pack.area, date=f"{signed_at:%d %B %Y}"
                )
                return {"pledge_kind": kind, **end_form(ALREADY)}
        return {"pledge_kind": kind, "pledge_page": 0.0, **skip_details(kind)}

    def validate_pledge_agreed(
        self,
        slot_value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> dict[str, Any]:
        if slot_value is None or slot_value in (YES, NO, ALREADY, STOPPED):
            return {}
        if wants_to_stop(tracker):
            return self._stop(dispatcher)
        kind = tracker.get_slot("pledge_kind")
        if kind not in SIGNER_KINDS:
            return {"pledge_agreed": None}
        intent, text = intent_of(tracker), text_of(tracker).strip().lower()
        if intent == "deny":
            dispatcher.utter_message(response="utter_pledge_not_now")
            return end_form(NO)
        items, _ = pledge_items(pledge_pack(tracker), kind)
        page = int(tracker.get_slot("pledge_page") or 0)
        last = page >= pages_of(items) - 1
        wants_more = intent == "skip_question" or bool(_MORE_WORDS.search(text))
        agrees = intent in ("affirm", "sign_pledge") or "pledge" in text or "agree" in text
        if not last and (wants_more or agrees):
            return {"pledge_agreed": None, "pledge_page": float(page + 1)}
        if last and agrees:
            return {"pledge_agreed": YES}
        if intent in EXPLAIN_INTENTS and looks_like_question(text):
            return {"pledge_agreed": None, **explain(dispatcher, tracker, intent)}
        dispatcher.utter_message(response="utter_pledge_agree_not_understood")
        return {"pledge_agreed": None}

    def _name(
        self,
        slot: str,
        slot_value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
    ) -> dict[str, Any]:
        """A name typed for ``slot``, tidied, or a kind message and the question again."""
        return typed_words(
            slot,
            slot_value,
            dispatcher,
            tracker,
            stop=lambda d: {slot: NOT_ASKED, **self._stop(d)},
            clean=pledges.clean_name,
            problem=pledges.NameProblem,
            say_problem=say_name_problem,
            is_question=lambda t, _text: confidence_of(t) > 0.8,
        )

    @in_worker_thread
    def validate_pledge_organisation(
        self,
        slot_value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> dict[str, Any]:
        result = self._name("pledge_organisation", slot_value, dispatcher, tracker)
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
                date=f"{signed_at:%d %B %Y}",
            )
            return {**result, **end_form(ALREADY)}
        return result

    def validate_pledge_representative(
        self,
        slot_value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> dict[str, Any]:
        return self._name("pledge_representative", slot_value, dispatcher, tracker)

    def validate_pledge_rep_role(
        self,
        slot_value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> dict[str, Any]:
        return self._name("pledge_rep_role", slot_value, dispatcher, tracker)

    def validate_pledge_name(
        self,
        slot_value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> dict[str, Any]:
        if slot_value is None or slot_value == NOT_ASKED:
            return {}
        if wants_to_stop(tracker):
            return {"pledge_name": NOT_ASKED, **self._stop(dispatcher)}
        intent, text = intent_of(tracker), text_of(tracker).strip()
        if intent in ("skip_question", "deny") or _NO_NAME.match(text.lower().lstrip("/")):
            return {"pledge_name": NOT_ASKED}
        try:
            return {"pledge_name": pledges.clean_first_name(text)}
        except pledges.NameProblem as problem:
            say_name_problem(dispatcher, problem)
            return {"pledge_name": None}


def say_name_problem(dispatcher: CollectingDispatcher, problem: ValueError) -> None:
    """Why a name cannot go on the list, kindly (``utter_name_<problem>`` in the domain)."""
    dispatcher.utter_message(
        response=f"utter_name_{problem}",
        limit=pledges.NAME_MAX,
        existing=getattr(problem, "existing", ""),
    )


def given(tracker: Tracker, slot: str) -> str | None:
    value = tracker.get_slot(slot)
    return None if value in (None, NOT_ASKED) else str(value)


def clear_form() -> list[dict[str, Any]]:
    return [SlotSet(slot, None) for slot in (*FORM_SLOTS, "pledge_page")]


class ActionSavePledge(Action):
    """Save the pledge (once), and say what was signed and how to take it back."""

    def name(self) -> str:
        return "action_save_pledge"

    @in_worker_thread
    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        kind = tracker.get_slot("pledge_kind")
        if tracker.get_slot("pledge_agreed") != YES or kind not in SIGNER_KINDS:
            return clear_form()
        pack = pledge_pack(tracker)
        try:
            with unit_of_work() as session:
                signed = pledges.sign_pledge(
                    session,
                    pseudonym=tracker.sender_id,
                    channel=channel_of(tracker),
                    charter=pack.id,
                    kind=kind,
                    organisation=given(tracker, "pledge_organisation"),
                    representative=given(tracker, "pledge_representative"),
                    representative_role=given(tracker, "pledge_rep_role"),
                    first_name=given(tracker, "pledge_name"),
                )
        except pledges.NameProblem as problem:
            # Another organisation signed with a name like this one since it was typed.
            say_name_problem(dispatcher, problem)
            dispatcher.utter_message(response="utter_pledge_not_signed")
            return clear_form()
        date = f"{signed.signed_at:%d %B %Y}"
        if signed.already:
            dispatcher.utter_message(response="utter_pledge_already", area=pack.area, date=date)
        elif kind in pledges.FAMILY_KINDS:
            dispatcher.utter_message(
                response="utter_pledge_signed_family",
                area=pack.area,
                kind=KIND_WORDS[kind],
                date=date,
            )
        else:
            dispatcher.utter_message(
                response="utter_pledge_signed_organisation",
                area=pack.area,
                organisation=given(tracker, "pledge_organisation"),
                date=date,
            )
        return clear_form()


def describe_pledge(pledge: Any) -> str:
    try:
        area = get_pack(pledge.charter).area
    except ContentError:
        area = pledge.charter
    who = pledge.organisation or KIND_WORDS.get(pledge.signer_kind, "you")
    return f"{area}, as {who}, {pledge.signed_at:%d %b %Y}"


class ActionWithdrawPledge(Action):
    """Take back the pledge the person chose; first show which pledges they have."""

    def name(self) -> str:
        return "action_withdraw_pledge"

    @in_worker_thread
    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        chosen = next(tracker.get_latest_entity_values("pledge_ref"), None)
        if chosen == KEEP:
            dispatcher.utter_message(response="utter_pledge_kept")
            return []
        with unit_of_work() as session:
            if chosen is not None:
                withdrawn = None
                if str(chosen).isdigit():
                    withdrawn = pledges.withdraw_pledge(session, tracker.sender_id, int(chosen))
                if withdrawn is None:
                    dispatcher.utter_message(response="utter_pledge_withdraw_gone")
                else:
                    dispatcher.utter_message(
                        response="utter_pledge_withdrawn",
                        pledge=describe_pledge(withdrawn),
                        date=f"{withdrawn.withdrawn_at:%d %B %Y}",
                    )
                return []
            signed = pledges.pledges_of(session, tracker.sender_id)
            buttons = [
                {
                    "title": f"↩️ {describe_pledge(p)}",
                    "payload": f'/withdraw_pledge{{"pledge_ref": "{p.id}"}}',
                }
                for p in signed
            ]
        if not buttons:
            dispatcher.utter_message(response="utter_pledge_none_to_withdraw")
            return []
        buttons.append(
            {"title": "❌ Keep my pledge", "payload": f'/withdraw_pledge{{"pledge_ref": "{KEEP}"}}'}
        )
        dispatcher.utter_message(response="utter_pledge_choose_withdraw", buttons=buttons)
        return []
