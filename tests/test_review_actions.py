"""The review actions, with trackers built in code and a real (SQLite) store."""

from __future__ import annotations

from typing import Any

import pytest
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import select

from actions.review import ActionAskReviewAnswer, ActionStartReview, ValidateReviewForm
from actions.review_closing import ActionFinishReview
from actions.welcome import ActionGreet
from bot.content import get_pack, list_packs
from bot.settings import get_settings
from bot.store import repository
from bot.store.db import unit_of_work
from bot.store.models import Answer, ReviewResponse
from tests.conftest import finished, make_tracker

PACK = get_pack("wirral")
SENDER = "web-test-person"


def slots_from(events: list[dict[str, Any]]) -> dict[str, Any]:
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


def start(database: str, text: str = "/start_review", entities=None) -> tuple[dict, list]:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker("start_review", text, entities=entities)
    events = finished(ActionStartReview().run(dispatcher, tracker, {}))
    return slots_from(events), dispatcher.messages


def ask(slots: dict[str, Any]) -> list[dict[str, Any]]:
    dispatcher = CollectingDispatcher()
    finished(ActionAskReviewAnswer().run(dispatcher, make_tracker(slots=slots), {}))
    return dispatcher.messages


def answer(slots: dict[str, Any], intent: str, text: str) -> tuple[dict, list]:
    """Give one message to the form's validation; return the new slots and messages."""
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(intent, text, slots=slots, active_loop="review_form")
    result = finished(ValidateReviewForm().validate_review_answer(text, dispatcher, tracker, {}))
    return {**slots, **result}, dispatcher.messages


def saved_answers() -> dict[str, Answer]:
    with unit_of_work() as session:
        return {a.question_id: a for a in session.scalars(select(Answer))}


def test_start_opens_the_general_review_and_says_how_many_questions(database):
    slots, messages = start(database)
    assert slots["review_ready"] is True
    assert slots["review_charter"] == "wirral"
    assert slots["review_stage"] == "answer"
    # A first review: what happens to the answers comes first, then who is answering.
    assert [m["response"] for m in messages] == ["utter_privacy_notice", "utter_review_intro"]
    assert messages[0]["min_group"] == 5 and messages[0]["keep_for"] == "1 year"
    # Seven questions of the pack, then whether they want to hear back: eight in all.
    assert messages[1]["total"] == len(PACK.questions) + 1 == 8
    assert slots["review_role"] is None and slots["review_age"] is None


def give_profile(slots: dict[str, Any], slot: str, text: str, entities=None) -> tuple[dict, list]:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(
        "inform", text, slots=slots, active_loop="review_form", entities=entities
    )
    validate = getattr(ValidateReviewForm(), f"validate_{slot}")
    result = finished(validate(text, dispatcher, tracker, {}))
    return {**slots, **result}, dispatcher.messages


@pytest.mark.parametrize(
    "text,entities,role,age",
    [
        (
            '/inform{"role": "parent_carer"}',
            [{"entity": "role", "value": "parent_carer"}],
            "parent_carer",
            "not_asked",
        ),
        ("I'm his mum", None, "parent_carer", "not_asked"),
        ("i work at the school", None, "practitioner", "not_asked"),
        ("young person", None, "young_person", None),
    ],
)
def test_who_is_answering_is_saved_at_once(database, text, entities, role, age):
    slots, _ = start(database)
    slots, messages = give_profile(slots, "review_role", text, entities)
    assert (slots["review_role"], slots["review_age"]) == (role, age)
    assert messages == []
    with unit_of_work() as session:
        assert repository.profile_of(session, SENDER) == (role, None)


def test_an_unclear_role_is_asked_again_kindly(database):
    slots, _ = start(database)
    slots, messages = give_profile(slots, "review_role", "banana")
    assert slots["review_role"] is None
    assert messages[0]["response"] == "utter_role_not_understood"


def test_an_under_13_is_asked_to_answer_with_a_trusted_adult(database):
    slots, _ = start(database)
    slots, _ = give_profile(slots, "review_role", "young person")
    slots, messages = give_profile(slots, "review_age", "im 11")
    assert slots["review_age"] == "under_13"
    assert messages[0]["response"] == "utter_with_trusted_adult"
    with unit_of_work() as session:
        assert repository.profile_of(session, SENDER) == ("young_person", "under_13")
        assert session.scalar(select(ReviewResponse.with_help)) is True


def test_an_older_young_person_is_not_marked_as_helped(database):
    slots, _ = start(database)
    slots, _ = give_profile(slots, "review_role", "young person")
    slots, messages = give_profile(
        slots,
        "review_age",
        '/inform{"age_band": "13_15"}',
        [{"entity": "age_band", "value": "13_15"}],
    )
    assert slots["review_age"] == "13_15" and messages == []
    with unit_of_work() as session:
        assert session.scalar(select(ReviewResponse.with_help)) is False


def test_a_second_review_does_not_ask_again_who_is_answering(database):
    slots, _ = start(database)
    give_profile(slots, "review_role", "parent")
    with unit_of_work() as session:
        review = repository.create_review(session, "ABC-234", "Second meeting", "wirral")
    slots, messages = start(
        database, text="code ABC-234", entities=[{"entity": "review_code", "value": "ABC-234"}]
    )
    assert [m["response"] for m in messages] == ["utter_review_intro"]
    assert (slots["review_role"], slots["review_age"]) == ("parent_carer", "not_asked")
    assert review.code == "ABC-234"


@pytest.mark.parametrize(
    "days,words",
    [(365, "1 year"), (730, "2 years"), (180, "6 months"), (30, "30 days"), (1, "1 day")],
)
def test_how_long_answers_are_kept_in_words(days, words):
    from actions.review import keep_for

    assert keep_for(days) == words


def test_first_question_is_asked_with_its_number(database):
    slots, _ = start(database)
    [message] = ask(slots)
    assert message["response"] == "utter_review_question"
    # Out of every question the person is asked: the pack's seven, then hear back.
    assert (message["number"], message["total"]) == (1, 8)
    assert message["question"] == "Did you feel welcome?"


def test_button_answer_is_saved_at_once_then_asks_for_more(database):
    slots, _ = start(database)
    slots, messages = answer(slots, "affirm", "/affirm")
    assert saved_answers()["welcome"].value == "yes"
    assert saved_answers()["welcome"].comment is None
    assert slots["review_answer"] is None
    assert slots["review_stage"] == "comment:welcome"
    assert messages == []
    [tell_more] = ask(slots)
    assert tell_more["response"] == "utter_review_tell_more"


def test_comment_after_an_answer_is_kept(database):
    slots, _ = start(database)
    slots, _ = answer(slots, "affirm", "/affirm")
    slots, messages = answer(
        slots, "out_of_scope", "The chair said hello to everyone <b>by name</b>"
    )
    assert saved_answers()["welcome"].comment == "The chair said hello to everyone <b>by name</b>"
    assert messages[0]["response"] == "utter_review_comment_saved"
    assert slots["review_stage"] == "answer"
    assert ask(slots)[0]["number"] == 2


@pytest.mark.parametrize(
    "intent,text", [("skip_question", "/skip_question"), ("deny", "no thanks")]
)
def test_no_comment_moves_on_without_saving_words(database, intent, text):
    slots, _ = start(database)
    slots, _ = answer(slots, "partly", "/partly")
    slots, messages = answer(slots, intent, text)
    assert saved_answers()["welcome"].comment is None
    assert messages == []
    assert ask(slots)[0]["number"] == 2


@pytest.mark.parametrize(
    "intent,text,value",
    [
        ("deny", "not really, the lift was broken", "no"),
        ("affirm", "yes it was lovely and warm", "yes"),
        ("partly", "sort of, some people talked over us", "partly"),
        ("unsure", "cant remember to be honest with you", "unsure"),
    ],
)
def test_typed_answer_keeps_its_words_as_the_comment(database, intent, text, value):
    slots, _ = start(database)
    slots, messages = answer(slots, intent, text)
    saved = saved_answers()["welcome"]
    assert (saved.value, saved.comment) == (value, text)
    assert messages[0]["response"] == "utter_review_comment_saved"
    assert slots["review_stage"] == "answer"


def test_typed_answer_the_classifier_is_unsure_of_is_asked_again(database):
    slots, _ = start(database)
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(
        "unsure",
        "<script>alert(1)</script>",
        slots=slots,
        active_loop="review_form",
        confidence=0.82,
    )
    result = finished(ValidateReviewForm().validate_review_answer("x", dispatcher, tracker, {}))
    assert dispatcher.messages[0]["response"] == "utter_review_not_understood"
    assert result["review_answer"] is None
    assert saved_answers() == {}


def test_short_typed_answer_has_no_comment(database):
    slots, _ = start(database)
    slots, _ = answer(slots, "deny", "nope")
    assert saved_answers()["welcome"].comment is None
    assert slots["review_stage"] == "comment:welcome"


def test_skip_saves_skipped_and_goes_straight_on(database):
    slots, _ = start(database)
    slots, _ = answer(slots, "skip_question", "/skip_question")
    assert saved_answers()["welcome"].value == "skipped"
    assert ask(slots)[0]["number"] == 2


@pytest.mark.parametrize("intent", ["nlu_fallback", "out_of_scope", "thank"])
def test_something_that_is_not_an_answer_saves_nothing(database, intent):
    slots, _ = start(database)
    slots, messages = answer(slots, intent, "🦄🦄🦄")
    assert saved_answers() == {}
    assert messages[0]["response"] == "utter_review_not_understood"
    assert slots["review_answer"] is None
    assert ask(slots)[0]["number"] == 1


def test_say_it_more_simply_asks_the_simple_question(database):
    slots, _ = start(database)
    slots, _ = answer(slots, "simpler", "too hard")
    assert slots["simple_mode"] is True
    [message] = ask(slots)
    assert message["question"] == PACK.questions[0].simple
    assert saved_answers() == {}
    # The preference stays: the next question is in its simple form too.
    slots, _ = answer(slots, "affirm", "/affirm")
    slots, _ = answer(slots, "skip_question", "/skip_question")
    [message] = ask(slots)
    assert message["question"] == PACK.questions[1].simple


def test_question_about_coproduction_mid_review_is_answered_then_the_question_again(database):
    slots, _ = start(database)
    slots, messages = answer(slots, "ask_coproduction", "what does co-production mean")
    assert messages[0]["response"] == "utter_explain_coproduction"
    assert slots["last_explained"] == "coproduction"
    assert ask(slots)[0]["number"] == 1


def test_help_mid_review_explains_how_to_answer(database):
    slots, _ = start(database)
    _, messages = answer(slots, "help", "what do i do")
    assert messages[0]["response"] == "utter_review_help"


def complete_review(slots: dict[str, Any], hear_back: str = "/deny") -> dict[str, Any]:
    for _ in PACK.questions:
        slots, _ = answer(slots, "affirm", "/affirm")
        slots, _ = answer(slots, "skip_question", "/skip_question")
    assert slots["review_answer"] is None and slots["review_stage"] == "hear_back"
    assert ask(slots)[0]["response"] == "utter_review_hear_back"
    slots, _ = answer(slots, hear_back[1:], hear_back)
    return slots


def hear_back_saved() -> bool | None:
    with unit_of_work() as session:
        [response] = session.scalars(select(ReviewResponse)).all()
        return response.hear_back


@pytest.mark.parametrize(
    "intent, text, wanted",
    [
        ("affirm", "/affirm", True),
        ("affirm", "yes please", True),
        ("deny", "/deny", False),
        ("deny", "no thanks", False),
        # Only a clear yes puts someone on the list.
        ("unsure", "not sure", False),
        ("skip_question", "/skip_question", False),
    ],
)
def test_after_the_last_question_they_choose_whether_to_hear_back(database, intent, text, wanted):
    slots, _ = start(database)
    for _ in PACK.questions:
        slots, _ = answer(slots, "affirm", "/affirm")
        slots, _ = answer(slots, "skip_question", "/skip_question")
    assert hear_back_saved() is None
    slots, messages = answer(slots, intent, text)
    assert messages == []
    assert slots["review_answer"] == "done"
    assert hear_back_saved() is wanted


@pytest.mark.parametrize("intent, text", [("greet", "hiya"), ("partly", "a bit")])
def test_an_unclear_reply_to_hear_back_is_asked_again(database, intent, text):
    slots, _ = start(database)
    for _ in PACK.questions:
        slots, _ = answer(slots, "affirm", "/affirm")
        slots, _ = answer(slots, "skip_question", "/skip_question")
    slots, messages = answer(slots, intent, text)
    assert messages[0]["response"] == "utter_review_hear_back_not_understood"
    assert slots["review_answer"] is None and slots["review_stage"] == "hear_back"
    assert ask(slots)[0]["response"] == "utter_review_hear_back"
    assert hear_back_saved() is None


def test_a_typed_yes_the_classifier_is_unsure_of_is_asked_again(database):
    slots, _ = start(database)
    for _ in PACK.questions:
        slots, _ = answer(slots, "affirm", "/affirm")
        slots, _ = answer(slots, "skip_question", "/skip_question")
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(
        "affirm", "yez i gues", slots=slots, active_loop="review_form", confidence=0.6
    )
    result = finished(
        ValidateReviewForm().validate_review_answer("yez i gues", dispatcher, tracker, {})
    )
    assert result["review_stage"] == "hear_back"
    assert hear_back_saved() is None


def test_a_last_answer_with_words_goes_straight_to_hear_back(database):
    slots, _ = start(database)
    for _ in PACK.questions[:-1]:
        slots, _ = answer(slots, "affirm", "/affirm")
        slots, _ = answer(slots, "skip_question", "/skip_question")
    slots, _ = answer(slots, "deny", "no the papers came far too late")
    assert slots["review_stage"] == "hear_back"
    slots, _ = answer(slots, "affirm", "/affirm")
    assert slots["review_answer"] == "done" and hear_back_saved() is True


def test_last_answer_completes_the_form_and_finish_marks_it_done(database):
    slots, _ = start(database)
    slots = complete_review(slots)
    assert slots["review_answer"] == "done"
    assert len(saved_answers()) == 7
    dispatcher = CollectingDispatcher()
    events = finished(ActionFinishReview().run(dispatcher, make_tracker(slots=slots), {}))
    assert dispatcher.messages[0]["response"] == "utter_review_thanks"
    assert slots_from(events)["review_response_id"] is None
    with unit_of_work() as session:
        [response] = session.scalars(select(ReviewResponse)).all()
        assert response.finished_at is not None


def test_a_finished_review_is_not_asked_again(database):
    slots, _ = start(database)
    slots = complete_review(slots)
    finished(ActionFinishReview().run(CollectingDispatcher(), make_tracker(slots=slots), {}))
    slots, messages = start(database)
    assert slots["review_ready"] is False
    assert messages[0]["response"] == "utter_review_already_done"


def test_stop_half_way_then_hello_offers_to_carry_on_from_the_next_question(database):
    slots, _ = start(database)
    slots, _ = give_profile(slots, "review_role", "parent")
    slots, _ = answer(slots, "affirm", "/affirm")
    slots, _ = answer(slots, "skip_question", "/skip_question")
    slots, _ = answer(slots, "deny", "/deny")
    # The person stops here; the conversation's slots are lost, the store is not.
    dispatcher = CollectingDispatcher()
    finished(ActionGreet().run(dispatcher, make_tracker("greet", "hiya"), {}))
    assert dispatcher.messages[0]["response"] == "utter_welcome_back"
    assert dispatcher.messages[0]["review_title"] == PACK.general_review_title
    slots, messages = start(database)
    assert messages[0]["response"] == "utter_review_resume"
    assert ask(slots)[0]["number"] == 3


def test_hello_with_nothing_unfinished_explains_the_assistant(database):
    dispatcher = CollectingDispatcher()
    finished(ActionGreet().run(dispatcher, make_tracker("greet", "hello"), {}))
    assert dispatcher.messages[0]["response"] == "utter_greet"


def test_review_code_opens_that_review(database):
    with unit_of_work() as session:
        repository.create_review(session, "KD7-M4P", "Short breaks workshop", "wirral")
    slots, messages = start(
        database, "my code is kd7-m4p", entities=[{"entity": "review_code", "value": "kd7-m4p"}]
    )
    assert slots["review_ready"] is True
    assert messages[-1]["review_title"] == "Short breaks workshop"


def test_unknown_review_code_gets_a_kind_message_and_no_review(database):
    slots, messages = start(
        database, "code ZZZ-999", entities=[{"entity": "review_code", "value": "ZZZ-999"}]
    )
    assert slots["review_ready"] is False
    assert messages[0]["response"] == "utter_review_code_unknown"
    with unit_of_work() as session:
        assert session.scalars(select(ReviewResponse)).all() == []


def test_starting_review_does_not_take_the_start_message_as_an_answer(database):
    slots, _ = start(database)
    for intent, text in [("start_review", "/start_review"), ("affirm", "yes please")]:
        tracker = make_tracker(intent, text, slots=slots, active_loop="review_form")
        # action_start_review empties review_answer in the same turn.
        tracker.events.append({"event": "slot", "name": "review_answer", "value": None})
        domain = {"forms": {"review_form": {"required_slots": ["review_answer"]}}}
        dispatcher = CollectingDispatcher()
        events = finished(ValidateReviewForm().run(dispatcher, tracker, domain))
        assert dispatcher.messages == []
        assert saved_answers() == {}
        assert not any(e.get("name") == "review_stage" for e in events)


def test_form_validation_run_returns_slot_events(database):
    slots, _ = start(database)
    tracker = make_tracker(
        "affirm", "/affirm", slots={**slots, "review_answer": "/affirm"}, active_loop="review_form"
    )
    tracker.events.append({"event": "slot", "name": "review_answer", "value": "/affirm"})
    domain = {"forms": {"review_form": {"required_slots": ["review_answer"]}}}
    events = finished(ValidateReviewForm().run(CollectingDispatcher(), tracker, domain))
    assert {
        "event": "slot",
        "timestamp": None,
        "name": "review_stage",
        "value": "comment:welcome",
    } in events
    assert saved_answers()["welcome"].value == "yes"


@pytest.mark.parametrize("pack", list_packs(), ids=lambda p: p.id)
def test_every_charter_pack_drives_a_complete_review(database, monkeypatch, pack):
    monkeypatch.setenv("COPRO_CHARTER", pack.id)
    get_settings.cache_clear()
    slots, messages = start(database)
    assert slots["review_charter"] == pack.id
    # The pack's questions, then whether to hear back (a general review is not placed).
    assert messages[-1]["total"] == len(pack.questions) + 1
    asked = []
    for _ in pack.questions:
        asked.append(ask(slots)[0]["question"])
        slots, _ = answer(slots, "partly", "/partly")
        slots, _ = answer(slots, "skip_question", "/skip_question")
    slots, _ = answer(slots, "deny", "/deny")
    assert asked == [q.text for q in pack.questions]
    assert slots["review_answer"] == "done"
    assert {q: a.value for q, a in saved_answers().items()} == {
        q.id: "partly" for q in pack.questions
    }


def start_placed_review(database: str, level: str | None = "consulting") -> dict[str, Any]:
    """A review staff placed on the ladder, answered up to its last question."""
    with unit_of_work() as session:
        repository.create_review(session, "LDR-234", "Transport forum", "wirral", level)
    slots, _ = start(
        database, "code ldr-234", entities=[{"entity": "review_code", "value": "LDR-234"}]
    )
    for _ in PACK.questions:
        slots, _ = answer(slots, "affirm", "/affirm")
        slots, _ = answer(slots, "skip_question", "/skip_question")
    return slots


def place(slots: dict[str, Any], intent: str, text: str, value: str | None = None):
    dispatcher = CollectingDispatcher()
    entities = [{"entity": "ladder_place", "value": value}] if value else []
    tracker = make_tracker(intent, text, slots=slots, active_loop="review_form", entities=entities)
    result = finished(ValidateReviewForm().validate_review_answer(text, dispatcher, tracker, {}))
    return {**slots, **result}, dispatcher.messages


@pytest.mark.parametrize(
    "intent, text, value, saved",
    [
        ("inform", '/inform{"ladder_place": "doing_with"}', "doing_with", "doing_with"),
        ("inform", '/inform{"ladder_place": "doing_to"}', "doing_to", "doing_to"),
        ("unsure", "/unsure", None, "not_sure"),
        ("unsure", "no idea", None, "not_sure"),
        ("skip_question", "/skip_question", None, "not_sure"),
    ],
)
def test_a_placed_review_asks_where_families_felt_the_work_sat(
    database, intent, text, value, saved
):
    slots = start_placed_review(database)
    assert slots["review_stage"] == "ladder" and slots["review_answer"] is None
    assert ask(slots)[0]["response"] == "utter_review_ladder"
    slots, messages = place(slots, intent, text, value)
    assert messages == []
    assert saved_answers()["ladder"].value == saved
    # Then the hear-back question, then the end.
    assert slots["review_stage"] == "hear_back"
    slots, _ = answer(slots, "deny", "/deny")
    assert slots["review_answer"] == "done"


@pytest.mark.parametrize(
    "intent, text, value",
    [
        ("affirm", "yes", None),
        ("inform", '/inform{"ladder_place": "doing_sideways"}', "doing_sideways"),
        ("greet", "hello", None),
    ],
)
def test_an_unclear_place_on_the_ladder_is_asked_again(database, intent, text, value):
    slots = start_placed_review(database)
    slots, messages = place(slots, intent, text, value)
    assert messages[0]["response"] == "utter_review_ladder_not_understood"
    assert slots["review_stage"] == "ladder"
    assert "ladder" not in saved_answers()


def test_a_review_staff_did_not_place_goes_straight_to_hear_back(database):
    slots = start_placed_review(database, level=None)
    assert slots["review_stage"] == "hear_back"


def test_my_data_says_where_they_placed_the_work(database):
    from actions.privacy import describe

    slots = start_placed_review(database)
    place(slots, "inform", '/inform{"ladder_place": "doing_for"}', "doing_for")
    with unit_of_work() as session:
        said = describe(repository.held_about(session, SENDER))
    assert "How was it done? 🤲 Done for us" in said
