"""Review answers given as a score."""

from __future__ import annotations

import pytest
from rasa.shared.nlu.training_data.message import Message

from bot.nlp.components import RatingClassifier, rating_intent


@pytest.mark.parametrize(
    "text,intent",
    [
        ("10 out of 10", "affirm"),
        ("yes 10 out of 10", "affirm"),
        ("ten outta ten", "affirm"),
        ("i give it 4 out of 5", "affirm"),
        ("7 out of 10 but the room was cold", "affirm"),
        ("5 stars", "affirm"),
        ("8/10", "affirm"),
        ("4/5 great", "affirm"),
        ("6 out of 10", "partly"),
        ("5 out of 10", "partly"),
        ("3 stars", "partly"),
        ("4 out of 10", "deny"),
        ("2 stars", "deny"),
        ("1 star", "deny"),
        ("0 out of 10", "deny"),
        ("zero out of ten", "deny"),
    ],
)
def test_a_score_is_a_review_answer(text, intent):
    assert rating_intent(text) == intent


@pytest.mark.parametrize(
    "text",
    [
        "the meeting on 3/10 was fine",  # a date
        "3/10/2026",
        "the papers came 2/3 days late",
        "question 3 of 7",
        "11 out of 10",  # not a score we can read
        "4 out of 7",
        "5 out of 10 for the room and 9 out of 10 for the people",  # two scores
        "what does a 5 star hotel have to do with this",
        "hello",
        "",
    ],
)
def test_no_single_readable_score_is_left_to_the_classifier(text):
    assert rating_intent(text) is None


def make(text: str, intent: str) -> Message:
    message = Message(data={"text": text})
    message.set("intent", {"name": intent, "confidence": 0.6})
    message.set(
        "intent_ranking",
        [{"name": intent, "confidence": 0.6}, {"name": "affirm", "confidence": 0.3}],
    )
    return message


def test_the_score_decides_and_other_guesses_drop_to_zero():
    message = make("2 out of 10", "partly")
    RatingClassifier().process([message])
    assert message.get("intent") == {"name": "deny", "confidence": 1.0}
    ranking = message.get("intent_ranking")
    assert ranking[0] == {"name": "deny", "confidence": 1.0}
    assert all(r["confidence"] == 0.0 for r in ranking[1:])


@pytest.mark.parametrize(
    "text,intent",
    [("3 out of 5. also my stepdad hits me", "safeguarding"), ("/affirm 2 out of 10", "affirm")],
)
def test_safeguarding_and_typed_commands_are_left_alone(text, intent):
    message = make(text, intent)
    RatingClassifier().process([message])
    assert message.get("intent")["name"] == intent


def test_stars_at_the_end_of_a_phrase():
    assert rating_intent("5 stars from me") == "affirm"
    assert rating_intent("2 stars, the room was cold") == "deny"
