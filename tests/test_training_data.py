"""The training data as Rasa reads it: regexes that catch codes and nothing else."""

from __future__ import annotations

import re

import pytest
from rasa.shared.nlu.training_data.loading import load_data

from bot.settings import PROJECT_ROOT
from bot.staff.reviews import new_review_code


@pytest.fixture(scope="module")
def training_data():
    return load_data(str(PROJECT_ROOT / "nlu_data" / "nlu"))


def test_the_review_code_regex_is_the_only_regex(training_data):
    assert [r["name"] for r in training_data.regex_features] == ["review_code"]


def test_every_regex_compiles_and_matches_codes_as_printed_and_as_typed(training_data):
    for regex in training_data.regex_features:
        pattern = re.compile(regex["pattern"])
        for _ in range(200):
            code = new_review_code()
            for typed in (code, code.lower(), f"my code is {code} thanks"):
                found = pattern.search(typed)
                assert found and found.group(0).upper() == code, (regex["name"], typed)


def test_no_regex_matches_plain_words_in_any_example(training_data):
    """A regex matches only where the example marks that entity.

    Prose inside a regex block ("stop the review please") would turn the words
    into a review code, and the code rule would start a review with it.
    """
    patterns = {r["name"]: re.compile(r["pattern"]) for r in training_data.regex_features}
    wrong = []
    for example in training_data.intent_examples:
        text = example.get("text")
        marked = {(e["entity"], e["start"], e["end"]) for e in example.get("entities") or []}
        for name, pattern in patterns.items():
            for found in pattern.finditer(text):
                if (name, found.start(), found.end()) not in marked:
                    wrong.append((example.get("intent"), text, name))
    assert not wrong
    # The check can fail: a code in plain words would be found.
    assert patterns["review_code"].search("the code on the letter was KD7-M4P")


def test_there_are_no_lookup_tables(training_data):
    """Lookup tables are off in config.yml; glossary terms come from glossary.yml."""
    assert training_data.lookup_tables == []
