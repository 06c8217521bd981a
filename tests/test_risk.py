"""The rule-based safeguarding backstop."""

import pytest

from bot.nlp.risk import suggests_risk

RISK = [
    "someone at home is hurting me",
    "my dad hits me",
    "i wanna kil myself",
    "I want to die",
    "im not safe at hom",
    "i self harm",
    "i've been cutting myself",
    "nobody would care if i was gone",
    "my step dad touched me",
    "he hurtin me",
    "I'm scared to go home",
    "my child said a teacher hurt them",
    "i dont feel safe",
    "thinking about suicide",
    "everyone would be better off without me",
    "SOMEONE IS HURTINGGG ME",
]
ORDINARY = [
    "yes it was lovely",
    "not really, the lift was broken",
    "the papers came late",
    "what is an EHCP",
    "hello",
    "the meeting was at a bad time for school pick up",
    "I felt listened to",
    "my son has ADHD and autism",
    "can I stop now",
    "the room was too hot and noisy",
    "they didn't listen to us",
    "delete my data",
]


@pytest.mark.parametrize("text", RISK)
def test_risk_messages_are_caught(text):
    assert suggests_risk(text)


@pytest.mark.parametrize("text", ORDINARY)
def test_ordinary_messages_are_not_flagged(text):
    assert not suggests_risk(text)


def test_empty_is_not_risk():
    assert not suggests_risk("")
    assert not suggests_risk(None)
