"""Names shown in public: one form for each, and names that only look like another.

A name on the public pledge register must not pass for another organisation's
("Wirral Cоuncil" with a Cyrillic "о", "lnstitute" with a small L). Names are
kept in Unicode's compatibility form (NFKC: full-width and mathematical letters
become ordinary ones), a word may not mix alphabets, and two names "look alike"
when they are the same after each character is replaced by the one it is
confused with (Unicode's confusables, from ``confusable_homoglyphs``) and case
is folded. Names written wholly in one script, any script, are fine.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from confusable_homoglyphs import categories, confusables

from bot.store.text import clean_text

# Scripts that are no script of their own: digits, punctuation, spaces, emoji, accents.
_NEUTRAL = frozenset({"COMMON", "INHERITED", "Unknown"})
# Scripts written together in one word (Unicode's "highly restrictive" level).
_WRITTEN_TOGETHER = (
    frozenset({"LATIN", "HAN", "HIRAGANA", "KATAKANA"}),
    frozenset({"LATIN", "HAN", "BOPOMOFO"}),
    frozenset({"LATIN", "HAN", "HANGUL"}),
)
_BIDI_MARKS = str.maketrans("", "", "\u200e\u200f")
_NOT_WORD = re.compile(r"[^\w]+")


def normalise(name: str | None) -> str:
    """A name without control characters, in NFKC form, on one line, single-spaced."""
    return " ".join(unicodedata.normalize("NFKC", clean_text(name)).split())


def mixed_script_words(name: str) -> list[str]:
    """The words in ``name`` that mix alphabets, such as Latin and Cyrillic letters."""
    mixed = []
    for word in name.split():
        scripts = categories.unique_aliases(word) - _NEUTRAL
        if len(scripts) > 1 and not any(scripts <= allowed for allowed in _WRITTEN_TOGETHER):
            mixed.append(word)
    return mixed


@lru_cache(maxsize=4096)
def _prototype(ch: str) -> str:
    """The character (or characters) ``ch`` is confused with, or ``ch`` itself.

    Unicode's table maps each look-alike to one prototype; the library lists,
    for a prototype, all its look-alikes, and for a look-alike, its prototype.
    Two characters that only look like each other map to the same one of the pair.
    """
    found = confusables.is_confusable(ch, greedy=True)
    if not found or len(found[0]["homoglyphs"]) != 1:
        return ch
    target = found[0]["homoglyphs"][0]["c"].translate(_BIDI_MARKS)
    back = confusables.is_confusable(target, greedy=True) if len(target) == 1 else False
    if back and [g["c"] for g in back[0]["homoglyphs"]] == [ch]:
        return min(ch, target)
    return target


def _words(text: str) -> str:
    """Letters, digits and accents kept; any run of anything else is one space."""
    spaced = "".join(
        ch if ch.isalnum() or unicodedata.category(ch).startswith("M") else " " for ch in text
    )
    return " ".join(spaced.split())


def _skeleton(name: str) -> str:
    return _words("".join(_prototype(ch) for ch in name).casefold())


def skeletons(name: str) -> frozenset[str]:
    """How ``name`` looks, ignoring case: equal skeletons mean the names look alike.

    Mapped before and after case folding, so "WIRRAL C0UNCIL" and "lnstitute"
    meet "Wirral Council" and "Institute".
    """
    name = normalise(name)
    return frozenset({_skeleton(name), _skeleton(name.casefold())})


def same_name(one: str, other: str) -> bool:
    """The same name written the same way, but for case, spacing and punctuation."""
    return _fold(one) == _fold(other)


def _fold(name: str) -> str:
    return " ".join(_NOT_WORD.sub(" ", normalise(name).casefold()).split())


def looks_like(name: str, other: str) -> bool:
    """``name`` looks like ``other`` but is written with different letters."""
    return not same_name(name, other) and bool(skeletons(name) & skeletons(other))
