"""Raising a concern that a charter's principles were not followed."""

from __future__ import annotations

import re
from typing import Any

from rapidfuzz import fuzz
from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import (
    NOT_ASKED,
    channel_of,
    chosen_pack,
    in_worker_thread,
    intent_of,
    typed_by_person,
    wants_to_stop,
)
from actions.forms import typed_words
from actions.pages import in_parts, word_count
from bot.content import CharterPack
from bot.store import concerns
from bot.store.db import unit_of_work

FORM_SLOTS = ("concern_about", "concern_what", "concern_principle", "concern_reply")
# The principles a typed answer named when it named more than one: the question
# is asked again with a button for each of them only (the store keeps one).
CHOICES_SLOT = "concern_principle_choices"
# Which few ideas the question shows when a charter has more than fit in one
# message: a message has at most six buttons, so four ideas, "More ideas" and
# "Not sure".
PAGE_SLOT = "concern_principle_page"
IDEAS_PER_PAGE = 4
IDEAS_WORDS = 45
MORE_IDEAS = "more_ideas"
_MORE = re.compile(
    r"^\W*(more|next|others?|the others?|other ideas|more ideas|see more|show more)\W*$"
)
LIMITS = {"concern_about": concerns.ABOUT_MAX, "concern_what": concerns.WHAT_MAX}
WANTS_REPLY, NO_REPLY, STOPPED = "yes", "no", "stopped"

# Words that tell no principle from another: function words, and words every
# charter uses ("everyone", "people", "meeting").
_IGNORED = frozenset(
    """a about after all also always an and any are around as at be been better both but by
    can community could did do does each every everybody everyone for from get given got
    had has have he help helps her his i idea ideas if in into is it its just know knows lives lot
    lots made make making me meeting meetings more most much my no not nothing of on one
    ones only or other others our out over people person possible really same she so some
    someone something than that the their them then there they thing things think thinking
    this to too up us very was way ways we well were what when where which who will with
    you your""".split()
)
_ENDINGS = ("ations", "ation", "ings", "ing", "ness", "ment", "ful", "ly", "ed", "es", "e", "s")
# A word from a principle's description counts a little less than one from its name.
_DESCRIPTION_PENALTY = 5.0
_UNSURE = re.compile(
    r"\b(not (really |too |that |very )?sure|unsure|dunno|don'?t know|do not know|no idea|"
    r"idk|no clue|not certain|can'?t say|cannot say|can'?t remember|don'?t remember|skip|"
    r"none( of (them|those|these|it))?|neither)\b"
)
_BOTH = re.compile(
    r"\b(both|all of (them|those|these)|all (the |of the |\w+ )?ideas|the two)\b|^all\W*$"
)
_ORDINALS = {"first": 0, "1st": 0, "second": 1, "2nd": 1, "third": 2, "3rd": 2, "last": -1}


def _plain(text: str) -> str:
    return " ".join(text.lower().replace("’", "'").split())


def _words(text: str) -> list[str]:
    found = re.findall(r"[a-z]+", _plain(text).replace("'", ""))
    return [word for word in found if len(word) >= 3 and word not in _IGNORED]


def _stem(word: str) -> str:
    for ending in _ENDINGS:
        if word.endswith(ending) and len(word) - len(ending) >= 4:
            return word[: -len(ending)]
    return word


def _likeness(typed: str, known: str) -> float:
    """100 for the same word or the same word with another ending; less for a typo; else 0."""
    if typed == known or _stem(typed) == _stem(known):
        return 100.0
    if min(len(typed), len(known)) < 5 or typed[:2] != known[:2]:
        return 0.0
    spelt = fuzz.ratio(typed, known)
    stems = (_stem(typed), _stem(known))
    ended = fuzz.ratio(*stems) if min(map(len, stems)) >= 6 else 0.0
    return max(spelt, ended) if spelt >= 85 or ended >= 80 else 0.0


def principle_matches(pack: CharterPack, text: str | None) -> list[str]:
    """The principles a typed answer names, in the charter's order (empty: none).

    A principle's whole name counts first. Each other word counts for the
    principle whose name or description has it (spelt a little wrong, or with
    another ending, too); a word two principles share counts for both. When
    one principle has every word named, it alone is meant.
    """
    if not text or not text.strip():
        return []
    lowered = _plain(text)
    for principle in pack.principles:
        if lowered in (principle.id, _plain(principle.name)):
            return [principle.id]
    hits: list[set[str]] = []
    for principle in pack.principles:
        name = _plain(principle.name)
        if re.search(rf"\b{re.escape(name)}\b", lowered):
            hits.append({principle.id})
            lowered = lowered.replace(name, " ")
    keywords = [
        (principle.id, set(_words(principle.name)), set(_words(principle.easy_read)))
        for principle in pack.principles
    ]
    for word in _words(lowered):
        scores = {}
        for principle_id, name_words, described in keywords:
            named = max((_likeness(word, known) for known in name_words), default=0.0)
            told = max((_likeness(word, known) for known in described), default=0.0)
            scores[principle_id] = max(named, told - _DESCRIPTION_PENALTY if told else 0.0)
        best = max(scores.values(), default=0.0)
        if best > 0:
            hits.append({pid for pid, score in scores.items() if score >= best - 2})
    # "Jargon and respect": the one principle that has every word named wins.
    found = set.intersection(*hits) if hits else set()
    found = found or set().union(*hits)
    return [principle.id for principle in pack.principles if principle.id in found]


def principle_of(pack: CharterPack, text: str | None) -> str | None:
    """The principle a button sent (its id) or a typed answer names alone; None if unclear."""
    matches = principle_matches(pack, text)
    return matches[0] if len(matches) == 1 else None


def says_not_sure(text: str) -> bool:
    return bool(_UNSURE.search(_plain(text)))


def stop_concern(dispatcher: CollectingDispatcher) -> dict[str, Any]:
    """End the form with nothing sent: every question answered "not asked"."""
    dispatcher.utter_message(response="utter_concern_stopped")
    return {
        **{slot: NOT_ASKED for slot in FORM_SLOTS},
        "concern_reply": STOPPED,
        CHOICES_SLOT: None,
        PAGE_SLOT: None,
    }


def choices_of(pack: CharterPack, tracker: Tracker) -> list[str]:
    """The short list the principle question was last asked with (empty: every principle)."""
    known = {principle.id for principle in pack.principles}
    return [value for value in tracker.get_slot(CHOICES_SLOT) or [] if value in known]


def picked_from(choices: list[str], pack: CharterPack, text: str) -> str | None:
    """Which of the short list a typed answer picks: by its words, or "the first one"."""
    named = [match for match in principle_matches(pack, text) if match in choices]
    if len(named) == 1:
        return named[0]
    ordinals = [_ORDINALS[word] for word in re.findall(r"\w+", _plain(text)) if word in _ORDINALS]
    if len(ordinals) == 1 and ordinals[0] < len(choices):
        return choices[ordinals[0]]
    return None


def principle_buttons(principles: Any) -> list[dict[str, str]]:
    return [
        {"title": f"🔹 {p.name}", "payload": f'/inform{{"principle": "{p.id}"}}'}
        for p in principles
    ]


def idea_line(principle: Any) -> str:
    return f"🔹 {principle.name}: {principle.easy_read}"


def idea_pages(pack: CharterPack) -> list[list[Any]]:
    """The charter's ideas as they are shown: all at once if they fit, else a few a part.

    One part holds five ideas (five buttons and "Not sure"); more parts hold
    four (with "More ideas"), and at most 45 words of ideas each.
    """
    principles = list(pack.principles)
    whole = sum(word_count(idea_line(p)) for p in principles)
    if len(principles) <= IDEAS_PER_PAGE + 1 and whole <= IDEAS_WORDS:
        return [principles]
    return in_parts(
        principles,
        lambda p: word_count(idea_line(p)),
        most_items=IDEAS_PER_PAGE,
        most_words=IDEAS_WORDS,
    )


def page_of(pack: CharterPack, tracker: Tracker) -> int:
    """The page the question is on (0 when none was turned, or it is out of range)."""
    try:
        page = int(tracker.get_slot(PAGE_SLOT) or 0)
    except (TypeError, ValueError):
        return 0
    return page if 0 <= page < len(idea_pages(pack)) else 0


def wants_more_ideas(named: str | None, text: str) -> bool:
    return named == MORE_IDEAS or bool(_MORE.match(_plain(text)))


class ActionAskConcernPrinciple(Action):
    """Which of the charter's principles the concern is about: a button each.

    After a typed answer that named several, only those are offered.
    """

    def name(self) -> str:
        return "action_ask_concern_principle"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        pack = chosen_pack(tracker)
        choices = choices_of(pack, tracker)
        if choices:
            chosen = [p for p in pack.principles if p.id in choices]
            dispatcher.utter_message(
                response="utter_ask_concern_principle_which", buttons=principle_buttons(chosen)
            )
            return []
        pages = idea_pages(pack)
        page = page_of(pack, tracker)
        buttons = principle_buttons(pages[page])
        if len(pages) > 1:
            buttons.append(
                {"title": "➡️ More ideas", "payload": f'/inform{{"principle": "{MORE_IDEAS}"}}'}
            )
        buttons.append({"title": "🤷 Not sure", "payload": "/unsure"})
        if len(pages) == 1:
            response = "utter_ask_concern_principle"
        else:
            response = (
                "utter_ask_concern_principle_more" if page else "utter_ask_concern_principle_part"
            )
        dispatcher.utter_message(
            response=response,
            area=pack.area,
            ideas="\n".join(idea_line(p) for p in pages[page]),
            part=page + 1,
            parts=len(pages),
            buttons=buttons,
        )
        return []


class ValidateConcernForm(FormValidationAction):
    def name(self) -> str:
        return "validate_concern_form"

    def _words(
        self, slot: str, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> dict[str, Any]:
        return typed_words(
            slot,
            slot_value,
            dispatcher,
            tracker,
            stop=stop_concern,
            clean=lambda text: concerns.clean_text(text, LIMITS[slot]),
            problem=concerns.TextProblem,
            say_problem=lambda d, problem: d.utter_message(
                response=f"utter_words_{problem}", limit=LIMITS[slot]
            ),
            is_question=lambda _tracker, text: len(text) < 80,
        )

    def validate_concern_about(
        self,
        slot_value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> dict[str, Any]:
        return self._words("concern_about", slot_value, dispatcher, tracker)

    def validate_concern_what(
        self,
        slot_value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> dict[str, Any]:
        return self._words("concern_what", slot_value, dispatcher, tracker)

    def validate_concern_principle(
        self,
        slot_value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> dict[str, Any]:
        if slot_value is None or slot_value == NOT_ASKED:
            return {}
        if wants_to_stop(tracker):
            return stop_concern(dispatcher)
        pack = chosen_pack(tracker)
        text = str(slot_value)
        named = next(tracker.get_latest_entity_values("principle"), None)
        if wants_more_ideas(named, text):
            turned = (page_of(pack, tracker) + 1) % len(idea_pages(pack))
            return {"concern_principle": None, CHOICES_SLOT: None, PAGE_SLOT: turned}
        if not typed_by_person(text):
            # A button: its principle, or "not sure".
            principle = principle_of(pack, named)
            if principle is not None:
                return self._saved(principle)
            if intent_of(tracker) in ("unsure", "skip_question", "deny"):
                return self._saved(NOT_ASKED)
            return self._not_understood(dispatcher)
        return self._typed(dispatcher, pack, tracker, text)

    @staticmethod
    def _saved(principle: str) -> dict[str, Any]:
        return {"concern_principle": principle, CHOICES_SLOT: None, PAGE_SLOT: None}

    @staticmethod
    def _not_understood(dispatcher: CollectingDispatcher) -> dict[str, Any]:
        """Ask the question again, with every principle and "not sure"."""
        dispatcher.utter_message(response="utter_concern_principle_not_understood")
        return {"concern_principle": None, CHOICES_SLOT: None}

    def _typed(
        self, dispatcher: CollectingDispatcher, pack: CharterPack, tracker: Tracker, text: str
    ) -> dict[str, Any]:
        """Words typed: matched to the principles' own words, whatever intent was guessed."""
        choices = choices_of(pack, tracker)
        if choices:
            picked = picked_from(choices, pack, _UNSURE.sub(" ", _plain(text)))
            if picked is not None:
                return self._saved(picked)
        # "Not sure, maybe communication" names communication.
        matches = principle_matches(pack, _UNSURE.sub(" ", _plain(text)))
        if len(matches) == 1:
            return self._saved(matches[0])
        if len(matches) > 1 and matches != choices:
            return {"concern_principle": None, CHOICES_SLOT: matches}
        if says_not_sure(text):
            return self._saved(NOT_ASKED)
        if matches or _BOTH.search(_plain(text)):
            # "Both": only one can be kept, so the same short list is asked again.
            dispatcher.utter_message(response="utter_concern_principle_one")
            return {
                "concern_principle": None,
                CHOICES_SLOT: choices or [p.id for p in pack.principles],
            }
        return self._not_understood(dispatcher)

    def validate_concern_reply(
        self,
        slot_value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> dict[str, Any]:
        if slot_value is None or slot_value in (WANTS_REPLY, NO_REPLY, STOPPED):
            return {}
        if wants_to_stop(tracker):
            return stop_concern(dispatcher)
        intent = intent_of(tracker)
        if intent == "affirm":
            return {"concern_reply": WANTS_REPLY}
        if intent in ("deny", "skip_question"):
            return {"concern_reply": NO_REPLY}
        dispatcher.utter_message(response="utter_concern_reply_not_understood")
        return {"concern_reply": None}


class ActionSaveConcern(Action):
    """Put the concern in the staff queue, and say what happens next."""

    def name(self) -> str:
        return "action_save_concern"

    @in_worker_thread
    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        pack = chosen_pack(tracker)
        about, what = tracker.get_slot("concern_about"), tracker.get_slot("concern_what")
        principle = tracker.get_slot("concern_principle")
        wants_reply = tracker.get_slot("concern_reply") == WANTS_REPLY
        cleared = [SlotSet(slot, None) for slot in (*FORM_SLOTS, CHOICES_SLOT, PAGE_SLOT)]
        if not about or not what or NOT_ASKED in (about, what):
            return cleared
        with unit_of_work() as session:
            concerns.raise_concern(
                session,
                pseudonym=tracker.sender_id,
                channel=channel_of(tracker),
                charter=pack.id,
                about=about,
                what_happened=what,
                principle=None if principle == NOT_ASKED else principle,
                wants_reply=wants_reply,
            )
        dispatcher.utter_message(
            response="utter_concern_saved_reply" if wants_reply else "utter_concern_saved",
            area=pack.area,
        )
        return cleared
