"""Help with a family's own case: a school exclusion, an EHCP, transport, a tribunal.

This assistant cannot look at anyone's case. It says so plainly, then says who
can help: the area's SENDIASS and Local Offer where the area confirmed them
(otherwise what to search for, never a made-up address), IPSEA and Contact, and
for young people an adult they trust.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import pack_for, simple_mode, ways_to_reach
from bot.content import CharterPack

NEED_HELP = "need_help"
RESPONSE = "utter_need_help"
# The second message: IPSEA and Contact, and an adult they trust.
NATIONAL = "utter_need_help_national"
YOUNG_PERSON = "young_person"

# The parts of utter_need_help that depend on the area and on who is asking.
# Normal form first, then the simple form. Every sentence is easy read: the
# whole message, for every pack, is checked in tests/test_need_help.py.
SENDIASS_FOUND = (
    "🏠 {name} is a free service. It gives advice to families and does not take sides.",
    "🏠 {name} is free advice near you.",
)
SENDIASS_SEARCH = (
    "🏠 SENDIASS is a free service near you. It gives advice to families"
    ' and does not take sides. To find it, search online for "{area} SENDIASS".',
    '🏠 SENDIASS is free advice near you. Search online for "{area} SENDIASS".',
)
LOCAL_OFFER_FOUND = (
    "🗺️ The {area} Local Offer is a website. It shows help near you.",
    "🗺️ The {area} Local Offer is a website about help near you.",
)
LOCAL_OFFER_SEARCH = (
    "🗺️ The Local Offer is a website. It shows help near you."
    ' To find it, search online for "{area} local offer". Or ask your council.',
    '🗺️ The Local Offer is a website about help near you. Search online for "{area} local offer".',
)
TRUSTED_ADULT = {
    YOUNG_PERSON: (
        "🧑 You can also talk to an adult you trust. This could be a teacher, or someone at home.",
        "🧑 You can talk to an adult you trust too.",
    ),
    None: (
        "🧑 Are you a young person? You can also talk to an adult you trust.",
        "🧑 Young people can talk to an adult they trust too.",
    ),
}


def local_help(pack: CharterPack, simple: bool = False) -> str:
    """The area's SENDIASS and Local Offer: confirmed details, or what to search for."""
    form = int(simple)
    if pack.sendiass:
        name = pack.sendiass.get("name") or f"{pack.area} SENDIASS"
        sendiass = [SENDIASS_FOUND[form].format(name=name), *ways_to_reach(pack.sendiass)]
    else:
        sendiass = [SENDIASS_SEARCH[form].format(area=pack.area)]
    if pack.local_offer:
        offer = [
            LOCAL_OFFER_FOUND[form].format(area=pack.area),
            *ways_to_reach(pack.local_offer),
        ]
    else:
        offer = [LOCAL_OFFER_SEARCH[form].format(area=pack.area)]
    return "\n".join(sendiass) + "\n\n" + "\n".join(offer)


def trusted_adult(role: str | None, simple: bool = False) -> str:
    """For young people (or when we do not know who is asking): an adult they trust."""
    if role not in TRUSTED_ADULT:
        return ""
    return "\n\n" + TRUSTED_ADULT[role][int(simple)]


def give_help(dispatcher: CollectingDispatcher, tracker: Tracker) -> dict[str, Any]:
    """Say this chat cannot look at their case, then who can help, in two messages.

    The first is the area's help, the second the help for everyone. No slots change.
    """
    simple = simple_mode(tracker)
    pack = pack_for(tracker)
    dispatcher.utter_message(response=RESPONSE, area=pack.area, local_help=local_help(pack, simple))
    dispatcher.utter_message(
        response=NATIONAL, trusted_adult=trusted_adult(tracker.get_slot("review_role"), simple)
    )
    return {}


class ActionNeedHelp(Action):
    """A parent or young person who needs help with their own case: who can help."""

    def name(self) -> str:
        return "action_need_help"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        give_help(dispatcher, tracker)
        return []
