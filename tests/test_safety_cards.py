"""Each rule card finds its own examples and none of its near misses."""

from __future__ import annotations

from functools import lru_cache

import pytest

from bot.safety.cards import CardError, load_cards, token_specs
from bot.safety.matching import CardMatcher

CARDS = load_cards()


@lru_cache(maxsize=1)
def matcher() -> CardMatcher:
    return CardMatcher(CARDS)


def _ids(text: str) -> list[str]:
    return [hit.card.id for hit in matcher().hits(text)]


@pytest.mark.parametrize("card", CARDS, ids=lambda card: card.id)
def test_a_card_finds_each_of_its_examples(card):
    missed = [text for text in card.examples if card.id not in _ids(text)]
    assert not missed, f"{card.id} ({card.source}) missed: {missed}"


@pytest.mark.parametrize("card", CARDS, ids=lambda card: card.id)
def test_a_card_finds_none_of_its_near_misses(card):
    wrong = [text for text in card.near_misses if card.id in _ids(text)]
    assert not wrong, f"{card.id} ({card.source}) matched near misses: {wrong}"


def test_the_pattern_syntax_becomes_matcher_specs():
    specs = token_specs("hit|kick me? ~2 =hitting !by @me")
    assert specs[0] == {"NORM": {"IN": ["hit", "kick"]}}
    assert specs[1]["OP"] == "?"
    assert specs[2]["OP"] == "?" and specs[3]["OP"] == "?" and len(specs) == 7
    assert specs[4] == {"LOWER": {"IN": ["hitting"]}}
    assert specs[5] == {"NORM": {"NOT_IN": ["by"]}}


@pytest.mark.parametrize(
    "pattern",
    ["~2", "hit ~x", "@nobody-list hit", "me?"],
    ids=["only-a-gap", "bad-gap", "list", "opt"],
)
def test_a_pattern_that_cannot_work_is_refused(pattern):
    with pytest.raises(CardError):
        token_specs(pattern)


def test_misspelt_and_text_speak_words_are_read_as_meant():
    doc = matcher().read("Hes allways HITTIN me wen mum goes out")
    assert [t.norm_ for t in doc] == ["he", "be", "always", "hit", "me", "when", "mum", "go", "out"]


def test_a_real_word_is_never_mended_into_another():
    # "hat" is an English word: it stays what it is, though "hit" is a card's word.
    assert [t.norm_ for t in matcher().read("my hat fell")] == ["my", "hat", "fall"]
