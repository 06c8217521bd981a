"""`safeguarding` inside Rasa is the safety check's decision, never a classifier's guess."""

from __future__ import annotations

from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, METADATA, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.nlp.components import SafetyIntent


def parsed(text: str, guess: str, metadata: dict | None = None) -> Message:
    message = Message(data={TEXT: text, METADATA: metadata or {}})
    ranking = [{"name": guess, "confidence": 0.8}, {"name": "affirm", "confidence": 0.15}]
    ranking += [{"name": "deny", "confidence": 0.05}]
    message.set(INTENT, ranking[0])
    message.set(INTENT_RANKING_KEY, ranking)
    return message


def test_the_edges_severe_decision_makes_it_safeguarding_whatever_was_guessed():
    message = parsed("it was fine", "affirm", {"safety": {"level": "severe", "help_given": True}})
    SafetyIntent().process([message])
    assert message.get(INTENT) == {"name": "safeguarding", "confidence": 1.0}
    assert message.get("safety")["help_given"] is True
    assert all(r["confidence"] == 0.0 for r in message.get(INTENT_RANKING_KEY)[1:])


def test_a_checked_message_is_ordinary_and_a_safeguarding_guess_drops_out():
    metadata = {"safety": {"level": "possible", "checked": True}}
    message = parsed("no i was scared to talk in front of everyone", "safeguarding", metadata)
    SafetyIntent().process([message])
    assert message.get(INTENT) == {"name": "affirm", "confidence": 0.15}
    assert [r["name"] for r in message.get(INTENT_RANKING_KEY)] == ["affirm", "deny"]
    assert message.get("safety")["level"] == "none"


def test_without_the_edge_the_check_itself_decides():
    risk = parsed("i want to kill myself", "affirm")
    calm = parsed("the meeting was lovely and the tea was nice", "safeguarding")
    SafetyIntent().process([risk, calm])
    assert risk.get(INTENT)["name"] == "safeguarding"
    assert risk.get("safety")["level"] == "severe"
    assert calm.get(INTENT)["name"] == "affirm"
    assert calm.get("safety")["level"] == "none" and calm.get("safety")["cards"] == []


def test_button_payloads_and_empty_messages_are_left_alone():
    button = parsed("/affirm", "affirm")
    SafetyIntent().process([button])
    assert button.get(INTENT) == {"name": "affirm", "confidence": 0.8}
    assert button.get("safety") is None
