"""The pledge form's questions (``action_ask_pledge_*``): signed before, which area, who is
signing, and the promises shown a few at a time to be agreed.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.area import area_buttons
from actions.common import in_worker_thread, text_of
from actions.pledge_rules import (
    KIND_WORDS,
    PERSON,
    describe_signed,
    pages_of,
    pledge_items,
    pledge_pack,
    pledge_pages,
)
from actions.pledge_words import kind_of
from bot.names import FAMILY_KINDS, SIGNER_KINDS
from bot.store import pledges
from bot.store.db import unit_of_work

KIND_BUTTONS = (
    ("🏢 Organisation or service", "organisation"),
    ("👥 Parent carer forum", "parent_carer_forum"),
    ("👪 Parent or carer", "parents_and_carers"),
    ("🧒 Young person", "young_people"),
)
PERSON_QUESTION = "utter_ask_pledge_kind_person"


def last_question(tracker: Tracker) -> str | None:
    """The response the bot sent last before the person's latest message."""
    seen_user = False
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            if seen_user:
                return None
            seen_user = True
        elif seen_user and event.get("event") == "bot":
            return (event.get("metadata") or {}).get("utter_action")
    return None


class ActionAskPledgeAgain(Action):
    """Someone who signed before: what they signed and when; sign another, or see who signed."""

    def name(self) -> str:
        return "action_ask_pledge_again"

    @in_worker_thread
    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        with unit_of_work() as session:
            lines = [describe_signed(p) for p in pledges.pledges_of(session, tracker.sender_id)]
        dispatcher.utter_message(
            response="utter_pledge_signed_before",
            pledges="\n".join(lines),
            buttons=[
                {"title": "✍️ Sign another pledge", "payload": "/affirm"},
                {"title": "📜 See who signed", "payload": "/see_register"},
                {"title": "❌ No thanks", "payload": "/deny"},
            ],
        )
        return []


class ActionAskPledgeArea(Action):
    """Which area's charter: asked only when the conversation does not know the area."""

    def name(self) -> str:
        return "action_ask_pledge_area"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        dispatcher.utter_message(response="utter_pledge_choose_area", buttons=area_buttons())
        return []


class ActionAskPledgeKind(Action):
    """Who is signing; after "just me", only: a parent or carer, or a young person?"""

    def name(self) -> str:
        return "action_ask_pledge_kind"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        answered = tracker.get_slot("requested_slot") == "pledge_kind"
        answer = kind_of(text_of(tracker)) if answered else None
        if answer == PERSON or (
            answered and answer is None and last_question(tracker) == PERSON_QUESTION
        ):
            buttons = [
                {"title": title, "payload": f'/inform{{"signer": "{kind}"}}'}
                for title, kind in KIND_BUTTONS
                if kind in FAMILY_KINDS
            ]
            dispatcher.utter_message(response=PERSON_QUESTION, buttons=buttons)
            return []
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
        shown = pledge_pages(items)[page]
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
