"""Changing an answer, and every closing question understood when typed.

Trackers are built in code; the store is a real (SQLite) database.
"""

from __future__ import annotations

from typing import Any

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.review import ValidateReviewForm
from actions.review_change import ActionChangeAnswer, question_named
from actions.typed_answers import says_nothing_more
from bot.nlp.choices import options_for, pick
from bot.nlp.profile import age_band_of, role_of
from tests.conftest import finished, make_tracker
from tests.test_review_actions import (
    PACK,
    answer,
    ask,
    hear_back_saved,
    saved_answers,
    slots_from,
    start,
    start_placed_review,
)


def change(slots: dict[str, Any], text: str, entities=None, intent="change_answer"):
    """A change request (or a choice from the list) given to the review form."""
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(intent, text, slots=slots, active_loop="review_form", entities=entities)
    result = finished(ValidateReviewForm().validate_review_answer(text, dispatcher, tracker, {}))
    return {**slots, **result}, dispatcher.messages


def answer_first(slots: dict[str, Any], values: list[str]) -> dict[str, Any]:
    """Answer the first questions by button, with no comment."""
    for value in values:
        slots, _ = answer(slots, value, f"/{value}")
        slots, _ = answer(slots, "skip_question", "/skip_question")
    return slots


def test_change_from_inside_the_review_lists_the_answers_as_buttons(database):
    slots, _ = start(database)
    slots = answer_first(slots, ["affirm", "deny", "partly"])
    slots, messages = change(slots, "i want to change my answer")
    assert messages == []
    assert slots["review_stage"] == "change" and slots["review_answer"] is None
    [listed] = ask(slots)
    assert listed["response"] == "utter_review_change_which"
    assert [b["title"] for b in listed["buttons"]] == [
        "Question 1: ✅ Yes",
        "Question 2: ❌ No",
        "Question 3: 🤏 A bit",
    ]
    assert listed["buttons"][1]["payload"] == '/change_answer{"question_number": "2"}'


def test_a_changed_answer_is_saved_over_the_old_one_and_the_review_carries_on(database):
    slots, _ = start(database)
    slots = answer_first(slots, ["affirm", "deny", "partly"])
    before = saved_answers()[PACK.questions[1].id].updated_at
    slots, _ = change(slots, "go back")
    slots, _ = change(
        slots,
        '/change_answer{"question_number": "2"}',
        entities=[{"entity": "question_number", "value": "2"}],
    )
    assert slots["review_stage"] == "redo:" + PACK.questions[1].id
    [again] = ask(slots)
    assert again["response"] == "utter_review_question_again"
    assert again["number"] == 2 and again["old_answer"] == "❌ No"
    assert again["question"] == PACK.questions[1].text
    slots, _ = answer(slots, "affirm", "/affirm")
    assert slots["review_stage"] == "comment:" + PACK.questions[1].id
    slots, _ = answer(slots, "skip_question", "/skip_question")
    answers = saved_answers()
    assert answers[PACK.questions[1].id].value == "yes"
    assert answers[PACK.questions[1].id].updated_at >= before
    assert len(answers) == 3
    # The review carries on where it was: question 4.
    [next_question] = ask(slots)
    assert next_question["response"] == "utter_review_question"
    assert next_question["number"] == 4


@pytest.mark.parametrize(
    "text, number",
    [
        ("can I change my answer to question 2?", 2),
        ("change question two", 2),
        ("i want to change my last answer", 3),
        ("redo the 1st question", 1),
    ],
)
def test_a_request_that_names_the_question_asks_it_again_at_once(database, text, number):
    slots, _ = start(database)
    slots = answer_first(slots, ["affirm", "deny", "partly"])
    slots, messages = change(slots, text)
    assert messages == []
    assert slots["review_stage"] == "redo:" + PACK.questions[number - 1].id
    assert ask(slots)[0]["number"] == number


def test_a_typed_number_picks_from_the_list_and_no_keeps_the_answers(database):
    slots, _ = start(database)
    slots = answer_first(slots, ["affirm", "deny"])
    slots, _ = change(slots, "change my answer")
    slots, _ = change(slots, "2", intent="inform")
    assert slots["review_stage"] == "redo:" + PACK.questions[1].id
    slots, _ = start(database)
    slots = {**slots, "review_stage": "change"}
    slots, messages = change(slots, "no leave it", intent="deny")
    assert messages[0]["response"] == "utter_review_change_kept"
    assert ask(slots)[0]["number"] == 3
    assert {a.value for a in saved_answers().values()} == {"yes", "no"}


def test_words_that_are_not_a_choice_get_the_list_again(database):
    slots, _ = start(database)
    slots = answer_first(slots, ["affirm"])
    slots, _ = change(slots, "change an answer")
    slots, messages = change(slots, "banana", intent="out_of_scope")
    assert messages[0]["response"] == "utter_review_change_not_understood"
    assert slots["review_stage"] == "change"
    assert ask(slots)[0]["response"] == "utter_review_change_which"


def test_change_before_any_answer_says_so_and_starts(database):
    slots, _ = start(database)
    slots, messages = change(slots, "change my answer")
    assert messages[0]["response"] == "utter_review_change_none_yet"
    assert ask(slots)[0]["number"] == 1


def test_the_ladder_answer_can_be_changed_too(database):
    slots = start_placed_review(database)
    slots, _ = answer(slots, "inform", "done to us")
    assert saved_answers()["ladder"].value == "doing_to"
    slots, _ = change(slots, "change how it was done")
    assert slots["review_stage"] == "redo:ladder"
    assert ask(slots)[0]["response"] == "utter_review_ladder"
    slots, _ = answer(slots, "inform", "actually it was done with us")
    assert saved_answers()["ladder"].value == "doing_with"
    assert slots["review_stage"] == "hear_back"


def run_change_action(text: str = "/change_answer", entities=None) -> tuple[dict, list]:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker("change_answer", text, entities=entities)
    events = finished(ActionChangeAnswer().run(dispatcher, tracker, {}))
    return slots_from(events), dispatcher.messages


def test_after_the_review_an_answer_can_still_be_changed(database):
    slots, _ = start(database)
    slots = answer_first(slots, ["affirm"] * len(PACK.questions))
    slots, _ = answer(slots, "deny", "/deny")
    assert slots["review_answer"] == "done"
    # Later, in a new conversation (no slots), from "my data" or in words.
    slots, messages = run_change_action("can i change question 4 please")
    assert messages == []
    assert slots["review_ready"] is True
    assert slots["review_stage"] == "redo:" + PACK.questions[3].id
    assert slots["review_role"] is None or slots["review_role"]
    slots, messages = run_change_action()
    assert slots["review_stage"] == "change"
    slots = {**slots, "review_stage": "redo:" + PACK.questions[3].id}
    slots, _ = answer(slots, "deny", "no they did not listen at all")
    answers = saved_answers()
    assert answers[PACK.questions[3].id].value == "no"
    assert answers[PACK.questions[3].id].comment == "no they did not listen at all"
    assert sum(a.value == "yes" for a in answers.values()) == len(PACK.questions) - 1


def test_nothing_to_change_says_so_kindly(database):
    slots, messages = run_change_action()
    assert slots["review_ready"] is False
    assert messages[0]["response"] == "utter_review_change_none"


@pytest.mark.parametrize(
    "text, named",
    [
        ("change question 3", 3),
        ("can i change q2", 2),
        ("change my answer to question 12", 12),
        ("i want to change the second question", 2),
        ("change the third one", 3),
        ("change my last answer", "last"),
        ("go back", "last"),
        ("change my answer", None),
        ("i have 2 kids", None),
    ],
)
def test_which_question_a_request_names(text, named):
    assert question_named(text) == named


# ---- Closing questions and the profile, typed in the person's own words ----


@pytest.mark.parametrize(
    "text, place",
    [
        ("they did it with us i think", "doing_with"),
        ("with us", "doing_with"),
        ("🤝 Done WITH us. We were equal partners.", "doing_with"),
        ("done with us", "doing_with"),
        ("we were equel partners", "doing_with"),
        ("we were just told what was happening", "doing_to"),
        ("done to us really", "doing_to"),
        ("they asked what we thought but decided themselves", "doing_for"),
        ("Done FOR us", "doing_for"),
        ("honestly no idea", "not_sure"),
    ],
)
def test_the_ladder_is_understood_in_the_persons_own_words(database, text, place):
    slots = start_placed_review(database)
    # The classifier may read these as anything: a question about the ladder, or
    # an answer to a yes/no question. The question's own words decide.
    slots, messages = answer(slots, "ask_ladder", text)
    assert messages == []
    assert saved_answers()["ladder"].value == place
    assert slots["review_stage"] == "hear_back"


@pytest.mark.parametrize("text", ["not done with us", "with us or for us", "yes", "a bit"])
def test_an_unclear_or_turned_round_ladder_answer_gets_the_ladder_options(database, text):
    slots = start_placed_review(database)
    slots, messages = answer(slots, "affirm", text)
    assert messages[0]["response"] == "utter_review_ladder_not_understood"
    assert "ladder" not in saved_answers()


def test_a_question_about_the_ladder_is_explained_not_taken_as_an_answer(database):
    slots = start_placed_review(database)
    slots, messages = answer(slots, "ask_ladder", "what does done with us mean?")
    assert messages[0]["response"].startswith("utter_explain")
    assert "ladder" not in saved_answers()
    assert slots["review_stage"] == "ladder"


@pytest.mark.parametrize(
    "text, wanted",
    [
        ("yes send it", True),
        ("yeah go on", True),
        ("i'd like to hear what changes", True),
        ("no thank you", False),
        ("dont send it", False),
        ("nah", False),
        ("not sure", False),
    ],
)
def test_hear_back_is_understood_in_the_persons_own_words(database, text, wanted):
    slots, _ = start(database)
    slots = answer_first(slots, ["affirm"] * len(PACK.questions))
    # Even where the classifier is unsure of these words.
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(
        "out_of_scope", text, slots=slots, active_loop="review_form", confidence=0.4
    )
    result = finished(ValidateReviewForm().validate_review_answer(text, dispatcher, tracker, {}))
    assert result["review_answer"] == "done"
    assert hear_back_saved() is wanted


@pytest.mark.parametrize(
    "text", ["thats it", "that's all thanks", "nothing else", "no", "all done x", "Nope."]
)
def test_nothing_more_is_not_kept_as_a_comment(database, text):
    slots, _ = start(database)
    slots, _ = answer(slots, "affirm", "/affirm")
    slots, messages = answer(slots, "out_of_scope", text)
    assert messages == []
    assert saved_answers()[PACK.questions[0].id].comment is None
    assert ask(slots)[0]["number"] == 2


@pytest.mark.parametrize(
    "text", ["no one listened to us", "nothing was done about transport", "that's it really, awful"]
)
def test_a_real_comment_is_kept(text):
    assert not says_nothing_more(text)


@pytest.mark.parametrize(
    "text, role",
    [
        ("i'm his mum", "parent_carer"),
        ("Parent or carer", "parent_carer"),
        ("young person", "young_person"),
        ("I work with families", "practitioner"),
        ("im his foster carer", "parent_carer"),
    ],
)
def test_role_in_own_words(text, role):
    assert role_of(text) == role


@pytest.mark.parametrize(
    "text, band",
    [
        ("14", "13_15"),
        ("im fourteen", "13_15"),
        ("16 to 17", "16_17"),
        ("I'm over 25", "over_25"),
        ("over 25", "over_25"),
        ("under 13", "under_13"),
    ],
)
def test_age_band_in_own_words(text, band):
    assert age_band_of(text) == band


def test_an_unclear_age_gets_the_age_question_options_back(database):
    from tests.test_review_actions import give_profile

    slots, _ = start(database)
    slots, _ = give_profile(slots, "review_role", "young person")
    slots, messages = give_profile(slots, "review_age", "dunno")
    assert messages[0]["response"] == "utter_age_not_understood"


def test_longer_phrases_win_and_typos_are_forgiven():
    ladder = options_for("ladder")
    assert pick("not asked at all", ladder).value == "doing_to"
    assert pick("togther as equals", ladder).value == "doing_with"
    assert pick("to us", ladder).value == "doing_to"
    assert pick("for us and with us", ladder).unclear
    assert pick("banana", ladder).options == ()


def test_the_count_of_questions_is_the_number_really_asked(database):
    """A placed review asks the pack's 7, where the work sat, and whether to hear back."""
    from bot.store import repository
    from bot.store.db import unit_of_work

    with unit_of_work() as session:
        repository.create_review(session, "CNT-234", "Transport forum", "wirral", "consulting")
    slots, messages = start(
        database, "code cnt-234", entities=[{"entity": "review_code", "value": "CNT-234"}]
    )
    assert messages[-1]["total"] == 9
    assert (ask(slots)[0]["number"], ask(slots)[0]["total"]) == (1, 9)
    slots = answer_first(slots, ["affirm"] * len(PACK.questions))
    assert (ask(slots)[0]["response"], ask(slots)[0]["number"]) == ("utter_review_ladder", 8)
    slots, _ = answer(slots, "inform", "with us")
    assert (ask(slots)[0]["response"], ask(slots)[0]["number"]) == ("utter_review_hear_back", 9)


def test_need_help_mid_review_gets_the_help_then_the_question_again(database):
    slots, _ = start(database)
    slots = answer_first(slots, ["affirm"])
    text = "the school keeps sending my son home what can i do"
    slots, messages = answer(slots, "need_help", text)
    assert [m["response"] for m in messages] == ["utter_need_help", "utter_need_help_national"]
    assert set(saved_answers()) == {PACK.questions[0].id}
    [again] = ask(slots)
    assert again["response"] == "utter_review_question"
    assert again["number"] == 2 and again["question"] == PACK.questions[1].text


def test_need_help_at_tell_us_more_is_not_kept_as_a_comment(database):
    slots, _ = start(database)
    slots, _ = answer(slots, "affirm", "/affirm")
    slots, messages = answer(slots, "need_help", "my daughter has no school place, who can help")
    assert [m["response"] for m in messages] == ["utter_need_help", "utter_need_help_national"]
    assert saved_answers()[PACK.questions[0].id].comment is None
