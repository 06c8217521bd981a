"""Reading one field of the content files: text, easy read where a family sees it, and lists.

Every reader names the file, the place in it and the problem when a field is wrong.
"""

from __future__ import annotations

import re
from typing import Any

from bot.content.errors import ContentError

# The longest sentence a family is given, in words.
MAX_WORDS = 15


def word_count(text: str) -> int:
    return len(re.findall(r"[\w'’-]+", text))


def text_field(data: dict[str, Any], key: str, where: str, easy_read: bool = False) -> str:
    """The field ``key`` as trimmed text; with ``easy_read``, no sentence over MAX_WORDS."""
    value = data.get(key)
    if not isinstance(value, str) or not value.strip():
        raise ContentError(f"{where}: field '{key}' must be non-empty text")
    if easy_read:
        for sentence in re.split(r"(?<=[.?!])\s+", value.strip()):
            if word_count(sentence) > MAX_WORDS:
                raise ContentError(
                    f"{where}: field '{key}' has a sentence over {MAX_WORDS} words: {sentence!r}"
                )
    return value.strip()


def list_field(data: dict[str, Any], key: str, where: str) -> list[dict[str, Any]]:
    """The field ``key`` as a non-empty list of mappings."""
    value = data.get(key)
    if not isinstance(value, list) or not value:
        raise ContentError(f"{where}: field '{key}' must be a non-empty list")
    for index, item in enumerate(value):
        if not isinstance(item, dict):
            raise ContentError(f"{where}: {key}[{index}] must be a mapping")
    return value
