"""Signing a charter's pledges, taking a pledge back, and who has signed."""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.area import area_buttons, choose_area
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
from actions.pages import in_parts, word_count
from bot.content import CharterPack, ContentError, get_pack, list_packs
from bot.nlp.profile import role_of
from bot.settings import get_settings
from bot.staff.register import build_register
from bot.store import pledges
from bot.store.db import unit_of_work
from bot.store.models import SIGNER_KINDS

PAGE_SIZE = 5
PAGE_WORDS = 70
YES, NO, ALREADY, STOPPED = "yes", "no", "already", "stopped"
KEEP = "keep"
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
KIND_BUTTONS = (
    ("🏢 Organisation or service", "organisation"),
    ("👥 Parent carer forum", "parent_carer_forum"),
    ("👪 Parent or carer", "parents_and_carers"),
    ("🧒 Young person", "young_people"),
)
PERSON_QUESTION = "utter_ask_pledge_kind_person"
REGISTER_SHOWN = 8
FAMILY_COUNT_WORDS = {"parents_and_carers": "parents or carers", "young_people": "young people"}
SIGN_BUTTON = {"title": "✍️ Sign a pledge", "payload": "/sign_pledge"}

# Words the answers to this flow's questions turn on, so that a typo of one is still read
# ("organistion", "parnet", "yung person", "i plege").
_KEY_WORDS = frozenset(
    """organisation organization service council school college nursery hospital charity
    company business academy department provider agency authority forum parent parents carer
    carers mother father grandparent guardian family young person people student teenager
    myself individual personally behalf representing pledge agree promise another different
    later""".split()
)
# Everyday words one letter away from a key word: never taken for a typo of it.
_NOT_TYPOS = frozenset(
    "arent care cares charter charters form forms gather other others rather water unpledge "
    "parents' later laters".split()
)
_ORGANISATION_WORDS = re.compile(
    r"\b(organi[sz]ations?|services?|council|schools?|college|nursery|nhs|hospital|charity|"
    r"company|business|team|trust|academy|board|department|provider|agency|authority|club|"
    r"setting|surgery|practice)\b"
)
_ON_BEHALF = re.compile(r"\b(on behalf|behalf of|representing|represent|group|employer)\b")
_FORUM_WORDS = re.compile(r"\bforum\b|\bpcf\b")
_FAMILY_WORDS = re.compile(
    r"\bmy (son|daughter|child|children|kids?|boy|girl|grandchild)\b|\bfamily\b|\bfamilies\b"
)
_YOUNG_WORDS = re.compile(r"\byoung (people|person|adults?|carers?)\b|\bteenager\b")
# "I'm at school" says who someone is, not which organisation they sign for.
_AT_SCHOOL = re.compile(r"\b(at|in|go to|attend) (school|college|sixth form)\b")
_PERSON_WORDS = re.compile(
    r"\b(me|myself|personally|individual|individually|person|private|my own|on my own)\b"
)
_MORE_WORDS = re.compile(r"\b(more|next|go on|carry on|continue|keep going|read on)\b")
_AGREE_WORDS = re.compile(
    r"\b(yes|yeah|yep|yup|ok|okay|sure|agree|agreed|pledge|promise|sign|i do|happy to)\b"
)
_NOT_NOW_WORDS = re.compile(
    r"\b(no|nope|nah|not now|not yet|not today|later|dont|do not|not sure)\b"
)
_ANOTHER_WORDS = re.compile(
    r"\b(yes|yeah|yep|yup|ok|okay|sure|another|different|new|again|one more|more|sign|pledge)\b"
)
_ROLE_TO_KIND = {
    "parent_carer": "parents_and_carers",
    "young_person": "young_people",
    "practitioner": "organisation",
}
# A family member may sign without a name: these answers mean "no name".
_NO_NAME = re.compile(
    r"^(no|nope|no name|none|anon|anonymous|anonymously|skip|rather not|no thanks)\b"
)


def _distance(a: str, b: str) -> int:
    """Letters to add, drop, change or swap to make ``a`` into ``b``."""
    rows = [list(range(len(b) + 1))]
    for i in range(1, len(a) + 1):
        row = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            row[j] = min(
                rows[i - 1][j] + 1,
                row[j - 1] + 1,
                rows[i - 1][j - 1] + (a[i - 1] != b[j - 1]),
            )
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                row[j] = min(row[j], rows[i - 2][j - 2] + 1)
        rows.append(row)
    return rows[-1][-1]


def closest(word: str, words: frozenset[str] | set[str]) -> str | None:
    """The word of ``words`` that ``word`` is a typo of (one slip, two in long words)."""
    if word in words:
        return word
    if len(word) < 4 or word in _NOT_TYPOS:
        return None
    limit = 1 if len(word) < 8 else 2
    best = min(sorted(words), key=lambda known: _distance(word, known))
    return best if _distance(word, best) <= limit else None


def plain_words(text: str | None) -> str:
    """Lower case words, apostrophes dropped and typos of this flow's key words mended."""
    lowered = (text or "").lower().replace("’", "").replace("'", "")
    return " ".join(closest(w, _KEY_WORDS) or w for w in re.findall(r"[a-z0-9]+", lowered))


def kind_of(text: str | None) -> str | None:
    """The kind of signer a button sent or a typed answer names; None if unclear.

    ``PERSON`` when someone signs for themselves ("just me") without saying if they
    are a parent or carer or a young person.
    """
    if not text:
        return None
    lowered = text.strip().lower()
    if lowered in SIGNER_KINDS:
        return lowered
    words = plain_words(lowered)
    if _FORUM_WORDS.search(words):
        return "parent_carer_forum"
    words = _AT_SCHOOL.sub(" student ", words)
    if _ORGANISATION_WORDS.search(words):
        return "organisation"
    if _YOUNG_WORDS.search(words):
        return "young_people"
    if _FAMILY_WORDS.search(words):
        return "parents_and_carers"
    role = role_of(_PERSON_WORDS.sub(" ", words))
    if role is not None:
        return _ROLE_TO_KIND[role]
    if _ON_BEHALF.search(words):
        return "organisation"
    if _PERSON_WORDS.search(words):
        return PERSON
    return None


def area_of(text: str | None) -> str | None:
    """The charter (a pack id) of the area a typed answer names, typos allowed."""
    names = {pack.area.lower(): pack.id for pack in list_packs()}
    names.update({pack.id: pack.id for pack in list_packs()})
    for word in re.findall(r"[a-z]+", (text or "").lower()):
        found = closest(word, set(names))
        if found:
            return names[found]
    return None


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


def skip_details(kind: str | None) -> dict[str, Any]:
    """Mark the questions this signer is not asked."""
    if kind in pledges.FAMILY_KINDS:
        return {slot: NOT_ASKED for slot in ORGANISATION_SLOTS}
    if kind is None:
        return {slot: NOT_ASKED for slot in (*ORGANISATION_SLOTS, *FAMILY_SLOTS)}
    return {slot: NOT_ASKED for slot in FAMILY_SLOTS}


def end_form(outcome: str) -> dict[str, Any]:
    """Answer every question so the form ends with this outcome."""
    return {**{slot: NOT_ASKED for slot in FORM_SLOTS}, "pledge_agreed": outcome}


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


def long_date(when: Any) -> str:
    return f"{when.day} {when:%B %Y}"


# ---- Who has signed: the public register ------------------------------------------------------


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


# ---- The questions -----------------------------------------------------------------------------


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
                if kind in pledges.FAMILY_KINDS
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


class ValidatePledgeForm(FormValidationAction):
    """Signed before? Which area, who is signing, the promises read and agreed, their details.

    Each question with buttons also takes the person's own words. Words that answer
    none of its options get that question's own message, and the same question again.
    """

    def name(self) -> str:
        return "validate_pledge_form"

    @staticmethod
    def _stop(dispatcher: CollectingDispatcher) -> dict[str, Any]:
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

    @in_worker_thread
    def validate_pledge_again(
        self,
        slot_value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> dict[str, Any]:
        if slot_value is None or tracker.get_slot("requested_slot") != "pledge_again":
            return {}
        if wants_to_stop(tracker):
            return self._stop(dispatcher)
        if wants_register(tracker):
            show_register(dispatcher, tracker, offer_signing=False)
            return {"pledge_again": None}
        intent, words = intent_of(tracker), plain_words(text_of(tracker))
        if intent == "deny" or (intent != "affirm" and _NOT_NOW_WORDS.search(words)):
            dispatcher.utter_message(response="utter_pledge_again_no")
            return end_form(NO)
        if intent in ("affirm", "sign_pledge") or _ANOTHER_WORDS.search(words):
            return {"pledge_again": YES}
        dispatcher.utter_message(response="utter_pledge_again_not_understood")
        return {"pledge_again": None}

    @in_worker_thread
    def validate_pledge_area(
        self,
        slot_value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> dict[str, Any]:
        if slot_value is None or slot_value == NOT_ASKED:
            return {}
        if tracker.get_slot("requested_slot") != "pledge_area":
            # Known from earlier in the conversation.
            pack = pack_or_none(slot_value)
            return {"pledge_area": None if pack is None else pack.id}
        if wants_to_stop(tracker):
            return self._stop(dispatcher)
        if wants_register(tracker):
            show_register(dispatcher, tracker, offer_signing=False)
            return {"pledge_area": None}
        text = text_of(tracker)
        pack = pack_or_none(next(tracker.get_latest_entity_values("area"), None))
        if pack is None and not text.lstrip().startswith("/"):
            pack = pack_or_none(area_of(text))
        if pack is not None:
            return {"pledge_area": pack.id, "area": pack.id}
        intent = intent_of(tracker)
        if intent in EXPLAIN_INTENTS and looks_like_question(text):
            return {"pledge_area": None, **explain(dispatcher, tracker, intent)}
        dispatcher.utter_message(response="utter_pledge_area_not_understood")
        return {"pledge_area": None}

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
        if wants_register(tracker):
            show_register(dispatcher, tracker, offer_signing=False)
            return {"pledge_kind": None}
        text = text_of(tracker)
        kind = kind_of(next(tracker.get_latest_entity_values("signer"), None)) or kind_of(
            str(slot_value)
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
            intent = intent_of(tracker)
            if intent in EXPLAIN_INTENTS and looks_like_question(text):
                return {"pledge_kind": None, **explain(dispatcher, tracker, intent)}
            dispatcher.utter_message(response="utter_pledge_kind_not_understood")
            return {"pledge_kind": None}
        return self._kind_chosen(dispatcher, tracker, kind, pledge_pack(tracker))

    @staticmethod
    def _kind_chosen(
        dispatcher: CollectingDispatcher, tracker: Tracker, kind: str, pack: CharterPack
    ) -> dict[str, Any]:
        if kind in pledges.FAMILY_KINDS:
            with unit_of_work() as session:
                already = pledges.active_pledge(session, pack.id, kind, tracker.sender_id)
                signed_at = already.signed_at if already else None
            if signed_at is not None:
                dispatcher.utter_message(
                    response="utter_pledge_already", area=pack.area, date=long_date(signed_at)
                )
                return {**end_form(ALREADY), "pledge_kind": kind}
        return {"pledge_kind": kind, "pledge_page": 0.0, **skip_details(kind)}

    @in_worker_thread
    def validate_pledge_agreed(
        self,
        slot_value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> dict[str, Any]:
        if slot_value is None:
            return {}
        if tracker.get_slot("requested_slot") != "pledge_agreed" and slot_value in (
            YES,
            NO,
            ALREADY,
            STOPPED,
        ):
            return {}
        if wants_to_stop(tracker):
            return self._stop(dispatcher)
        kind = tracker.get_slot("pledge_kind")
        if kind not in SIGNER_KINDS:
            return {"pledge_agreed": None}
        if wants_register(tracker):
            show_register(dispatcher, tracker, offer_signing=False)
            return {"pledge_agreed": None}
        intent, text = intent_of(tracker), text_of(tracker).strip().lower()
        words = plain_words(text)
        not_now = intent == "deny" or (
            intent not in ("affirm", "skip_question") and bool(_NOT_NOW_WORDS.search(words))
        )
        if not_now:
            dispatcher.utter_message(response="utter_pledge_not_now")
            return end_form(NO)
        items, _ = pledge_items(pledge_pack(tracker), kind)
        page = int(tracker.get_slot("pledge_page") or 0)
        last = page >= pages_of(items) - 1
        wants_more = intent == "skip_question" or bool(_MORE_WORDS.search(words))
        agrees = intent in ("affirm", "sign_pledge") or bool(_AGREE_WORDS.search(words))
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
        if asks_who_signed(tracker):
            show_register(dispatcher, tracker, offer_signing=False)
            return {slot: None}
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
                date=long_date(signed_at),
            )
            return {**result, **end_form(ALREADY)}
        return result

    @in_worker_thread
    def validate_pledge_representative(
        self,
        slot_value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> dict[str, Any]:
        return self._name("pledge_representative", slot_value, dispatcher, tracker)

    @in_worker_thread
    def validate_pledge_rep_role(
        self,
        slot_value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> dict[str, Any]:
        return self._name("pledge_rep_role", slot_value, dispatcher, tracker)

    @in_worker_thread
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
        if asks_who_signed(tracker):
            show_register(dispatcher, tracker, offer_signing=False)
            return {"pledge_name": None}
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
        date = long_date(signed.signed_at)
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
    area, who = _area_and_signer(pledge)
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
