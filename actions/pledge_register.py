"""Who has signed: the register of an area's pledges shown in the chat, a link to the whole
list, and noticing when someone asks for it in the middle of signing.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import confidence_of, in_worker_thread, intent_of, looks_like_question, text_of
from actions.pledge_rules import known_area, pack_or_none
from bot.content import list_packs
from bot.reports.register import build_register
from bot.settings import get_settings
from bot.store.db import unit_of_work

REGISTER_SHOWN = 8
FAMILY_COUNT_WORDS = {"parents_and_carers": "parents or carers", "young_people": "young people"}
SIGN_BUTTON = {"title": "✍️ Sign a pledge", "payload": "/sign_pledge"}


def register_link(charter: str | None = None) -> str:
    """The public register page (bot.staff.routes), at one charter's part when given."""
    link = f"{get_settings().public_url}/pledges"
    return f"{link}#{charter}" if charter else link


def _count_words(count: int | None, min_group: int) -> str:
    return f"fewer than {min_group}" if count is None else str(count)


def show_register(
    dispatcher: CollectingDispatcher, tracker: Tracker, offer_signing: bool = True
) -> None:
    """Who signed the charter of the area asked about (or known); a link to the whole list.

    Organisations by name, families only as counts (small counts withheld, as on the
    public page). With no area known, a button for each area.
    """
    pack = pack_or_none(next(tracker.get_latest_entity_values("area"), None))
    pack = pack or pack_or_none(tracker.get_slot("pledge_area")) or known_area(tracker)
    extra = [SIGN_BUTTON] if offer_signing else []
    if pack is None:
        buttons = [
            {"title": f"🗺️ {p.area}", "payload": f'/see_register{{"area": "{p.id}"}}'}
            for p in list_packs()
        ]
        dispatcher.utter_message(
            response="utter_register_choose_area", link=register_link(), buttons=buttons + extra
        )
        return
    min_group = get_settings().min_group
    with unit_of_work() as session:
        [register] = build_register(session, pack.id, min_group=min_group)
    active = [s for s in register.signatories if s.status == "active"]
    counts = register.family_pledges
    if all(count == 0 for count in counts.values()):
        families = "No families have signed yet."
    else:
        families = (
            "Families who signed: "
            + ", ".join(
                f"{_count_words(counts[kind], min_group)} {words}"
                for kind, words in FAMILY_COUNT_WORDS.items()
            )
            + "."
        )
    values = {"area": pack.area, "link": register_link(pack.id), "families": families}
    if not active:
        dispatcher.utter_message(response="utter_register_area_none", buttons=extra, **values)
        return
    lines = [f"• {s.organisation}" for s in active[:REGISTER_SHOWN]]
    if len(active) > REGISTER_SHOWN:
        lines.append(f"• and {len(active) - REGISTER_SHOWN} more")
    dispatcher.utter_message(
        response="utter_register_area", signers="\n".join(lines), buttons=extra, **values
    )


class ActionShowRegister(Action):
    """Answer "who else has signed?" with the register."""

    def name(self) -> str:
        return "action_show_register"

    @in_worker_thread
    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        show_register(dispatcher, tracker)
        return []


def wants_register(tracker: Tracker) -> bool:
    """At a question with buttons: the person asked who has signed, or pressed that button."""
    if intent_of(tracker) != "see_register":
        return False
    return text_of(tracker).lstrip().startswith("/") or confidence_of(tracker) > 0.8


def asks_who_signed(tracker: Tracker) -> bool:
    """Where a name is typed: only a clear question about who signed is taken as one."""
    text = text_of(tracker)
    return (
        intent_of(tracker) == "see_register"
        and looks_like_question(text)
        and confidence_of(tracker) > 0.8
    )
