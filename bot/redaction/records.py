"""Details from a person's records: dates of birth, reference numbers, vehicle registrations."""

from __future__ import annotations

import re
from collections.abc import Iterator

from bot.redaction.contacts import Span

_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_DAY = r"(?:[0-3]?\d)(?:st|nd|rd|th)?"
_YEAR = r"(?:19|20)\d\d"
# 14.07.09, 03/04/2015, 2012-01-02: a whole date in figures.
NUMERIC_DATE = re.compile(
    r"(?<![\w/.-])(?:[0-3]?\d[./-][01]?\d[./-](?:\d\d)?\d\d|(?:19|20)\d\d-[01]\d-[0-3]\d)(?![\w/])"
)
# 12th march 2014, 23rd of October 2010, March 12th, 2014, Jan 2012 after "born".
WRITTEN_DATE = re.compile(
    rf"\b(?:{_DAY}\s+(?:of\s+)?{_MONTH}\.?,?\s+{_YEAR}|{_MONTH}\.?\s+{_DAY},?\s+{_YEAR})\b",
    re.IGNORECASE,
)
# A date after "born", "birthday", "DOB", "date of birth", even without a year.
BIRTH = re.compile(
    r"\b(?:born(?:\s+on)?|birthday(?:\s+is)?|d\.?o\.?b\.?|date\s+of\s+birth)\s*[:\-]?\s*"
    rf"(?:(?:is|was|on|the)\s+)*((?:{_DAY}\s+(?:of\s+)?{_MONTH}|{_MONTH}\s+{_DAY}|{_MONTH})"
    rf"(?:,?\s+{_YEAR}|\s+'?\d\d)?|{_YEAR}|[0-3]?\d[./-][01]?\d(?:[./-]\d{{2,4}})?)",
    re.IGNORECASE,
)
# "EHCP ref EHC/2023/0417", "case number W-55123", "UPN: A123456789012"
REFERENCE = re.compile(
    r"\b(?:ref(?:erence)?|case|ehcp?|upn|pupil|file|claim|nhs)\s*(?:no\.?|number|num|#)?"
    r"\s*(?:is\s+)?[:#]?\s*([A-Z0-9](?=[A-Z0-9/\-]*\d)[A-Z0-9/\-]{4,})",
    re.IGNORECASE,
)
# A current UK registration (AB12 CDE).
VEHICLE = re.compile(r"\b[A-Z]{2}\d{2}\s?[A-Z]{3}\b")


def dates(text: str) -> Iterator[Span]:
    for pattern in (NUMERIC_DATE, WRITTEN_DATE):
        for match in pattern.finditer(text):
            yield match.start(), match.end(), "[date]"
    for match in BIRTH.finditer(text):
        yield match.start(1), match.end(1), "[date]"


def references(text: str) -> Iterator[Span]:
    for match in REFERENCE.finditer(text):
        yield match.start(1), match.end(1), "[reference]"
    for match in VEHICLE.finditer(text):
        yield match.start(), match.end(), "[vehicle]"
