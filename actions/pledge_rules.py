"""The rules of signing: who can sign, which charter, which promises, and in what words.

Shared by the pledge form's questions, its checks of the answers, and what comes after it.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.common import NOT_ASKED, chosen_pack
from actions.pages import in_parts
from bot.content import CharterPack, ContentError, get_pack
from bot.content.fields import word_count
from bot.store import pledges

PAGE_SIZE = 5
PAGE_WORDS = 70
YES, NO, ALREADY, STOPPED = "yes", "no", "already", "stopped"
# Someone signing for themselves who has not yet said if they are a parent or a young person.
PERSON = "person"
FAMILY_SLOTS = ("pledge_name",)
ORGANISATION_SLOTS = ("pledge_organisation", "pledge_representative", "pledge_rep_role")
FORM_SLOTS = (
    "pledge_again",
    "pledge_area",
    "pledge_kind",
    "pledge_agreed",
    *ORGANISATION_SLOTS,
    *FAMILY_SLOTS,
)
KIND_WORDS = {
    "organisation": "an organisation or service",
    "parent_carer_forum": "a parent carer forum",
    "parents_and_carers": "a parent or carer",
    "young_people": "a young person",
}


# ---- Which charter, and which promises ----------------------------------------------------------


def pack_or_none(charter: Any) -> CharterPack | None:
    if not charter or charter == NOT_ASKED:
        return None
    try:
        return get_pack(str(charter))
    except ContentError:
        return None


def known_area(tracker: Tracker) -> CharterPack | None:
    """The area this conversation already knows: the person's choice, else a review code's."""
    for slot in ("area", "review_charter"):
        pack = pack_or_none(tracker.get_slot(slot))
        if pack is not None:
            return pack
    return None


def pledge_items(pack: CharterPack, kind: str) -> tuple[tuple[str, ...], bool]:
    """The pledges for this kind of signer, and whether the charter wrote them for it.

    Where a charter lists no pledges for a kind of signer, they pledge to
    support the charter's principles.
    """
    if kind in pack.pledges:
        return pack.pledges[kind], True
    return tuple(f"{p.name}: {p.easy_read}" for p in pack.principles), False


def pledge_pages(items: tuple[str, ...]) -> list[list[str]]:
    """The promises a few at a time: at most five, and at most 70 words, a page."""
    return in_parts(items, word_count, most_items=PAGE_SIZE, most_words=PAGE_WORDS)


def pages_of(items: tuple[str, ...]) -> int:
    return len(pledge_pages(items))


def pledge_pack(tracker: Tracker) -> CharterPack:
    """The charter being signed: the one the pledge form settled on, else the known area."""
    return (
        pack_or_none(tracker.get_slot("pledge_area")) or known_area(tracker) or chosen_pack(tracker)
    )


# ---- A pledge in words -------------------------------------------------------------------------


def long_date(when: Any) -> str:
    return f"{when.day} {when:%B %Y}"


def _area_and_signer(pledge: Any) -> tuple[str, str]:
    """The area a pledge was signed for, and who signed it, in words."""
    try:
        area = get_pack(pledge.charter).area
    except ContentError:
        area = pledge.charter
    return area, pledge.organisation or KIND_WORDS.get(pledge.signer_kind, "you")


def describe_signed(pledge: Any) -> str:
    area, who = _area_and_signer(pledge)
    return f"✍️ The {area} charter, as {who}, on {long_date(pledge.signed_at)}"


def describe_pledge(pledge: Any) -> str:
    area, who = _area_and_signer(pledge)
    return f"{area}, as {who}, {pledge.signed_at:%d %b %Y}"


def say_name_problem(dispatcher: CollectingDispatcher, problem: ValueError) -> None:
    """Why a name cannot go on the list, kindly (``utter_name_<problem>`` in the domain)."""
    dispatcher.utter_message(
        response=f"utter_name_{problem}",
        limit=pledges.NAME_MAX,
        existing=getattr(problem, "existing", ""),
    )
