"""The pledge flow as a person meets it: which area, who signs, signing again, who signed.

Trackers are built in code, as in test_pledge_actions.py; the form's own step (which
question comes next) is the first required slot of ``pledge_form`` still empty, as Rasa
asks it. The validation action runs whole, with the real domain, at the form's start.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from rasa.shared.nlu.training_data.loading import load_data
from rasa_sdk.executor import CollectingDispatcher

from actions.pledge_form import ValidatePledgeForm
from actions.pledge_questions import (
    ActionAskPledgeAgain,
    ActionAskPledgeAgreed,
    ActionAskPledgeArea,
    ActionAskPledgeKind,
)
from actions.pledge_register import ActionShowRegister
from actions.pledge_rules import pages_of, pledge_items, pledge_pack
from actions.pledge_signed import ActionSavePledge
from actions.pledge_words import kind_of
from bot.content import list_packs
from bot.staff.routes import routes as public_routes
from bot.store import pledges
from bot.store.db import unit_of_work
from tests.conftest import bot_said, finished, make_tracker
from tests.project_yaml import project_yaml
from tests.test_pledge_actions import SENDER, pledge_step, read_and_pledge, rows, run

ROOT = Path(__file__).resolve().parent.parent
DOMAIN = project_yaml("domain.yml")
REQUIRED = DOMAIN["forms"]["pledge_form"]["required_slots"]
AREAS = [pack.id for pack in list_packs()]


def variants(response: str) -> list[str]:
    return [v.get("text", "") for v in DOMAIN["responses"][response]]


def start(slots: dict[str, Any] | None = None, text: str = "i pledge", sender: str = SENDER):
    """The form starts on a "sign the pledge" message: the slots after its validation run."""
    slots = dict(slots or {})
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(
        "sign_pledge", text, slots=slots, active_loop="pledge_form", sender=sender
    )
    events = finished(ValidatePledgeForm().run(dispatcher, tracker, DOMAIN))
    for event in events:
        if event.get("event") == "slot" and event["name"] != "requested_slot":
            slots[event["name"]] = event["value"]
    return slots, [m.get("response") for m in dispatcher.messages]


def next_question(slots: dict[str, Any]) -> str | None:
    """The slot the form asks for next: the first required one still empty."""
    return next((slot for slot in REQUIRED if slots.get(slot) is None), None)


def ask(action: Any, slots: dict[str, Any], text: str = "", before=None, intent="inform"):
    """Run a question's action after the message ``text``; the messages it sends."""
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(intent, text, slots=slots, active_loop="pledge_form", before=before)
    finished(action.run(dispatcher, tracker, {}))
    return dispatcher.messages


def sign_as_parent(charter: str = "wirral", sender: str = SENDER) -> None:
    with unit_of_work() as session:
        pledges.sign_pledge(
            session, pseudonym=sender, channel="web", charter=charter, kind="parents_and_carers"
        )


def sign_council(charter: str = "birmingham", name: str = "Birmingham City Council") -> None:
    with unit_of_work() as session:
        pledges.sign_pledge(
            session,
            pseudonym="web-council",
            channel="web",
            charter=charter,
            kind="organisation",
            organisation=name,
            representative="Asha Khan",
            representative_role="Head of SEND",
        )


# ---- (a) Thanks only once a pledge is saved -------------------------------------------------


def test_no_question_in_the_pledge_flow_thanks_the_person_for_signing():
    asking = [name for name in DOMAIN["responses"] if name.startswith("utter_ask_pledge_")]
    assert "utter_ask_pledge_kind" in asking
    for name in asking:
        for text in variants(name):
            assert "thank" not in text.lower(), f"{name} thanks before anything is signed"


def test_thanks_come_only_after_the_pledge_is_saved(database):
    slots = {"area": "wirral"}
    sent = [m["response"] for m in ask(ActionAskPledgeKind(), slots)]
    slots, said = pledge_step(slots, "pledge_kind", "i'm a parent")
    sent += said
    sent += [m["response"] for m in ask(ActionAskPledgeAgreed(), slots)]
    slots = read_and_pledge(slots)
    sent.append("utter_ask_pledge_name")
    slots, said = pledge_step(slots, "pledge_name", "Sam")
    sent += said
    assert rows() == []
    for name in sent:
        assert all("thank" not in text.lower() for text in variants(name)), name
    _, [saved] = run(ActionSavePledge(), slots)
    assert len(rows()) == 1
    assert all("thank" in text.lower() for text in variants(saved["response"]))


# ---- (b) Which area's charter, asked unless it is known ---------------------------------------


def test_with_no_area_chosen_the_area_is_asked_before_anything_else(database):
    slots, said = start({})
    assert said == []
    assert next_question(slots) == "pledge_area"
    [message] = ask(ActionAskPledgeArea(), slots, "i pledge", intent="sign_pledge")
    assert message["response"] == "utter_pledge_choose_area"
    assert [b["payload"] for b in message["buttons"]] == [
        f'/choose_area{{"area": "{area}"}}' for area in AREAS
    ]
    for button in message["buttons"]:
        assert button["title"].startswith("🗺️ ") and button["title"][3:].isalpha()


def test_an_area_chosen_earlier_in_the_conversation_is_used_without_asking(database):
    slots, _ = start({"area": "halton"})
    assert slots["pledge_area"] == "halton" and next_question(slots) == "pledge_kind"
    [message] = ask(ActionAskPledgeKind(), slots)
    assert message["area"] == "Halton"


def test_the_charter_of_a_review_code_is_used_without_asking(database):
    slots, _ = start({"review_charter": "warrington"})
    assert slots["pledge_area"] == "warrington" and next_question(slots) == "pledge_kind"


@pytest.mark.parametrize(
    "typed,intent,entities,area",
    [
        (
            '/choose_area{"area": "halton"}',
            "choose_area",
            [{"entity": "area", "value": "halton"}],
            "halton",
        ),
        ("wokingham", "choose_area", [{"entity": "area", "value": "wokingham"}], "wokingham"),
        ("birmingam", "inform", None, "birmingham"),
        ("i live in warington", "inform", None, "warrington"),
        ("The Wirral", "inform", None, "wirral"),
    ],
)
def test_the_area_is_taken_from_a_button_or_typed_words(database, typed, intent, entities, area):
    slots, _ = start({})
    slots, said = pledge_step(slots, "pledge_area", typed, intent, entities)
    assert said == []
    assert slots["pledge_area"] == area and slots["area"] == area
    assert next_question(slots) == "pledge_kind"
    [message] = ask(ActionAskPledgeKind(), slots)
    assert message["area"] == {p.id: p.area for p in list_packs()}[area]


def test_the_pledge_is_saved_for_the_area_chosen_not_the_default(database):
    slots, _ = start({})
    slots, _ = pledge_step(slots, "pledge_area", "halton")
    slots, _ = pledge_step(slots, "pledge_kind", "young person")
    slots = read_and_pledge(slots)
    slots, _ = pledge_step(slots, "pledge_name", "no name")
    _, [message] = run(ActionSavePledge(), slots)
    assert message["area"] == "Halton"
    assert [row.charter for row in rows()] == ["halton"]


def test_change_area_at_the_first_question_asks_the_area_only(database):
    slots, _ = start({"area": "wirral"})
    slots, said = pledge_step(slots, "pledge_kind", "/choose_area", "choose_area")
    assert said == []
    assert slots["pledge_kind"] is None and slots["pledge_area"] is None
    assert next_question(slots) == "pledge_area"


# ---- (c) "I pledge" again after signing -------------------------------------------------------


def test_after_signing_i_pledge_says_what_was_signed_and_offers_choices(database):
    sign_as_parent("wirral")
    slots, said = start({"area": "wirral"}, "i pledge")
    assert said == []
    assert next_question(slots) == "pledge_again"
    [message] = ask(ActionAskPledgeAgain(), slots, "i pledge", intent="sign_pledge")
    assert message["response"] == "utter_pledge_signed_before"
    assert "Wirral" in message["pledges"] and "parent or carer" in message["pledges"]
    assert pledges_date_today() in message["pledges"]
    assert [b["payload"] for b in message["buttons"]] == ["/affirm", "/see_register", "/deny"]
    assert all(not b["title"][0].isalnum() for b in message["buttons"])


def pledges_date_today() -> str:
    from datetime import date

    today = date.today()
    return f"{today.day} {today:%B %Y}"


def test_nobody_who_has_not_signed_is_asked_about_signing_again(database):
    slots, _ = start({"area": "wirral"})
    assert slots["pledge_again"] == "not_asked" and next_question(slots) == "pledge_kind"


@pytest.mark.parametrize(
    "typed,intent",
    [
        ("/affirm", "affirm"),
        ("yes please", "affirm"),
        ("sign another one", "sign_pledge"),
        ("i want to sign a different one", "inform"),
    ],
)
def test_signing_another_pledge_goes_on_to_the_questions(database, typed, intent):
    sign_as_parent("wirral")
    slots, _ = start({}, "i pledge")
    slots, said = pledge_step(slots, "pledge_again", typed, intent)
    assert said == [] and slots["pledge_again"] == "yes"
    assert next_question(slots) == "pledge_area"


@pytest.mark.parametrize(
    "typed,intent", [("/deny", "deny"), ("no thanks", "deny"), ("nope", "inform")]
)
def test_no_thanks_ends_without_a_new_signing(database, typed, intent):
    sign_as_parent("wirral")
    slots, _ = start({"area": "wirral"})
    slots, said = pledge_step(slots, "pledge_again", typed, intent)
    assert said == ["utter_pledge_again_no"]
    assert next_question(slots) is None and slots["pledge_agreed"] == "no"
    _, messages = run(ActionSavePledge(), slots)
    assert messages == [] and len(rows()) == 1


def test_see_who_signed_from_the_signed_before_question_shows_the_register_then_asks_again(
    database,
):
    sign_as_parent("wirral")
    slots, _ = start({"area": "wirral"})
    slots, said = pledge_step(slots, "pledge_again", "/see_register", "see_register")
    assert said == ["utter_register_area_none"]
    assert slots["pledge_again"] is None and next_question(slots) == "pledge_again"


# ---- (d) Who else has signed: the public register ---------------------------------------------


def test_see_register_has_many_examples_in_peoples_own_words():
    data = load_data(str(ROOT / "nlu_data" / "nlu"))
    examples = [e.get("text") for e in data.intent_examples if e.get("intent") == "see_register"]
    assert len(set(examples)) >= 30
    assert "can i see who else has signed" in examples
    assert "see_register" in DOMAIN["intents"]
    assert "action_show_register" in DOMAIN["actions"]


def test_a_rule_answers_who_signed_with_the_register():
    rules = yaml.safe_load((ROOT / "nlu_data" / "rules" / "pledges.yml").read_text())["rules"]
    steps = [
        [next(iter(step.values())) for step in rule["steps"]]
        for rule in rules
        if not rule.get("condition")
    ]
    assert ["see_register", "action_show_register"] in steps


def test_the_register_for_the_persons_area_names_who_signed_and_links_the_list(database):
    sign_council()
    sign_as_parent("birmingham", sender="web-parent")
    _, [message] = run(ActionShowRegister(), {"area": "birmingham"}, "see_register", "who signed?")
    assert message["response"] == "utter_register_area"
    assert "Birmingham City Council" in message["signers"]
    assert message["link"].endswith("/pledges#birmingham")
    assert "/pledges" in [route.path for route in public_routes]
    assert [b["payload"] for b in message["buttons"]] == ["/sign_pledge"]
    # Families are never named.
    assert "web-parent" not in str(message)


def test_with_no_area_known_the_whole_list_is_linked_with_a_button_per_area(database):
    _, [message] = run(ActionShowRegister(), {}, "see_register", "can i see who else has signed")
    assert message["response"] == "utter_register_choose_area"
    assert message["link"].endswith("/pledges")
    assert [b["payload"] for b in message["buttons"]] == [
        *(f'/see_register{{"area": "{area}"}}' for area in AREAS),
        "/sign_pledge",
    ]


def test_an_area_named_in_the_question_is_the_one_shown(database):
    area = [{"entity": "area", "value": "halton"}]
    _, [message] = run(
        ActionShowRegister(), {"area": "wirral"}, "see_register", "who signed in halton", area
    )
    assert message["response"] == "utter_register_area_none" and message["area"] == "Halton"
    assert message["link"].endswith("/pledges#halton")


def test_who_signed_asked_at_the_who_are_you_question_is_answered_then_asked_again(database):
    sign_council()
    slots, said = pledge_step(
        {"area": "birmingham", "pledge_area": "birmingham"},
        "pledge_kind",
        "can i see who else has signed",
        "see_register",
    )
    assert said == ["utter_register_area"] and slots["pledge_kind"] is None


# ---- (e) Closed questions understood in the person's own words --------------------------------


@pytest.mark.parametrize(
    "typed,kind",
    [
        ("i'm a parent", "parents_and_carers"),
        ("Im a parnet", "parents_and_carers"),
        ("perent carer", "parents_and_carers"),
        ("for my family", "parents_and_carers"),
        ("on behalf of my school", "organisation"),
        ("on behalf of my scool", "organisation"),
        ("an organisation", "organisation"),
        ("organistion", "organisation"),
        ("an orginization", "organisation"),
        ("we are a charity", "organisation"),
        ("representing our team", "organisation"),
        ("the local council", "organisation"),
        ("our parent carer forum", "parent_carer_forum"),
        ("forumn", "parent_carer_forum"),
        ("yung person", "young_people"),
        ("im 15 and a student", "young_people"),
        ("just me", "person"),
        ("myself", "person"),
        ("me personally", "person"),
        ("as an individual", "person"),
        ("my son is autistic", "parents_and_carers"),
        ("young carer", "young_people"),
        ("im at college", "young_people"),
        ("youth service", "organisation"),
        ("SENCo at a school", "organisation"),
        ("i want to sign the charter", None),
        ("purple", None),
        ("yes", None),
        ("we care about children", None),
    ],
)
def test_who_is_signing_in_own_words_and_typos(typed, kind):
    assert kind_of(typed) == kind


def test_just_me_asks_which_kind_of_person_with_two_buttons(database):
    slots, said = pledge_step({"area": "wirral", "pledge_area": "wirral"}, "pledge_kind", "just me")
    assert said == [] and slots["pledge_kind"] is None
    asked = {**slots, "requested_slot": "pledge_kind"}
    [message] = ask(ActionAskPledgeKind(), asked, "just me")
    assert message["response"] == "utter_ask_pledge_kind_person"
    assert [b["payload"] for b in message["buttons"]] == [
        '/inform{"signer": "parents_and_carers"}',
        '/inform{"signer": "young_people"}',
    ]
    slots, said = pledge_step(slots, "pledge_kind", "a parent")
    assert slots["pledge_kind"] == "parents_and_carers"


def test_an_unclear_answer_to_the_narrower_question_gets_that_question_again(database):
    slots = {"area": "wirral", "pledge_area": "wirral"}
    slots, said = pledge_step(slots, "pledge_kind", "banana")
    assert said == ["utter_pledge_kind_not_understood"]
    asked = {**slots, "requested_slot": "pledge_kind"}
    before = [bot_said("utter_ask_pledge_kind_person")]
    [message] = ask(ActionAskPledgeKind(), asked, "banana", before=before)
    assert message["response"] == "utter_ask_pledge_kind_person"
    # With no narrower question before, the whole question comes back.
    [message] = ask(ActionAskPledgeKind(), asked, "banana")
    assert message["response"] == "utter_ask_pledge_kind"


@pytest.mark.parametrize(
    "slot,slots,response",
    [
        ("pledge_again", {}, "utter_pledge_again_not_understood"),
        ("pledge_area", {"pledge_again": "not_asked"}, "utter_pledge_area_not_understood"),
        ("pledge_kind", {"pledge_area": "wirral"}, "utter_pledge_kind_not_understood"),
    ],
)
def test_unrecognised_words_get_the_same_questions_own_message(database, slot, slots, response):
    sign_as_parent("halton")
    slots, said = pledge_step(slots, slot, "purple monkey dishwasher")
    assert said == [response] and slots[slot] is None


def test_the_question_asked_again_is_the_same_question(database):
    sign_as_parent("halton")
    again = ask(ActionAskPledgeAgain(), {}, "purple")
    assert [m["response"] for m in again] == ["utter_pledge_signed_before"]
    area = ask(ActionAskPledgeArea(), {"pledge_again": "yes"}, "purple")
    assert [m["response"] for m in area] == ["utter_pledge_choose_area"]


def last_page(kind: str = "young_people", area: str = "wokingham") -> dict[str, Any]:
    slots, _ = pledge_step({"area": area, "pledge_area": area}, "pledge_kind", kind)
    for _ in range(10):
        items, _ = pledge_items(pledge_pack(make_tracker(slots=slots)), kind)
        if int(slots.get("pledge_page") or 0) >= pages_of(items) - 1:
            return slots
        slots, _ = pledge_step(slots, "pledge_agreed", "/skip_question", "skip_question")
    raise AssertionError("never reached the last part")


@pytest.mark.parametrize(
    "typed,agreed",
    [
        ("yes i agree", "yes"),
        ("i plege", "yes"),
        ("ok sign me up", "yes"),
        ("not now thanks", "no"),
        ("no", "no"),
        ("maybe later", "no"),
    ],
)
def test_i_pledge_or_not_now_in_own_words(database, typed, agreed):
    slots = last_page()
    slots, said = pledge_step(slots, "pledge_agreed", typed)
    assert slots["pledge_agreed"] == agreed
    assert said == ([] if agreed == "yes" else ["utter_pledge_not_now"])


def test_unclear_words_at_i_pledge_get_that_questions_message(database):
    slots = last_page()
    slots, said = pledge_step(slots, "pledge_agreed", "purple")
    assert said == ["utter_pledge_agree_not_understood"] and slots["pledge_agreed"] is None
