"""Typed answers to a question with buttons, read with the question's own words.

Each option lists the phrases that name it ("done with us", "equal partners").
A typed answer picks the option whose phrases it contains. Longer phrases win
over the shorter ones inside them, so "not done with us" is read as "not done
with us" and never as "done with us". Small typing slips are forgiven in words
of five letters or more ("equel", "togther").
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml
from rapidfuzz import fuzz

TYPED_ANSWERS = Path(__file__).with_name("typed_answers.yml")

# Words of at least this many letters may differ a little from the option's word.
FUZZY_MIN_LETTERS = 5
FUZZY_MIN_SCORE = 80
# A "no" or "not" just before an option's words turns it round: ask again.
NEGATIONS = frozenset({"no", "not", "never", "wasnt", "werent", "didnt", "isnt", "nt"})


@dataclass(frozen=True)
class Picked:
    """What a typed answer chose: one option, several (unclear), or none."""

    options: tuple[str, ...]
    # The typed words no option used, in order.
    leftover: tuple[str, ...] = ()
    # An option's words came just after "not", "never" or the like.
    negated: bool = False

    @property
    def value(self) -> str | None:
        return self.options[0] if len(self.options) == 1 and not self.negated else None

    @property
    def unclear(self) -> bool:
        return len(self.options) > 1 or (len(self.options) == 1 and self.negated)


def words_of(text: str) -> list[str]:
    lowered = text.lower().replace("’", "'").replace("'", "")
    return re.findall(r"[a-z0-9]+", lowered)


def _same_word(typed: str, wanted: str) -> bool:
    if typed == wanted:
        return True
    if len(wanted) < FUZZY_MIN_LETTERS or len(typed) < FUZZY_MIN_LETTERS - 1:
        return False
    return fuzz.ratio(typed, wanted) >= FUZZY_MIN_SCORE


def _found_at(words: list[str], phrase: list[str]) -> Iterable[int]:
    for start in range(len(words) - len(phrase) + 1):
        if all(_same_word(words[start + i], word) for i, word in enumerate(phrase)):
            yield start


def pick(text: str, options: Mapping[str, Iterable[str]]) -> Picked:
    """The options a typed answer names, longest phrases first, each word used once."""
    words = words_of(text)
    found: list[tuple[int, int, str]] = []
    for value, phrases in options.items():
        for phrase in phrases:
            phrase_words = words_of(phrase)
            if phrase_words:
                found.extend(
                    (start, start + len(phrase_words), value)
                    for start in _found_at(words, phrase_words)
                )
    used = [False] * len(words)
    chosen: list[str] = []
    negated = False
    for start, end, value in sorted(found, key=lambda f: (f[0] - f[1], f[0])):
        if any(used[start:end]):
            continue
        used[start:end] = [True] * (end - start)
        negated = negated or (start > 0 and words[start - 1] in NEGATIONS and not used[start - 1])
        if value not in chosen:
            chosen.append(value)
    leftover = tuple(word for word, was_used in zip(words, used, strict=True) if not was_used)
    return Picked(tuple(chosen), leftover, negated)


@cache
def _typed_answers() -> dict[str, dict[str, list[str]]]:
    loaded = yaml.safe_load(TYPED_ANSWERS.read_text(encoding="utf-8"))
    for question, options in loaded.items():
        for option, phrases in options.items():
            wrong = [p for p in phrases if not isinstance(p, str) or not words_of(p)]
            if wrong:
                raise ValueError(f"{TYPED_ANSWERS.name}: {question}.{option}: not words: {wrong}")
    return loaded


def options_for(question: str) -> dict[str, list[str]]:
    """The typed words for each option of a closed question (``typed_answers.yml``)."""
    return _typed_answers()[question]
