"""Whole answers to comparisons ("is this the same as a consultation?") and how-to
questions ("what is an EHC plan and how do I get one"), not half answers."""

from __future__ import annotations

from pathlib import Path

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.learn import EXPLAIN_INTENTS, ActionExplain, ActionSaySimpler
from bot.content import lookup_term
from tests.conftest import bot_said, finished, make_tracker
from tests.project_yaml import project_yaml
from tests.test_need_help import rendered
from tests.test_review_actions import answer, ask, saved_answers, start

ROOT = Path(__file__).resolve().parent.parent
DOMAIN = project_yaml("domain.yml")


def term(text: str, surface: str, value: str) -> dict:
    start = text.lower().index(surface.lower())
    return {"entity": "term", "value": value, "start": start, "end": start + len(surface)}


def explained(intent, text, entities=None, slots=None, before=None):
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(intent, text, entities=entities, slots=slots, before=before)
    events = ActionExplain().run(dispatcher, tracker, {})
    return dispatcher.messages, events


def said(messages) -> list[str]:
    return [m["response"] for m in messages]


@pytest.mark.parametrize("intent", ["ask_compare", "ask_codesign", "ask_coproduction"])
def test_the_difference_between_codesign_and_coproduction_is_a_comparison(intent):
    messages, _ = explained(intent, "whats the difference between co-design and co-production")
    assert said(messages) == ["utter_compare_ways"]
    text, _ = rendered(messages[0], simple=False)
    for way in ("Consultation:", "Co-design:", "Co-production:"):
        assert way in text


def test_the_comparison_says_each_way_in_one_line():
    text, _ = rendered({"response": "utter_compare_ways"}, simple=True)
    lines = [line for line in text.splitlines() if ":" in line]
    assert lines == [
        "📋 Consultation: they ask you about their plan.",
        "✏️ Co-design: you plan it with them.",
        "🤝 Co-production: you plan it, do it and check it together.",
    ]


@pytest.mark.parametrize("intent", ["ask_consultation", "ask_compare"])
def test_is_this_the_same_as_a_consultation_says_no_and_why(intent):
    messages, _ = explained(intent, "is this the same as a consultation?")
    assert said(messages) == ["utter_compare_not_same", "utter_compare_ways"]
    assert (messages[0]["first"], messages[0]["second"]) == ("co-production", "consultation")
    text, _ = rendered(messages[0], simple=False)
    assert text.startswith("No")


def test_being_asked_your_views_is_consultation():
    messages, _ = explained("ask_compare", "is co-production the same as being asked my views")
    assert said(messages) == ["utter_compare_not_same", "utter_compare_ways"]
    assert (messages[0]["first"], messages[0]["second"]) == ("co-production", "consultation")


def test_this_is_what_was_just_explained():
    messages, _ = explained(
        "ask_consultation",
        "is that the same thing as consultation",
        slots={"last_explained": "codesign"},
        before=[bot_said("utter_explain_codesign")],
    )
    assert said(messages) == ["utter_compare_not_same", "utter_compare_ways"]
    assert messages[0]["first"] == "co-design"


@pytest.mark.parametrize(
    "text,opener",
    [
        ("is there a difference between consultation and coproduction", "utter_compare_different"),
        ("are co-design and co-production the same", "utter_compare_not_same"),
        ("co-design vs co-production vs consultation", None),
        ("codesign or coproduction which is which", None),
    ],
)
def test_a_yes_or_no_comparison_is_answered_yes_or_no_first(text, opener):
    messages, _ = explained("ask_compare", text)
    assert said(messages) == [*([opener] if opener else []), "utter_compare_ways"]
    if opener == "utter_compare_different":
        assert rendered(messages[0], simple=False)[0].startswith("Yes")


def test_one_way_alone_is_still_explained_as_before():
    messages, events = explained("ask_coproduction", "what is co-production")
    assert said(messages) == ["utter_explain_coproduction"]
    assert events[0]["value"] == "coproduction"


def test_two_send_words_compared_are_both_explained():
    text = "whats the difference between sen support and an ehcp"
    entities = [term(text, "sen support", "SEN support"), term(text, "ehcp", "EHCP")]
    messages, _ = explained("ask_jargon", text, entities=entities)
    assert said(messages) == ["utter_compare_terms"]
    assert messages[0]["first"] == lookup_term("SEN support")["short"]
    assert messages[0]["second"] == lookup_term("EHCP")["short"]


def test_two_names_of_one_send_word_are_the_same():
    text = "is an ehc plan the same as an ehcp?"
    entities = [term(text, "ehc plan", "EHCP"), term(text, "ehcp?", "EHCP")]
    entities[1]["end"] -= 1
    messages, _ = explained("ask_jargon", text, entities=entities)
    assert said(messages)[0] == "utter_compare_same"
    assert rendered(messages[0], simple=False)[0].startswith("Yes")


def test_is_one_send_word_the_same_as_another_says_no():
    text = "is sen support the same as an ehcp"
    entities = [term(text, "sen support", "SEN support"), term(text, "ehcp", "EHCP")]
    messages, _ = explained("ask_jargon", text, entities=entities)
    assert said(messages) == ["utter_compare_not_same", "utter_compare_terms"]
    assert (messages[0]["first"], messages[0]["second"]) == ("SEN support", "EHCP")


def test_say_it_more_simply_after_comparing_send_words_gives_their_simple_forms():
    text = "whats the difference between sen support and an ehcp"
    entities = [term(text, "sen support", "SEN support"), term(text, "ehcp", "EHCP")]
    messages, _ = explained("ask_jargon", text, entities=entities)
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(
        "simpler", "eh?", slots={"simple_mode": True}, before=[bot_said(**messages[0])]
    )
    finished(ActionSaySimpler().run(dispatcher, tracker, {}))
    [again] = dispatcher.messages
    assert again["response"] == "utter_compare_terms"
    assert again["first"] == lookup_term("SEN support")["simple"]


# How to get an EHCP, and how to appeal.


@pytest.mark.parametrize(
    "intent,text,surface,value",
    [
        ("ask_how_to", "how do i get an ehcp", "ehcp", "EHCP"),
        ("ask_jargon", "what is an ehc plan and how do i get one", "ehc plan", "EHCP"),
        ("ask_how_to", "how do i ask for a needs assessment", "needs assessment", "EHCNA"),
        ("ask_jargon", "how long does an EHCP take", "EHCP", "EHCP"),
    ],
)
def test_how_to_get_an_ehcp_gives_the_steps(intent, text, surface, value):
    messages, _ = explained(intent, text, entities=[term(text, surface, value)])
    assert said(messages) == ["utter_how_to_ehcp"]


def test_the_ehcp_steps_say_who_can_ask_the_time_limits_appeal_and_who_helps():
    text, buttons = rendered({"response": "utter_how_to_ehcp"}, simple=False)
    assert text.startswith("An EHCP is a plan")
    for fact in (
        "EHC needs assessment",
        "A parent can ask",
        "young person aged 16 to 25",
        "the school",
        "6 weeks",
        "20 weeks",
        "appeal",
        "tribunal",
        "SENDIASS",
        "IPSEA",
        "ipsea.org.uk",
    ):
        assert fact in text, fact
    assert "/need_help" in {b["payload"] for b in buttons}


def test_how_do_i_get_one_after_hearing_what_an_ehcp_is():
    messages, _ = explained(
        "ask_how_to",
        "ok how do i get one",
        slots={"last_explained": "term:EHCP"},
        before=[bot_said("utter_jargon", explanation="...")],
    )
    assert said(messages) == ["utter_how_to_ehcp"]


@pytest.mark.parametrize(
    "intent,text,entities",
    [
        ("ask_how_to", "how do i appeal", []),
        ("ask_how_to", "how do we go to tribunal", [{"entity": "term", "value": "tribunal"}]),
    ],
)
def test_how_to_appeal_gives_the_steps(intent, text, entities):
    messages, _ = explained(intent, text, entities=entities)
    assert said(messages) == ["utter_how_to_appeal"]
    rendered_text, _ = rendered(messages[0], simple=False)
    for fact in ("mediation", "certificate", "2 months", "1 month", "free", "IPSEA"):
        assert fact in rendered_text, fact


def test_a_how_to_about_nothing_known_asks_which():
    messages, _ = explained("ask_how_to", "how do i do that")
    assert said(messages) == ["utter_how_to_which"]


def test_what_is_an_ehcp_is_still_the_definition():
    text = "what is an ehcp"
    messages, _ = explained("ask_jargon", text, entities=[term(text, "ehcp", "EHCP")])
    assert said(messages) == ["utter_jargon"]


def test_say_it_more_simply_after_the_steps_says_the_steps_again():
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(
        "simpler",
        "simpler pls",
        slots={"simple_mode": True, "last_explained": "term:EHCP"},
        before=[bot_said("utter_how_to_ehcp")],
    )
    finished(ActionSaySimpler().run(dispatcher, tracker, {}))
    assert said(dispatcher.messages) == ["utter_how_to_ehcp"]


# Mid-review these are answered like any explanation, then the question is asked again.


def test_comparison_and_how_to_are_explanations_everywhere_explanations_are_taken():
    assert {"ask_compare", "ask_how_to"} <= EXPLAIN_INTENTS
    for intent in ("ask_compare", "ask_how_to"):
        assert intent in DOMAIN["intents"]


def test_a_comparison_mid_review_is_answered_then_the_question_again(database):
    slots, _ = start(database)
    slots, messages = answer(slots, "ask_compare", "is this the same as a consultation?")
    assert said(messages) == ["utter_compare_not_same", "utter_compare_ways"]
    assert saved_answers() == {}
    assert ask(slots)[0]["number"] == 1
