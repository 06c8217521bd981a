"""Easy-read explanations: co-production, co-design, consultation, the ladder, SEND words.

Also comparisons ("is this the same as a consultation?"), how-to answers ("how do
I get an EHCP?") and saying things more simply. An answer to a quiz story is
handed to ``actions.quiz``.
"""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import intent_of, pack_for, simple_mode, text_of
from actions.need_help import NATIONAL as NEED_HELP_NATIONAL
from actions.need_help import RESPONSE as NEED_HELP_RESPONSE
from actions.need_help import give_help
from actions.quiz import QUIZ_ANSWER_NAMES, ask_again, asked_quiz_item, mark_quiz_answer
from bot.content import CharterPack, lookup_term

TOPICS = {
    "ask_coproduction": "coproduction",
    "ask_codesign": "codesign",
    "ask_consultation": "consultation",
    "ask_ladder": "ladder",
    "ask_charter": "charter",
}
ASK_COMPARE, ASK_HOW_TO = "ask_compare", "ask_how_to"
EXPLAIN_INTENTS = frozenset(TOPICS) | {"ask_jargon", ASK_COMPARE, ASK_HOW_TO}
TERM_PREFIX = "term:"
# Responses that explain something: "say it more simply" explains it again.
EXPLANATIONS = frozenset(
    {f"utter_explain_{topic}" for topic in TOPICS.values()}
    | {"utter_explain_ladder_local", "utter_jargon"}
)
SIMPLER_ON = "utter_simpler_on"
NOT_REPEATED = (SIMPLER_ON, "utter_simpler_nothing")


# The three ways of working together, least shared first, as people type them.
WAYS = {
    "consultation": re.compile(
        r"\bconsult\w*|\basked (for )?(my|our|your|their) (views?|opinions?)", re.IGNORECASE
    ),
    "codesign": re.compile(r"\bco[-\s]?design\w*", re.IGNORECASE),
    "coproduction": re.compile(r"\bco[-\s]?prod\w*", re.IGNORECASE),
}
# "is this ...", "is that ...", "it's ...": the thing just explained.
THIS = re.compile(r"\b(is|isn'?t|was|are)\s+(this|that|it)\b|\b(this|that|it)(\s+is|'s)\b", re.I)
SAME = re.compile(r"\b(same|identical|alike)\b", re.IGNORECASE)
DIFFERENT = re.compile(r"\b(differen\w*|differ|diff)\b", re.IGNORECASE)
COMPARE = re.compile(r"\b(vs|versus|compared?|comparing|comparison)\b", re.IGNORECASE)
YES_NO = re.compile(r"^\W*(is|are|isn'?t|aren'?t|do|does|was|were)\b", re.IGNORECASE)
HOW_TO = re.compile(
    r"\bhow\b.{0,30}\b(get|getting|apply|applying|ask|asking|request|start|appeal|appealing"
    r"|challenge|contact|find|reach|call|ring|email|go about|get hold)\b"
    r"|\bhow long\b|\b(apply|applying|ask|asking) for\b|\b(steps?|process)\b"
    r"|\bwhat do (i|we) (do|need to do) to\b",
    re.IGNORECASE,
)
# What there are steps for, by glossary term; then by words in the message.
HOW_TO_TERMS = {
    "EHCP": "ehcp",
    "EHCNA": "ehcp",
    "tribunal": "appeal",
    "mediation": "appeal",
    "SENDIASS": "help",
    "IPSEA": "help",
    "Local Offer": "help",
}
HOW_TO_WORDS = {
    "appeal": re.compile(r"\bappeal\w*|\btribunal", re.IGNORECASE),
    "ehcp": re.compile(r"\behc|\bneeds assess", re.IGNORECASE),
}
HOW_TO_RESPONSES = {"ehcp": "utter_how_to_ehcp", "appeal": "utter_how_to_appeal"}
COMPARE_TERMS = "utter_compare_terms"


def explain(dispatcher: CollectingDispatcher, tracker: Tracker, intent: str | None) -> dict:
    """Send the explanation for ``intent``; return the slots that remember what was explained.

    A how-to question gets the steps, and a comparison gets both sides, whatever
    the intent: "what is an EHC plan and how do I get one" reaches here as
    ask_jargon, "is this the same as a consultation?" as ask_consultation.
    """
    if intent == ASK_HOW_TO or (intent in EXPLAIN_INTENTS and HOW_TO.search(text_of(tracker))):
        if how_to(dispatcher, tracker, asked=intent == ASK_HOW_TO):
            return {}
    if intent in EXPLAIN_INTENTS and compare(dispatcher, tracker, asked=intent == ASK_COMPARE):
        return {}
    if intent in (ASK_HOW_TO, ASK_COMPARE):
        # About one SEND word with no steps here: say what it is.
        if _terms(tracker):
            intent = "ask_jargon"
        else:
            fallback = "utter_how_to_which" if intent == ASK_HOW_TO else "utter_compare_ways"
            dispatcher.utter_message(response=fallback)
            return {}
    simple = simple_mode(tracker)
    if intent == "ask_jargon":
        term = next(tracker.get_latest_entity_values("term"), None) or tracker.get_slot("term")
        entry = lookup_term(term)
        if entry is None:
            dispatcher.utter_message(
                response="utter_jargon_unknown" if term else "utter_jargon_which"
            )
            return {"last_explained": None}
        dispatcher.utter_message(
            response="utter_jargon", explanation=entry["simple" if simple else "short"]
        )
        return {"last_explained": TERM_PREFIX + entry["term"]}
    topic = TOPICS.get(intent or "")
    if topic is None:
        return {}
    return explain_topic(dispatcher, tracker, topic)


def _terms(tracker: Tracker) -> list[dict[str, Any]]:
    """The SEND words in the latest message, in the order they were typed."""
    entities = (tracker.latest_message or {}).get("entities") or []
    found = [e for e in entities if e.get("entity") == "term" and lookup_term(e.get("value"))]
    return sorted(found, key=lambda e: e.get("start") or 0)


def _last_explained(tracker: Tracker) -> str | None:
    """What was explained just before: a topic ("codesign") or a SEND word ("term:EHCP")."""
    return tracker.get_slot("last_explained")


def how_to(dispatcher: CollectingDispatcher, tracker: Tracker, asked: bool) -> bool:
    """The steps for what the message is about; when asked how, for what was just explained.

    An appeal comes first ("how do I appeal the EHCP decision"), then who can help
    ("how do I contact SENDIASS about an EHCP"), then getting an EHCP.
    """
    text = text_of(tracker)
    topics = {HOW_TO_TERMS.get(lookup_term(e["value"])["term"]) for e in _terms(tracker)}
    topics |= {topic for topic, words in HOW_TO_WORDS.items() if words.search(text)}
    last = _last_explained(tracker) or ""
    if asked and not topics and last.startswith(TERM_PREFIX):
        topics.add(HOW_TO_TERMS.get(last[len(TERM_PREFIX) :]))
    topic = next((t for t in ("appeal", "help", "ehcp") if t in topics), None)
    if topic is None:
        return False
    if topic == "help":
        give_help(dispatcher, tracker)
    else:
        dispatcher.utter_message(response=HOW_TO_RESPONSES[topic])
    return True


def _ways_named(text: str) -> list[str]:
    """The ways of working together a message names, in the order it names them."""
    found = {way: words.search(text) for way, words in WAYS.items()}
    return sorted((way for way, match in found.items() if match), key=lambda w: found[w].start())


def _opener(text: str) -> str | None:
    """The yes or no a comparison question needs first, if it asks one."""
    if SAME.search(text):
        return "utter_compare_not_same"
    if DIFFERENT.search(text) and YES_NO.search(text):
        return "utter_compare_different"
    return None


def compare(dispatcher: CollectingDispatcher, tracker: Tracker, asked: bool) -> bool:
    """Answer a comparison of two ways of working, or of two SEND words, if it is one."""
    text = text_of(tracker)
    ways = _ways_named(text)
    if len(ways) == 1 and THIS.search(text) and (SAME.search(text) or DIFFERENT.search(text)):
        last = _last_explained(tracker)
        this = last if last in WAYS and last != ways[0] else "coproduction"
        if this != ways[0]:
            ways = [this, ways[0]]
    if len(ways) >= 2:
        opener = _opener(text)
        if opener:
            names = [QUIZ_ANSWER_NAMES[way] for way in ways[:2]]
            dispatcher.utter_message(response=opener, first=names[0], second=names[1])
        dispatcher.utter_message(response="utter_compare_ways")
        return True
    return compare_terms(dispatcher, tracker, text, asked)


def compare_terms(
    dispatcher: CollectingDispatcher, tracker: Tracker, text: str, asked: bool
) -> bool:
    """Two SEND words side by side: two names of one word are the same thing."""
    terms = _terms(tracker)
    wording = SAME.search(text) or DIFFERENT.search(text) or COMPARE.search(text)
    if len(terms) < 2 or not (wording or asked):
        return False
    first, second = terms[0], terms[1]
    first_entry, second_entry = lookup_term(first["value"]), lookup_term(second["value"])
    if first_entry["term"] == second_entry["term"]:
        typed = [text[e["start"] : e["end"]] if "end" in e else e["value"] for e in terms[:2]]
        if typed[0].lower() == typed[1].lower():
            return False
        dispatcher.utter_message(
            response="utter_compare_same", first=f'"{typed[0]}"', second=f'"{typed[1]}"'
        )
        return True
    opener = _opener(text)
    if opener:
        dispatcher.utter_message(
            response=opener, first=first_entry["term"], second=second_entry["term"]
        )
    say_terms(dispatcher, tracker, first_entry["term"], second_entry["term"])
    return True


def say_terms(dispatcher: CollectingDispatcher, tracker: Tracker, first: str, second: str) -> None:
    form = "simple" if simple_mode(tracker) else "short"
    dispatcher.utter_message(
        response=COMPARE_TERMS,
        first=lookup_term(first)[form],
        second=lookup_term(second)[form],
        first_term=first,
        second_term=second,
    )


def explain_topic(dispatcher: CollectingDispatcher, tracker: Tracker, topic: str) -> dict:
    pack = pack_for(tracker)
    if topic == "ladder" and pack.ladder:
        dispatcher.utter_message(
            response="utter_explain_ladder_local",
            ladder_name=pack.ladder_name,
            steps=ladder_steps(pack, simple=simple_mode(tracker)),
            area=pack.area,
        )
    else:
        dispatcher.utter_message(response=f"utter_explain_{topic}", area=pack.area)
    return {"last_explained": topic}


def ladder_steps(pack: CharterPack, simple: bool = False) -> str:
    """The area's ladder, one numbered line a step, bottom step first."""
    return "\n".join(
        f"{number}. {rung.name}" if simple else f"{number}. {rung.name}: {rung.easy_read}"
        for number, rung in enumerate(pack.ladder, start=1)
    )


def previous_turn(tracker: Tracker) -> list[dict[str, Any]]:
    """The bot messages sent in reply to the message before the latest one."""
    events = tracker.events
    users = [i for i, event in enumerate(events) if event.get("event") == "user"]
    if not users:
        return []
    start = users[-2] if len(users) > 1 else -1
    return [e for e in events[start + 1 : users[-1]] if e.get("event") == "bot"]


def said_this_turn(tracker: Tracker, response: str) -> bool:
    """True when ``response`` was already sent in reply to the latest message."""
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            return False
        if (
            event.get("event") == "bot"
            and (event.get("metadata") or {}).get("utter_action") == response
        ):
            return True
    return False


class ActionExplain(Action):
    """Explain a topic or a SEND word; or mark a quiz answer when a quiz story was just asked."""

    def name(self) -> str:
        return "action_explain"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        intent = intent_of(tracker)
        item = asked_quiz_item(previous_turn(tracker))
        way = TOPICS.get(intent or "")
        if item is not None and way in QUIZ_ANSWER_NAMES:
            return mark_quiz_answer(dispatcher, tracker, item, way)
        slots = explain(dispatcher, tracker, intent)
        return [SlotSet(name, value) for name, value in slots.items()]


class ActionSimplerOn(Action):
    """Remember that this person wants things said more simply, from now on."""

    def name(self) -> str:
        return "action_simpler_on"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        if not simple_mode(tracker):
            dispatcher.utter_message(response=SIMPLER_ON)
        return [SlotSet("simple_mode", True)]


class ActionSaySimpler(Action):
    """Say the last reply again, now in its simpler form (after action_simpler_on)."""

    def name(self) -> str:
        return "action_say_simpler"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        said = [
            event.get("metadata") or {}
            for event in previous_turn(tracker)
            if (event.get("metadata") or {}).get("utter_action") not in (None, *NOT_REPEATED)
        ]
        names = {metadata["utter_action"] for metadata in said}
        last = tracker.get_slot("last_explained")
        if names & EXPLANATIONS and last:
            if last.startswith(TERM_PREFIX):
                entry = lookup_term(last[len(TERM_PREFIX) :])
                if entry is not None:
                    dispatcher.utter_message(response="utter_jargon", explanation=entry["simple"])
                    return []
            elif last in TOPICS.values():
                return [
                    SlotSet(name, value)
                    for name, value in explain_topic(dispatcher, tracker, last).items()
                ]
        quiz_item = asked_quiz_item(previous_turn(tracker))
        if quiz_item is not None:
            ask_again(dispatcher, tracker, quiz_item)
            return []
        if not said:
            if not said_this_turn(tracker, SIMPLER_ON):
                dispatcher.utter_message(response="utter_simpler_nothing")
            return []
        for metadata in said:
            values = {k: v for k, v in metadata.items() if k != "utter_action"}
            if metadata["utter_action"] == NEED_HELP_RESPONSE:
                give_help(dispatcher, tracker)
            elif metadata["utter_action"] == NEED_HELP_NATIONAL:
                continue  # give_help sends it again with the first message
            elif metadata["utter_action"] == COMPARE_TERMS and "first_term" in values:
                say_terms(dispatcher, tracker, values["first_term"], values["second_term"])
            else:
                dispatcher.utter_message(response=metadata["utter_action"], **values)
        return []
