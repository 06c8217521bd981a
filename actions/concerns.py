"""Raising a concern that a charter's ideas (its principles) were not kept: the form and saving."""

from __future__ import annotations

from functools import partialmethod
from typing import Any

from rasa_sdk import Action, Tracker
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
)
from actions.concern_ideas import (
    BOTH,
    MORE_IDEAS,
    PAGE_SLOT,
    UNSURE,
    idea_line,
    idea_pages,
    page_of,
    picked_from,
    plain,
    principle_buttons,
    principle_matches,
    principle_of,
    says_not_sure,
    wants_more_ideas,
)
from actions.typed_form import Question, TypedWordsForm
from bot.content import CharterPack
from bot.store import concerns
from bot.store.db import unit_of_work

FORM_SLOTS = ("concern_about", "concern_what", "concern_principle", "concern_reply")
# The principles a typed answer named when it named more than one: the question
# is asked again with a button for each of them only (the store keeps one).
CHOICES_SLOT = "concern_principle_choices"
LIMITS = {"concern_about": concerns.ABOUT_MAX, "concern_what": concerns.WHAT_MAX}
WANTS_REPLY, NO_REPLY, STOPPED = "yes", "no", "stopped"


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


class ValidateConcernForm(TypedWordsForm):
    """Where it happened, what happened, which idea was not kept, and whether to reply."""

    questions = {
        "concern_about": Question(),
        "concern_what": Question(),
        "concern_principle": Question(),
        # An answer already given, or the form stopped, is kept.
        "concern_reply": Question(settled=(WANTS_REPLY, NO_REPLY, STOPPED)),
    }

    def name(self) -> str:
        return "validate_concern_form"

    def stop(self, dispatcher: CollectingDispatcher) -> dict[str, Any]:
        return stop_concern(dispatcher)

    def _words(
        self, slot: str, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> dict[str, Any]:
        return self.typed_words(
            slot,
            dispatcher,
            tracker,
            clean=lambda text: concerns.clean_text(text, LIMITS[slot]),
            problem=concerns.TextProblem,
            say_problem=lambda d, problem: d.utter_message(
                response=f"utter_words_{problem}", limit=LIMITS[slot]
            ),
            is_question=lambda _tracker, text: len(text) < 80,
        )

    check_concern_about = partialmethod(_words, "concern_about")
    check_concern_what = partialmethod(_words, "concern_what")

    def check_concern_principle(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> dict[str, Any]:
        pack = chosen_pack(tracker)
        text = str(value)
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
            picked = picked_from(choices, pack, UNSURE.sub(" ", plain(text)))
            if picked is not None:
                return self._saved(picked)
        # "Not sure, maybe communication" names communication.
        matches = principle_matches(pack, UNSURE.sub(" ", plain(text)))
        if len(matches) == 1:
            return self._saved(matches[0])
        if len(matches) > 1 and matches != choices:
            return {"concern_principle": None, CHOICES_SLOT: matches}
        if says_not_sure(text):
            return self._saved(NOT_ASKED)
        if matches or BOTH.search(plain(text)):
            # "Both": only one can be kept, so the same short list is asked again.
            dispatcher.utter_message(response="utter_concern_principle_one")
            return {
                "concern_principle": None,
                CHOICES_SLOT: choices or [p.id for p in pack.principles],
            }
        return self._not_understood(dispatcher)

    def check_concern_reply(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> dict[str, Any]:
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
