"""Text that staff and families write, made safe to keep, show, send and export.

Every store function that saves words someone typed passes them through
:func:`clean_text` first. Control characters break spreadsheets (openpyxl
refuses them) and can hide or reorder what a reader sees, so they never reach
the store. Letters, marks, punctuation, emoji and characters newer than
Python's Unicode tables are kept.
"""

from __future__ import annotations

import unicodedata

import regex

ZWJ = "\u200d"  # zero width joiner: joins emoji into one ("👨‍👩‍👧")
ZWNJ = "\u200c"  # zero width non-joiner: part of spelling in Persian, Urdu and Indic words
BLACK_FLAG = "\U0001f3f4"  # starts the England, Scotland and Wales flags (with tag characters)
TAGS = range(0xE0020, 0xE0080)
# What an emoji may carry between itself and a joiner: emoji style, skin tones.
_EMOJI_MODIFIERS = frozenset("\ufe0f\U0001f3fb\U0001f3fc\U0001f3fd\U0001f3fe\U0001f3ff")
_PICTOGRAPHIC = regex.compile(r"\p{Extended_Pictographic}")
_LINE_BREAKS = regex.compile(r"\r\n?|[\x85\u2028\u2029]")
_LETTER_OR_MARK = ("L", "M")


def _is_emoji(ch: str) -> bool:
    return bool(_PICTOGRAPHIC.match(ch))


def _script_letter(ch: str) -> bool:
    """A letter or mark outside the Latin alphabet (where a non-joiner can be part of a word)."""
    return unicodedata.category(ch)[0] in _LETTER_OR_MARK and not (
        ch.isascii() or unicodedata.name(ch, "").startswith("LATIN")
    )


def _joins_emoji(kept: list[str], after: str) -> bool:
    """A zero width joiner between two emoji: part of one picture, such as a family."""
    before = next((ch for ch in reversed(kept) if ch not in _EMOJI_MODIFIERS), "")
    return bool(before) and _is_emoji(before) and _is_emoji(after)


def _keep_format(ch: str, kept: list[str], after: str) -> bool:
    """Whether an invisible format character (Unicode "Cf") is part of the text."""
    if ch == ZWJ:
        return _joins_emoji(kept, after)
    if ch == ZWNJ:
        return bool(kept) and _script_letter(kept[-1]) and bool(after) and _script_letter(after)
    if ord(ch) in TAGS:
        return bool(kept) and (kept[-1] == BLACK_FLAG or ord(kept[-1]) in TAGS)
    return False


def clean_text(text: str | None) -> str:
    """``text`` without control or invisible format characters, NFC-normalised.

    - new lines become ``\\n`` (Windows CR LF, a lone CR, Unicode line and
      paragraph separators); tabs stay;
    - every other control character (C0, DEL, C1) goes;
    - invisible format characters go: zero width spaces and joiners, bidi
      marks, embeddings, overrides and isolates, word joiners, byte order
      marks, soft hyphens. Kept where text needs them: a zero width joiner
      between two emoji, a non-joiner inside a non-Latin word, the tag
      characters of the England, Scotland and Wales flags;
    - lone surrogates (which cannot be stored as UTF-8) go.

    Nothing else changes: not spacing, not case. Callers trim and check length.
    """
    text = _LINE_BREAKS.sub("\n", unicodedata.normalize("NFC", text or ""))
    kept: list[str] = []
    for index, ch in enumerate(text):
        category = unicodedata.category(ch)
        if ch in "\n\t" or category not in ("Cc", "Cf", "Cs"):
            kept.append(ch)
        elif category == "Cf":
            after = text[index + 1] if index + 1 < len(text) else ""
            if _keep_format(ch, kept, after):
                kept.append(ch)
    return unicodedata.normalize("NFC", "".join(kept))
