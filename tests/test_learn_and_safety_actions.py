"""Learning, simpler wording, safeguarding and contact actions."""

from __future__ import annotations

import pytest
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import select

from actions.area import ActionChooseArea
from actions.contact import ActionPointToContact
from actions.learn import ActionExplain, ActionSaySimpler, ActionSimplerOn
from actions.quiz import ActionStartQuiz
from actions.safety import ActionSafeguarding
from bot.content import get_pack, list_packs, quiz_items, safety_help
from bot.store import repository, safeguarding
from bot.store.db import unit_of_work
from bot.store.models import SafeguardingFlag
from tests.conftest import bot_said, finished, make_tracker

QUESTIONS = get_pack("wirral").questions


@pytest.mark.parametrize(
    "intent,response",
    [
        ("ask_coproduction", "utter_explain_coproduction"),
        ("ask_codesign", "utter_explain_codesign"),
        ("ask_consultation", "utter_explain_consultation"),
        ("ask_charter", "utter_explain_charter"),
    ],
)
def test_each_topic_is_explained_and_remembered(intent, response):
    dispatcher = CollectingDispatcher()
    events = finished(ActionExplain().run(dispatcher, make_tracker(intent, "what is it"), {}))
    assert dispatcher.messages[0]["response"] == response
    assert dispatcher.messages[0]["area"] == "Wirral"
    [slot] = events
    assert slot["name"] == "last_explained"
    simpler = CollectingDispatcher()
    tracker = make_tracker(
        "simpler",
        "simpler",
        slots={slot["name"]: slot["value"], "simple_mode": True},
        before=[bot_said(response, area="Wirral")],
    )
    finished(ActionSaySimpler().run(simpler, tracker, {}))
    # The same response again: Rasa picks its simple_mode variant (domain.yml).
    assert simpler.messages[0]["response"] == response


@pytest.mark.parametrize(
    "term", ["EHCP", "ehcp", "an EHCP", "SENCo", "local offer", "the Local Offer"]
)
def test_known_send_words_are_explained(term):
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(
        "ask_jargon", f"what is {term}", entities=[{"entity": "term", "value": term}]
    )
    events = finished(ActionExplain().run(dispatcher, tracker, {}))
    assert dispatcher.messages[0]["response"] == "utter_jargon"
    assert len(dispatcher.messages[0]["explanation"]) > 20
    simpler = CollectingDispatcher()
    tracker = make_tracker(
        "simpler",
        "eh?",
        slots={"last_explained": events[0]["value"], "simple_mode": True},
        before=[bot_said("utter_jargon", explanation=dispatcher.messages[0]["explanation"])],
    )
    finished(ActionSaySimpler().run(simpler, tracker, {}))
    assert simpler.messages[0]["response"] == "utter_jargon"
    assert simpler.messages[0]["explanation"] != dispatcher.messages[0]["explanation"]


def test_once_asked_for_simply_every_explanation_is_simple():
    entities = [{"entity": "term", "value": "EHCP"}]
    normal, simple = CollectingDispatcher(), CollectingDispatcher()
    finished(
        ActionExplain().run(normal, make_tracker("ask_jargon", "ehcp?", entities=entities), {})
    )
    finished(
        ActionExplain().run(
            simple,
            make_tracker("ask_jargon", "ehcp?", entities=entities, slots={"simple_mode": True}),
            {},
        )
    )
    assert len(simple.messages[0]["explanation"]) < len(normal.messages[0]["explanation"])


def test_ladder_steps_are_shorter_in_simple_mode():
    normal, simple = CollectingDispatcher(), CollectingDispatcher()
    slots = {"area": "wokingham"}
    finished(ActionExplain().run(normal, make_tracker("ask_ladder", "ladder", slots=slots), {}))
    slots["simple_mode"] = True
    finished(ActionExplain().run(simple, make_tracker("ask_ladder", "ladder", slots=slots), {}))
    assert normal.messages[0]["response"] == simple.messages[0]["response"]
    assert normal.messages[0]["area"] == "Wokingham"
    assert len(simple.messages[0]["steps"]) < len(normal.messages[0]["steps"])
    assert simple.messages[0]["steps"].count("\n") == normal.messages[0]["steps"].count("\n")


def test_simpler_turns_simple_mode_on_and_says_so_once():
    dispatcher = CollectingDispatcher()
    events = finished(ActionSimplerOn().run(dispatcher, make_tracker("simpler", "simpler"), {}))
    assert events == [{"event": "slot", "timestamp": None, "name": "simple_mode", "value": True}]
    assert [m["response"] for m in dispatcher.messages] == ["utter_simpler_on"]
    again = CollectingDispatcher()
    finished(
        ActionSimplerOn().run(again, make_tracker("simpler", "x", slots={"simple_mode": True}), {})
    )
    assert again.messages == []


def test_simpler_says_the_last_reply_again_with_the_same_values():
    dispatcher = CollectingDispatcher()
    before = [
        {"event": "user", "text": "hi"},
        bot_said("utter_greet"),
        bot_said("utter_contact_person", contact="Email: x@y", area="Wirral"),
    ]
    tracker = make_tracker("simpler", "simpler", slots={"simple_mode": True}, before=before)
    finished(ActionSaySimpler().run(dispatcher, tracker, {}))
    assert [m["response"] for m in dispatcher.messages] == ["utter_greet", "utter_contact_person"]
    assert dispatcher.messages[1]["contact"] == "Email: x@y"


def test_simpler_with_nothing_said_before():
    dispatcher = CollectingDispatcher()
    finished(ActionSaySimpler().run(dispatcher, make_tracker("simpler", "simpler"), {}))
    assert dispatcher.messages[0]["response"] == "utter_simpler_nothing"
    # Just after "I will use simple words from now on", nothing more is needed.
    dispatcher = CollectingDispatcher()
    tracker = make_tracker("simpler", "simpler")
    tracker.events.append(bot_said("utter_simpler_on"))
    finished(ActionSaySimpler().run(dispatcher, tracker, {}))
    assert dispatcher.messages == []


def quiz_story_asked(number: int) -> list[dict]:
    item = quiz_items()[number - 1]
    return [
        bot_said(
            "utter_quiz_question",
            number=number,
            total=len(quiz_items()),
            story=item.story,
            quiz_id=item.id,
        )
    ]


def test_the_quiz_asks_each_story_marks_answers_and_gives_the_score():
    items = quiz_items()
    assert len(items) >= 3
    assert {item.answer for item in items} == {"coproduction", "codesign", "consultation"}
    dispatcher = CollectingDispatcher()
    events = finished(ActionStartQuiz().run(dispatcher, make_tracker("start_quiz", "quiz me"), {}))
    assert dispatcher.messages[0]["response"] == "utter_quiz_question"
    assert dispatcher.messages[0]["quiz_id"] == items[0].id
    score = events[0]["value"]
    for number, item in enumerate(items, start=1):
        # Right for every story except the first, which gets a wrong answer.
        right = f"ask_{item.answer}"
        wrong = next(f"ask_{a}" for a in ("codesign", "consultation") if a != item.answer)
        dispatcher = CollectingDispatcher()
        tracker = make_tracker(
            wrong if number == 1 else right,
            "co-design",
            slots={"quiz_score": score},
            before=quiz_story_asked(number),
        )
        events = finished(ActionExplain().run(dispatcher, tracker, {}))
        said = [m["response"] for m in dispatcher.messages]
        assert said[0] == ("utter_quiz_wrong" if number == 1 else "utter_quiz_right")
        assert dispatcher.messages[0]["why"] == item.why
        if number < len(items):
            assert said[1] == "utter_quiz_question"
            assert dispatcher.messages[1]["quiz_id"] == items[number].id
            score = events[0]["value"]
        else:
            assert said[1] == "utter_quiz_end"
            assert dispatcher.messages[1]["score"] == len(items) - 1
            assert dispatcher.messages[1]["total"] == len(items)
            assert events[0]["value"] is None


def test_a_wrong_quiz_answer_names_the_right_one():
    dispatcher = CollectingDispatcher()
    item = quiz_items()[0]
    wrong = "ask_consultation" if item.answer != "consultation" else "ask_codesign"
    finished(
        ActionExplain().run(dispatcher, make_tracker(wrong, "x", before=quiz_story_asked(1)), {})
    )
    assert dispatcher.messages[0]["response"] == "utter_quiz_wrong"
    assert dispatcher.messages[0]["answer"].replace("-", "") == item.answer


def test_explaining_after_the_quiz_moved_on_is_not_taken_as_an_answer():
    before = [*quiz_story_asked(1), {"event": "user", "text": "hello"}, bot_said("utter_greet")]
    dispatcher = CollectingDispatcher()
    finished(
        ActionExplain().run(
            dispatcher, make_tracker("ask_codesign", "what is co-design", before=before), {}
        )
    )
    assert dispatcher.messages[0]["response"] == "utter_explain_codesign"


def test_simpler_during_the_quiz_asks_the_simple_story():
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(
        "simpler", "too hard", slots={"simple_mode": True}, before=quiz_story_asked(2)
    )
    finished(ActionSaySimpler().run(dispatcher, tracker, {}))
    assert dispatcher.messages[0]["response"] == "utter_quiz_question"
    assert dispatcher.messages[0]["story"] == quiz_items()[1].simple


@pytest.mark.parametrize("named", ["halton", "Halton", "birmingham"])
def test_choosing_an_area_uses_its_charter_from_then_on(named):
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(
        "choose_area", f"i live in {named}", entities=[{"entity": "area", "value": named}]
    )
    events = finished(ActionChooseArea().run(dispatcher, tracker, {}))
    assert events[0]["name"] == "area" and events[0]["value"] == named.lower()
    assert dispatcher.messages[0]["response"] == "utter_area_chosen"
    explained = CollectingDispatcher()
    finished(
        ActionExplain().run(
            explained, make_tracker("ask_charter", "x", slots={"area": named.lower()}), {}
        )
    )
    assert explained.messages[0]["area"] == named.capitalize()


def test_choosing_without_a_known_area_offers_every_area():
    for entities in ([], [{"entity": "area", "value": "Atlantis"}]):
        dispatcher = CollectingDispatcher()
        events = finished(
            ActionChooseArea().run(
                dispatcher, make_tracker("choose_area", "change area", entities=entities), {}
            )
        )
        assert events == []
        buttons = dispatcher.messages[0]["buttons"]
        assert {b["payload"] for b in buttons} == {
            f'/choose_area{{"area": "{p.id}"}}' for p in list_packs()
        }
        assert all(b["title"].startswith("🗺️ ") for b in buttons)


def test_a_review_code_charter_wins_over_the_chosen_area():
    dispatcher = CollectingDispatcher()
    slots = {"area": "halton", "review_charter": "wokingham"}
    finished(ActionExplain().run(dispatcher, make_tracker("ask_charter", "x", slots=slots), {}))
    assert dispatcher.messages[0]["area"] == "Wokingham"


def test_safeguarding_that_reached_rasa_directly_gets_help_first_and_a_flag(database):
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(
        "safeguarding",
        "someone at home is hurting me",
        active_loop="pledge_form",
        extra={"safety": {"level": "severe", "cards": ["physical-hurt-at-home"], "score": 0.9}},
    )
    finished(ActionSafeguarding().run(dispatcher, tracker, {}))
    help_text = dispatcher.messages[0]["text"]
    assert help_text == safety_help(get_pack("wirral"))
    assert "999" in help_text and "0800 1111" in help_text
    # Nobody was alerted from here, so the message does not say anyone was told.
    assert "I have sent" not in help_text and "told" not in help_text
    # Wirral's feedback address is not a safeguarding contact: it is not offered.
    assert "sendlo@wirral.gov.uk" not in help_text
    assert dispatcher.messages[1]["response"] == "utter_safeguarding_carry_on"
    with unit_of_work() as session:
        [flag] = session.scalars(select(SafeguardingFlag)).all()
    assert flag.message == "someone at home is hurting me"
    assert (flag.level, flag.cards, flag.score) == ("severe", "physical-hurt-at-home", 0.9)
    assert (flag.channel, flag.charter, flag.status, flag.detected_by) == (
        "web",
        "wirral",
        "new",
        "rasa",
    )
    assert flag.context == "during pledge form"


def test_safeguarding_after_help_at_the_edge_only_notes_where_the_person_was(database):
    with unit_of_work() as session:
        review = repository.ensure_general_review(session, "wirral", "Wirral")
        ref = repository.start_or_resume(session, review, "web-test-person", "web")
        repository.record_answer(session, ref.response_id, QUESTIONS[0].id, "yes", "web")
        flag_id = safeguarding.raise_flag(
            session,
            pseudonym="web-test-person",
            channel="web",
            charter="wirral",
            message="he hurts me",
            level="severe",
            detected_by="cards",
        ).id
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(
        "safeguarding",
        "he hurts me",
        active_loop="review_form",
        slots={"review_response_id": float(ref.response_id)},
        extra={"safety": {"level": "severe", "help_given": True, "flag_id": flag_id}},
    )
    finished(ActionSafeguarding().run(dispatcher, tracker, {}))
    # Help was given before Rasa saw the message: not twice, and no second flag.
    assert [m.get("response") for m in dispatcher.messages] == ["utter_safeguarding_carry_on"]
    with unit_of_work() as session:
        [flag] = session.scalars(select(SafeguardingFlag)).all()
    assert flag.context == f"review {review.code}, question 2 ({QUESTIONS[1].id})"


def test_safeguarding_help_still_goes_out_when_the_store_fails(monkeypatch, tmp_path):
    monkeypatch.setenv("COPRO_DATABASE_URL", f"sqlite:///{tmp_path}/missing-tables.db")
    from bot.settings import get_settings
    from bot.store import db

    get_settings.cache_clear()
    db.engine_for.cache_clear()
    dispatcher = CollectingDispatcher()
    finished(
        ActionSafeguarding().run(dispatcher, make_tracker("safeguarding", "i want to die"), {})
    )
    assert dispatcher.messages[0]["text"].startswith("I am worried about you")
    get_settings.cache_clear()
    db.engine_for.cache_clear()


@pytest.mark.parametrize(
    "intent,response",
    [
        ("human_handoff", "utter_contact_person"),
        ("sign_pledge", "utter_not_here_yet"),
        ("forget_me", "utter_not_here_yet"),
    ],
)
def test_contact_points_to_the_local_team(intent, response):
    dispatcher = CollectingDispatcher()
    finished(ActionPointToContact().run(dispatcher, make_tracker(intent, "x"), {}))
    assert dispatcher.messages[0]["response"] == response
    # Wirral's charter gives this address for questions about the charter.
    assert "Email: sendlo@wirral.gov.uk" in dispatcher.messages[0]["contact"]
