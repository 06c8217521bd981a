"""The rule-based safeguarding backstop."""

from pathlib import Path

import pytest

from bot.nlp.risk import suggests_risk

BENCH_DATA = Path(__file__).resolve().parent.parent / "bench" / "data"

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


def load_set(name: str) -> list[str]:
    lines = (BENCH_DATA / name).read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


@pytest.mark.parametrize(
    "risk_file,ordinary_file",
    [
        ("risk_messages.txt", "ordinary_messages.txt"),
        ("risk_messages_dev2.txt", "ordinary_messages_dev2.txt"),
        # The first held-out set was seen when the second round of rules was written.
        ("risk_messages_heldout.txt", "ordinary_messages_heldout.txt"),
        # The fourth held-out set was measured once, then used for the fourth round.
        ("risk_messages_heldout4.txt", "ordinary_messages_heldout4.txt"),
    ],
)
def test_the_rules_catch_every_risk_message_they_were_written_from(risk_file, ordinary_file):
    """Sets used to write the rules: nothing there may slip back."""
    risk, ordinary = load_set(risk_file), load_set(ordinary_file)
    assert len(risk) >= 40 and len(ordinary) >= 50
    assert [m for m in risk if not suggests_risk(m)] == []
    assert [m for m in ordinary if suggests_risk(m)] == []


def test_the_rules_on_messages_they_were_not_written_for():
    """The second held-out set: a floor under the measured result in docs/safeguarding.md."""
    risk = load_set("risk_messages_heldout2.txt")
    ordinary = load_set("ordinary_messages_heldout2.txt")
    assert len(risk) >= 50 and len(ordinary) >= 50
    caught = sum(suggests_risk(m) for m in risk) / len(risk)
    false_alarms = sum(suggests_risk(m) for m in ordinary) / len(ordinary)
    assert caught >= 0.8
    assert false_alarms <= 0.02


def test_the_third_set_is_caught_and_flags_only_the_two_kept_on_purpose():
    """Seen since the third round; two ordinary messages are flagged on purpose."""
    assert [m for m in load_set("risk_messages_heldout3.txt") if not suggests_risk(m)] == []
    assert [m for m in load_set("ordinary_messages_heldout3.txt") if suggests_risk(m)] == [
        "he has a bruise from where he walked into the door",
        "he hit me when i turned the ipad off but he is calmer now",
    ]


@pytest.mark.parametrize(
    "text",
    [
        "she bruises easily because of her condition",
        "he hurt himself by accident when he fell in the playground",
        "she hurt herself accidentally on the slide",
    ],
)
def test_accidents_and_easy_bruising_are_not_flagged(text):
    assert not suggests_risk(text)
