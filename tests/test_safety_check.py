"""The safety check as a whole (cards and classifier), and its command-line contract."""

from __future__ import annotations

import io
import json
import subprocess
import sys

import pytest

from bot.cli import main
from bot.safety import NONE, POSSIBLE, SEVERE, Assessment, default_check
from bot.safety.triage import answer_to_check
from tests.e2e import ROOT

# Reported as answered with a crisis message in the review (issue 19): ordinary.
EVERYDAY = [
    "my daughter is non verbal so i'm answering for her",
    "i cried at the end because for once someone listened",
    "the workshop on self harm awareness was really useful",
    "the people were nice and i had a drink",
    "it was boring and i wanted to go home",
    "i was scared to talk in front of everyone",
    "again",
    "home",
    "tonight",
]
# Kinds of risk reported as missed (issue 19), in words of our own.
RISK = [
    "some nights i think about driving into a wall with her in the car",
    "the respite worker slapped my son and they told me to keep quiet",
    "im starving myself so i can just vanish",
]


@pytest.fixture(scope="module")
def check():
    return default_check()


@pytest.mark.parametrize("text", EVERYDAY)
def test_everyday_review_answers_are_not_flagged(check, text):
    assert check.assess(text).level == NONE


@pytest.mark.parametrize("text", RISK)
def test_risk_in_other_words_is_severe(check, text):
    assert check.assess(text).level == SEVERE


def test_a_card_names_itself_and_its_category(check):
    assessment = check.assess("i am scared of my dad")
    assert assessment.level == POSSIBLE
    assert assessment.cards and assessment.categories == ("domestic_abuse",)


@pytest.mark.parametrize(
    "cards,by_score,found_by",
    [
        (("a-card",), NONE, "cards"),
        (("a-card",), POSSIBLE, "cards+classifier"),
        ((), SEVERE, "classifier"),
    ],
)
def test_a_flag_says_which_part_found_it(cards, by_score, found_by):
    assert Assessment(SEVERE, cards, 0.8, classifier_level=by_score).found_by == found_by


@pytest.mark.parametrize(
    "typed,answer",
    [
        ("Yes", "yes"),
        ("yeah!", "yes"),
        ("✅ Yes", "yes"),
        ("No, I'm OK", "no"),
        ("nah im fine thanks", "no"),
        ("im fine thanks", "no"),
        ("❌ No, I'm OK", "no"),
        ("yes he hit me", None),
        ("what is an ehcp", None),
    ],
)
def test_answers_to_the_gentle_check(typed, answer):
    assert answer_to_check(typed) == answer


def test_copro_safety_check_prints_one_json_object_a_line():
    lines = ["i want to kill myself", "the room was nice", "", "i am scared of my dad"]
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "safety", "check"],
        input="\n".join(lines) + "\n",
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
        check=True,
    )
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(out) == len(lines)
    assert all(set(o) == {"level", "cards", "score"} for o in out)
    assert all(0.0 <= o["score"] <= 1.0 and isinstance(o["cards"], list) for o in out)
    assert [o["level"] for o in out] == [SEVERE, NONE, NONE, POSSIBLE]
    assert "suicide-kill-self" in out[0]["cards"]


def test_copro_safety_check_explains_when_asked(monkeypatch, capsys):
    # In this process: the test above runs the command in its own.
    monkeypatch.setattr(sys, "stdin", io.StringIO("i want to kill myself\n"))
    assert main(["safety", "check", "--explain"]) == 0
    [out] = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert out["categories"] == ["suicide"] and out["matched"]["suicide-kill-self"]
    assert set(out["thresholds"]) == {"possible", "severe"}
