"""Redaction of free text before it leaves the store in an export."""

from __future__ import annotations

import re
from collections.abc import Iterable

_PATTERNS = (
    ("[email]", re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")),
    ("[link]", re.compile(r"\b(?:https?://|www\.)\S+", re.IGNORECASE)),
    ("[phone]", re.compile(r"(?:\+44\s?\(?0?\)?\s?|\b0)(?:\d[\s-]?){8,10}\d\b")),
    (
        "[postcode]",
        re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b", re.IGNORECASE),
    ),
)


# "my name is Sam": the word after it is a name the person gave.
_NAME_GIVEN = re.compile(
    r"\b(my name is|my name's|i am called|i'm called|call me) ([A-Za-z][\w'-]*)",
    re.IGNORECASE,
)


def redact(text: str, names: Iterable[str] = ()) -> str:
    """``text`` without emails, links, phone numbers, postcodes and names.

    ``names`` are the names this person gave the bot (a first name when
    signing a pledge, for example); each is replaced wherever it appears.
    """
    for label, pattern in _PATTERNS:
        text = pattern.sub(label, text)
    text = _NAME_GIVEN.sub(lambda m: f"{m.group(1)} [name]", text)
    for name in sorted(
        {n.strip() for n in names if n and len(n.strip()) > 1}, key=len, reverse=True
    ):
        text = re.sub(rf"\b{re.escape(name)}\b", "[name]", text, flags=re.IGNORECASE)
    return text
