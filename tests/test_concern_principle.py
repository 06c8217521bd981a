"""Which charter idea a concern is about, when the person types it in their own words."""

from __future__ import annotations

from typing import Any

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.concern_ideas import MORE_IDEAS, PAGE_SLOT, idea_pages, principle_matches
from actions.concerns import (
    CHOICES_SLOT,
    ActionAskConcernPrinciple,
    ActionSaveConcern,
    ValidateConcernForm,
)
from bot.content import get_pack, list_packs
from tests.conftest import finished, make_tracker
from tests.project_yaml import project_yaml

DOMAIN = project_yaml("domain.yml")


def answer(
    slots: dict[str, Any], text: str, intent: str = "inform", entities=None
) -> tuple[dict[str, Any], list[str]]:
    """Give ``text`` to the principle question; the new slots and the responses sent."""
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(
        intent,
        text,
        slots={**slots, "requested_slot": "concern_principle"},
        entities=entities,
        active_loop="concern_form",
    )
    result = finished(
        ValidateConcernForm().validate_concern_principle(text, dispatcher, tracker, {})
    )
    return {**slots, **result}, [m.get("response") for m in dispatcher.messages]


def ask(slots: dict[str, Any]) -> dict[str, Any]:
    """What the form says when it asks the principle question with these slots."""
    dispatcher = CollectingDispatcher()
    tracker = make_tracker("inform", "", slots=slots, active_loop="concern_form")
    finished(ActionAskConcernPrinciple().run(dispatcher, tracker, {}))
    [message] = dispatcher.messages
    return message


def button(principle: str) -> tuple[str, str, list[dict[str, str]]]:
    return (
        f'/inform{{"principle": "{principle}"}}',
        "inform",
        [{"entity": "principle", "value": principle}],
    )


# The classifier's guess for a typed answer can be anything: the words decide.
def test_two_ideas_typed_are_asked_about_with_a_button_for_each(database):
    slots, said = answer({"area": "wirral"}, "partnership and communication really", "unsure")
    assert slots["concern_principle"] is None, "saved without asking"
    assert slots[CHOICES_SLOT] == ["communicate", "working_in_partnership"]
    assert said == []
    message = ask(slots)
    assert message["response"] == "utter_ask_concern_principle_which"
    assert message["buttons"] == [
        {"title": "🔹 Communicate", "payload": '/inform{"principle": "communicate"}'},
        {
            "title": "🔹 Working in partnership",
            "payload": '/inform{"principle": "working_in_partnership"}',
        },
    ]
    # The person picks one: it is saved, and the short list is forgotten.
    slots, said = answer(slots, *button("working_in_partnership"))
    assert slots["concern_principle"] == "working_in_partnership" and said == []
    assert slots[CHOICES_SLOT] is None


def test_the_short_list_can_be_answered_in_words_too(database):
    slots, _ = answer({"area": "wirral"}, "partnership and communication really", "unsure")
    picked, said = answer(slots, "communication mostly")
    assert picked["concern_principle"] == "communicate" and said == []
    for typed in ("the second one", "the last one"):
        picked, _ = answer(slots, typed)
        assert picked["concern_principle"] == "working_in_partnership", typed
    picked, _ = answer(slots, "1st")
    assert picked["concern_principle"] == "communicate"


def test_both_when_only_one_can_be_saved_asks_again_with_the_same_short_list(database):
    slots, _ = answer({"area": "wirral"}, "partnership and communication really", "unsure")
    again, said = answer(slots, "both", "affirm")
    assert said == ["utter_concern_principle_one"]
    assert again["concern_principle"] is None
    assert again[CHOICES_SLOT] == ["communicate", "working_in_partnership"]
    assert ask(again)["response"] == "utter_ask_concern_principle_which"


@pytest.mark.parametrize(
    "area,typed,intent,principle",
    [
        ("wirral", "it was about communicate", "inform", "communicate"),
        ("wirral", "comunication", "unsure", "communicate"),
        ("wirral", "partnrship", "deny", "working_in_partnership"),
        ("wirral", "nobody told us what happens next", "deny", "working_in_partnership"),
        ("wirral", "Welcome and care", "inform", "welcome_and_care"),
        ("birmingham", "they never listen", "deny", "listened_to"),
        ("birmingham", "transparancy", "inform", "transparency"),
        ("halton", "power", "inform", "sharing_power"),
        ("warrington", "too much jargon", "inform", "respect_no_jargon"),
    ],
)
def test_one_clear_idea_in_own_words_is_saved(database, area, typed, intent, principle):
    slots, said = answer({"area": area}, typed, intent)
    assert slots["concern_principle"] == principle and said == []


@pytest.mark.parametrize("intent", ["unsure", "deny", "skip_question", "inform"])
def test_words_that_name_no_idea_are_asked_again_with_the_question_s_own_buttons(database, intent):
    slots, said = answer({"area": "wirral"}, "purple elephants", intent)
    assert slots["concern_principle"] is None, "never saved as not sure without asking"
    assert said == ["utter_concern_principle_not_understood"]
    message = ask(slots)
    first_part = idea_pages(get_pack("wirral"))[0]
    assert 1 < len(first_part) <= 4
    assert message["response"] == "utter_ask_concern_principle_part"
    assert [b["payload"] for b in message["buttons"]] == [
        *(f'/inform{{"principle": "{p.id}"}}' for p in first_part),
        f'/inform{{"principle": "{MORE_IDEAS}"}}',
        "/unsure",
    ]


@pytest.mark.parametrize("pack", list_packs(), ids=lambda pack: pack.id)
def test_every_idea_is_offered_six_buttons_at_most_at_a_time(database, pack):
    slots: dict[str, Any] = {"area": pack.id}
    offered: list[str] = []
    for _ in idea_pages(pack):
        message = ask(slots)
        assert len(message["buttons"]) <= 6
        payloads = [b["payload"] for b in message["buttons"]]
        assert payloads[-1] == "/unsure"
        offered += [p for p in payloads if '"principle"' in p and MORE_IDEAS not in p]
        if len(idea_pages(pack)) == 1:
            assert message["response"] == "utter_ask_concern_principle"
            break
        more = f'/inform{{"principle": "{MORE_IDEAS}"}}'
        assert more in payloads
        slots, said = answer(slots, more, entities=[{"entity": "principle", "value": MORE_IDEAS}])
        assert said == [] and slots["concern_principle"] is None
    assert offered == [f'/inform{{"principle": "{p.id}"}}' for p in pack.principles]
    assert slots.get(PAGE_SLOT, 0) == 0, "after the last part, the first part comes again"


@pytest.mark.parametrize("typed", ["more", "Next", "show more", "other ideas"])
def test_more_ideas_can_be_typed(database, typed):
    slots, said = answer({"area": "halton"}, typed)
    assert said == [] and slots[PAGE_SLOT] == 1
    second = ask(slots)
    assert second["part"] == 2 and second["parts"] == 3
    assert get_pack("halton").principles[4].easy_read in second["ideas"]


def test_an_idea_from_a_later_part_is_saved_and_the_part_forgotten(database):
    slots, _ = answer({"area": "halton"}, "more")
    slots, said = answer(slots, *button("listening")[:1], entities=button("listening")[2])
    assert slots["concern_principle"] == "listening" and slots[PAGE_SLOT] is None


def test_words_that_name_no_idea_after_a_short_list_go_back_to_every_idea(database):
    slots, _ = answer({"area": "wirral"}, "partnership and communication really", "unsure")
    slots, said = answer(slots, "purple elephants")
    assert said == ["utter_concern_principle_not_understood"]
    assert slots["concern_principle"] is None and slots[CHOICES_SLOT] is None
    assert ask(slots)["response"] == "utter_ask_concern_principle_part"


@pytest.mark.parametrize(
    "typed,intent",
    [
        ("/unsure", "unsure"),
        ("not sure", "unsure"),
        ("I don't know", "unsure"),
        ("dunno", "deny"),
        ("no idea tbh", "inform"),
        ("not really sure", "partly"),
    ],
)
def test_not_sure_in_any_words_is_saved_as_not_sure(database, typed, intent):
    slots, said = answer({"area": "wirral"}, typed, intent)
    assert slots["concern_principle"] == "not_asked" and said == []


def test_not_sure_from_the_short_list_is_saved_as_not_sure(database):
    slots, _ = answer({"area": "wirral"}, "partnership and communication really", "unsure")
    slots, said = answer(slots, "not sure", "unsure")
    assert slots["concern_principle"] == "not_asked" and slots[CHOICES_SLOT] is None


def test_stop_and_save_forget_the_short_list(database):
    slots, _ = answer({"area": "wirral"}, "partnership and communication really", "unsure")
    stopped, said = answer(slots, "stop", "stop")
    assert said == ["utter_concern_stopped"] and stopped[CHOICES_SLOT] is None
    dispatcher = CollectingDispatcher()
    events = finished(
        ActionSaveConcern().run(dispatcher, make_tracker("deny", "/deny", slots=slots), {})
    )
    assert {"event": "slot", "name": CHOICES_SLOT, "value": None, "timestamp": None} in events


@pytest.mark.parametrize("pack", list_packs(), ids=lambda pack: pack.id)
def test_every_principle_s_own_name_matches_itself_alone(pack):
    for principle in pack.principles:
        assert principle_matches(pack, principle.name) == [principle.id], principle.name


def test_ordinary_words_match_no_idea():
    pack = get_pack("wirral")
    for typed in ("purple elephants", "the meeting was bad", "hello", "", "community centre"):
        assert principle_matches(pack, typed) == [], typed


def test_the_short_list_question_and_its_follow_up_are_in_the_domain():
    assert CHOICES_SLOT in DOMAIN["slots"]
    for name in ("utter_ask_concern_principle_which", "utter_concern_principle_one"):
        assert name in DOMAIN["responses"], name
