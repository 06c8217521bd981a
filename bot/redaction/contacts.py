"""Ways to reach or find a person: e-mail, links, social handles, phone numbers, numbers.

Each finder returns spans ``(start, end, placeholder)`` of the text it is given.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import phonenumbers

Span = tuple[int, int, str]

_TLD = r"(?:com|co|uk|org|net|gov|nhs|ac|sch|edu|io|me|info|biz|ie|eu|tv|ly|app|online|live)"
_AT = r"(?:\s*@\s*|\s*[\(\[\{<]\s*at\s*[\)\]\}>]\s*|\s+at\s+)"
_DOT = r"(?:\s*\.\s*|\s*[\(\[\{<]\s*dot\s*[\)\]\}>]\s*|\s+dot\s+)"
EMAIL = re.compile(
    rf"(?:[\w+'-]+(?:{_DOT}|[._]))*[\w+'-]+{_AT}[\w-]+(?:{_DOT}[\w-]+)*{_DOT}{_TLD}\b(?:{_DOT}{_TLD}\b)*",
    re.IGNORECASE,
)
LINK = re.compile(
    rf"\b(?:https?://\S+|www\.\S+|(?:[\w-]+\.)+{_TLD}(?:\.[a-z]{{2}})?/\S*)", re.IGNORECASE
)
SOCIAL_SITE = re.compile(
    r"\b(?:facebook|fb|instagram|insta|tiktok|twitter|x|snapchat|youtube|linkedin|threads)"
    r"\s*\.\s*com\b(?:/\S*)?",
    re.IGNORECASE,
)
HANDLE = re.compile(r"(?<![\w.@])@[A-Za-z0-9_](?:[A-Za-z0-9_.]*[A-Za-z0-9_])?")
# "insta: mum.of.three", "add me on snap jess_b2008", "my tiktok is ..."
NAMED_HANDLE = re.compile(
    r"\b(?:insta(?:gram)?|ig|snap(?:chat)?|tiktok|twitter|facebook|fb|threads|discord|x)"
    r"(?:\s+(?:name|handle|account|username|user|page))?"
    r"\s*(?:[:=\-]|is|at|@)?\s*"
    r"(@?[A-Za-z0-9_](?:[A-Za-z0-9_.]*[A-Za-z0-9_])?)",
    re.IGNORECASE,
)
# The fewest digits in a phone number (a UK number without its 0 has 9 or 10).
PHONE_DIGITS = 9
# Runs that could be a number written with letters for digits ("o7700 9OO123").
_NUMBERISH = re.compile(r"[+(]?[0-9OoIl][0-9OoIl()\s.\-/]{7,}[0-9OoIl]")
# A group of digits with letters typed for some ("9OO123"), not a word ("no").
_DIGITS_AND_LOOKALIKES = re.compile(r"(?<![^\W\d_])[0-9OoIl]+(?![^\W\d_])")
_DIGIT_LOOKALIKES = str.maketrans({"O": "0", "o": "0", "I": "1", "l": "1"})
_UK_WITHOUT_PLUS = re.compile(
    r"(?<![\d+])44[\s\-.]?(?:\(0\)[\s\-.]?)?[1-37](?:[\s\-.]?\d){8,9}(?!\d)"
)
# Any run of 9 or more digits, however split: an NHS number, a pupil number, a phone.
LONG_NUMBER = re.compile(r"(?<![\w])\+?\d(?:[\s.\-/()]{0,2}\d){8,}(?![\w])")


def nhs_number_valid(digits: str) -> bool:
    """The NHS number check digit (modulus 11)."""
    if len(digits) != 10 or not digits.isdigit():
        return False
    total = sum(int(d) * (10 - i) for i, d in enumerate(digits[:9]))
    check = 11 - total % 11
    check = 0 if check == 11 else check
    return check != 10 and check == int(digits[9])


def emails(text: str) -> Iterator[Span]:
    for match in EMAIL.finditer(text):
        yield match.start(), match.end(), "[email]"


def links(text: str) -> Iterator[Span]:
    for pattern in (LINK, SOCIAL_SITE):
        for match in pattern.finditer(text):
            end = match.end()
            while end > match.start() and text[end - 1] in ".,;:!?)'\"":
                end -= 1
            yield match.start(), end, "[link]"


def handles(text: str) -> Iterator[Span]:
    for match in HANDLE.finditer(text):
        yield match.start(), match.end(), "[handle]"
    for match in NAMED_HANDLE.finditer(text):
        handle = match.group(1)
        # A handle has a digit, an underscore or a dot in it, or is written after a colon
        # or an @ ("insta: jo"): "on snap chat" or "on twitter and" are not handles.
        if re.search(r"[\d_.@]", handle) or re.search(r"[:=@]\s*@?$", text[: match.start(1)]):
            yield match.start(1), match.end(1), "[handle]"


def _shadow(text: str) -> str:
    """``text`` with O, o, I and l read as digits inside runs that look like numbers.

    Same length as ``text``, so positions found in it hold in ``text``.
    """
    chars = list(text)
    for match in _NUMBERISH.finditer(text):
        if sum(c.isdigit() for c in match.group()) < 4:
            continue
        for part in _DIGITS_AND_LOOKALIKES.finditer(match.group()):
            if any(c.isdigit() for c in part.group()):
                start = match.start() + part.start()
                chars[start : start + len(part.group())] = part.group().translate(_DIGIT_LOOKALIKES)
    return "".join(chars)


def phones(text: str) -> Iterator[Span]:
    """UK and international phone numbers, however written, digits typed as letters too."""
    shadow = _shadow(text)
    for match in phonenumbers.PhoneNumberMatcher(
        shadow, "GB", leniency=phonenumbers.Leniency.POSSIBLE
    ):
        if sum(c.isdigit() for c in match.raw_string) >= PHONE_DIGITS:
            yield match.start, match.end, "[phone]"
    # "44 7700 900123", "447700900123": the UK's country code without + or 00.
    for match in _UK_WITHOUT_PLUS.finditer(shadow):
        digits = re.sub(r"\D", "", match.group())
        number = phonenumbers.parse("+" + digits.replace("440", "44", 1))
        if phonenumbers.is_possible_number(number):
            yield match.start(), match.end(), "[phone]"


def nhs_numbers(text: str) -> Iterator[Span]:
    """Ten digits with a right NHS check digit, however split."""
    for match in LONG_NUMBER.finditer(_shadow(text)):
        if nhs_number_valid(re.sub(r"\D", "", match.group())):
            yield match.start(), match.end(), "[NHS number]"


def numbers(text: str) -> Iterator[Span]:
    """Any other long run of digits: a pupil number, a phone number written oddly."""
    for match in LONG_NUMBER.finditer(_shadow(text)):
        yield match.start(), match.end(), "[number]"
