"""Text fields of the content files: trimmed text, and easy read wherever a family sees it.

``Text`` and ``EasyText`` are the field types of a pack's parts; ``text_field`` reads
one such field of the glossary, the quiz and the channel messages, naming the file,
the place in it and the problem when the field is wrong.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import ConstrainedStr

from bot.content.errors import ContentError
from bot.content.wording import FIELD, Problem

# The longest sentence a family is given, in words.
MAX_WORDS = 15


def word_count(text: str) -> int:
    return len(re.findall(r"[\w'’-]+", text))


def long_sentence(text: str) -> str | None:
    """The first sentence of ``text`` over MAX_WORDS words, or None when all are easy to read."""
    for sentence in re.split(r"(?<=[.?!])\s+", text.strip()):
        if word_count(sentence) > MAX_WORDS:
            return sentence
    return None


def over_max_words(sentence: str) -> str:
    return f"has a sentence over {MAX_WORDS} words: {sentence!r}"


class Text(ConstrainedStr):
    """Non-empty text, trimmed (a number or a list is refused, not turned into text)."""

    strict = True
    strip_whitespace = True
    min_length = 1


class EasyText(Text):
    """Text a family reads: no sentence over MAX_WORDS words."""

    @classmethod
    def __get_validators__(cls):
        yield from super().__get_validators__()
        yield cls.easy_to_read

    @classmethod
    def easy_to_read(cls, value: str) -> str:
        sentence = long_sentence(value)
        if sentence is not None:
            raise Problem(over_max_words(sentence), FIELD)
        return value


def text_field(data: dict[str, Any], key: str, where: str, easy_read: bool = False) -> str:
    """The field ``key`` as trimmed text; with ``easy_read``, no sentence over MAX_WORDS."""
    value = data.get(key)
    if not isinstance(value, str) or not value.strip():
        raise ContentError(f"{where}: field '{key}' must be non-empty text")
    sentence = long_sentence(value) if easy_read else None
    if sentence is not None:
        raise ContentError(f"{where}: field '{key}' {over_max_words(sentence)}")
    return value.strip()
