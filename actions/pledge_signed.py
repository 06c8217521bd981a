"""After the pledge form: the pledge saved and confirmed, or one taken back on request."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import NOT_ASKED, channel_of, in_worker_thread
from actions.pledge_rules import (
    FORM_SLOTS,
    KIND_WORDS,
    YES,
    describe_pledge,
    long_date,
    pledge_pack,
    say_name_problem,
)
from bot.names import FAMILY_KINDS, SIGNER_KINDS
from bot.store import pledges
from bot.store.db import unit_of_work

KEEP = "keep"


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
        date = long_date(signed.signed_at)
        if signed.already:
            dispatcher.utter_message(response="utter_pledge_already", area=pack.area, date=date)
        elif kind in FAMILY_KINDS:
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
